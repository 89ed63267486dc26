package org.ndkkit.reference.rdma;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.ndkkit.reference.rdma.VerbsStructs.IbvContext;
import org.ndkkit.reference.rdma.VerbsStructs.IbvContextOps;
import org.ndkkit.reference.rdma.VerbsStructs.IbvCq;
import org.ndkkit.reference.rdma.VerbsStructs.IbvDeviceAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvMr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvPortAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvQp;
import org.ndkkit.reference.rdma.VerbsStructs.IbvQpAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvQpInitAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvRecvWr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvSendWr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvWc;
import org.ndkkit.reference.rdma.VerbsStructs.VerbsContext;

/**
 * The safe face of libibverbs, same rules as {@link RdmaCm}: arguments and handles are checked
 * before native code runs, errors come back as {@link RdmaResult}, nothing native is thrown.
 *
 * <p>Inline verbs. {@code ibv_poll_cq}, {@code ibv_req_notify_cq}, {@code ibv_post_send} and
 * {@code ibv_post_recv} are static inline functions in verbs.h that call through
 * {@code obj->context->ops.<op>}; libibverbs.so.1 does not export them. This class does the
 * same: it reads the function pointer at {@code context + offsetof(ibv_context, ops) +
 * offsetof(ibv_context_ops, op)} (poll_cq: 8 + 88 = 96, req_notify_cq 104, post_send 208,
 * post_recv 216; offsets computed from the layout-tested structs, not hard-coded) and calls it
 * with {@link Function#invokeInt}.
 *
 * <p>{@code ibv_query_port} is a macro in verbs.h 44 over the inline {@code ___ibv_query_port},
 * which calls {@code verbs_context->query_port(ctx, port, attr, sizeof(struct ibv_port_attr))}
 * when the context is an extended one, and only otherwise the exported symbol, which writes just
 * the 48-byte {@code struct _compat_ibv_port_attr}. {@link #queryPort} re-implements the inline.
 *
 * <p>Ownership: {@link DeviceContext} (owned ones), {@link ProtectionDomain},
 * {@link CompletionQueue}, {@link QueuePair} and {@link MemoryRegion} are owned by whoever
 * created them and freed with the matching destroy method here, children before parents (QP,
 * MR, then CQ and PD, then the device). Attribute structs passed in are Java-owned and only
 * read or written during the call.
 */
public final class Verbs {
    private Verbs() {
    }

    /** Bytes the exported {@code ibv_query_port} writes: everything before port_cap_flags2. */
    public static final int COMPAT_PORT_ATTR_SIZE = 48;

    private static final int OPS_OFFSET = new IbvContext().offsetOf("ops");
    static final int POLL_CQ_OFFSET = OPS_OFFSET + new IbvContextOps().offsetOf("poll_cq");
    static final int REQ_NOTIFY_CQ_OFFSET =
            OPS_OFFSET + new IbvContextOps().offsetOf("req_notify_cq");
    static final int POST_SEND_OFFSET = OPS_OFFSET + new IbvContextOps().offsetOf("post_send");
    static final int POST_RECV_OFFSET = OPS_OFFSET + new IbvContextOps().offsetOf("post_recv");
    static final int ABI_COMPAT_OFFSET = new IbvContext().offsetOf("abi_compat");
    static final int VCTX_CONTEXT_OFFSET = new VerbsContext().offsetOf("context");
    static final int VCTX_SZ_OFFSET = new VerbsContext().offsetOf("sz");
    static final int VCTX_QUERY_PORT_OFFSET = new VerbsContext().offsetOf("query_port");
    static final int VCTX_SIZE = new VerbsContext().size();
    /** {@code __VERBS_ABI_IS_EXTENDED} = {@code (void *) UINTPTR_MAX}. */
    static final long VERBS_ABI_IS_EXTENDED = -1L;
    private static final int CQ_CQE_OFFSET = new IbvCq().offsetOf("cqe");
    private static final int CQ_CONTEXT_OFFSET = new IbvCq().offsetOf("context");
    private static final int QP_CONTEXT_OFFSET = new IbvQp().offsetOf("context");
    private static final int QP_NUM_OFFSET = new IbvQp().offsetOf("qp_num");
    private static final int WC_SIZE = new IbvWc().size();

