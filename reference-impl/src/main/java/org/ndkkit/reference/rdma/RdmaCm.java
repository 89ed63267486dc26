package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.ndkkit.reference.rdma.CmStructs.RdmaCmEvent;
import org.ndkkit.reference.rdma.CmStructs.RdmaConnParam;
import org.ndkkit.reference.rdma.SocketStructs.PollFd;
import org.ndkkit.reference.rdma.VerbsStructs.IbvQpAttr;

/**
 * The safe face of librdmacm: every method checks its arguments and handles before any native
 * call that could dereference NULL or freed memory, reads errno right after the call, and
 * returns an {@link RdmaResult}. Nothing native is thrown: no {@code LastErrorException}, no
 * {@code UnsatisfiedLinkError} (a missing library gives {@link RdmaResult.Kind#UNAVAILABLE}).
 *
 * <p>Guards against known crashes and hangs of the raw API:
 * <ul>
 *   <li>{@code rdma_accept(id, NULL)} dereferences the NULL param in librdmacm 44 - a param is
 *       always required here, for connect too (a zeroed param would also send
 *       {@code retry_count} 0, see {@link ConnParam#forQp}).</li>
 *   <li>{@code private_data_len} is a {@code uint8_t}: more than 255 bytes would silently wrap
 *       (256 becomes 0), so it is refused.</li>
 *   <li>{@code rdma_destroy_id} blocks until every event handed out for the id is acked: refused
 *       (EBUSY) while this layer knows of un-acked events for it.</li>
 *   <li>{@code rdma_ack_cm_event} twice frees twice: the second ack is refused.</li>
 *   <li>{@code rdma_destroy_event_channel} with ids still on it leaves dangling librdmacm state:
 *       refused (EBUSY).</li>
 *   <li>any use of a destroyed id or channel is refused (EBADF) instead of touching freed
 *       memory.</li>
 * </ul>
 *
 * <p>Memory: addresses, option values, conn params and private data are copied by librdmacm
 * during the call, so they are written into the calling thread's {@link Scratch} block, which
 * only has to hold them until the call returns.
 */
public final class RdmaCm {
    private RdmaCm() {
    }

    /** {@code rdma_conn_param.private_data_len} and rdma_reject's length are {@code uint8_t}. */
    public static final int MAX_PRIVATE_DATA_LEN = 255;

    /** Ids this layer handed out and that are not destroyed yet, by native address. */
    private static final ConcurrentMap<Long, CmId> LIVE_IDS = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------ helpers

    private static Optional<String> rdmacmMissing() {
        Optional<String> p = NativeLibraries.rdmacmProblem();
        return p.isPresent() ? p : NativeLibraries.libcProblem();
    }

    /** errno saved by JNA after the last native call on this thread; EIO if none was set. */
    static int lastErrno() {
        int e = Native.getLastError();
        return e != 0 ? e : Errno.EIO;
    }

    /** The librdmacm convention: 0 = ok, -1 + errno = failure. */
    private static RdmaResult<Void> cmRc(String op, int rc) {
        if (rc == 0) {
            return RdmaResult.success(op, null);
        }
        return RdmaResult.nativeError(op, lastErrno(), "returned " + rc);
    }

    static void forget(CmId id) {
        LIVE_IDS.remove(id.address(), id);
    }

    private static CmId adopt(Pointer p, EventChannel channel) {
        return LIVE_IDS.computeIfAbsent(Pointer.nativeValue(p), k -> {
            CmId h = new CmId(p, channel);
            channel.addDependant();
            return h;
        });
    }

    /** The live handle for a native id address, if this layer knows it. */
    public static Optional<CmId> lookup(long address) {
        return Optional.ofNullable(LIVE_IDS.get(address));
    }

    private static Optional<String> checkU8(String name, int v) {
        return v < 0 || v > 255 ? Optional.of(name + " must be 0..255, was " + v) : Optional.empty();
    }

