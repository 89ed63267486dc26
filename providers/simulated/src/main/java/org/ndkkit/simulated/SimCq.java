package org.ndkkit.simulated;

import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObjectType;

/** A completion queue. It holds no completions (the kit posts no work); it is an antecedent of QPs. */
final class SimCq extends SimObject implements NdkCq {
    final int depth;

    SimCq(SimContext ctx, SimAdapter adapter, int depth) {
        super(ctx, adapter, NdkObjectType.CQ);
        this.depth = depth;
    }
}
