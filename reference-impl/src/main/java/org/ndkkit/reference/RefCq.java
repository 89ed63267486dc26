package org.ndkkit.reference;

import org.ndkkit.reference.rdma.CompletionQueue;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NtStatus;

/** NDK_CQ on an {@code ibv_cq}; the QPs that use it are its successors. */
final class RefCq implements NdkCq, RefAdapter.Owned {
    final RefAdapter adapter;
    final CompletionQueue cq;
    final Lifetime lifetime = new Lifetime();
    private boolean destroyed;

    RefCq(RefAdapter adapter, CompletionQueue cq) {
        this.adapter = adapter;
        this.cq = cq;
    }

    @Override
    public NdkObjectType type() {
        return NdkObjectType.CQ;
    }

    @Override
    public NtStatus close(CloseCompletion completion, Object context) {
        return lifetime.close(this::destroy, completion, context, () -> { });
    }

    @Override
    public synchronized void destroy() {
        if (!destroyed) {
            destroyed = true;
            RdmaResult<Void> r = Verbs.destroyCq(cq);
            if (!r.ok()) {
                adapter.log().problem(adapter.host() + " " + r);
            }
            adapter.forget(this);
        }
    }

    @Override
    public int rank() {
        return 2;
    }
}