    /**
     * Checks a {@link ConnParam} without looking at any id: empty if acceptable, else why not.
     */
    static Optional<String> validate(ConnParam p) {
        if (p == null) {
            return Optional.of("conn_param must not be NULL (rdma_accept dereferences it, and a "
                    + "NULL param on rdma_connect cannot carry the external QP number)");
        }
        if (p.privateData().length > MAX_PRIVATE_DATA_LEN) {
            return Optional.of("private data of " + p.privateData().length + " bytes does not "
                    + "fit the uint8_t private_data_len (max " + MAX_PRIVATE_DATA_LEN + ")");
        }
        Optional<String> bad = checkU8("responder_resources", p.responderResources())
                .or(() -> checkU8("initiator_depth", p.initiatorDepth()))
                .or(() -> checkU8("flow_control", p.flowControl()))
                .or(() -> checkU8("srq", p.srq()));
        if (bad.isPresent()) {
            return bad;
        }
        if (p.retryCount() < 0 || p.retryCount() > 7) {
            return Optional.of("retry_count must be 0..7, was " + p.retryCount());
        }
        if (p.rnrRetryCount() < 0 || p.rnrRetryCount() > 7) {
            return Optional.of("rnr_retry_count must be 0..7, was " + p.rnrRetryCount());
        }
        if (p.qpNum() < 0 || p.qpNum() > 0xFFFFFF) {
            return Optional.of("qp_num must be a 24-bit QP number, was " + p.qpNum());
        }
        return Optional.empty();
    }

    private static Optional<String> validateAddress(String what, InetSocketAddress a) {
        if (a == null) {
            return Optional.of(what + " must not be null");
        }
        if (a.isUnresolved() || !(a.getAddress() instanceof Inet4Address
                || a.getAddress() instanceof Inet6Address)) {
            return Optional.of(what + " must be a resolved IPv4/IPv6 address, was " + a);
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ event channels

    /**
     * {@code rdma_create_event_channel()}, then {@code fcntl(fd, F_SETFL, O_NONBLOCK)} so that
     * {@link #getCmEvent} can wait with a timeout. On a host without RDMA this is a
     * {@link RdmaResult.Kind#NATIVE_ERROR} with errno {@link Errno#ENODEV}.
     */
    public static RdmaResult<EventChannel> createEventChannel() {
        String op = "rdma_create_event_channel";
        Optional<String> missing = rdmacmMissing();
        if (missing.isPresent()) {
            return RdmaResult.unavailable(op, missing.get());
        }
        Pointer ch = LibRdmaCm.rdma_create_event_channel();
        if (ch == null) {
            int err = lastErrno();
            return RdmaResult.nativeError(op, err, err == Errno.ENODEV
                    ? "no RDMA device (or the rdma_ucm module is not loaded)" : "returned NULL");
        }
        int fd = ch.getInt(0);
        int flags = LibC.fcntl(fd, PosixConstants.F_GETFL, 0);
        if (flags < 0 || LibC.fcntl(fd, PosixConstants.F_SETFL,
                flags | PosixConstants.O_NONBLOCK) < 0) {
            int err = lastErrno();
            LibRdmaCm.rdma_destroy_event_channel(ch);
            return RdmaResult.nativeError("fcntl(O_NONBLOCK)", err,
                    "could not make the event channel fd non-blocking");
        }
        return RdmaResult.success(op, new EventChannel(ch, fd));
    }

    /**
     * {@code rdma_destroy_event_channel}; refused (EBUSY) while ids still use the channel. Waits
     * for {@link #getCmEvent} calls in progress on the channel (they hold its read lock), so do
     * not wait forever ({@code timeoutMs = -1}) on a channel you intend to destroy.
     */
    public static RdmaResult<Void> destroyEventChannel(EventChannel channel) {
        String op = "rdma_destroy_event_channel";
        if (channel == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "channel must not be null");
        }
        return NativeHandle.destroying(op, channel, () -> {
            LibRdmaCm.rdma_destroy_event_channel(channel.pointer());
            return RdmaResult.success(op, null);
        });
    }

    // ------------------------------------------------------------------ ids

    /**
     * {@code rdma_create_id(channel, &id, NULL, ps)}. The id's {@code context} stays NULL: events
     * are matched to handles by address ({@link CmEvent#id()}).
     */
    public static RdmaResult<CmId> createId(EventChannel channel, int portSpace) {
        String op = "rdma_create_id";
        Optional<String> missing = rdmacmMissing();
        if (missing.isPresent()) {
            return RdmaResult.unavailable(op, missing.get());
        }
        if (channel == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "channel must not be null (librdmacm "
                    + "would create a hidden synchronous channel)");
        }
        if (portSpace != CmConstants.RDMA_PS_TCP && portSpace != CmConstants.RDMA_PS_UDP
                && portSpace != CmConstants.RDMA_PS_IB && portSpace != CmConstants.RDMA_PS_IPOIB) {
            return RdmaResult.rejected(op, Errno.EINVAL, "unknown port space 0x"
                    + Integer.toHexString(portSpace));
        }
        return NativeHandle.using(op, channel, () -> {
            Pointer p;
            try (Scratch s = Scratch.open()) {
                Pointer out = s.zeroed(Native.POINTER_SIZE);
                int rc = LibRdmaCm.rdma_create_id(channel.pointer(), out, null, portSpace);
                if (rc != 0) {
                    return RdmaResult.nativeError(op, lastErrno(), "returned " + rc);
                }
                p = out.getPointer(0);
            }
            if (p == null) {
                return RdmaResult.nativeError(op, Errno.EIO, "returned 0 but no id");
            }
            CmId id = new CmId(p, channel);
            channel.addDependant();
            LIVE_IDS.put(id.address(), id);
            return RdmaResult.success(op, id);
        });
    }

