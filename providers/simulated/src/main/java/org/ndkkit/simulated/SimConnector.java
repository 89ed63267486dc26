package org.ndkkit.simulated;

import org.ndkkit.spi.AdapterInfo;
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
 * One end of a connection: active (created by the consumer, connects) or passive (handed over by a
 * listener's connect event, accepts or rejects).
 *
 * <p>Every call first checks its arguments and returns argument errors inline. Outcomes known during
 * the call go through {@link Completions#now}; outcomes that depend on the other side (accept,
 * reject, completeConnect, the silent host's timer, a close) come later through
 * {@link Completions#later} on the event thread.
 *
 * <p>All fields are guarded by the testbed lock.
 */
final class SimConnector extends SimObject implements NdkConnector {

    /** Where the connector is in NDK's connection sequence. */
    enum State {
        /** Active, with no connection attempt: fresh, or after a failed connect (which may be retried). */
        IDLE,
        /** Active, connect PENDING: waiting for the peer to accept or reject, or for the timer. */
        CONNECTING,
        /** Active, connect completed with SUCCESS: waiting for completeConnect or reject. */
        CONNECTED,
        /** Passive, delivered (or about to be): waiting for accept or reject. */
        REQUESTED,
        /** Passive, accept PENDING: waiting for the active side's completeConnect. */
        ACCEPTING,
        /** Both: the connection is up (whether or not a side has disconnected since). */
        ESTABLISHED,
        /** This side rejected. */
        REJECTED,
        /** The other side abandoned the establishment; nothing more can happen. */
        ABORTED
    }

    private final boolean passive;
    private State state;
    private SimConnector peer;
    private ConnectionData data;
    private IpPort localAddress;
    private IpPort peerAddress;
    private int cappedInbound;
    private int cappedOutbound;
    private PendingRequest connectRequest;
    private PendingRequest acceptRequest;
    private int attempt;
    // What a connection attempt or connection holds until it fails or the connector is closed.
    private SimQp qp;
    private SimSharedEndpoint sharedEndpoint;
    /** The reference this connector holds on its local address: shared, dedicated or the listener's. */
    private EndpointTable.Binding endpoint;
    private FourTuple tuple;
    private EventQueue.Timer timer;
    // Passive side: the listener the request came to, and whether it still counts in its backlog
    // and holds a reference on it.
    private SimListener origin;
    private boolean inBacklog;
    private boolean holdsListener;
    // Disconnect events.
    private DisconnectEventCallback disconnectEvent;
    private Object disconnectEventContext;
    private boolean localDisconnected;
    private boolean disconnectEventQueued;

    private SimConnector(SimContext ctx, SimAdapter adapter, boolean passive, State state) {
        super(ctx, adapter, NdkObjectType.CONNECTOR);
        this.passive = passive;
        this.state = state;
    }

    static SimConnector active(SimContext ctx, SimAdapter adapter) {
        return new SimConnector(ctx, adapter, false, State.IDLE);
    }

    /** Under the lock: the passive connector for a request from {@code from} that {@code listener} admitted. */
    private static SimConnector incoming(SimContext ctx, SimListener listener, SimConnector from, byte[] privateData) {
        SimConnector p = new SimConnector(ctx, listener.adapter, true, State.REQUESTED);
        AdapterInfo info = listener.adapter.info;
        p.peer = from;
        p.origin = listener;
        p.inBacklog = true;
        p.localAddress = listener.address();
        p.peerAddress = from.localAddress;
        // Before accepting, the passive side sees the active side's offer mirrored and capped by its
        // own adapter: what the peer may read from us is what we may at most read inbound.
        p.data = new ConnectionData(
                Args.min(info.maxInboundReadLimit(), from.cappedOutbound),
                Args.min(info.maxOutboundReadLimit(), from.cappedInbound),
                privateData, info.maxCallerData());
        return p;
    }

    // ---------------------------------------------------------------------------------------------
    // Active side

    /**
     * {@code NdkConnect} from a dedicated local address. Inline: the argument errors of
     * {@link #connectWithSharedEndpoint}, with a null or malformed source also INVALID_ADDRESS. Then,
     * by the completion path: INVALID_ADDRESS (source not this adapter's), SHARING_VIOLATION (source
     * taken), TOO_MANY_ADDRESSES (port 0, none free), then the network outcomes. Port 0 takes the
     * lowest free ephemeral port.
     */
    @Override
    public NtStatus connect(NdkQp qp, SockAddr source, SockAddr destination, int inboundReadLimit,
                            int outboundReadLimit, byte[] privateData, int privateDataLength,
                            RequestCompletion completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = requestRefusal(completion);
            if (refused != null) {
                return refused;
            }
            SimQp q = Args.live(qp, SimQp.class, adapter);
            if (q == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            IpPort from = IpPort.parse(source);
            IpPort to = IpPort.parse(destination);
            if (from == null || !usableDestination(to) || !from.sameFamily(to)) {
                return NtStatus.INVALID_ADDRESS;
            }
            refused = Args.privateData(privateData, privateDataLength, adapter.info.maxCallerData());
            if (refused == null) {
                refused = activeRefusal(q);
            }
            if (refused != null) {
                return refused;
            }
            if (!ctx.network.owns(adapter, from.ip())) {
                return ctx.completions.now(this, NtStatus.INVALID_ADDRESS, completion, context, inCall);
            }
            EndpointTable.Bound bound = ctx.network.endpoints.bind(from, EndpointTable.Kind.DEDICATED, this);
            if (bound.failure() != null) {
                return ctx.completions.now(this, bound.failure(), completion, context, inCall);
            }
            return start(q, null, bound.binding(), to, inboundReadLimit, outboundReadLimit,
                    Args.copy(privateData, privateDataLength), completion, context, inCall);
        });
    }

    /**
     * {@code NdkConnectWithSharedEndpoint}. Inline argument errors, in this order:
     * INVALID_DEVICE_STATE (connector closing); INVALID_PARAMETER (no completion; QP or shared
     * endpoint null, foreign, the other adapter's, or closing); INVALID_ADDRESS (destination null,
     * malformed, port 0, unspecified or multicast IP, or a family other than the endpoint's);
     * INVALID_PARAMETER (private-data length disagrees with the buffer); INVALID_BUFFER_SIZE (more
     * than MaxCallerData); CONNECTION_ACTIVE (connector not idle, or QP serving a connection).
     * Network outcomes by the completion path: NETWORK_UNREACHABLE, HOST_UNREACHABLE,
     * ADDRESS_ALREADY_EXISTS, INSUFFICIENT_RESOURCES, CONNECTION_REFUSED; IO_TIMEOUT (silent host)
     * after the connect timeout; otherwise PENDING until the peer accepts (SUCCESS) or rejects
     * (CONNECTION_REFUSED).
     */
    @Override
    public NtStatus connectWithSharedEndpoint(NdkQp qp, NdkSharedEndpoint sharedEndpoint, SockAddr destination,
                                              int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                                              int privateDataLength, RequestCompletion completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = requestRefusal(completion);
            if (refused != null) {
                return refused;
            }
            SimQp q = Args.live(qp, SimQp.class, adapter);
            SimSharedEndpoint se = Args.live(sharedEndpoint, SimSharedEndpoint.class, adapter);
            if (q == null || se == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            IpPort to = IpPort.parse(destination);
            if (!usableDestination(to) || !to.sameFamily(se.address())) {
                return NtStatus.INVALID_ADDRESS;
            }
            refused = Args.privateData(privateData, privateDataLength, adapter.info.maxCallerData());
            if (refused == null) {
                refused = activeRefusal(q);
            }
            if (refused != null) {
                return refused;
            }
            return start(q, se, null, to, inboundReadLimit, outboundReadLimit,
                    Args.copy(privateData, privateDataLength), completion, context, inCall);
        });
    }

    /**
     * Sends the request. Exactly one of {@code se} and {@code dedicated} is set; a dedicated endpoint
     * taken by this call is given back when the call fails.
     */
    private NtStatus start(SimQp q, SimSharedEndpoint se, EndpointTable.Binding dedicated, IpPort to,
                           int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                           RequestCompletion completion, Object context, InCall inCall) {
        data = null;
        IpPort from = se != null ? se.address() : dedicated.address;
        FourTuple t = new FourTuple(from, to);
        SimNetwork.Verdict verdict = ctx.network.route(to.ip());
        NtStatus failure = switch (verdict) {
            case NETWORK_UNREACHABLE -> NtStatus.NETWORK_UNREACHABLE;
            case HOST_UNREACHABLE -> NtStatus.HOST_UNREACHABLE;
            default -> null;
        };
        if (failure == null && ctx.network.tupleInUse(t)) {
            failure = NtStatus.ADDRESS_ALREADY_EXISTS;
        }
        if (failure == null && adapter.exhausted()) {
            failure = NtStatus.INSUFFICIENT_RESOURCES;
        }
        SimListener listener = null;
        if (failure == null && verdict == SimNetwork.Verdict.DELIVER) {
            listener = ctx.network.listenerAt(to);
            if (listener == null || !listener.takesRequests()) {
                failure = NtStatus.CONNECTION_REFUSED; // nothing listens, paused, closing, or backlog full
            }
        }
        if (failure != null) {
            if (dedicated != null) {
                ctx.network.endpoints.release(dedicated);
            }
            return ctx.completions.now(this, failure, completion, context, inCall);
        }

        state = State.CONNECTING;
        connectRequest = new PendingRequest(completion, context);
        requestStarted();
        attempt++;
        qp = q;
        q.attach(this);
        if (se != null) {
            sharedEndpoint = se;
            endpoint = se.attach();
        } else {
            endpoint = dedicated;
        }
        tuple = t;
        ctx.network.claim(t, this);
        localAddress = from;
        peerAddress = to;
        cappedInbound = Args.min(inboundReadLimit, adapter.info.maxInboundReadLimit());
        cappedOutbound = Args.min(outboundReadLimit, adapter.info.maxOutboundReadLimit());

        if (verdict == SimNetwork.Verdict.SILENT) {
            int thisAttempt = attempt;
            timer = ctx.events.schedule(ctx.settings.connectTimeout(), () -> ctx.locked(() -> {
                if (state == State.CONNECTING && attempt == thisAttempt) {
                    finishConnect(NtStatus.IO_TIMEOUT);
                }
            }));
            return NtStatus.PENDING;
        }
        peer = incoming(ctx, listener, this, privateData);
        listener.offer(peer);
        return NtStatus.PENDING;
    }

    /**
     * {@code NdkCompleteConnect}. Inline: INVALID_DEVICE_STATE, INVALID_PARAMETER (no completion). By
     * the completion path: CONNECTION_INVALID unless this is an active connector whose connect
     * completed with SUCCESS and that has not completed or rejected since; CONNECTION_ABORTED when the
     * accepting peer has closed its connector. Success completes both this call and the peer's accept.
     */
    @Override
    public NtStatus completeConnect(DisconnectEventCallback disconnectEvent, Object disconnectEventContext,
                                    RequestCompletion completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = requestRefusal(completion);
            if (refused != null) {
                return refused;
            }
            if (passive || state != State.CONNECTED) {
                return ctx.completions.now(this, NtStatus.CONNECTION_INVALID, completion, context, inCall);
            }
            SimConnector p = peer;
            if (p.isCloseIssued() || p.state != State.ACCEPTING) {
                state = State.ABORTED;
                return ctx.completions.now(this, NtStatus.CONNECTION_ABORTED, completion, context, inCall);
            }
            state = State.ESTABLISHED;
            this.disconnectEvent = disconnectEvent;
            this.disconnectEventContext = disconnectEventContext;
            // both QPs go to RTS with what the connection settled on
            qp.establish(data.inboundReadLimit(), data.outboundReadLimit());
            p.qp.establish(p.data.inboundReadLimit(), p.data.outboundReadLimit());
            NtStatus result = ctx.completions.now(this, NtStatus.SUCCESS, completion, context, inCall);
            p.finishAccept(NtStatus.SUCCESS);
            return result;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Passive side

    /**
     * {@code NdkAccept}. Inline: INVALID_DEVICE_STATE, INVALID_PARAMETER (no completion; QP null,
     * foreign, the other adapter's or closing; private-data length disagrees with the buffer),
     * INVALID_BUFFER_SIZE (more than MaxCalleeData), CONNECTION_ACTIVE (already accepted, or QP
     * serving a connection). By the completion path: CONNECTION_INVALID (not an unanswered incoming
     * request), CONNECTION_ABORTED (the active side gave up), INSUFFICIENT_RESOURCES. Otherwise
     * PENDING: the active connect completes with SUCCESS now, and this accept completes with SUCCESS
     * when the active side calls completeConnect, or with CONNECTION_ABORTED when it rejects or
     * closes. A slow active side is never timed out.
     */
    @Override
    public NtStatus accept(NdkQp qp, int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                           int privateDataLength, DisconnectEventCallback disconnectEvent,
                           Object disconnectEventContext, RequestCompletion completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = requestRefusal(completion);
            if (refused != null) {
                return refused;
            }
            SimQp q = Args.live(qp, SimQp.class, adapter);
            if (q == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            refused = Args.privateData(privateData, privateDataLength, adapter.info.maxCalleeData());
            if (refused != null) {
                return refused;
            }
            if (state == State.ACCEPTING || state == State.ESTABLISHED || q.inUse()) {
                return NtStatus.CONNECTION_ACTIVE;
            }
            if (state == State.ABORTED) {
                return ctx.completions.now(this, NtStatus.CONNECTION_ABORTED, completion, context, inCall);
            }
            if (state != State.REQUESTED) {
                return ctx.completions.now(this, NtStatus.CONNECTION_INVALID, completion, context, inCall);
            }
            if (!activeStillWaiting()) {
                leaveBacklog();
                state = State.ABORTED;
                return ctx.completions.now(this, NtStatus.CONNECTION_ABORTED, completion, context, inCall);
            }
            if (adapter.exhausted()) {
                return ctx.completions.now(this, NtStatus.INSUFFICIENT_RESOURCES, completion, context, inCall);
            }

            leaveBacklog();
            state = State.ACCEPTING;
            acceptRequest = new PendingRequest(completion, context);
            requestStarted();
            this.qp = q;
            q.attach(this);
            this.disconnectEvent = disconnectEvent;
            this.disconnectEventContext = disconnectEventContext;
            cappedInbound = Args.min(inboundReadLimit, adapter.info.maxInboundReadLimit());
            cappedOutbound = Args.min(outboundReadLimit, adapter.info.maxOutboundReadLimit());
            SimConnector a = peer;
            data = data.withLimits(Args.min(cappedInbound, a.cappedOutbound), Args.min(cappedOutbound, a.cappedInbound));
            a.data = new ConnectionData(
                    Args.min(a.cappedInbound, cappedOutbound), Args.min(a.cappedOutbound, cappedInbound),
                    Args.copy(privateData, privateDataLength), a.adapter.info.maxCalleeData());
            a.finishConnect(NtStatus.SUCCESS);
            return NtStatus.PENDING;
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Both sides

    /**
     * {@code NdkReject}, synchronous. INVALID_DEVICE_STATE (closing); INVALID_PARAMETER (private-data
     * length disagrees with the buffer); INVALID_BUFFER_SIZE (more than MaxCalleeData). Passive side on
     * an unanswered request: SUCCESS, and the active connect completes with CONNECTION_REFUSED carrying
     * this private data. Active side whose connect completed: SUCCESS, and the peer's accept completes
     * with CONNECTION_ABORTED. CONNECTION_ABORTED when the peer already abandoned; CONNECTION_INVALID
     * when there is nothing to reject.
     */
    @Override
    public NtStatus reject(byte[] privateData, int privateDataLength) {
        return ctx.call(inCall -> {
            if (isCloseIssued()) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            NtStatus refused = Args.privateData(privateData, privateDataLength, adapter.info.maxCalleeData());
            if (refused != null) {
                return refused;
            }
            if (passive && state == State.REQUESTED) {
                leaveBacklog();
                if (!activeStillWaiting()) {
                    state = State.ABORTED;
                    return NtStatus.CONNECTION_ABORTED;
                }
                state = State.REJECTED;
                releaseEndpoint();
                releaseListener();
                SimConnector a = peer;
                a.data = new ConnectionData(0, 0, Args.copy(privateData, privateDataLength), a.adapter.info.maxCalleeData());
                a.finishConnect(NtStatus.CONNECTION_REFUSED);
                return NtStatus.SUCCESS;
            }
            if (!passive && state == State.CONNECTED) {
                SimConnector p = peer;
                if (p.isCloseIssued() || p.state != State.ACCEPTING) {
                    state = State.ABORTED;
                    return NtStatus.CONNECTION_ABORTED;
                }
                state = State.REJECTED;
                p.finishAccept(NtStatus.CONNECTION_ABORTED);
                return NtStatus.SUCCESS;
            }
            return state == State.ABORTED ? NtStatus.CONNECTION_ABORTED : NtStatus.CONNECTION_INVALID;
        });
    }

    /**
     * {@code NdkGetConnectionData}. INVALID_DEVICE_STATE (closing), INVALID_PARAMETER (no length
     * cell), CONNECTION_INVALID (no data yet: a passive connector has it from its connect event, an
     * active one once its connect completed with SUCCESS or was refused by a reject); otherwise see
     * {@link ConnectionData#read}.
     */
    @Override
    public NtStatus getConnectionData(UlongRef inboundReadLimit, UlongRef outboundReadLimit, byte[] privateData,
                                      UlongRef privateDataLength) {
        return ctx.call(inCall -> {
            if (isCloseIssued()) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            if (privateDataLength == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            if (data == null) {
                return NtStatus.CONNECTION_INVALID;
            }
            return data.read(inboundReadLimit, outboundReadLimit, privateData, privateDataLength);
        });
    }

    /**
     * The shared endpoint's (or dedicated) address on the active side, the listener's on the passive
     * side; INVALID_DEVICE_STATE when there is no connection attempt or once the close was issued.
     */
    @Override
    public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
        return ctx.call(inCall -> isCloseIssued()
                ? NtStatus.INVALID_DEVICE_STATE
                : AddressOut.write(localAddress, address, addressLength));
    }

    /** As {@link #getLocalAddress}, for the other end. */
    @Override
    public NtStatus getPeerAddress(byte[] address, UlongRef addressLength) {
        return ctx.call(inCall -> isCloseIssued()
                ? NtStatus.INVALID_DEVICE_STATE
                : AddressOut.write(peerAddress, address, addressLength));
    }

    /**
     * {@code NdkDisconnect}. Inline: INVALID_DEVICE_STATE, INVALID_PARAMETER (no completion). By the
     * completion path: CONNECTION_INVALID unless the connection is established and this side has not
     * disconnected yet. Otherwise PENDING then SUCCESS, and the peer's disconnect event fires once
     * unless the peer has disconnected or closed itself.
     */
    @Override
    public NtStatus disconnect(RequestCompletion completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = requestRefusal(completion);
            if (refused != null) {
                return refused;
            }
            if (state != State.ESTABLISHED || localDisconnected) {
                return ctx.completions.now(this, NtStatus.CONNECTION_INVALID, completion, context, inCall);
            }
            localDisconnected = true;
            peer.peerDisconnected();
            return ctx.completions.now(this, NtStatus.SUCCESS, completion, context, inCall);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Close

    /**
     * The consumer is done with this connector: an undecided connect or accept completes with
     * CANCELLED, the other side learns what it would from a real network (an unanswered request is
     * refused, a pending accept aborted, an established connection disconnected), and everything the
     * connection holds is released once the close is complete.
     */
    @Override
    void onCloseIssued() {
        switch (state) {
            case CONNECTING -> finishConnect(NtStatus.CANCELLED);
            case CONNECTED -> {
                if (peer.state == State.ACCEPTING && !peer.isCloseIssued()) {
                    peer.finishAccept(NtStatus.CONNECTION_ABORTED);
                }
            }
            case REQUESTED -> {
                leaveBacklog();
                if (activeStillWaiting()) {
                    peer.finishConnect(NtStatus.CONNECTION_REFUSED);
                }
                state = State.ABORTED;
            }
            case ACCEPTING -> finishAccept(NtStatus.CANCELLED);
            case ESTABLISHED -> {
                if (!localDisconnected) {
                    localDisconnected = true;
                    peer.peerDisconnected();
                }
            }
            default -> {
            }
        }
    }

    @Override
    boolean holdsClosingAntecedent() {
        return (qp != null && qp.isCloseIssued())
                || (sharedEndpoint != null && sharedEndpoint.isCloseIssued())
                || (holdsListener && origin.isCloseIssued());
    }

    @Override
    void releaseResources() {
        cancelTimer();
        releaseTuple();
        releaseEndpoint();
    }

    @Override
    void releaseAntecedents() {
        releaseConnection();
        releaseListener();
    }

    // ---------------------------------------------------------------------------------------------
    // Transitions the other side (or the timer, or the listener) drives; all under the lock.

    /** Active side: the connect's outcome is decided. */
    private void finishConnect(NtStatus outcome) {
        PendingRequest request = connectRequest;
        connectRequest = null;
        if (outcome.equals(NtStatus.SUCCESS)) {
            state = State.CONNECTED;
        } else {
            state = State.IDLE;
            if (isCloseIssued()) {
                cancelTimer(); // the rest is released when the close is complete
            } else {
                releaseConnection();
            }
        }
        ctx.completions.later(this, request, outcome);
    }

    /** Passive side: the accept's outcome is decided. */
    private void finishAccept(NtStatus outcome) {
        PendingRequest request = acceptRequest;
        acceptRequest = null;
        if (outcome.equals(NtStatus.SUCCESS)) {
            state = State.ESTABLISHED;
        } else {
            state = State.ABORTED;
            if (!isCloseIssued()) {
                releaseQp();
            }
        }
        ctx.completions.later(this, request, outcome);
    }

    /** The peer disconnected or closed: queue this side's disconnect event unless it is not due. */
    private void peerDisconnected() {
        if (state != State.ESTABLISHED || localDisconnected || disconnectEvent == null
                || disconnectEventQueued || isCloseIssued()) {
            return;
        }
        disconnectEventQueued = true;
        DisconnectEventCallback callback = disconnectEvent;
        Object callbackContext = disconnectEventContext;
        ctx.events.post(adapter.tracker, () -> {
            boolean go;
            ctx.lock.lock();
            try {
                // This side may have disconnected or closed since the event was queued.
                go = !localDisconnected && beginEvent();
            } finally {
                ctx.lock.unlock();
            }
            if (go) {
                try {
                    Callbacks.invoke("disconnect event", () -> callback.peerDisconnected(callbackContext));
                } finally {
                    ctx.locked(this::endEvent);
                }
            }
        });
    }

    /** Passive side: true while the active connector still waits for this request's answer. */
    boolean activeStillWaiting() {
        SimConnector a = peer;
        return a.peer == this && a.state == State.CONNECTING && !a.isCloseIssued();
    }

    /** Passive side, from the listener: the connect event is about to hand this connector over. */
    void deliveredBy(SimListener listener) {
        holdsListener = true;
        endpoint = listener.attach();
    }

    /** Passive side, from the listener: the request cannot be delivered after all. */
    void refuseUndelivered() {
        leaveBacklog();
        if (activeStillWaiting()) {
            peer.finishConnect(NtStatus.CONNECTION_REFUSED);
        }
        state = State.ABORTED;
    }

    private void leaveBacklog() {
        if (inBacklog) {
            inBacklog = false;
            origin.answered();
        }
    }

    private void releaseListener() {
        if (holdsListener) {
            holdsListener = false;
            origin.releaseSuccessor();
        }
    }

    private void releaseEndpoint() {
        if (endpoint != null) {
            ctx.network.endpoints.release(endpoint);
            endpoint = null;
        }
    }

    private void releaseTuple() {
        if (tuple != null) {
            ctx.network.release(tuple, this);
            tuple = null;
        }
    }

    private void releaseQp() {
        if (qp != null) {
            qp.detach(this);
            qp = null;
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** Gives back everything a connection attempt or connection holds, antecedents included. Idempotent. */
    private void releaseConnection() {
        cancelTimer();
        releaseTuple();
        if (passive) {
            releaseQp(); // a passive connector's address reference is the listener's: see releaseListener
            return;
        }
        releaseEndpoint();
        releaseQp();
        if (sharedEndpoint != null) {
            sharedEndpoint.releaseSuccessor();
            sharedEndpoint = null;
        }
        localAddress = null;
        peerAddress = null;
        peer = null;
    }

    private NtStatus requestRefusal(RequestCompletion completion) {
        if (isCloseIssued()) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        return completion == null ? NtStatus.INVALID_PARAMETER : null;
    }

    private NtStatus activeRefusal(SimQp q) {
        return passive || state != State.IDLE || q.inUse() ? NtStatus.CONNECTION_ACTIVE : null;
    }

    private static boolean usableDestination(IpPort to) {
        return to != null && to.port() != 0 && !to.ip().isAnyLocalAddress() && !to.ip().isMulticastAddress();
    }

    @Override
    public String toString() {
        return (passive ? "passive" : "active") + " connector " + state + " " + localAddress + " -> " + peerAddress;
    }
}
