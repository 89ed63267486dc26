package org.ndkkit.reference;

import java.util.ArrayList;
import java.util.List;
import org.ndkkit.reference.rdma.CmEvent;
import org.ndkkit.reference.rdma.CmId;
import org.ndkkit.reference.rdma.ConnParam;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaCmEventType;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * NDK_CONNECTOR on one rdma_cm id, with NDK's two-phase connect done on an external QP:
 *
 * <pre>
 * active:  connect / connect-with-shared-endpoint  rdma_create_id, REUSEADDR, rdma_bind_addr,
 *            rdma_resolve_addr -> ADDR_RESOLVED -> rdma_resolve_route -> ROUTE_RESOLVED ->
 *            rdma_connect(qp_num = the NDK QP's number)            -> the request pends
 *          CONNECT_RESPONSE (the id has no QP of its own, so librdmacm does not turn it into
 *            ESTABLISHED)                                          -> the connect completes
 *          complete-connect  rdma_init_qp_attr + ibv_modify_qp INIT/RTR/RTS, rdma_establish (RTU)
 *          reject            rdma_reject in the REP-received state
 * passive: CONNECT_REQUEST on the listener                         -> connect event
 *          accept    QP to RTS, rdma_accept(qp_num)                -> the request pends
 *          ESTABLISHED (the RTU)                                   -> the accept completes
 *          reject    rdma_reject
 * both:    disconnect  rdma_disconnect (DREQ); DISCONNECTED        -> the request completes
 *          DISCONNECTED the provider did not ask for               -> the disconnect event, once;
 *                                                                     the provider answers the
 *                                                                     peer's DREQ at once
 *          close       disconnect if connected, rdma_destroy_id, pending requests complete with
 *                      CANCELLED, then the close completion, then the antecedents are let go
 * </pre>
 *
 * <p>Threads: requests run on the consumer's thread under this connector's lock (every rdma_cm
 * call they make is non-blocking); events, timers and closes run on the adapter's event thread.
 * Completions and event callbacks are made after the lock is released, and the event thread makes
 * them in order, so nothing follows the close completion.
 */
final class RefConnector implements NdkConnector, CmHandler, RefAdapter.Owned {

    private enum State {
        /** Active, never used. */
        IDLE,
        RESOLVING_ADDR,
        RESOLVING_ROUTE,
        /** REQ sent. */
        CONNECTING,
        /** CONNECT_RESPONSE received, the connect completed: awaiting complete-connect or reject. */
        CONNECTED,
        ESTABLISHED,
        /** Active: the connect failed, or the connection was rejected/abandoned before completing. */
        FAILED,
        /** Passive: the connect event was delivered, not yet answered. */
        REQUESTED,
        ACCEPTING,
        /** Passive: the consumer rejected the request. */
        REJECTED,
        /** Passive: the peer abandoned before the connection was established. */
        ABORTED,
        CLOSED
    }

    private record Pending(String what, RequestCompletion completion, Object context) {
        Runnable complete(NtStatus s) {
            return () -> completion.completed(context, s);
        }
    }

    private final RefAdapter adapter;
    private final boolean passive;
    private final Object lock = new Object();
    private State state;
    private CmId id;
    /**
     * An unbound id made when the connector is created, for its first connect through a shared
     * endpoint: creating it is then not part of the connect, as {@code rdma_create_id} is not
     * part of cmtime's (or any rdma_cm program's) connection set-up. Taken by that connect
     * (which destroys it if the connect fails inline); destroyed at close if never used. Null
     * when creating it failed: the connect then creates one itself, and reports that failure.
     */
    private CmId spareId;

    // What the connection holds; let go when it fails or the connector closes.
    private RefQp qp;
    private RefSharedEndpoint sharedEndpoint;
    private RefListener listener;
    private boolean unanswered;
    private FourTupleTable.FourTuple tuple;
    private AddressTable.Reservation ownAddress;
    private Endpoint local;
    private Endpoint remote;

    // The request in progress and the provider's timer for it.
    private Pending connectRequest;
    private Pending acceptRequest;
    private Pending disconnectRequest;
    private EventLoop.Timer timer;

    // Connection data.
    private byte[] connectPrivateData = new byte[0];
    private byte[] peerData;
    private int peerDataSize;
    private int ownInbound;
    private int ownOutbound;
    private int peerInbound;
    private int peerOutbound;
    private int effectiveInbound;
    private int effectiveOutbound;

    // Disconnects.
    private DisconnectEventCallback disconnectEvent;
    private Object disconnectEventContext;
    private boolean disconnectEventMade;
    private boolean localDisconnect;
    private boolean peerDisconnected;
    private boolean peerAbandoned;

    // Close.
    private boolean closeIssued;
    private CloseCompletion closeCompletion;
    private Object closeContext;
    private boolean closeWaitingForDisconnect;
    private boolean finished;

    private RefConnector(RefAdapter adapter, boolean passive, State state) {
        this.adapter = adapter;
        this.passive = passive;
        this.state = state;
    }

    static RefConnector active(RefAdapter adapter) {
        RefConnector c = new RefConnector(adapter, false, State.IDLE);
        // The id a connect over a shared endpoint binds, made now with its REUSEADDR so that the
        // connect itself makes one system call fewer (the setup rate, benchmarks/README.md).
        c.spareId = adapter.newReusableId().orElse(null);
        return c;
    }

    /**
     * The connector a CONNECT_REQUEST becomes. Read limits: the request carries the active
     * side's capped inbound limit as responder_resources and its capped outbound limit as
     * initiator_depth; the kernel swaps them into this side's view, so {@code
     * event.responder_resources} is the active side's outbound and {@code event.initiator_depth}
     * its inbound. Before the accept this side reads them mirrored and capped by its own adapter.
     */
    static RefConnector passive(RefAdapter adapter, RefListener listener, CmId id, CmEvent ev, Endpoint local,
                                Endpoint remote) {
        RefConnector c = new RefConnector(adapter, true, State.REQUESTED);
        c.id = id;
        c.listener = listener;
        c.unanswered = true;
        c.local = local;
        c.remote = remote;
        c.peerData = ev.privateData();
        c.peerDataSize = Math.max(RefAdapter.REQ_DATA_SIZE, c.peerData.length);
        c.peerOutbound = ev.responderResources();
        c.peerInbound = ev.initiatorDepth();
        AdapterInfo info = adapter.info();
        c.effectiveInbound = ReadLimits.effective(info.maxInboundReadLimit(), c.peerOutbound);
        c.effectiveOutbound = ReadLimits.effective(info.maxOutboundReadLimit(), c.peerInbound);
        return c;
    }

    @Override
    public NdkObjectType type() {
        return NdkObjectType.CONNECTOR;
    }

    /**
     * Whether the event log is on. The per-connection messages are built only then: building them
     * (addresses as text) cost ~0.1 ms each in the lab's emulated VM, several per connection.
     */
    private boolean logging() {
        return adapter.log().enabled();
    }

    private void log(String s) {
        if (!logging()) {
            return;
        }
        adapter.log().log(adapter.host() + " " + (passive ? "passive" : "active") + " connector "
                + (local != null ? local : "") + (remote != null ? " <-> " + remote : "") + ": " + s);
    }

    // ================================================================== active side

    @Override
    public NtStatus connectWithSharedEndpoint(NdkQp qp, NdkSharedEndpoint sharedEndpoint, SockAddr destination,
                                              int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                                              int privateDataLength, RequestCompletion completion, Object context) {
        if (!(sharedEndpoint instanceof RefSharedEndpoint se) || se.adapter != adapter) {
            return NtStatus.INVALID_PARAMETER;
        }
        return startConnect(qp, se, null, destination, inboundReadLimit, outboundReadLimit, privateData,
                privateDataLength, completion, context);
    }

    @Override
    public NtStatus connect(NdkQp qp, SockAddr source, SockAddr destination, int inboundReadLimit,
                            int outboundReadLimit, byte[] privateData, int privateDataLength,
                            RequestCompletion completion, Object context) {
        return startConnect(qp, null, source, destination, inboundReadLimit, outboundReadLimit, privateData,
                privateDataLength, completion, context);
    }

    private NtStatus startConnect(NdkQp ndkQp, RefSharedEndpoint se, SockAddr source, SockAddr destination,
                                  int inboundReadLimit, int outboundReadLimit, byte[] privateData, int privateDataLength,
                                  RequestCompletion completion, Object context) {
        if (passive) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        if (completion == null || !(ndkQp instanceof RefQp q) || q.adapter != adapter) {
            return NtStatus.INVALID_PARAMETER;
        }
        NtStatus bad = Buffers.checkAddress(destination);
        if (bad == null) {
            // MaxCallerData is checked here, before rdma_cm sees anything (it would refuse more
            // than 56 bytes with EINVAL, which says nothing about why).
            bad = Buffers.checkPrivateData(privateData, privateDataLength, RefAdapter.MAX_CALLER_DATA);
        }
        if (bad != null) {
            log("connect refused before rdma_cm: " + bad);
            return bad;
        }
        Endpoint dest = Endpoint.of(destination);
        byte[] data = Buffers.copyPrivateData(privateData, privateDataLength);
        AdapterInfo info = adapter.info();
        List<Runnable> undo = new ArrayList<>();
        NtStatus result;
        synchronized (lock) {
            result = issueConnect(q, se, source, dest, data, ReadLimits.cap(inboundReadLimit, info.maxInboundReadLimit()),
                    ReadLimits.cap(outboundReadLimit, info.maxOutboundReadLimit()), completion, context, undo);
        }
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
        return result;
    }

    /** Under the lock; what must be let go on failure goes into {@code undo} (run after the lock). */
    private NtStatus issueConnect(RefQp q, RefSharedEndpoint se, SockAddr source, Endpoint dest, byte[] data,
                                  int capIn, int capOut, RequestCompletion completion, Object context,
                                  List<Runnable> undo) {
        if (closeIssued) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        if (state != State.IDLE) {
            return state == State.FAILED ? NtStatus.INVALID_DEVICE_STATE : NtStatus.CONNECTION_ACTIVE;
        }
        Endpoint localEp;
        CmId newId = null;
        AddressTable.Reservation own = null;
        if (se != null) {
            if (!se.lifetime.acquire()) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            undo.add(se.lifetime::release);
            localEp = se.endpoint();
        } else {
            if (source == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            RefAdapter.Bound b = adapter.bindLocal(source, AddressTable.Kind.CONNECTOR, false, false, this);
            if (!b.ok()) {
                return b.status();
            }
            own = b.reservation();
            newId = b.id();
            undo.add(own::release);
            CmId idToDrop = newId;
            undo.add(() -> adapter.destroyId(idToDrop));
            localEp = own.endpoint();
        }
        NtStatus mixed = Buffers.checkSameFamily(localEp, dest);
        if (mixed != null) {
            log("connect " + localEp + " -> " + dest + ": families differ -> " + mixed);
            return mixed;
        }
        // NDK's NETWORK_UNREACHABLE / HOST_UNREACHABLE need a route lookup without an output
        // interface, which rdma_cm does not do for a bound id (see RouteCheck).
        int routeErrno = adapter.routes().lookup(localEp.socket(), dest.socket());
        if (routeErrno != 0) {
            NtStatus s = StatusMap.reach(routeErrno);
            log("connect " + localEp + " -> " + dest + ": route lookup errno " + routeErrno + " -> " + s);
            return s;
        }
        NtStatus refused = q.associate(this);
        if (refused != null) {
            return refused;
        }
        undo.add(() -> q.dissociate(this));
        FourTupleTable.FourTuple t = new FourTupleTable.FourTuple(localEp, dest);
        FourTupleTable fourTuples = adapter.testbed().fourTuples();
        if (!fourTuples.reserve(t, this)) {
            log("connect " + t + " -> ADDRESS_ALREADY_EXISTS (the provider's four-tuple table)");
            return NtStatus.ADDRESS_ALREADY_EXISTS;
        }
        undo.add(() -> fourTuples.release(t, this));
        if (newId == null) {
            // A shared endpoint's connector: its own id, REUSEADDR, bound to the endpoint's address.
            CmId spare = spareId;
            spareId = null;
            RefAdapter.Bound b = adapter.kernelBind(localEp, spare == null, false, this, spare);
            if (!b.ok()) {
                return b.status();
            }
            newId = b.id();
            CmId idToDrop = newId;
            undo.add(() -> adapter.destroyId(idToDrop));
        }
        // Address resolution ends before the connect timeout: a neighbour nobody answers is then
        // reported as HOST_UNREACHABLE (ADDR_ERROR) rather than lost to the connect's IO_TIMEOUT.
        RdmaResult<Void> r = RdmaCm.resolveAddr(newId, null, dest.socket(), (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                adapter.connectTimeoutMs() * 3 / 4)));
        if (!r.ok()) {
            NtStatus s = StatusMap.connectCall(r);
            log("connect " + t + ": " + r + " -> " + s);
            return s;
        }
        undo.clear(); // the connector holds everything now
        id = newId;
        ownAddress = own;
        sharedEndpoint = se;
        qp = q;
        tuple = t;
        local = localEp;
        remote = dest;
        ownInbound = capIn;
        ownOutbound = capOut;
        connectPrivateData = data;
        connectRequest = new Pending("connect", completion, context);
        state = State.RESOLVING_ADDR;
        // NDK's IO_TIMEOUT: rdma_cm's own connect timer gives up only after ~100 s (16 REQs,
        // 6 s apart); the provider's timer uses the testbed's connect timeout instead.
        timer = adapter.loop().schedule(adapter.connectTimeoutMs(), this::onConnectTimeout);
        if (logging()) {
            log("connect " + t + " issued (in " + Integer.toUnsignedString(capIn) + ", out "
                    + Integer.toUnsignedString(capOut) + ", " + data.length + " bytes) -> PENDING");
        }
        return NtStatus.PENDING;
    }

    private void onConnectTimeout() {
        Deferred after = new Deferred();
        synchronized (lock) {
            if (connectRequest != null && !finished && (state == State.RESOLVING_ADDR
                    || state == State.RESOLVING_ROUTE || state == State.CONNECTING)) {
                log("the provider's connect timer (" + adapter.connectTimeoutMs() + " ms) fired in " + state);
                failConnect(after, NtStatus.IO_TIMEOUT);
            }
        }
        after.run();
    }

    /**
     * Ends an active connection that failed or was abandoned: the id is destroyed (on the event
     * thread), the four-tuple, QP, endpoint and own address are let go, then the connect
     * completes with {@code status} if it was pending. Under the lock; effects go to {@code after}.
     */
    private void failConnect(Deferred after, NtStatus status) {
        cancelTimer();
        state = State.FAILED;
        Pending p = connectRequest;
        connectRequest = null;
        releaseConnection(after);
        if (p != null) {
            log("connect -> " + status);
            after.add(p.complete(status));
        }
    }

    /** Lets go of the id and everything the connection held (under the lock; effects deferred). */
    private void releaseConnection(Deferred after) {
        CmId dead = id;
        id = null;
        if (dead != null) {
            after.add(() -> adapter.loop().execute(() -> adapter.destroyId(dead)));
        }
        if (tuple != null) {
            adapter.testbed().fourTuples().release(tuple, this);
            tuple = null;
        }
        if (ownAddress != null) {
            AddressTable.Reservation o = ownAddress;
            ownAddress = null;
            after.add(o::release);
        }
        if (qp != null) {
            RefQp q = qp;
            qp = null;
            after.add(() -> q.dissociate(this));
        }
        if (sharedEndpoint != null) {
            RefSharedEndpoint se = sharedEndpoint;
            sharedEndpoint = null;
            after.add(se.lifetime::release);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    @Override
    public NtStatus completeConnect(DisconnectEventCallback disconnectEventCallback, Object disconnectContext,
                                    RequestCompletion completion, Object context) {
        Deferred after = new Deferred();
        NtStatus result;
        synchronized (lock) {
            result = doCompleteConnect(disconnectEventCallback, disconnectContext, after);
        }
        after.run();
        return result;
    }

    private NtStatus doCompleteConnect(DisconnectEventCallback cb, Object cbContext, Deferred after) {
        if (closeIssued) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        if (passive || state != State.CONNECTED) {
            return NtStatus.CONNECTION_INVALID;
        }
        if (peerAbandoned) {
            log("complete-connect: the accepting peer abandoned -> CONNECTION_ABORTED");
            state = State.FAILED;
            releaseConnection(after);
            return NtStatus.CONNECTION_ABORTED;
        }
        NtStatus s = qp.toRts(id, effectiveInbound, effectiveOutbound);
        if (s.equals(NtStatus.SUCCESS)) {
            RdmaResult<Void> r = RdmaCm.establish(id);
            if (!r.ok()) {
                s = StatusMap.answerCall(r);
                log("complete-connect: " + r + " -> " + s);
            }
        }
        if (!s.equals(NtStatus.SUCCESS)) {
            RdmaCm.reject(id, null);
            state = State.FAILED;
            releaseConnection(after);
            return s.equals(NtStatus.INVALID_PARAMETER) ? NtStatus.CONNECTION_ABORTED : s;
        }
        state = State.ESTABLISHED;
        disconnectEvent = cb;
        disconnectEventContext = cbContext;
        if (logging()) {
            log("complete-connect -> SUCCESS (QP " + qp.qpNum() + " in RTS, RTU sent)");
        }
        return NtStatus.SUCCESS;
    }

    // ================================================================== passive side

    @Override
    public NtStatus accept(NdkQp ndkQp, int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                           int privateDataLength, DisconnectEventCallback disconnectEventCallback,
                           Object disconnectContext, RequestCompletion completion, Object context) {
        if (!passive) {
            return NtStatus.CONNECTION_INVALID;
        }
        if (completion == null || !(ndkQp instanceof RefQp q) || q.adapter != adapter) {
            return NtStatus.INVALID_PARAMETER;
        }
        // MaxCalleeData, checked before rdma_cm: rdma_accept would take up to 196 bytes, but a
        // reject only 148, and NDK has one limit for both.
        NtStatus bad = Buffers.checkPrivateData(privateData, privateDataLength, RefAdapter.MAX_CALLEE_DATA);
        if (bad != null) {
            log("accept refused before rdma_cm: " + bad);
            return bad;
        }
        byte[] data = Buffers.copyPrivateData(privateData, privateDataLength);
        AdapterInfo info = adapter.info();
        int capIn = ReadLimits.cap(inboundReadLimit, info.maxInboundReadLimit());
        int capOut = ReadLimits.cap(outboundReadLimit, info.maxOutboundReadLimit());
        Deferred after = new Deferred();
        NtStatus result;
        synchronized (lock) {
            result = doAccept(q, capIn, capOut, data, disconnectEventCallback, disconnectContext, completion, context,
                    after);
        }
        after.run();
        return result;
    }

    private NtStatus doAccept(RefQp q, int capIn, int capOut, byte[] data, DisconnectEventCallback cb,
                              Object cbContext, RequestCompletion completion, Object context, Deferred after) {
        if (closeIssued) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        if (state == State.ABORTED) {
            return NtStatus.CONNECTION_ABORTED;
        }
        if (state != State.REQUESTED) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        if (peerAbandoned) {
            // ACCEPT-PEER-ABANDONED; the request is answered, so its backlog place frees (CSE-BACKLOG-FREED)
            log("accept: the connecting peer abandoned the request -> CONNECTION_ABORTED");
            state = State.ABORTED;
            answeredLocked(after);
            return NtStatus.CONNECTION_ABORTED;
        }
        NtStatus refused = q.associate(this);
        if (refused != null) {
            return refused;
        }
        int effIn = ReadLimits.effective(capIn, peerOutbound);
        int effOut = ReadLimits.effective(capOut, peerInbound);
        NtStatus s = q.toRts(id, effIn, effOut);
        if (!s.equals(NtStatus.SUCCESS)) {
            after.add(() -> q.dissociate(this));
            log("accept: QP to RTS -> " + s);
            if (s.equals(NtStatus.CONNECTION_ABORTED)) {
                // EINVAL from rdma_init_qp_attr: the CM dropped the request before its event arrived
                state = State.ABORTED;
                answeredLocked(after);
            }
            return s;
        }
        // The REP carries this side's capped values (not the minimum): the active side takes its
        // own minimum, as this side did with the request's values.
        RdmaResult<Void> r = RdmaCm.accept(id, new ConnParam(data, ReadLimits.wire(capIn), ReadLimits.wire(capOut),
                1, 7, 7, 0, q.qpNum()));
        if (!r.ok()) {
            // EINVAL: the CM no longer holds the request, i.e. the connecting peer gave up.
            NtStatus f = StatusMap.answerCall(r);
            log("accept: " + r + " -> " + f);
            q.toError();
            after.add(() -> q.dissociate(this));
            state = State.ABORTED;
            answeredLocked(after);
            return f;
        }
        qp = q;
        ownInbound = capIn;
        ownOutbound = capOut;
        effectiveInbound = effIn;
        effectiveOutbound = effOut;
        disconnectEvent = cb;
        disconnectEventContext = cbContext;
        acceptRequest = new Pending("accept", completion, context);
        state = State.ACCEPTING;
        answeredLocked(after);
        timer = adapter.loop().schedule(adapter.plan().acceptTimeoutMs(), this::onAcceptTimeout);
        if (logging()) {
            log("accept issued (in " + effIn + ", out " + effOut + ", " + data.length + " bytes) -> PENDING");
        }
        return NtStatus.PENDING;
    }

    private void answeredLocked(Deferred after) {
        if (unanswered) {
            unanswered = false;
            RefListener l = listener;
            after.add(l::answered);
        }
    }

    private void onAcceptTimeout() {
        Deferred after = new Deferred();
        synchronized (lock) {
            if (state == State.ACCEPTING && acceptRequest != null && !finished) {
                log("the accept timer (" + adapter.plan().acceptTimeoutMs() + " ms) fired: the peer never completed");
                state = State.ABORTED;
                Pending p = acceptRequest;
                acceptRequest = null;
                timer = null;
                // rdma_destroy_id, not rdma_reject: the kernel CM's reject in the REP-sent state
                // sends the REJ but leaves the REP's retransmissions running (15 retries, about a
                // minute on rxe), and a later rdma_destroy_id waits for all of them on this
                // adapter's event thread. A destroy in the REP-sent state cancels the REP and sends
                // the REJ itself. The connector keeps its QP and endpoint until it is closed.
                CmId dead = id;
                id = null;
                if (dead != null) {
                    after.add(() -> adapter.loop().execute(() -> adapter.destroyId(dead)));
                }
                after.add(p.complete(NtStatus.IO_TIMEOUT));
            }
        }
        after.run();
    }

    // ================================================================== both sides

    @Override
    public NtStatus reject(byte[] privateData, int privateDataLength) {
        NtStatus bad = Buffers.checkPrivateData(privateData, privateDataLength, RefAdapter.MAX_CALLEE_DATA);
        if (bad != null) {
            log("reject refused before rdma_cm: " + bad);
            return bad;
        }
        byte[] data = Buffers.copyPrivateData(privateData, privateDataLength);
        Deferred after = new Deferred();
        NtStatus result;
        synchronized (lock) {
            result = doReject(data, after);
        }
        after.run();
        return result;
    }

    private NtStatus doReject(byte[] data, Deferred after) {
        if (closeIssued) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        if (passive && state == State.REQUESTED && peerAbandoned) {
            log("reject: the connecting peer abandoned the request -> CONNECTION_ABORTED"); // REJECT-PEER-ABANDONED
            state = State.ABORTED;
            answeredLocked(after);
            return NtStatus.CONNECTION_ABORTED;
        }
        if (passive && state == State.REQUESTED) {
            RdmaResult<Void> r = RdmaCm.reject(id, data);
            answeredLocked(after);
            if (!r.ok()) {
                state = State.ABORTED;
                NtStatus s = StatusMap.answerCall(r);
                log("reject: " + r + " -> " + s);
                return s;
            }
            state = State.REJECTED;
            log("reject (" + data.length + " bytes) -> SUCCESS");
            return NtStatus.SUCCESS;
        }
        if (!passive && state == State.CONNECTED) {
            // The active side declines the terms after its connect completed (REP received).
            NtStatus s = NtStatus.SUCCESS;
            if (peerAbandoned) {
                s = NtStatus.CONNECTION_ABORTED;
            } else {
                RdmaResult<Void> r = RdmaCm.reject(id, data);
                if (!r.ok()) {
                    s = StatusMap.answerCall(r);
                    log("active reject: " + r + " -> " + s);
                }
            }
            state = State.FAILED;
            releaseConnection(after);
            log("active reject -> " + s);
            return s;
        }
        if (state == State.ABORTED || (peerAbandoned && state == State.REQUESTED)) {
            return NtStatus.CONNECTION_ABORTED;
        }
        return NtStatus.INVALID_DEVICE_STATE;
    }

    @Override
    public NtStatus getConnectionData(UlongRef inboundReadLimit, UlongRef outboundReadLimit, byte[] privateData,
                                      UlongRef privateDataLength) {
        synchronized (lock) {
            if (peerData == null) {
                return NtStatus.CONNECTION_INVALID;
            }
            NtStatus s = Buffers.connectionData(peerData, peerDataSize, privateData, privateDataLength);
            if (s.equals(NtStatus.INVALID_PARAMETER)) {
                return s;
            }
            if (inboundReadLimit != null) {
                inboundReadLimit.set(effectiveInbound);
            }
            if (outboundReadLimit != null) {
                outboundReadLimit.set(effectiveOutbound);
            }
            return s;
        }
    }

    @Override
    public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
        Endpoint e;
        synchronized (lock) {
            e = local;
        }
        return e == null ? NtStatus.INVALID_DEVICE_STATE : Buffers.writeAddress(e, address, addressLength);
    }

    @Override
    public NtStatus getPeerAddress(byte[] address, UlongRef addressLength) {
        Endpoint e;
        synchronized (lock) {
            e = remote;
        }
        return e == null ? NtStatus.INVALID_DEVICE_STATE : Buffers.writeAddress(e, address, addressLength);
    }

    @Override
    public NtStatus disconnect(RequestCompletion completion, Object context) {
        if (completion == null) {
            return NtStatus.INVALID_PARAMETER;
        }
        synchronized (lock) {
            if (closeIssued) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            if (state != State.ESTABLISHED) {
                return NtStatus.CONNECTION_INVALID;
            }
            if (localDisconnect) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            localDisconnect = true;
            qp.toError(); // NDK: the disconnect flushes the QP
            if (peerDisconnected) {
                // The peer disconnected first and the provider already answered its DREQ.
                log("disconnect after the peer's -> SUCCESS");
                return NtStatus.SUCCESS;
            }
            RdmaResult<Void> r = RdmaCm.disconnect(id);
            if (!r.ok()) {
                log("disconnect: " + r + " -> SUCCESS (nothing left to disconnect)");
                return NtStatus.SUCCESS;
            }
            disconnectRequest = new Pending("disconnect", completion, context);
            timer = adapter.loop().schedule(adapter.plan().disconnectTimeoutMs(), this::onDisconnectTimeout);
            log("disconnect issued (DREQ) -> PENDING");
            return NtStatus.PENDING;
        }
    }

    private void onDisconnectTimeout() {
        Deferred after = new Deferred();
        synchronized (lock) {
            if (disconnectRequest != null && !finished) {
                Pending p = disconnectRequest;
                disconnectRequest = null;
                timer = null;
                log("the disconnect timer fired -> IO_TIMEOUT");
                after.add(p.complete(NtStatus.IO_TIMEOUT));
            }
        }
        after.run();
    }

    // ================================================================== events

    @Override
    public void onCmEvent(CmEvent ev) {
        Deferred after = new Deferred();
        synchronized (lock) {
            if (finished || id == null || ev.id() != id) {
                return;
            }
            handle(ev, after);
        }
        after.run();
    }

    private void handle(CmEvent ev, Deferred after) {
        RdmaCmEventType type = ev.type();
        switch (state) {
            case RESOLVING_ADDR -> {
                if (type == RdmaCmEventType.ADDR_RESOLVED) {
                    RdmaResult<Void> r = RdmaCm.resolveRoute(id, (int) Math.min(Integer.MAX_VALUE, adapter.connectTimeoutMs()));
                    if (r.ok()) {
                        state = State.RESOLVING_ROUTE;
                    } else {
                        log(r.toString());
                        failConnect(after, StatusMap.connectCall(r));
                    }
                } else {
                    failConnect(after, StatusMap.activeConnectEvent(type, ev.status()));
                }
            }
            case RESOLVING_ROUTE -> {
                if (type == RdmaCmEventType.ROUTE_RESOLVED) {
                    RdmaResult<Void> r = RdmaCm.connect(id, new ConnParam(connectPrivateData,
                            ReadLimits.wire(ownInbound), ReadLimits.wire(ownOutbound), 1, 7, 7, 0, qp.qpNum()));
                    if (r.ok()) {
                        state = State.CONNECTING;
                    } else {
                        log(r.toString());
                        failConnect(after, StatusMap.connectCall(r));
                    }
                } else {
                    failConnect(after, StatusMap.activeConnectEvent(type, ev.status()));
                }
            }
            case CONNECTING -> {
                if (type == RdmaCmEventType.CONNECT_RESPONSE) {
                    // The REP carries the passive side's capped values, swapped into this side's
                    // view: responder_resources = its outbound, initiator_depth = its inbound.
                    peerOutbound = ev.responderResources();
                    peerInbound = ev.initiatorDepth();
                    effectiveInbound = ReadLimits.effective(ownInbound, peerOutbound);
                    effectiveOutbound = ReadLimits.effective(ownOutbound, peerInbound);
                    peerData = ev.privateData();
                    peerDataSize = Math.max(RefAdapter.REP_DATA_SIZE, peerData.length);
                    cancelTimer();
                    state = State.CONNECTED;
                    Pending p = connectRequest;
                    connectRequest = null;
                    if (logging()) {
                        log("CONNECT_RESPONSE -> connect SUCCESS (effective in " + effectiveInbound + ", out "
                                + effectiveOutbound + ")");
                    }
                    after.add(p.complete(NtStatus.SUCCESS));
                } else {
                    if (type == RdmaCmEventType.REJECTED) {
                        peerData = ev.privateData();
                        peerDataSize = Math.max(RefAdapter.REJ_DATA_SIZE, peerData.length);
                        effectiveInbound = 0;
                        effectiveOutbound = 0;
                    }
                    NtStatus s = StatusMap.activeConnectEvent(type, ev.status());
                    log(type + " status " + ev.status() + " -> " + s);
                    failConnect(after, s);
                }
            }
            case CONNECTED -> {
                if (type == RdmaCmEventType.REJECTED || type == RdmaCmEventType.DISCONNECTED
                        || type == RdmaCmEventType.UNREACHABLE || type == RdmaCmEventType.CONNECT_ERROR) {
                    log(type + " before complete-connect: the accepting peer abandoned");
                    peerAbandoned = true;
                }
            }
            case ACCEPTING -> {
                if (type == RdmaCmEventType.ESTABLISHED) {
                    cancelTimer();
                    state = State.ESTABLISHED;
                    Pending p = acceptRequest;
                    acceptRequest = null;
                    log("ESTABLISHED -> accept SUCCESS");
                    after.add(p.complete(NtStatus.SUCCESS));
                } else if (type != RdmaCmEventType.TIMEWAIT_EXIT && type != RdmaCmEventType.ADDR_CHANGE) {
                    cancelTimer();
                    NtStatus s = StatusMap.passiveAcceptEvent(type, ev.status());
                    log(type + " status " + ev.status() + " -> accept " + s);
                    state = State.ABORTED;
                    qp.toError();
                    Pending p = acceptRequest;
                    acceptRequest = null;
                    after.add(p.complete(s));
                }
            }
            case ESTABLISHED -> {
                if (type == RdmaCmEventType.DISCONNECTED) {
                    onDisconnected(ev.status(), after);
                }
            }
            case REQUESTED -> {
                if (type == RdmaCmEventType.REJECTED || type == RdmaCmEventType.DISCONNECTED) {
                    peerAbandoned = true;
                }
            }
            default -> {
            }
        }
        if (closeWaitingForDisconnect && (type == RdmaCmEventType.DISCONNECTED || id == null)) {
            closeWaitingForDisconnect = false;
            after.add(this::finishClose);
        }
    }

    /** DISCONNECTED on an established connection. */
    private void onDisconnected(int status, Deferred after) {
        if (localDisconnect) {
            // The answer to this side's DREQ: finishes NdkDisconnect; no disconnect event here.
            if (disconnectRequest != null) {
                cancelTimer();
                Pending p = disconnectRequest;
                disconnectRequest = null;
                NtStatus s = StatusMap.disconnectEvent(status);
                if (logging()) {
                    log("DISCONNECTED status " + status + " -> disconnect " + s);
                }
                after.add(p.complete(s));
            }
            return;
        }
        if (peerDisconnected) {
            return;
        }
        // The peer disconnected. Answer its DREQ at once (rdma_disconnect sends the DREP; without
        // it the peer's disconnect would only end after its DREQ retries, ~100 s) and flush the QP.
        peerDisconnected = true;
        qp.toError();
        RdmaResult<Void> r = RdmaCm.disconnect(id);
        if (logging()) {
            log("DISCONNECTED status " + status + " from the peer; DREP: " + r);
        }
        if (!closeIssued && !disconnectEventMade && disconnectEvent != null) {
            disconnectEventMade = true;
            DisconnectEventCallback cb = disconnectEvent;
            Object ctx = disconnectEventContext;
            after.add(() -> cb.peerDisconnected(ctx));
        }
    }

    // ================================================================== close

    @Override
    public NtStatus close(CloseCompletion completion, Object context) {
        if (completion == null) {
            return NtStatus.INVALID_PARAMETER; // this close always pends: it needs a completion to call
        }
        synchronized (lock) {
            if (closeIssued) {
                return NtStatus.INVALID_DEVICE_STATE; // the object is closing or closed already
            }
            closeIssued = true;
            closeCompletion = completion;
            closeContext = context;
        }
        // Always on the event thread, after whatever it is delivering now: the id is destroyed
        // there (never while one of its events is un-acked), and so the close completion is the
        // last callback for this connector.
        adapter.loop().post(this::beginClose);
        return NtStatus.PENDING;
    }

    private void beginClose() {
        synchronized (lock) {
            if (finished) {
                return;
            }
            cancelTimer();
            long wait = adapter.plan().closeDisconnectWaitMs();
            if (state == State.ESTABLISHED && !localDisconnect && !peerDisconnected && id != null && wait > 0) {
                // Closing a connected connector disconnects it: DREQ, and wait (bounded) for the
                // peer's DREP so that its disconnect event is certain, before destroying the id.
                localDisconnect = true;
                qp.toError();
                RdmaResult<Void> r = RdmaCm.disconnect(id);
                log("close of a connected connector: " + r);
                if (r.ok()) {
                    closeWaitingForDisconnect = true;
                    timer = adapter.loop().schedule(wait, this::finishClose);
                    return;
                }
            }
        }
        finishClose();
    }

    /** On the event thread: destroy, complete what pends with CANCELLED, close completion, let go. */
    private void finishClose() {
        Deferred release = new Deferred();
        List<Pending> cancelled = new ArrayList<>();
        CloseCompletion cc;
        Object ctx;
        CmId dead;
        CmId spare;
        synchronized (lock) {
            if (finished) {
                return;
            }
            finished = true;
            cancelTimer();
            closeWaitingForDisconnect = false;
            for (Pending p : new Pending[] {connectRequest, acceptRequest, disconnectRequest}) {
                if (p != null) {
                    cancelled.add(p);
                }
            }
            connectRequest = null;
            acceptRequest = null;
            disconnectRequest = null;
            dead = id;
            id = null;
            spare = spareId;
            spareId = null;
            if (tuple != null) {
                adapter.testbed().fourTuples().release(tuple, this);
                tuple = null;
            }
            if (ownAddress != null) {
                ownAddress.release();
                ownAddress = null;
            }
            if (qp != null) {
                RefQp q = qp;
                qp = null;
                release.add(() -> q.dissociate(this));
            }
            if (sharedEndpoint != null) {
                release.add(sharedEndpoint.lifetime::release);
                sharedEndpoint = null;
            }
            if (listener != null) {
                RefListener l = listener;
                if (unanswered) {
                    unanswered = false;
                    release.add(l::answered);
                }
                release.add(l.lifetime::release);
                listener = null;
            }
            state = State.CLOSED;
            cc = closeCompletion;
            ctx = closeContext;
        }
        if (dead != null) {
            adapter.destroyId(dead);
        }
        if (spare != null) {
            adapter.destroyId(spare);
        }
        adapter.forget(this);
        for (Pending p : cancelled) {
            log(p.what() + " pending at close -> CANCELLED");
            p.complete(NtStatus.CANCELLED).run();
        }
        log("closed");
        cc.closed(ctx);
        // The antecedents (QP, shared endpoint, listener) may now finish their own pending
        // closes, whose completions therefore come after this one.
        release.run();
    }

    /** Adapter close: the id goes, no callbacks. */
    @Override
    public void destroy() {
        CmId dead;
        CmId spare;
        synchronized (lock) {
            finished = true;
            cancelTimer();
            dead = id;
            id = null;
            spare = spareId;
            spareId = null;
        }
        if (dead != null) {
            adapter.destroyId(dead);
        }
        if (spare != null) {
            adapter.destroyId(spare);
        }
    }

    @Override
    public int rank() {
        return 0;
    }
}