    /**
     * {@code rdma_destroy_id}. Refused (EBUSY) while events for this id are un-acked (librdmacm
     * would block forever). The caller must have destroyed the id's external QP first if the
     * peer should see a clean teardown; the id never owns QPs created by {@link Verbs}.
     */
    public static RdmaResult<Void> destroyId(CmId id) {
        String op = "rdma_destroy_id";
        if (id == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id must not be null");
        }
        int unacked = id.unackedEventCount();
        if (unacked > 0) {
            return RdmaResult.rejected(op, Errno.EBUSY, unacked + " event(s) of this id are not "
                    + "acked; rdma_destroy_id would block until they are");
        }
        return NativeHandle.destroying(op, id,
                () -> cmRc(op, LibRdmaCm.rdma_destroy_id(id.pointer())));
    }

    /** {@code rdma_migrate_id}: moves the id's events to another channel. */
    public static RdmaResult<Void> migrateId(CmId id, EventChannel newChannel) {
        String op = "rdma_migrate_id";
        if (id == null || newChannel == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id and channel must not be null");
        }
        EventChannel old = id.channel();
        return NativeHandle.using(op, List.of(id, newChannel, old), () -> {
            RdmaResult<Void> r = cmRc(op, LibRdmaCm.rdma_migrate_id(id.pointer(),
                    newChannel.pointer()));
            if (r.ok() && old != newChannel) {
                newChannel.addDependant();
                old.removeDependant();
                id.channel(newChannel);
            }
            return r;
        });
    }

    // ------------------------------------------------------------------ options

    /** {@code RDMA_OPTION_ID_REUSEADDR} (an int); set it before binding/resolving. */
    public static RdmaResult<Void> setReuseAddr(CmId id, boolean on) {
        return setIntOption(id, "RDMA_OPTION_ID_REUSEADDR", CmConstants.RDMA_OPTION_ID_REUSEADDR,
                on ? 1 : 0);
    }

    /** {@code RDMA_OPTION_ID_AFONLY} (an int): an IPv6 bind does not also take IPv4. */
    public static RdmaResult<Void> setAfOnly(CmId id, boolean on) {
        return setIntOption(id, "RDMA_OPTION_ID_AFONLY", CmConstants.RDMA_OPTION_ID_AFONLY,
                on ? 1 : 0);
    }

    /** {@code RDMA_OPTION_ID_TOS} (a uint8_t, 0..255). */
    public static RdmaResult<Void> setTos(CmId id, int tos) {
        String op = "rdma_set_option(RDMA_OPTION_ID_TOS)";
        if (tos < 0 || tos > 255) {
            return RdmaResult.rejected(op, Errno.EINVAL, "tos must be 0..255, was " + tos);
        }
        return setByteOption(id, op, CmConstants.RDMA_OPTION_ID_TOS, tos);
    }

    /**
     * {@code RDMA_OPTION_ID_ACK_TIMEOUT} (a uint8_t). Only 1..31 is accepted: the value is a
     * 5-bit IB timeout exponent, and 0 makes pre-fix kernels compute a packet life time of 255.
     * Set it before {@code rdma_resolve_route}.
     */
    public static RdmaResult<Void> setAckTimeout(CmId id, int timeout) {
        String op = "rdma_set_option(RDMA_OPTION_ID_ACK_TIMEOUT)";
        if (timeout < 1 || timeout > 31) {
            return RdmaResult.rejected(op, Errno.EINVAL, "ack timeout must be 1..31, was "
                    + timeout);
        }
        return setByteOption(id, op, CmConstants.RDMA_OPTION_ID_ACK_TIMEOUT, timeout);
    }

    private static RdmaResult<Void> setIntOption(CmId id, String name, int optname, int value) {
        return setOption(id, "rdma_set_option(" + name + ")", optname, value, 4);
    }

    private static RdmaResult<Void> setByteOption(CmId id, String op, int optname, int value) {
        return setOption(id, op, optname, value, 1);
    }

