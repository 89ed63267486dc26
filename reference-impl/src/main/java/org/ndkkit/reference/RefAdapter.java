package org.ndkkit.reference;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.ndkkit.reference.rdma.CmConstants;
import org.ndkkit.reference.rdma.CmEvent;
import org.ndkkit.reference.rdma.CmId;
import org.ndkkit.reference.rdma.CompletionQueue;
import org.ndkkit.reference.rdma.DeviceContext;
import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.EventChannel;
import org.ndkkit.reference.rdma.ProtectionDomain;
import org.ndkkit.reference.rdma.QueuePair;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaCmEventType;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.reference.rdma.VerbsConstants;
import org.ndkkit.reference.rdma.VerbsStructs.IbvDeviceAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvPortAttr;
import org.ndkkit.spi.AdapterFlags;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RdmaTechnology;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * NDK_ADAPTER on one RDMA device: its own rdma_cm event channel and event thread, its own opened
 * {@code ibv_context} (for PDs, CQs and QPs), and the IP addresses it owns. LOCAL and PEER are two
 * such adapters on the same rxe device, told apart by their addresses.
 */
final class RefAdapter implements NdkAdapter {
    /** NDK_ADAPTER_INFO.MaxCallerData: rdma_cm's REQ carries 92 bytes, 36 of them its own header. */
    static final int MAX_CALLER_DATA = 56;
    /**
     * NDK_ADAPTER_INFO.MaxCalleeData: the smaller of what rdma_cm carries with an accept (REP,
     * 196 bytes) and with a reject (REJ, 148 bytes), since the callee may answer with either.
     */
    static final int MAX_CALLEE_DATA = 148;
    /** RDS of the private data of a CONNECT_REQUEST, CONNECT_RESPONSE and REJECTED event (rdma_cm pads). */
    static final int REQ_DATA_SIZE = 56;
    static final int REP_DATA_SIZE = 196;
    static final int REJ_DATA_SIZE = 148;

    /** Something the adapter must destroy when it is closed with objects still open. */
    interface Owned {
        /** Frees the native resources at once, without callbacks. */
        void destroy();

        /** Destroy order: ids (0) before QPs (1) before CQs (2) before PDs (3). */
        int rank();
    }

    private final Host host;
    private final ReferenceTestbed testbed;
    private final List<InetAddress> addresses;
    /** Addresses of lifted lab conditions, owned while lifted. */
    private final java.util.Set<InetAddress> lent = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final EventLog log;
    private final EventChannel channel;
    private final DeviceContext device;
    /** {@link DeviceIdentity#adapter} of the device, read once at open. */
    private Map<String, String> identity = Map.of();
    private final AdapterInfo info;
    private final EventLoop loop;
    private final Map<Long, CmHandler> handlers = new ConcurrentHashMap<>();
    private final Set<Owned> live = ConcurrentHashMap.newKeySet();
    private final RouteCheck routes = new RouteCheck();
    private volatile boolean closed;

    private RefAdapter(Host host, ReferenceTestbed testbed, List<InetAddress> addresses, EventLog log,
                       EventChannel channel, DeviceContext device, AdapterInfo info) {
        this.host = host;
        this.testbed = testbed;
        this.addresses = List.copyOf(addresses);
        this.log = log;
        this.channel = channel;
        this.device = device;
        this.info = info;
        this.loop = new EventLoop("ndk-reference-" + host.name().toLowerCase() + "-events", channel, this::dispatch, log);
    }

    /** Creates the event channel first: on a host without RDMA that is where ENODEV shows. */
    static RefAdapter open(Host host, ReferenceTestbed testbed, List<InetAddress> addresses, String deviceName,
                           EventLog log) throws TestbedUnavailableException {
        RdmaResult<EventChannel> ch = RdmaCm.createEventChannel();
        if (!ch.ok()) {
            throw new TestbedUnavailableException(ReferenceProvider.noDevice(ch));
        }
        RdmaResult<DeviceContext> dev = Verbs.openDevice(deviceName);
        if (!dev.ok()) {
            RdmaCm.destroyEventChannel(ch.value());
            throw new TestbedUnavailableException("cannot open RDMA device " + deviceName + ": " + dev);
        }
        AdapterInfo info;
        try {
            info = query(dev.value());
        } catch (TestbedUnavailableException e) {
            Verbs.closeDevice(dev.value());
            RdmaCm.destroyEventChannel(ch.value());
            throw e;
        }
        RefAdapter a = new RefAdapter(host, testbed, addresses, log, ch.value(), dev.value(), info);
        a.identity = DeviceIdentity.adapter(deviceName, dev.value());
        a.loop.start();
        log.log(host + " adapter open on " + deviceName + ": " + info);
        return a;
    }

