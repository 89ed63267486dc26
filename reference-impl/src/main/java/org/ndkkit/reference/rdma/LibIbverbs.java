package org.ndkkit.reference.rdma;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Raw JNA <em>direct mapping</em> of the exported functions of libibverbs.so.1 (rdma-core 44.0).
 * Package-private: use {@link Verbs}. Conventions as in {@link LibRdmaCm}.
 *
 * <p>Error conventions differ from librdmacm: {@code ibv_create_*}/{@code ibv_alloc_pd}/
 * {@code ibv_reg_mr}/{@code ibv_open_device} return NULL and set errno; {@code ibv_modify_qp},
 * {@code ibv_query_*}, {@code ibv_destroy_*}, {@code ibv_dealloc_pd}, {@code ibv_dereg_mr} return
 * 0 or the errno value itself.
 *
 * <p>Not here because they are not exported (static inline in verbs.h): {@code ibv_poll_cq},
 * {@code ibv_req_notify_cq}, {@code ibv_post_send}, {@code ibv_post_recv},
 * {@code ibv_post_srq_recv} (called through {@code ctx->ops}, see {@link Verbs}) and the inline
 * {@code ___ibv_query_port} that the {@code ibv_query_port} macro expands to (re-implemented in
 * {@link Verbs#queryPort}). The symbol {@code ibv_query_port} mapped here is the exported
 * compatibility entry point, which fills only a {@code struct _compat_ibv_port_attr}.
 */
final class LibIbverbs {
    static final String LIBRARY = "libibverbs.so.1";

    static {
        Native.register(LibIbverbs.class, NativeLibrary.getInstance(LIBRARY));
    }

    private LibIbverbs() {
    }

    /** {@code struct ibv_device **ibv_get_device_list(int *num_devices)}. */
    static native Pointer ibv_get_device_list(Pointer numDevicesOut);

    static native void ibv_free_device_list(Pointer list);

    static native Pointer ibv_get_device_name(Pointer device);

    static native Pointer ibv_open_device(Pointer device);

    static native int ibv_close_device(Pointer context);

    static native int ibv_query_device(Pointer context, Pointer deviceAttr);

    /**
     * The exported compat symbol: writes {@value Verbs#COMPAT_PORT_ATTR_SIZE} bytes.
     * {@code port_num} is {@code uint8_t}, passed as an int in 1..255.
     */
    static native int ibv_query_port(Pointer context, int portNum, Pointer compatPortAttr);

    static native Pointer ibv_alloc_pd(Pointer context);

    static native int ibv_dealloc_pd(Pointer pd);

    static native Pointer ibv_create_cq(Pointer context, int cqe, Pointer cqContext,
            Pointer channel, int compVector);

    static native int ibv_destroy_cq(Pointer cq);

    static native Pointer ibv_create_qp(Pointer pd, Pointer qpInitAttr);

    static native int ibv_destroy_qp(Pointer qp);

    static native int ibv_modify_qp(Pointer qp, Pointer attr, int attrMask);

    static native int ibv_query_qp(Pointer qp, Pointer attr, int attrMask, Pointer initAttr);

    /** The exported {@code ibv_reg_mr} (the header macro calls it for constant access flags). */
    static native Pointer ibv_reg_mr(Pointer pd, Pointer addr, long length, int access);

    static native int ibv_dereg_mr(Pointer mr);

    static native Pointer ibv_wc_status_str(int status);
}
