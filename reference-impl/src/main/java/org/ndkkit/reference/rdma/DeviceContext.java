package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;

/**
 * A {@code struct ibv_context *}. Either <em>owned</em> (from {@link Verbs#openDevice}; closed
 * with {@link Verbs#closeDevice} once its PDs and CQs are gone) or <em>borrowed</em> from an
 * {@code rdma_cm_id}'s {@code verbs} field, in which case it belongs to librdmacm's device list
 * and must never be closed ({@link Verbs#closeDevice} refuses).
 */
public final class DeviceContext extends NativeHandle {
    private final boolean owned;

    private DeviceContext(Pointer pointer, boolean owned) {
        super("ibv_context", pointer);
        this.owned = owned;
    }

    static DeviceContext owned(Pointer p) {
        return new DeviceContext(p, true);
    }

    static DeviceContext borrowed(Pointer p) {
        return new DeviceContext(p, false);
    }

    /** True if this handle came from {@code ibv_open_device} and must be closed by its owner. */
    public boolean owned() {
        return owned;
    }
}