    /** NDK_ADAPTER_INFO from ibv_query_device and ibv_query_port (port 1), plus what they lack. */
    private static AdapterInfo query(DeviceContext dev) throws TestbedUnavailableException {
        RdmaResult<IbvDeviceAttr> d = Verbs.queryDevice(dev);
        RdmaResult<IbvPortAttr> p = Verbs.queryPort(dev, 1);
        if (!d.ok() || !p.ok()) {
            throw new TestbedUnavailableException("cannot query the RDMA device: " + (d.ok() ? p : d));
        }
        IbvDeviceAttr a = d.value();
        IbvPortAttr port = p.value();
        RdmaTechnology tech = switch (port.link_layer) {
            // rdma_rxe is RoCE v2 only (RoCE over UDP/IP); a hardware RoCE device may also do v1.
            case VerbsConstants.IBV_LINK_LAYER_ETHERNET -> RdmaTechnology.ROCE_V2;
            case VerbsConstants.IBV_LINK_LAYER_INFINIBAND -> RdmaTechnology.INFINIBAND;
            default -> RdmaTechnology.UNDEFINED;
        };
        int mtuBytes = 128 << Math.max(1, Math.min(5, port.active_mtu)); // IBV_MTU_256 = 1 ... 4096 = 5
        return new AdapterInfo(
                1, 2, // NDK_VERSION 1.2
                a.vendor_id, a.vendor_part_id,
                a.max_mr_size, a.max_mr_size,
                // FRMR page count: not reported by ibv_query_device; rdma_rxe's
                // max_fast_reg_page_list_len is RXE_MAX_FMR_PAGE_LIST_LEN = 512 (rxe_param.h).
                512,
                a.max_sge, a.max_sge, a.max_sge_rd,
                port.max_msg_sz,
                probeMaxInline(dev, a),
                a.max_qp_rd_atom, a.max_qp_init_rd_atom,
                a.max_qp_wr, a.max_qp_wr, a.max_srq_wr, a.max_cqe,
                // Above one path-MTU packet a read/write beats a send/receive: the provider's choice.
                mtuBytes,
                MAX_CALLER_DATA, MAX_CALLEE_DATA,
                AdapterFlags.LOOPBACK_CONNECTIONS_SUPPORTED | AdapterFlags.RDMA_READ_SINK_NOT_REQUIRED,
                tech);
    }

    /**
     * The largest inline size a QP accepts: ibv_query_device does not report it, so ask the
     * device by creating a small QP with decreasing {@code max_inline_data} (rdma_rxe: 512).
     */
    private static int probeMaxInline(DeviceContext dev, IbvDeviceAttr a) {
        RdmaResult<ProtectionDomain> pd = Verbs.allocPd(dev);
        if (!pd.ok()) {
            return 0;
        }
        RdmaResult<CompletionQueue> cq = Verbs.createCq(dev, 4, 0);
        int found = 0;
        if (cq.ok()) {
            for (int n = 4096; n >= 32; n /= 2) {
                RdmaResult<QueuePair> qp = Verbs.createQp(pd.value(), cq.value(), cq.value(),
                        new Verbs.QpCaps(1, 1, 1, 1, n), VerbsConstants.IBV_QPT_RC, false);
                if (qp.ok()) {
                    Verbs.destroyQp(qp.value());
                    found = n;
                    break;
                }
            }
            Verbs.destroyCq(cq.value());
        }
        Verbs.deallocPd(pd.value());
        return found;
    }

    // ------------------------------------------------------------------ accessors

