package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.ndkkit.reference.rdma.CmStructs.RdmaCmId;

/**
 * A {@code struct rdma_cm_id *}, created by {@link RdmaCm#createId} or (passive side) delivered
 * by a CONNECT_REQUEST event. Owned by the caller, freed by {@link RdmaCm#destroyId}.
 *
 * <p>The accessors read the live native struct (librdmacm updates it, e.g. {@code verbs} and
 * {@code route.addr} after a bind or address resolution), so each returns a fresh value.
 */
public final class CmId extends NativeHandle {
    private static final int OFF_VERBS = new RdmaCmId().offsetOf("verbs");
    private static final int OFF_QP = new RdmaCmId().offsetOf("qp");
    private static final int OFF_PS = new RdmaCmId().offsetOf("ps");
    private static final int OFF_PORT_NUM = new RdmaCmId().offsetOf("port_num");
    /** {@code route.addr.src_storage}: 32. */
    static final int OFF_SRC_ADDR = srcOffset();
    /** {@code route.addr.dst_storage}: 160. */
    static final int OFF_DST_ADDR = dstOffset();

    private volatile EventChannel channel;
    private final AtomicInteger unackedEvents = new AtomicInteger();

    CmId(Pointer pointer, EventChannel channel) {
        super("rdma_cm_id", pointer);
        this.channel = channel;
    }

    private static int srcOffset() {
        RdmaCmId id = new RdmaCmId();
        return id.offsetOf("route") + id.route.offsetOf("addr")
                + id.route.addr.offsetOf("src_storage");
    }

    private static int dstOffset() {
        RdmaCmId id = new RdmaCmId();
        return id.offsetOf("route") + id.route.offsetOf("addr")
                + id.route.addr.offsetOf("dst_storage");
    }

    @Override
    void released() {
        EventChannel c = channel;
        if (c != null) {
            c.removeDependant();
        }
        RdmaCm.forget(this);
    }

    /** The channel whose events report this id (changes with {@link RdmaCm#migrateId}). */
    public EventChannel channel() {
        return channel;
    }

    void channel(EventChannel c) {
        this.channel = c;
    }

    AtomicInteger unackedEvents() {
        return unackedEvents;
    }

    /** Events for this id that were handed out by {@link RdmaCm#getCmEvent} and not acked. */
    public int unackedEventCount() {
        return unackedEvents.get();
    }

    /**
     * {@code rdma_get_local_addr(id)} (static inline in rdma_cma.h, so done here): the address in
     * {@code id->route.addr.src_addr}; empty while the id has none (AF_UNSPEC) or for AF_IB.
     */
    public RdmaResult<Optional<InetSocketAddress>> localAddress() {
        return NativeHandle.using("rdma_get_local_addr", this, () -> RdmaResult.success(
                "rdma_get_local_addr", Sockaddrs.read(pointer().share(OFF_SRC_ADDR))));
    }

    /** {@code rdma_get_peer_addr(id)}: {@code id->route.addr.dst_addr}, see {@link #localAddress}. */
    public RdmaResult<Optional<InetSocketAddress>> peerAddress() {
        return NativeHandle.using("rdma_get_peer_addr", this, () -> RdmaResult.success(
                "rdma_get_peer_addr", Sockaddrs.read(pointer().share(OFF_DST_ADDR))));
    }

    /**
     * {@code id->verbs} as a non-owned {@link DeviceContext} (it belongs to librdmacm's device
     * list and is never closed); empty before the id is bound to a device.
     */
    public RdmaResult<Optional<DeviceContext>> verbs() {
        return NativeHandle.using("rdma_cm_id.verbs", this, () -> {
            Pointer v = pointer().getPointer(OFF_VERBS);
            return RdmaResult.success("rdma_cm_id.verbs",
                    v == null ? Optional.empty() : Optional.of(DeviceContext.borrowed(v)));
        });
    }

    /** True if librdmacm owns a QP on this id ({@code rdma_create_qp}); false with external QPs. */
    public RdmaResult<Boolean> hasQp() {
        return NativeHandle.using("rdma_cm_id.qp", this,
                () -> RdmaResult.success("rdma_cm_id.qp", hasQpUnlocked()));
    }

    boolean hasQpUnlocked() {
        return pointer().getPointer(OFF_QP) != null;
    }

    /** {@code id->ps}, e.g. {@link CmConstants#RDMA_PS_TCP}. */
    public RdmaResult<Integer> portSpace() {
        return NativeHandle.using("rdma_cm_id.ps", this,
                () -> RdmaResult.success("rdma_cm_id.ps", pointer().getInt(OFF_PS)));
    }

    /** {@code id->port_num}: the device port, 0 while unbound. */
    public RdmaResult<Integer> portNum() {
        return NativeHandle.using("rdma_cm_id.port_num", this, () -> RdmaResult.success(
                "rdma_cm_id.port_num", pointer().getByte(OFF_PORT_NUM) & 0xFF));
    }

    /** A Java-owned copy of the whole native struct (for diagnostics). */
    public RdmaResult<RdmaCmId> snapshot() {
        return NativeHandle.using("rdma_cm_id", this, () -> {
            RdmaCmId copy = new RdmaCmId();
            copy.getPointer().write(0, pointer().getByteArray(0, copy.size()), 0, copy.size());
            copy.read();
            return RdmaResult.success("rdma_cm_id", copy);
        });
    }

    @Override
    NativeHandle faultScope() {
        return channel;
    }
}
