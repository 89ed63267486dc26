package org.ndkkit.simulated;

import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;

/** A protection domain: the parent of QPs. */
final class SimPd extends SimObject implements NdkPd {

    SimPd(SimContext ctx, SimAdapter adapter) {
        super(ctx, adapter, NdkObjectType.PD);
    }

    /**
     * INVALID_DEVICE_STATE when this PD is closing; INVALID_PARAMETER for a missing completion, a CQ
     * that is null, foreign, the other adapter's or closing, missing parameters, or any size above its
     * adapter maximum (all inline); INSUFFICIENT_RESOURCES by the completion path.
     */
    @Override
    public Created<NdkQp> createQp(NdkCq receiveCq, NdkCq initiatorCq, QpParameters parameters,
                                   CreateCompletion<NdkQp> completion, Object context) {
        return ctx.call(inCall -> {
            if (isCloseIssued()) {
                return Created.failed(NtStatus.INVALID_DEVICE_STATE);
            }
            NtStatus refused = adapter.createRefusal(completion);
            if (refused != null) {
                return Created.failed(refused);
            }
            SimCq rcq = Args.live(receiveCq, SimCq.class, adapter);
            SimCq icq = Args.live(initiatorCq, SimCq.class, adapter);
            if (rcq == null || icq == null || !withinLimits(parameters, adapter.info)) {
                return Created.failed(NtStatus.INVALID_PARAMETER);
            }
            if (adapter.exhausted()) {
                return ctx.completions.createFailed(adapter, NtStatus.INSUFFICIENT_RESOURCES, completion, context, inCall);
            }
            return ctx.completions.created(adapter, (NdkQp) new SimQp(ctx, this, rcq, icq), completion, context, inCall);
        });
    }

    private static boolean withinLimits(QpParameters p, AdapterInfo info) {
        return p != null
                && !Args.exceeds(p.receiveQueueDepth(), info.maxReceiveQueueDepth())
                && !Args.exceeds(p.initiatorQueueDepth(), info.maxInitiatorQueueDepth())
                && !Args.exceeds(p.maxReceiveRequestSge(), info.maxReceiveRequestSge())
                && !Args.exceeds(p.maxInitiatorRequestSge(), info.maxInitiatorRequestSge())
                && !Args.exceeds(p.inlineDataSize(), info.maxInlineDataSize());
    }
}