    Map<String, String> identity() {
        return identity;
    }

    Host host() {
        return host;
    }

    ReferenceTestbed testbed() {
        return testbed;
    }

    EventLog log() {
        return log;
    }

    EventLoop loop() {
        return loop;
    }

    AdapterInfo info() {
        return info;
    }

    List<InetAddress> addresses() {
        return addresses;
    }

    boolean owns(InetAddress ip) {
        return addresses.contains(ip) || lent.contains(ip);
    }

    /** Makes {@code ip} this adapter's too, while a lab condition is lifted (see AddressLift). */
    void lend(InetAddress ip) {
        lent.add(ip);
    }

    void takeBack(InetAddress ip) {
        lent.remove(ip);
    }

    long connectTimeoutMs() {
        return Math.max(1, testbed.options().connectTimeout().toMillis());
    }

    LabPlan plan() {
        return testbed.plan();
    }

    <T extends Owned> T adopt(T o) {
        live.add(o);
        return o;
    }

    void forget(Owned o) {
        live.remove(o);
    }

    // ------------------------------------------------------------------ ids and events

    void register(CmId id, CmHandler h) {
        handlers.put(id.address(), h);
    }

    void unregister(CmId id) {
        handlers.remove(id.address());
    }

    /**
     * {@code rdma_destroy_id} of an id, after forgetting its handler. Call it on the event thread
     * for any id that can have events; an id that never got an event (failed set-up, a shared
     * endpoint's bound-only id) may be destroyed anywhere.
     */
    void destroyId(CmId id) {
        unregister(id);
        RdmaResult<Void> r = RdmaCm.destroyId(id);
        if (!r.ok()) {
            if (r.errno() == Errno.EBUSY && !loop.inLoop()) {
                loop.post(() -> destroyId(id));
            } else {
                log.problem(host + " " + r);
            }
        }
    }

    private void dispatch(CmEvent ev) {
        if (log.enabled()) {
            log.log(host + " event " + ev.type() + " status " + ev.status() + " id " + ev.id()
                    + (ev.type() == RdmaCmEventType.CONNECT_REQUEST ? " listen " + ev.listenId().orElse(null) : "")
                    + " pdlen " + ev.privateDataLen() + " rr " + ev.responderResources() + " depth " + ev.initiatorDepth());
        }
        if (ev.type() == RdmaCmEventType.CONNECT_REQUEST) {
            CmHandler h = ev.listenId().map(l -> handlers.get(l.address())).orElse(null);
            if (h instanceof RefListener l) {
                l.onConnectRequest(ev);
            } else if (ev.id() != null) {
                log.log(host + " CONNECT_REQUEST for no known listener: rejected");
                RdmaCm.reject(ev.id(), null);
                destroyId(ev.id());
            }
            return;
        }
        CmHandler h = ev.id() == null ? null : handlers.get(ev.id().address());
        if (h == null) {
            log.log(host + " " + ev.type() + " for an id nothing owns any more: ignored");
            return;
        }
        h.onCmEvent(ev);
    }

    // ------------------------------------------------------------------ local addresses

    /** An id bound to a local address, with the table entry that reserves the address (if any). */
    record Bound(NtStatus status, AddressTable.Reservation reservation, CmId id) {
        boolean ok() {
            return id != null;
        }

        static Bound failed(NtStatus s) {
            return new Bound(s, null, null);
        }
    }