    /** Upper bound for one {@link #pollCq} call (the wc array is allocated per call). */
    public static final int MAX_POLL_ENTRIES = 4096;

    // ------------------------------------------------------------------ helpers

    private static Optional<String> missing() {
        return NativeLibraries.ibverbsProblem();
    }

    private static <T> RdmaResult<T> guarded(String op, List<? extends NativeHandle> handles,
            Supplier<RdmaResult<T>> body) {
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        for (NativeHandle h : handles) {
            if (h == null) {
                return RdmaResult.rejected(op, Errno.EINVAL, "a handle argument is null");
            }
        }
        return handles.size() == 1 ? NativeHandle.using(op, handles.get(0), body)
                : NativeHandle.using(op, handles, body);
    }

    /**
     * The libibverbs convention for int-returning verbs: 0 = ok, a positive errno value on
     * failure (some paths return -1 and set errno instead; both are handled).
     */
    static RdmaResult<Void> verbsRc(String op, int rc) {
        if (rc == 0) {
            return RdmaResult.success(op, null);
        }
        if (rc > 0) {
            return RdmaResult.nativeError(op, rc, "returned the errno value");
        }
        if (rc == -1) {
            return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned -1");
        }
        return RdmaResult.nativeError(op, -rc, "returned " + rc);
    }

    private static <T> RdmaResult<T> rejected(String op, String why) {
        return RdmaResult.rejected(op, Errno.EINVAL, why);
    }

    /** Reads the function pointer at {@code ctx + offset}; null if the provider left it empty. */
    static Function opsFunction(Pointer context, int offset) {
        if (context == null) {
            return null;
        }
        Pointer fn = context.getPointer(offset);
        return fn == null ? null : Function.getFunction(fn);
    }

    // ------------------------------------------------------------------ devices

