package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;

/** A {@code struct ibv_pd *} from {@link Verbs#allocPd}; freed by {@link Verbs#deallocPd}. */
public final class ProtectionDomain extends NativeHandle {
    private final DeviceContext context;

    ProtectionDomain(Pointer pointer, DeviceContext context) {
        super("ibv_pd", pointer);
        this.context = context;
    }

    @Override
    void released() {
        context.removeDependant();
    }

    public DeviceContext context() {
        return context;
    }

    @Override
    NativeHandle faultScope() {
        return context;
    }
}