    /** An option whose value is an int ({@code size} 4) or a byte ({@code size} 1). */
    private static RdmaResult<Void> setOption(CmId id, String op, int optname, int value, int size) {
        Optional<String> missing = rdmacmMissing();
        if (missing.isPresent()) {
            return RdmaResult.unavailable(op, missing.get());
        }
        if (id == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id must not be null");
        }
        return NativeHandle.using(op, id, () -> {
            try (Scratch s = Scratch.open()) {
                Pointer v = s.zeroed(size);
                if (size == 4) {
                    v.setInt(0, value);
                } else {
                    v.setByte(0, (byte) value);
                }
                return cmRc(op, LibRdmaCm.rdma_set_option(id.pointer(), CmConstants.RDMA_OPTION_ID, optname, v, size));
            }
        });
    }

    // ------------------------------------------------------------------ addressing

    /** {@code rdma_bind_addr(id, addr)}; port 0 lets the kernel choose. */
    public static RdmaResult<Void> bindAddr(CmId id, InetSocketAddress address) {
        String op = "rdma_bind_addr";
        Optional<String> bad = id == null ? Optional.of("id must not be null")
                : validateAddress("address", address);
        if (bad.isPresent()) {
            return RdmaResult.rejected(op, Errno.EINVAL, bad.get());
        }
        return onId(op, id, () -> {
            try (Scratch s = Scratch.open()) {
                return cmRc(op, LibRdmaCm.rdma_bind_addr(id.pointer(), Sockaddrs.toNative(s, address)));
            }
        });
    }

    /**
     * {@code rdma_resolve_addr(id, src, dst, timeoutMs)}; {@code source} may be null (then an
     * already bound address, or an implicit bind, is used). Completion is the ADDR_RESOLVED /
     * ADDR_ERROR event; routing failures come back inline (ENETUNREACH, EHOSTUNREACH ...).
     */
    public static RdmaResult<Void> resolveAddr(CmId id, InetSocketAddress source,
            InetSocketAddress destination, int timeoutMs) {
        String op = "rdma_resolve_addr";
        Optional<String> bad = id == null ? Optional.of("id must not be null")
                : validateAddress("destination", destination)
                        .or(() -> source == null ? Optional.empty()
                                : validateAddress("source", source))
                        .or(() -> timeoutMs <= 0 ? Optional.of("timeout must be > 0 ms, was "
                                + timeoutMs) : Optional.empty());
        if (bad.isPresent()) {
            return RdmaResult.rejected(op, Errno.EINVAL, bad.get());
        }
        return onId(op, id, () -> {
            try (Scratch s = Scratch.open()) {
                Pointer src = source == null ? null : Sockaddrs.toNative(s, source);
                Pointer dst = Sockaddrs.toNative(s, destination);
                return cmRc(op, LibRdmaCm.rdma_resolve_addr(id.pointer(), src, dst, timeoutMs));
            }
        });
    }

    /** {@code rdma_resolve_route(id, timeoutMs)}; completion is ROUTE_RESOLVED / ROUTE_ERROR. */
    public static RdmaResult<Void> resolveRoute(CmId id, int timeoutMs) {
        String op = "rdma_resolve_route";
        if (id == null || timeoutMs <= 0) {
            return RdmaResult.rejected(op, Errno.EINVAL,
                    "id must not be null and timeout must be > 0 ms");
        }
        return onId(op, id, () -> cmRc(op, LibRdmaCm.rdma_resolve_route(id.pointer(), timeoutMs)));
    }

    /** {@code rdma_listen(id, backlog)}; backlog 0 means the kernel maximum. */
    public static RdmaResult<Void> listen(CmId id, int backlog) {
        String op = "rdma_listen";
        if (id == null || backlog < 0) {
            return RdmaResult.rejected(op, Errno.EINVAL,
                    "id must not be null and backlog must be >= 0");
        }
        return onId(op, id, () -> cmRc(op, LibRdmaCm.rdma_listen(id.pointer(), backlog)));
    }

    // ------------------------------------------------------------------ connection

    /**
     * {@code rdma_connect(id, param)}. With an external QP (the id has no QP) {@code qpNum} must
     * be the QP's number. Completion is CONNECT_RESPONSE (external QP) or REJECTED/UNREACHABLE.
     */
    public static RdmaResult<Void> connect(CmId id, ConnParam param) {
        return connectOrAccept("rdma_connect", id, param, true);
    }

    /**
     * {@code rdma_accept(id, param)} on a CONNECT_REQUEST id. The param is mandatory (see class
     * comment); with an external QP, move the QP to RTS (via {@link #initQpAttr}) first.
     */
    public static RdmaResult<Void> accept(CmId id, ConnParam param) {
        return connectOrAccept("rdma_accept", id, param, false);
    }