    /** Names of the RDMA devices libibverbs sees ({@code ibv_get_device_list}). */
    public static RdmaResult<List<String>> deviceNames() {
        String op = "ibv_get_device_list";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        Memory num = new Memory(4);
        num.setInt(0, 0);
        Pointer list = LibIbverbs.ibv_get_device_list(num);
        if (list == null) {
            return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned NULL");
        }
        try {
            int n = num.getInt(0);
            List<String> names = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Pointer dev = list.getPointer((long) i * Native.POINTER_SIZE);
                Pointer name = dev == null ? null : LibIbverbs.ibv_get_device_name(dev);
                names.add(name == null ? "" : name.getString(0));
            }
            return RdmaResult.success(op, List.copyOf(names));
        } finally {
            LibIbverbs.ibv_free_device_list(list);
        }
    }

    /**
     * {@code ibv_open_device} on the device called {@code name}; the caller owns the context and
     * closes it with {@link #closeDevice}. (Contexts of rdma_cm ids come from
     * {@link CmId#verbs()} instead and are never closed.)
     */
    public static RdmaResult<DeviceContext> openDevice(String name) {
        String op = "ibv_open_device";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        if (name == null || name.isEmpty()) {
            return rejected(op, "device name must not be empty");
        }
        Memory num = new Memory(4);
        num.setInt(0, 0);
        Pointer list = LibIbverbs.ibv_get_device_list(num);
        if (list == null) {
            return RdmaResult.nativeError("ibv_get_device_list", RdmaCm.lastErrno(),
                    "returned NULL");
        }
        try {
            int n = num.getInt(0);
            for (int i = 0; i < n; i++) {
                Pointer dev = list.getPointer((long) i * Native.POINTER_SIZE);
                Pointer devName = dev == null ? null : LibIbverbs.ibv_get_device_name(dev);
                if (devName != null && name.equals(devName.getString(0))) {
                    // Opening takes a device reference, so freeing the list afterwards is fine.
                    Pointer ctx = LibIbverbs.ibv_open_device(dev);
                    if (ctx == null) {
                        return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned NULL");
                    }
                    return RdmaResult.success(op, DeviceContext.owned(ctx));
                }
            }
            return RdmaResult.nativeError(op, Errno.ENODEV, "no RDMA device named " + name);
        } finally {
            LibIbverbs.ibv_free_device_list(list);
        }
    }

    /** {@code ibv_close_device}; only for owned contexts, and only once PDs and CQs are gone. */
    public static RdmaResult<Void> closeDevice(DeviceContext context) {
        String op = "ibv_close_device";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        if (context == null) {
            return rejected(op, "context must not be null");
        }
        if (!context.owned()) {
            return rejected(op, "this context belongs to librdmacm (from an rdma_cm_id) and "
                    + "must never be closed");
        }
        return NativeHandle.destroying(op, context,
                () -> verbsRc(op, LibIbverbs.ibv_close_device(context.pointer())));
    }

    /** {@code ibv_query_device}; the returned struct is a Java-owned copy. */
    public static RdmaResult<IbvDeviceAttr> queryDevice(DeviceContext context) {
        String op = "ibv_query_device";
        return guarded(op, listOf(context), () -> {
            IbvDeviceAttr attr = new IbvDeviceAttr();
            RdmaResult<Void> r = verbsRc(op,
                    LibIbverbs.ibv_query_device(context.pointer(), attr.getPointer()));
            if (!r.ok()) {
                return r.asFailure();
            }
            attr.read();
            return RdmaResult.success(op, attr);
        });
    }

    /**
     * {@code ibv_query_port(ctx, port, &attr)} exactly as the verbs.h 44 macro does it
     * ({@code ___ibv_query_port}): if {@code ctx->abi_compat == __VERBS_ABI_IS_EXTENDED} and the
     * {@code verbs_context} is large enough to have a non-NULL {@code query_port}, call that with
     * {@code sizeof(struct ibv_port_attr)} (52); otherwise zero the struct and call the exported
     * compat symbol, which fills {@value #COMPAT_PORT_ATTR_SIZE} bytes (no
     * {@code port_cap_flags2}).
     */
    public static RdmaResult<IbvPortAttr> queryPort(DeviceContext context, int portNum) {
        String op = "ibv_query_port";
        if (portNum < 1 || portNum > 255) {
            return rejected(op, "port number must be 1..255, was " + portNum);
        }
        return guarded(op, listOf(context), () -> {
            IbvPortAttr attr = new IbvPortAttr();
            attr.getPointer().clear(attr.size());
            Pointer ctx = context.pointer();
            Pointer queryPort = extendedQueryPort(ctx);
            int rc;
            if (queryPort != null) {
                rc = Function.getFunction(queryPort).invokeInt(new Object[] {
                    ctx, portNum, attr.getPointer(), (long) attr.size()});
            } else {
                rc = LibIbverbs.ibv_query_port(ctx, portNum, attr.getPointer());
            }
            RdmaResult<Void> r = verbsRc(op, rc);
            if (!r.ok()) {
                return r.asFailure();
            }
            attr.read();
            return RdmaResult.success(op, attr);
        });
    }

    /**
     * {@code verbs_get_ctx_op(ctx, query_port)}: the function pointer, or null when the inline
     * falls back to the exported symbol.
     */
    static Pointer extendedQueryPort(Pointer ctx) {
        Pointer abi = ctx.getPointer(ABI_COMPAT_OFFSET);
        if (abi == null || Pointer.nativeValue(abi) != VERBS_ABI_IS_EXTENDED) {
            return null;
        }
        Pointer vctx = ctx.share(-VCTX_CONTEXT_OFFSET);
        long sz = vctx.getLong(VCTX_SZ_OFFSET);
        if (sz < VCTX_SIZE - VCTX_QUERY_PORT_OFFSET) {
            return null;
        }
        return vctx.getPointer(VCTX_QUERY_PORT_OFFSET);
    }

    // ------------------------------------------------------------------ PD, CQ, QP, MR

    /** {@code ibv_alloc_pd}. */
    public static RdmaResult<ProtectionDomain> allocPd(DeviceContext context) {
        String op = "ibv_alloc_pd";
        return guarded(op, listOf(context), () -> {
            Pointer pd = LibIbverbs.ibv_alloc_pd(context.pointer());
            if (pd == null) {
                return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned NULL");
            }
            context.addDependant();
            return RdmaResult.success(op, new ProtectionDomain(pd, context));
        });
    }

    /** {@code ibv_dealloc_pd}; refused while QPs or MRs of this PD exist. */
    public static RdmaResult<Void> deallocPd(ProtectionDomain pd) {
        String op = "ibv_dealloc_pd";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        if (pd == null) {
            return rejected(op, "pd must not be null");
        }
        return NativeHandle.destroying(op, pd,
                () -> verbsRc(op, LibIbverbs.ibv_dealloc_pd(pd.pointer())));
    }

    /**
     * {@code ibv_create_cq(ctx, cqe, NULL, NULL, compVector)} without a completion channel (poll
     * it with {@link #pollCq}).
     */
    public static RdmaResult<CompletionQueue> createCq(DeviceContext context, int cqe,
            int compVector) {
        String op = "ibv_create_cq";
        if (cqe < 1 || compVector < 0) {
            return rejected(op, "cqe must be >= 1 and comp_vector >= 0");
        }
        return guarded(op, listOf(context), () -> {
            Pointer cq = LibIbverbs.ibv_create_cq(context.pointer(), cqe, null, null, compVector);
            if (cq == null) {
                return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned NULL");
            }
            Pointer ctx = cq.getPointer(CQ_CONTEXT_OFFSET);
            context.addDependant();
            return RdmaResult.success(op, new CompletionQueue(cq, context,
                    cq.getInt(CQ_CQE_OFFSET), opsFunction(ctx, POLL_CQ_OFFSET),
                    opsFunction(ctx, REQ_NOTIFY_CQ_OFFSET)));
        });
    }

    /** {@code ibv_destroy_cq}; refused while QPs use the CQ. */
    public static RdmaResult<Void> destroyCq(CompletionQueue cq) {
        String op = "ibv_destroy_cq";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        if (cq == null) {
            return rejected(op, "cq must not be null");
        }
        return NativeHandle.destroying(op, cq,
                () -> verbsRc(op, LibIbverbs.ibv_destroy_cq(cq.pointer())));
    }

    /** Queue sizes for {@link #createQp} ({@code struct ibv_qp_cap}). */
    public record QpCaps(int maxSendWr, int maxRecvWr, int maxSendSge, int maxRecvSge,
            int maxInlineData) {
    }

    /**
     * {@code ibv_create_qp(pd, &init_attr)}. Both CQs are required (providers dereference them).
     * The QP starts in RESET; for rdma_cm use it as an external QP and pass {@link
     * QueuePair#qpNum()} in {@link ConnParam#qpNum()}.
     */
    public static RdmaResult<QueuePair> createQp(ProtectionDomain pd, CompletionQueue sendCq,
            CompletionQueue recvCq, QpCaps caps, int qpType, boolean sqSigAll) {
        String op = "ibv_create_qp";
        if (caps == null || caps.maxSendWr() < 0 || caps.maxRecvWr() < 0
                || caps.maxSendSge() < 0 || caps.maxRecvSge() < 0 || caps.maxInlineData() < 0) {
            return rejected(op, "caps must be given and non-negative");
        }
        if (qpType != VerbsConstants.IBV_QPT_RC && qpType != VerbsConstants.IBV_QPT_UC
                && qpType != VerbsConstants.IBV_QPT_UD) {
            return rejected(op, "qp_type must be RC, UC or UD, was " + qpType);
        }
        return guarded(op, listOf(pd, sendCq, recvCq), () -> {
            // Written at IbvQpInitAttr's offsets into scratch memory: a JNA Structure per QP
            // (reflection, and a Memory for the cleaner thread to free later) cost more than the call.
            Pointer qp;
            try (Scratch s = Scratch.open()) {
                Pointer init = s.zeroed(QpInitOffsets.SIZE);
                init.setPointer(QpInitOffsets.SEND_CQ, sendCq.pointer());
                init.setPointer(QpInitOffsets.RECV_CQ, recvCq.pointer());
                init.setInt(QpInitOffsets.MAX_SEND_WR, caps.maxSendWr());
                init.setInt(QpInitOffsets.MAX_RECV_WR, caps.maxRecvWr());
                init.setInt(QpInitOffsets.MAX_SEND_SGE, caps.maxSendSge());
                init.setInt(QpInitOffsets.MAX_RECV_SGE, caps.maxRecvSge());
                init.setInt(QpInitOffsets.MAX_INLINE_DATA, caps.maxInlineData());
                init.setInt(QpInitOffsets.QP_TYPE, qpType);
                init.setInt(QpInitOffsets.SQ_SIG_ALL, sqSigAll ? 1 : 0);
                qp = LibIbverbs.ibv_create_qp(pd.pointer(), init);
            }
            if (qp == null) {
                return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned NULL");
            }
            Pointer ctx = qp.getPointer(QP_CONTEXT_OFFSET);
            pd.addDependant();
            sendCq.addDependant();
            if (recvCq != sendCq) {
                recvCq.addDependant();
            }
            return RdmaResult.success(op, new QueuePair(qp, pd, sendCq, recvCq,
                    qp.getInt(QP_NUM_OFFSET), opsFunction(ctx, POST_SEND_OFFSET),
                    opsFunction(ctx, POST_RECV_OFFSET)));
        });
    }

    /** Offsets in {@code struct ibv_qp_init_attr}, from {@link IbvQpInitAttr} (checked against gcc). */
    private static final class QpInitOffsets {
        private static final IbvQpInitAttr LAYOUT = new IbvQpInitAttr();
        static final int SIZE = LAYOUT.size();
        static final int SEND_CQ = LAYOUT.offsetOf("send_cq");
        static final int RECV_CQ = LAYOUT.offsetOf("recv_cq");
        private static final int CAP = LAYOUT.offsetOf("cap");
        static final int MAX_SEND_WR = CAP + LAYOUT.cap.offsetOf("max_send_wr");
        static final int MAX_RECV_WR = CAP + LAYOUT.cap.offsetOf("max_recv_wr");
        static final int MAX_SEND_SGE = CAP + LAYOUT.cap.offsetOf("max_send_sge");
        static final int MAX_RECV_SGE = CAP + LAYOUT.cap.offsetOf("max_recv_sge");
        static final int MAX_INLINE_DATA = CAP + LAYOUT.cap.offsetOf("max_inline_data");
        static final int QP_TYPE = LAYOUT.offsetOf("qp_type");
        static final int SQ_SIG_ALL = LAYOUT.offsetOf("sq_sig_all");
    }

    /** {@code ibv_destroy_qp}. */
    public static RdmaResult<Void> destroyQp(QueuePair qp) {
        String op = "ibv_destroy_qp";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        if (qp == null) {
            return rejected(op, "qp must not be null");
        }
        return NativeHandle.destroying(op, qp,
                () -> verbsRc(op, LibIbverbs.ibv_destroy_qp(qp.pointer())));
    }

    /** {@code ibv_modify_qp(qp, attr, mask)}; {@code attr} is written to its memory first. */
    public static RdmaResult<Void> modifyQp(QueuePair qp, IbvQpAttr attr, int mask) {
        String op = "ibv_modify_qp";
        if (attr == null || mask == 0) {
            return rejected(op, "attr must not be null and the mask must not be 0");
        }
        return guarded(op, listOf(qp), () -> {
            attr.write();
            int rc = LibIbverbs.ibv_modify_qp(qp.pointer(), attr.getPointer(), mask);
            Reference.reachabilityFence(attr);
            return verbsRc(op, rc);
        });
    }

    /**
     * {@code ibv_modify_qp(qp, attr, attr.mask())} on an attr already in native memory (no JNA
     * structure write; see {@link QpAttr}).
     */
    public static RdmaResult<Void> modifyQp(QueuePair qp, QpAttr attr) {
        String op = "ibv_modify_qp";
        if (attr == null || attr.mask() == 0) {
            return rejected(op, "attr must not be null and the mask must not be 0");
        }
        return guarded(op, listOf(qp), () -> {
            int rc = LibIbverbs.ibv_modify_qp(qp.pointer(), attr.memory, attr.mask());
            Reference.reachabilityFence(attr);
            return verbsRc(op, rc);
        });
    }

    /** Result of {@link #queryQp}: both structs are Java-owned copies. */
    public record QpQuery(IbvQpAttr attr, IbvQpInitAttr initAttr) {
    }

    /** {@code ibv_query_qp(qp, &attr, mask, &init_attr)}. */
    public static RdmaResult<QpQuery> queryQp(QueuePair qp, int mask) {
        String op = "ibv_query_qp";
        return guarded(op, listOf(qp), () -> {
            IbvQpAttr attr = new IbvQpAttr();
            IbvQpInitAttr init = new IbvQpInitAttr();
            RdmaResult<Void> r = verbsRc(op, LibIbverbs.ibv_query_qp(qp.pointer(),
                    attr.getPointer(), mask, init.getPointer()));
            if (!r.ok()) {
                return r.asFailure();
            }
            attr.read();
            init.read();
            return RdmaResult.success(op, new QpQuery(attr, init));
        });
    }

    /**
     * {@code ibv_reg_mr(pd, buffer, buffer.size(), access)}. The {@link MemoryRegion} keeps the
     * buffer reachable until {@link #deregMr}.
     */
    public static RdmaResult<MemoryRegion> regMr(ProtectionDomain pd, Memory buffer, int access) {
        String op = "ibv_reg_mr";
        if (buffer == null || buffer.size() <= 0) {
            return rejected(op, "buffer must be a non-empty Memory");
        }
        return guarded(op, listOf(pd), () -> {
            Pointer mr = LibIbverbs.ibv_reg_mr(pd.pointer(), buffer, buffer.size(), access);
            if (mr == null) {
                return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned NULL");
            }
            IbvMr view = new IbvMr(mr);
            view.read();
            pd.addDependant();
            return RdmaResult.success(op, new MemoryRegion(mr, pd, buffer, view.lkey, view.rkey));
        });
    }

    /** {@code ibv_dereg_mr}; afterwards the buffer is no longer kept reachable by the handle. */
    public static RdmaResult<Void> deregMr(MemoryRegion mr) {
        String op = "ibv_dereg_mr";
        Optional<String> m = missing();
        if (m.isPresent()) {
            return RdmaResult.unavailable(op, m.get());
        }
        if (mr == null) {
            return rejected(op, "mr must not be null");
        }
        return NativeHandle.destroying(op, mr,
                () -> verbsRc(op, LibIbverbs.ibv_dereg_mr(mr.pointer())));
    }

    // ------------------------------------------------------------------ data path (inline verbs)

    /**
     * {@code ibv_poll_cq(cq, maxEntries, wc)} through {@code cq->context->ops.poll_cq}: up to
     * {@code maxEntries} completions, copied out (an empty list when the CQ is empty).
     */
    public static RdmaResult<List<WorkCompletion>> pollCq(CompletionQueue cq, int maxEntries) {
        String op = "ibv_poll_cq";
        if (maxEntries < 1 || maxEntries > MAX_POLL_ENTRIES) {
            return rejected(op, "maxEntries must be 1.." + MAX_POLL_ENTRIES);
        }
        return guarded(op, listOf(cq), () -> {
            Function poll = cq.pollCqFunction();
            if (poll == null) {
                return RdmaResult.rejected(op, Errno.ENOSYS, "provider has no ops.poll_cq");
            }
            Memory wcs = new Memory((long) WC_SIZE * maxEntries);
            wcs.clear();
            int n = poll.invokeInt(new Object[] {cq.pointer(), maxEntries, wcs});
            if (n < 0) {
                int err = Native.getLastError();
                return RdmaResult.nativeError(op, err != 0 ? err : Errno.EIO,
                        "returned " + n);
            }
            List<WorkCompletion> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                IbvWc wc = new IbvWc(wcs.share((long) i * WC_SIZE));
                wc.read();
                out.add(new WorkCompletion(wc.wr_id, wc.status, wc.opcode, wc.vendor_err,
                        wc.byte_len, wc.imm_data, wc.qp_num, wc.src_qp, wc.wc_flags));
            }
            return RdmaResult.success(op, List.copyOf(out));
        });
    }

    /** {@code ibv_req_notify_cq(cq, solicitedOnly)} through {@code ops.req_notify_cq}. */
    public static RdmaResult<Void> reqNotifyCq(CompletionQueue cq, boolean solicitedOnly) {
        String op = "ibv_req_notify_cq";
        return guarded(op, listOf(cq), () -> {
            Function f = cq.reqNotifyCqFunction();
            if (f == null) {
                return RdmaResult.rejected(op, Errno.ENOSYS, "provider has no ops.req_notify_cq");
            }
            return verbsRc(op, f.invokeInt(new Object[] {cq.pointer(), solicitedOnly ? 1 : 0}));
        });
    }

    /**
     * {@code ibv_post_send(qp, wr, &bad_wr)} through {@code ops.post_send}. {@code wr} is written
     * to its memory first (make the right {@code wr.wr} union member active). Only the first
     * request is checked ({@code sg_list} non-NULL when {@code num_sge > 0}); chained requests
     * ({@code next}) and the scatter/gather lists are the caller's native memory and must stay
     * valid during the call; the data buffers must stay registered until completion.
     */
    public static RdmaResult<Void> postSend(QueuePair qp, IbvSendWr wr) {
        String op = "ibv_post_send";
        if (wr == null || wr.num_sge < 0 || (wr.num_sge > 0 && wr.sg_list == null)) {
            return rejected(op, "wr must not be null and needs an sg_list for num_sge > 0");
        }
        return guarded(op, listOf(qp), () -> {
            Function f = qp.postSendFunction();
            if (f == null) {
                return RdmaResult.rejected(op, Errno.ENOSYS, "provider has no ops.post_send");
            }
            wr.write();
            Memory bad = new Memory(Native.POINTER_SIZE);
            bad.clear();
            int rc = f.invokeInt(new Object[] {qp.pointer(), wr.getPointer(), bad});
            Reference.reachabilityFence(wr);
            return verbsRc(op, rc);
        });
    }

    /** {@code ibv_post_recv(qp, wr, &bad_wr)} through {@code ops.post_recv}; see {@link #postSend}. */
    public static RdmaResult<Void> postRecv(QueuePair qp, IbvRecvWr wr) {
        String op = "ibv_post_recv";
        if (wr == null || wr.num_sge < 0 || (wr.num_sge > 0 && wr.sg_list == null)) {
            return rejected(op, "wr must not be null and needs an sg_list for num_sge > 0");
        }
        return guarded(op, listOf(qp), () -> {
            Function f = qp.postRecvFunction();
            if (f == null) {
                return RdmaResult.rejected(op, Errno.ENOSYS, "provider has no ops.post_recv");
            }
            wr.write();
            Memory bad = new Memory(Native.POINTER_SIZE);
            bad.clear();
            int rc = f.invokeInt(new Object[] {qp.pointer(), wr.getPointer(), bad});
            Reference.reachabilityFence(wr);
            return verbsRc(op, rc);
        });
    }

    /** {@code ibv_wc_status_str(status)}. */
    public static String wcStatusStr(int status) {
        if (missing().isPresent()) {
            return "status " + status;
        }
        Pointer s = LibIbverbs.ibv_wc_status_str(status);
        return s == null ? "status " + status : s.getString(0);
    }

    private static List<NativeHandle> listOf(NativeHandle... handles) {
        List<NativeHandle> l = new ArrayList<>(handles.length);
        for (NativeHandle h : handles) {
            l.add(h);
        }
        return l;
    }
}
