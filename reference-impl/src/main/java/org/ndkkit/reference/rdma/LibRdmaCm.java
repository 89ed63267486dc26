package org.ndkkit.reference.rdma;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Raw JNA <em>direct mapping</em> of librdmacm.so.1 (rdma-core 44.0). Package-private on purpose:
 * nothing here checks anything, and a wrong argument crashes the JVM. Use {@link RdmaCm}.
 *
 * <p>Conventions: every {@code struct X *} is a {@link Pointer}; out-parameters
 * ({@code struct rdma_cm_id **}, {@code struct rdma_cm_event **}, {@code int *}) are
 * caller-allocated {@link com.sun.jna.Memory}; a {@code uint8_t} parameter is an {@code int} in
 * 0..255 (zero-extended as a C caller does it; a Java {@code byte} would be sign-extended);
 * {@code size_t} is {@code long}. Functions return -1 and set errno on failure; JNA saves errno right after the
 * call, read it with {@link Native#getLastError()} on the same thread, and only when the return
 * value says the call failed (errno is not cleared on success).
 *
 * <p>Not mapped because they are not functions: {@code rdma_get_local_addr} and
 * {@code rdma_get_peer_addr} are static inline in rdma_cma.h (they return
 * {@code &id->route.addr.src_addr} / {@code dst_addr}); see {@link CmId#localAddress()}.
 */
final class LibRdmaCm {
    /** The soname, not the dev symlink: works with only the runtime package installed. */
    static final String LIBRARY = "librdmacm.so.1";

    static {
        Native.register(LibRdmaCm.class, NativeLibrary.getInstance(LIBRARY));
    }

    private LibRdmaCm() {
    }

    static native Pointer rdma_create_event_channel();

    static native void rdma_destroy_event_channel(Pointer channel);

    /** {@code (channel, struct rdma_cm_id **id, void *context, enum rdma_port_space ps)}. */
    static native int rdma_create_id(Pointer channel, Pointer idOut, Pointer context, int ps);

    static native int rdma_destroy_id(Pointer id);

    static native int rdma_set_option(Pointer id, int level, int optname, Pointer optval,
            long optlen);

    static native int rdma_bind_addr(Pointer id, Pointer addr);

    static native int rdma_resolve_addr(Pointer id, Pointer srcAddr, Pointer dstAddr,
            int timeoutMs);

    static native int rdma_resolve_route(Pointer id, int timeoutMs);

    static native int rdma_listen(Pointer id, int backlog);

    static native int rdma_connect(Pointer id, Pointer connParam);

    static native int rdma_accept(Pointer id, Pointer connParam);

    /** {@code private_data_len} is {@code uint8_t}: pass 0..255 as an int (zero-extended). */
    static native int rdma_reject(Pointer id, Pointer privateData, int privateDataLen);

    static native int rdma_establish(Pointer id);

    static native int rdma_disconnect(Pointer id);

    static native int rdma_get_cm_event(Pointer channel, Pointer eventOut);

    static native int rdma_ack_cm_event(Pointer event);

    static native Pointer rdma_event_str(int event);

    static native int rdma_migrate_id(Pointer id, Pointer channel);

    static native int rdma_init_qp_attr(Pointer id, Pointer qpAttr, Pointer qpAttrMaskOut);

    /** Network byte order, in the low 16 bits. */
    static native short rdma_get_src_port(Pointer id);

    /** Network byte order, in the low 16 bits. */
    static native short rdma_get_dst_port(Pointer id);
}