    private static RdmaResult<Void> connectOrAccept(String op, CmId id, ConnParam param,
            boolean connect) {
        if (id == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id must not be null");
        }
        Optional<String> bad = validate(param);
        if (bad.isPresent()) {
            return RdmaResult.rejected(op, Errno.EINVAL, bad.get());
        }
        return onId(op, id, () -> {
            if (!id.hasQpUnlocked() && param.qpNum() == 0) {
                return RdmaResult.rejected(op, Errno.EINVAL, "the id has no QP of its own, so "
                        + "conn_param.qp_num must carry the external QP's number (was 0)");
            }
            byte[] data = param.privateData();
            try (Scratch s = Scratch.open()) {
                Pointer pd = null;
                if (data.length > 0) {
                    pd = s.zeroed(data.length);
                    pd.write(0, data, 0, data.length);
                }
                // Written field by field at RdmaConnParam's offsets (see ConnParamOffsets).
                Pointer cp = s.zeroed(ConnParamOffsets.SIZE);
                cp.setPointer(ConnParamOffsets.PRIVATE_DATA, pd);
                cp.setByte(ConnParamOffsets.PRIVATE_DATA_LEN, (byte) data.length);
                cp.setByte(ConnParamOffsets.RESPONDER_RESOURCES, (byte) param.responderResources());
                cp.setByte(ConnParamOffsets.INITIATOR_DEPTH, (byte) param.initiatorDepth());
                cp.setByte(ConnParamOffsets.FLOW_CONTROL, (byte) param.flowControl());
                cp.setByte(ConnParamOffsets.RETRY_COUNT, (byte) param.retryCount());
                cp.setByte(ConnParamOffsets.RNR_RETRY_COUNT, (byte) param.rnrRetryCount());
                cp.setByte(ConnParamOffsets.SRQ, (byte) param.srq());
                cp.setInt(ConnParamOffsets.QP_NUM, param.qpNum());
                int rc = connect ? LibRdmaCm.rdma_connect(id.pointer(), cp)
                        : LibRdmaCm.rdma_accept(id.pointer(), cp);
                return cmRc(op, rc);
            }
        });
    }

