package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A {@code struct ibv_mr *} from {@link Verbs#regMr}. The registered buffer is a Java-owned
 * {@link Memory} that this handle keeps reachable until {@link Verbs#deregMr} succeeds: the device
 * may read or write it at any time while it is registered, so it must not be garbage collected
 * (which would free it) before that.
 */
public final class MemoryRegion extends NativeHandle {
    private final ProtectionDomain pd;
    private volatile Memory buffer;
    private final int lkey;
    private final int rkey;

    MemoryRegion(Pointer pointer, ProtectionDomain pd, Memory buffer, int lkey, int rkey) {
        super("ibv_mr", pointer);
        this.pd = pd;
        this.buffer = buffer;
        this.lkey = lkey;
        this.rkey = rkey;
    }

    @Override
    void released() {
        pd.removeDependant();
        buffer = null;
    }

    public ProtectionDomain pd() {
        return pd;
    }

    /** The registered memory; null after deregistration. */
    public Memory buffer() {
        return buffer;
    }

    public int lkey() {
        return lkey;
    }

    public int rkey() {
        return rkey;
    }

    @Override
    NativeHandle faultScope() {
        return pd.faultScope();
    }
}
