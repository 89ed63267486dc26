package org.ndkkit.reference;

import org.ndkkit.reference.rdma.ProtectionDomain;
import org.ndkkit.reference.rdma.QueuePair;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.reference.rdma.VerbsConstants;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;

/** NDK_PD on an {@code ibv_pd}; the QPs created on it are its successors. */
final class RefPd implements NdkPd, RefAdapter.Owned {
    final RefAdapter adapter;
    final ProtectionDomain pd;
    final Lifetime lifetime = new Lifetime();
    private boolean destroyed;

    RefPd(RefAdapter adapter, ProtectionDomain pd) {
        this.adapter = adapter;
        this.pd = pd;
    }

    @Override
    public NdkObjectType type() {
        return NdkObjectType.PD;
    }

    @Override
    public Created<NdkQp> createQp(NdkCq receiveCq, NdkCq initiatorCq, QpParameters p,
                                   CreateCompletion<NdkQp> completion, Object context) {
        if (!(receiveCq instanceof RefCq rcq) || rcq.adapter != adapter || !(initiatorCq instanceof RefCq icq)
                || icq.adapter != adapter || p == null) {
            return Created.failed(NtStatus.INVALID_PARAMETER);
        }
        var info = adapter.info();
        if (!within(p.receiveQueueDepth(), info.maxReceiveQueueDepth())
                || !within(p.initiatorQueueDepth(), info.maxInitiatorQueueDepth())
                || !within(p.maxReceiveRequestSge(), info.maxReceiveRequestSge())
                || !within(p.maxInitiatorRequestSge(), info.maxInitiatorRequestSge())
                || !within(p.inlineDataSize(), info.maxInlineDataSize())) {
            return Created.failed(NtStatus.INVALID_PARAMETER);
        }
        if (!lifetime.acquire()) {
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        if (!rcq.lifetime.acquire()) {
            lifetime.release();
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        if (!icq.lifetime.acquire()) {
            rcq.lifetime.release();
            lifetime.release();
            return Created.failed(NtStatus.INVALID_DEVICE_STATE);
        }
        RdmaResult<QueuePair> r = Verbs.createQp(pd, icq.cq, rcq.cq,
                new Verbs.QpCaps(p.initiatorQueueDepth(), p.receiveQueueDepth(), p.maxInitiatorRequestSge(),
                        p.maxReceiveRequestSge(), p.inlineDataSize()), VerbsConstants.IBV_QPT_RC, false);
        if (!r.ok()) {
            adapter.log().log(adapter.host() + " ibv_create_qp failed: " + r + " -> " + StatusMap.verbs(r));
            icq.lifetime.release();
            rcq.lifetime.release();
            lifetime.release();
            return Created.failed(StatusMap.verbs(r));
        }
        RefQp qp = new RefQp(adapter, r.value(), this, rcq, icq);
        NtStatus init = qp.initialize();
        if (!init.equals(NtStatus.SUCCESS)) {
            Verbs.destroyQp(r.value());
            icq.lifetime.release();
            rcq.lifetime.release();
            lifetime.release();
            return Created.failed(init);
        }
        return Created.inline(adapter.adopt(qp));
    }

    /** {@code 0 <= value <= max}, both unsigned. */
    static boolean within(int value, int max) {
        return Integer.toUnsignedLong(value) <= Integer.toUnsignedLong(max);
    }

    @Override
    public NtStatus close(CloseCompletion completion, Object context) {
        return lifetime.close(this::destroy, completion, context, () -> { });
    }

    @Override
    public synchronized void destroy() {
        if (!destroyed) {
            destroyed = true;
            RdmaResult<Void> r = Verbs.deallocPd(pd);
            if (!r.ok()) {
                adapter.log().problem(adapter.host() + " " + r);
            }
            adapter.forget(this);
        }
    }

    @Override
    public int rank() {
        return 3;
    }
}