    /**
     * {@code rdma_reject(id, data, len)}: passive side on a CONNECT_REQUEST id, or active side
     * after CONNECT_RESPONSE. {@code privateData} may be null or empty; at most 255 bytes here,
     * and the kernel refuses more than 148 (EINVAL).
     */
    public static RdmaResult<Void> reject(CmId id, byte[] privateData) {
        String op = "rdma_reject";
        byte[] data = privateData == null ? new byte[0] : privateData.clone();
        if (id == null || data.length > MAX_PRIVATE_DATA_LEN) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id must not be null and private data "
                    + "must be at most " + MAX_PRIVATE_DATA_LEN + " bytes");
        }
        return onId(op, id, () -> {
            try (Scratch s = Scratch.open()) {
                Pointer pd = null;
                if (data.length > 0) {
                    pd = s.zeroed(data.length);
                    pd.write(0, data, 0, data.length);
                }
                return cmRc(op, LibRdmaCm.rdma_reject(id.pointer(), pd, data.length));
            }
        });
    }

    /**
     * {@code rdma_establish(id)}: active side with an external QP, after CONNECT_RESPONSE and
     * after moving the QP to RTS; sends the RTU.
     */
    public static RdmaResult<Void> establish(CmId id) {
        String op = "rdma_establish";
        if (id == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id must not be null");
        }
        return onId(op, id, () -> cmRc(op, LibRdmaCm.rdma_establish(id.pointer())));
    }

    /** {@code rdma_disconnect(id)}: sends DREQ (or DREP); completion is DISCONNECTED. */
    public static RdmaResult<Void> disconnect(CmId id) {
        String op = "rdma_disconnect";
        if (id == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "id must not be null");
        }
        return onId(op, id, () -> cmRc(op, LibRdmaCm.rdma_disconnect(id.pointer())));
    }

    /** Result of {@link #initQpAttr}: attributes plus the {@code IBV_QP_*} mask to modify with. */
    public record QpAttrWithMask(IbvQpAttr attr, int mask) {
    }

    /**
     * {@code rdma_init_qp_attr(id, &attr, &mask)} for {@code qpState} INIT, RTR or RTS: the
     * attributes the CM negotiated, ready for {@link Verbs#modifyQp}. The returned attr lives in
     * Java-owned memory.
     */
    public static RdmaResult<QpAttrWithMask> initQpAttr(CmId id, int qpState) {
        RdmaResult<QpAttr> r = initQpAttrNative(id, qpState);
        if (!r.ok()) {
            return r.asFailure();
        }
        IbvQpAttr attr = new IbvQpAttr();
        attr.getPointer().write(0, r.value().memory.getByteArray(0, QpAttr.SIZE), 0, QpAttr.SIZE);
        attr.read();
        return RdmaResult.success(r.operation(), new QpAttrWithMask(attr, r.value().mask()));
    }

    /**
     * {@link #initQpAttr}, but into native memory ({@link QpAttr}) with nothing copied through a
     * JNA structure: the connection path's form (see {@link QpAttr} for why). Same checks, same
     * native call, same fault-injection name.
     */
    public static RdmaResult<QpAttr> initQpAttrNative(CmId id, int qpState) {
        return initQpAttrNative(id, qpState, new QpAttr(qpState));
    }

    /** {@link #initQpAttrNative(CmId, int)} into {@code attr}, which is reset first (one attr per QP). */
    public static RdmaResult<QpAttr> initQpAttrNative(CmId id, int qpState, QpAttr attr) {
        String op = "rdma_init_qp_attr";
        if (id == null || attr == null || (qpState != VerbsConstants.IBV_QPS_INIT
                && qpState != VerbsConstants.IBV_QPS_RTR && qpState != VerbsConstants.IBV_QPS_RTS)) {
            return RdmaResult.rejected(op, Errno.EINVAL,
                    "id and attr must not be null and qp_state must be INIT, RTR or RTS");
        }
        return onId(op, id, () -> {
            attr.reset(qpState);
            Pointer mask = attr.memory.share(QpAttr.MASK_OUT, 4);
            int rc = LibRdmaCm.rdma_init_qp_attr(id.pointer(), attr.memory, mask);
            if (rc != 0) {
                return RdmaResult.nativeError(op, lastErrno(), "returned " + rc);
            }
            attr.mask(mask.getInt(0));
            return RdmaResult.success(op, attr);
        });
    }

    private static <T> RdmaResult<T> onId(String op, CmId id, Supplier<RdmaResult<T>> body) {
        Optional<String> missing = rdmacmMissing();
        if (missing.isPresent()) {
            return RdmaResult.unavailable(op, missing.get());
        }
        return NativeHandle.using(op, id, body);
    }

    // ------------------------------------------------------------------ events

    /**
     * rdma_get_cm_event's out-parameter, one per thread: the event pointer is copied out at once,
     * and a new JNA Memory per call (malloc, a map entry, a Cleaner) was one of the event thread's
     * larger costs per event in the lab.
     */
    private static final ThreadLocal<Memory> EVENT_OUT = ThreadLocal.withInitial(() -> new Memory(Native.POINTER_SIZE));

    /**
     * Waits up to {@code timeoutMs} (0 = just look, -1 = forever) for the next event on
     * {@code channel}: {@code poll()} on the non-blocking fd, then {@code rdma_get_cm_event}.
     * Success with an empty value means the timeout passed. The returned event is <em>not</em>
     * acked yet: ack it ({@link CmEvent#close()}) promptly.
     *
     * <p>A CONNECT_REQUEST brings a new {@link CmId} that the caller now owns.
     */
    public static RdmaResult<Optional<CmEvent>> getCmEvent(EventChannel channel, long timeoutMs) {
        String op = "rdma_get_cm_event";
        Optional<String> missing = rdmacmMissing();
        if (missing.isPresent()) {
            return RdmaResult.unavailable(op, missing.get());
        }
        if (channel == null || timeoutMs < -1) {
            return RdmaResult.rejected(op, Errno.EINVAL,
                    "channel must not be null and timeout must be >= -1");
        }
        return NativeHandle.using(op, channel, () -> {
            long deadline = timeoutMs < 0 ? Long.MAX_VALUE
                    : System.nanoTime() + timeoutMs * 1_000_000L;
            PollFd pfd = null; // only when it must wait: a JNA structure costs ~0.2 ms in the lab's VM
            Memory out = EVENT_OUT.get();
            while (true) {
                out.clear();
                int rc = LibRdmaCm.rdma_get_cm_event(channel.pointer(), out);
                if (rc == 0) {
                    return RdmaResult.success(op, Optional.of(copyEvent(out.getPointer(0),
                            channel)));
                }
                int err = lastErrno();
                if (err != Errno.EAGAIN && err != Errno.EINTR) {
                    return RdmaResult.nativeError(op, err, "returned " + rc);
                }
                int wait;
                if (timeoutMs < 0) {
                    wait = -1;
                } else {
                    long remainingMs = (deadline - System.nanoTime() + 999_999L) / 1_000_000L;
                    if (remainingMs <= 0) {
                        return RdmaResult.success(op, Optional.empty());
                    }
                    wait = (int) Math.min(remainingMs, Integer.MAX_VALUE);
                }
                if (pfd == null) {
                    pfd = new PollFd();
                }
                pfd.fd = channel.fd();
                pfd.events = (short) PosixConstants.POLLIN;
                pfd.revents = 0;
                pfd.write();
                int pr = LibC.poll(pfd.getPointer(), 1, wait);
                if (pr < 0) {
                    int perr = lastErrno();
                    if (perr != Errno.EINTR) {
                        return RdmaResult.nativeError("poll", perr, "waiting on the channel fd");
                    }
                    continue;
                }
                pfd.read();
                if ((pfd.revents & (PosixConstants.POLLERR | PosixConstants.POLLHUP
                        | PosixConstants.POLLNVAL)) != 0) {
                    return RdmaResult.nativeError("poll", Errno.EIO,
                            "channel fd reported revents=0x" + Integer.toHexString(pfd.revents));
                }
            }
        });
    }

    /**
     * {@link #getCmEvent} followed by {@link #ackCmEvent}: the returned copy is complete, the
     * native event is already freed. The usual way to consume events.
     */
    public static RdmaResult<Optional<CmEvent>> nextCmEvent(EventChannel channel, long timeoutMs) {
        RdmaResult<Optional<CmEvent>> r = getCmEvent(channel, timeoutMs);
        if (r.ok() && r.value().isPresent()) {
            RdmaResult<Void> ack = ackCmEvent(r.value().get());
            if (!ack.ok()) {
                return ack.asFailure();
            }
        }
        return r;
    }

    /**
     * Offsets in {@code struct rdma_cm_event} ({@code param} read as {@code conn}), from the JNA
     * layouts that StructLayoutTest checks against gcc. The event is read at these offsets
     * ({@link EventFields}): a JNA {@code RdmaCmEvent.read()} (reflection over the nested union) cost
     * ~0.5 ms per event in the lab's emulated VM, and a connection has about six events.
     */
    private static final class EventOffsets {
        static final int ID;
        static final int LISTEN_ID;
        static final int EVENT;
        static final int STATUS;
        /** {@code param}, a union: its {@code conn} starts there (offsets in {@link ConnParamOffsets}). */
        static final int CONN;

        static {
            RdmaCmEvent ev = new RdmaCmEvent();
            ID = ev.offsetOf("id");
            LISTEN_ID = ev.offsetOf("listen_id");
            EVENT = ev.offsetOf("event");
            STATUS = ev.offsetOf("status");
            CONN = ev.offsetOf("param");
        }

        private EventOffsets() {
        }
    }

    /**
     * {@code struct rdma_conn_param}'s layout (RdmaConnParam's, checked by StructLayoutTest), for
     * writing it, and reading it in an event, without a JNA structure (whose construction, read and
     * write use reflection).
     */
    private static final class ConnParamOffsets {
        static final int SIZE;
        static final int PRIVATE_DATA;
        static final int PRIVATE_DATA_LEN;
        static final int RESPONDER_RESOURCES;
        static final int INITIATOR_DEPTH;
        static final int FLOW_CONTROL;
        static final int RETRY_COUNT;
        static final int RNR_RETRY_COUNT;
        static final int SRQ;
        static final int QP_NUM;

        static {
            RdmaConnParam c = new RdmaConnParam();
            SIZE = c.size();
            PRIVATE_DATA = c.offsetOf("private_data");
            PRIVATE_DATA_LEN = c.offsetOf("private_data_len");
            RESPONDER_RESOURCES = c.offsetOf("responder_resources");
            INITIATOR_DEPTH = c.offsetOf("initiator_depth");
            FLOW_CONTROL = c.offsetOf("flow_control");
            RETRY_COUNT = c.offsetOf("retry_count");
            RNR_RETRY_COUNT = c.offsetOf("rnr_retry_count");
            SRQ = c.offsetOf("srq");
            QP_NUM = c.offsetOf("qp_num");
        }

        private ConnParamOffsets() {
        }
    }

    /**
     * The fields of a {@code struct rdma_cm_event} ({@code param} as {@code conn}) that the provider
     * uses, as plain values: native addresses as longs (0 for NULL).
     */
    record EventFields(long id, long listenId, int event, int status, long privateData, int privateDataLen,
                       int responderResources, int initiatorDepth, int flowControl, int retryCount,
                       int rnrRetryCount, int srq, int qpNum) {
        /** Bytes from the event's start that hold every field read: up to the end of {@code param.conn}. */
        static final int SPAN = EventOffsets.CONN + ConnParamOffsets.SIZE;

        /**
         * Reads them with one copy of the event's first {@link #SPAN} bytes: reading field by field
         * made a JNA native call per field (14 per event, about 60 per connection), and JNA's
         * dispatch (of every call) was a tenth of the event thread's user-mode time in the two-host
         * lab (perf).
         */
        static EventFields read(Pointer evp) {
            ByteBuffer b = ByteBuffer.wrap(evp.getByteArray(0, SPAN)).order(ByteOrder.nativeOrder());
            int c = EventOffsets.CONN;
            return new EventFields(address(b, EventOffsets.ID), address(b, EventOffsets.LISTEN_ID),
                    b.getInt(EventOffsets.EVENT), b.getInt(EventOffsets.STATUS),
                    address(b, c + ConnParamOffsets.PRIVATE_DATA), b.get(c + ConnParamOffsets.PRIVATE_DATA_LEN) & 0xFF,
                    b.get(c + ConnParamOffsets.RESPONDER_RESOURCES) & 0xFF,
                    b.get(c + ConnParamOffsets.INITIATOR_DEPTH) & 0xFF, b.get(c + ConnParamOffsets.FLOW_CONTROL) & 0xFF,
                    b.get(c + ConnParamOffsets.RETRY_COUNT) & 0xFF, b.get(c + ConnParamOffsets.RNR_RETRY_COUNT) & 0xFF,
                    b.get(c + ConnParamOffsets.SRQ) & 0xFF, b.getInt(c + ConnParamOffsets.QP_NUM));
        }

        private static long address(ByteBuffer b, int offset) {
            return Native.POINTER_SIZE == 8 ? b.getLong(offset) : b.getInt(offset) & 0xFFFF_FFFFL;
        }
    }

    private static CmEvent copyEvent(Pointer evp, EventChannel channel) {
        EventFields f = EventFields.read(evp);
        int event = f.event();
        CmId listen = f.listenId() == 0 ? null : adopt(new Pointer(f.listenId()), channel);
        CmId id;
        if (f.id() == 0) {
            id = null;
        } else if (event == CmConstants.RDMA_CM_EVENT_CONNECT_REQUEST) {
            // librdmacm created a new id for the request, on the listener's channel.
            id = new CmId(new Pointer(f.id()), channel);
            channel.addDependant();
            LIVE_IDS.put(id.address(), id);
        } else {
            id = adopt(new Pointer(f.id()), channel);
        }
        int len = f.privateDataLen();
        byte[] data = f.privateData() == 0 || len == 0 ? new byte[0] : new Pointer(f.privateData()).getByteArray(0, len);
        CmId accountedTo = event == CmConstants.RDMA_CM_EVENT_CONNECT_REQUEST && listen != null
                ? listen : id;
        if (accountedTo != null) {
            accountedTo.unackedEvents().incrementAndGet();
        }
        return new CmEvent(event, f.status(), id, listen, data, len, f.responderResources(), f.initiatorDepth(),
                f.flowControl(), f.retryCount(), f.rnrRetryCount(), f.srq(), f.qpNum(), evp, accountedTo);
    }

    /** {@code rdma_ack_cm_event}: frees the native event. A second ack is refused. */
    public static RdmaResult<Void> ackCmEvent(CmEvent event) {
        String op = "rdma_ack_cm_event";
        if (event == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "event must not be null");
        }
        Optional<String> missing = rdmacmMissing();
        if (missing.isPresent()) {
            return RdmaResult.unavailable(op, missing.get());
        }
        if (!event.markAcked()) {
            return RdmaResult.rejected(op, Errno.EINVAL, "event already acked (a second "
                    + "rdma_ack_cm_event would free it twice)");
        }
        int rc = LibRdmaCm.rdma_ack_cm_event(event.nativeEvent());
        if (rc != 0) {
            // librdmacm 44 always frees and returns 0; keep the accounting if it ever does not.
            event.unmarkAcked();
            return RdmaResult.nativeError(op, lastErrno(), "returned " + rc);
        }
        CmId owner = event.accountedTo();
        if (owner != null) {
            owner.unackedEvents().decrementAndGet();
        }
        return RdmaResult.success(op, null);
    }

    /** {@code rdma_event_str(event)}, or the Java enum name if librdmacm is not available. */
    public static String eventStr(int event) {
        if (rdmacmMissing().isPresent()) {
            return RdmaCmEventType.of(event).name();
        }
        Pointer s = LibRdmaCm.rdma_event_str(event);
        return s == null ? "UNKNOWN EVENT" : s.getString(0);
    }
}