    /**
     * Reserves a local address of this adapter in the testbed's table and binds a new id to it.
     * Port 0: the provider chooses an ephemeral port (49152-65535), trying another one when the
     * kernel says the port is in use. Failures: INVALID_PARAMETER (malformed), INVALID_ADDRESS
     * (not this adapter's address, or the kernel says so), SHARING_VIOLATION (in use),
     * TOO_MANY_ADDRESSES (port 0 and no ephemeral port free), INSUFFICIENT_RESOURCES.
     */
    Bound bindLocal(SockAddr address, AddressTable.Kind kind, boolean reuseAddr, boolean listen, CmHandler handler) {
        NtStatus bad = Buffers.checkAddress(address);
        if (bad != null) {
            return Bound.failed(bad);
        }
        if (!owns(address.ip())) {
            // The adapter's own addresses decide: the lab's LOCAL and PEER adapters share one rxe
            // device, where rdma_bind_addr would accept the other host's address too.
            return Bound.failed(NtStatus.INVALID_ADDRESS);
        }
        AddressTable table = testbed.addressTable();
        if (address.port() != 0) {
            AddressTable.Result r = table.reserve(Endpoint.of(address), kind);
            if (!r.ok()) {
                return Bound.failed(r.status());
            }
            Bound b = kernelBind(r.reservation().endpoint(), reuseAddr, listen, handler);
            if (!b.ok()) {
                r.reservation().release();
                return b;
            }
            return new Bound(NtStatus.SUCCESS, r.reservation(), b.id());
        }
        Set<Integer> tried = new HashSet<>();
        for (int attempt = 0; attempt < 64; attempt++) {
            AddressTable.Result r = table.reserveEphemeral(address.ip(), kind, tried);
            if (!r.ok()) {
                return Bound.failed(r.status());
            }
            Bound b = kernelBind(r.reservation().endpoint(), reuseAddr, listen, handler);
            if (b.ok()) {
                return new Bound(NtStatus.SUCCESS, r.reservation(), b.id());
            }
            r.reservation().release();
            if (!b.status().equals(NtStatus.SHARING_VIOLATION)) {
                return b;
            }
            tried.add(r.reservation().endpoint().port()); // taken outside this testbed: try another
        }
        return Bound.failed(NtStatus.TOO_MANY_ADDRESSES);
    }

    /**
     * A new id on this adapter's channel bound to {@code ep}: {@code rdma_create_id},
     * REUSEADDR when asked (shared endpoints and the connectors using them), {@code
     * rdma_bind_addr}, and {@code rdma_listen} for a listener. The handler is registered before
     * anything can produce an event.
     */
    Bound kernelBind(Endpoint ep, boolean reuseAddr, boolean listen, CmHandler handler) {
        return kernelBind(ep, reuseAddr, listen, handler, null);
    }

    /**
     * {@link #kernelBind(Endpoint, boolean, boolean, CmHandler)} with an id made before by
     * {@link #newId} (null: make one now). The id is destroyed if the bind fails, like a new one.
     */
    Bound kernelBind(Endpoint ep, boolean reuseAddr, boolean listen, CmHandler handler, CmId premade) {
        CmId id;
        if (premade != null) {
            id = premade;
        } else {
            RdmaResult<CmId> c = createId();
            if (!c.ok()) {
                return Bound.failed(StatusMap.createId(c));
            }
            id = c.value();
        }
        if (handler != null) {
            register(id, handler);
        }
        NtStatus s = null;
        if (reuseAddr) {
            RdmaResult<Void> r = RdmaCm.setReuseAddr(id, true);
            if (!r.ok()) {
                log.log(host + " " + r);
                s = StatusMap.createId(r);
            }
        }
        if (s == null) {
            RdmaResult<Void> r = RdmaCm.bindAddr(id, ep.socket());
            if (!r.ok()) {
                log.log(host + " " + r + " (" + ep + ") -> " + StatusMap.bind(r));
                s = StatusMap.bind(r);
            }
        }
        if (s == null && listen) {
            RdmaResult<Void> r = RdmaCm.listen(id, 0);
            if (!r.ok()) {
                log.log(host + " " + r + " (" + ep + ") -> " + StatusMap.bind(r));
                s = StatusMap.bind(r);
            }
        }
        if (s != null) {
            destroyId(id); // no event can exist for it yet
            return Bound.failed(s);
        }
        return new Bound(NtStatus.SUCCESS, null, id);
    }

    /**
     * A new unbound id on this adapter's channel with REUSEADDR set, for a connector over a shared
     * endpoint, and no handler (it gets no event before it is bound); empty when either call fails
     * (logged; the connect then makes its id itself and reports the failure).
     */
    Optional<CmId> newReusableId() {
        RdmaResult<CmId> c = createId();
        if (!c.ok()) {
            return Optional.empty();
        }
        RdmaResult<Void> r = RdmaCm.setReuseAddr(c.value(), true);
        if (!r.ok()) {
            log.log(host + " " + r);
            destroyId(c.value());
            return Optional.empty();
        }
        return Optional.of(c.value());
    }

    /** Injects resource exhaustion on this adapter's channel and device until the result is closed. */
    InjectedExhaustion exhaust(InjectedExhaustion.Mode mode) {
        InjectedExhaustion e = InjectedExhaustion.take(host, mode, channel, device);
        log.log(host + " resources exhausted (injected): " + e.description());
        return e;
    }

    /** {@code rdma_create_id} on this adapter's channel; a failure is logged. */
    private RdmaResult<CmId> createId() {
        RdmaResult<CmId> c = RdmaCm.createId(channel, CmConstants.RDMA_PS_TCP);
        if (!c.ok()) {
            log.log(host + " " + c);
        }
        return c;
    }

    // ------------------------------------------------------------------ NdkAdapter

    @Override
    public AdapterInfo queryAdapterInfo() {
        return info;
    }

    @Override
    public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
        if (closed) {
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        RdmaResult<ProtectionDomain> r = Verbs.allocPd(device);
        if (!r.ok()) {
            log.log(host + " " + r + " -> " + StatusMap.verbs(r));
            return Created.failed(StatusMap.verbs(r));
        }
        return Created.inline(adopt(new RefPd(this, r.value())));
    }

    @Override
    public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
        if (closed) {
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        if (cqDepth == 0 || !RefPd.within(cqDepth, info.maxCqDepth())) {
            return Created.failed(NtStatus.INVALID_PARAMETER);
        }
        RdmaResult<CompletionQueue> r = Verbs.createCq(device, cqDepth, 0);
        if (!r.ok()) {
            log.log(host + " " + r + " -> " + StatusMap.verbs(r));
            return Created.failed(StatusMap.verbs(r));
        }
        return Created.inline(adopt(new RefCq(this, r.value())));
    }

    @Override
    public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
        if (closed) {
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        return Created.inline(adopt(RefConnector.active(this)));
    }

    @Override
    public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                           CreateCompletion<NdkSharedEndpoint> completion,
                                                           Object context) {
        if (closed) {
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        Bound b = bindLocal(localAddress, AddressTable.Kind.SHARED_ENDPOINT, true, false, null);
        if (!b.ok()) {
            log.log(host + " NdkCreateSharedEndpoint(" + localAddress + ") -> " + b.status());
            return Created.failed(b.status());
        }
        return Created.inline(adopt(new RefSharedEndpoint(this, b.reservation(), b.id())));
    }

    @Override
    public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                               CreateCompletion<NdkListener> completion, Object context) {
        if (closed) {
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        if (connectEvent == null) {
            return Created.failed(NtStatus.INVALID_PARAMETER);
        }
        return Created.inline(adopt(new RefListener(this, connectEvent, connectEventContext)));
    }

    /**
     * Blocking: destroys whatever the consumer left open (ids, then QPs, CQs and PDs) on the
     * event thread, stops it, and closes the device and the channel.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        routes.close();
        boolean stopped = loop.stop(() -> {
            List<Owned> all = new ArrayList<>(live);
            all.sort(Comparator.comparingInt(Owned::rank));
            for (Owned o : all) {
                o.destroy();
            }
        }, 15_000);
        if (!stopped) {
            log.problem(host + " adapter close: the event thread did not stop within 15 s; native resources are left to the process exit");
            return;
        }
        RdmaResult<Void> d = Verbs.closeDevice(device);
        if (!d.ok()) {
            log.problem(host + " " + d);
        }
        RdmaResult<Void> c = RdmaCm.destroyEventChannel(channel);
        if (!c.ok()) {
            log.problem(host + " " + c);
        }
    }

    @Override
    public String toString() {
        return "reference adapter " + host + " " + addresses;
    }

    /** The kernel's route lookup from a local address (see {@link RouteCheck}). */
    RouteCheck routes() {
        return routes;
    }

    Optional<InetAddress> firstAddress() {
        return addresses.isEmpty() ? Optional.empty() : Optional.of(addresses.get(0));
    }
}
