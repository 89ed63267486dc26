package org.ndkkit.simulated;

import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.ResourceExhaustion;

/**
 * Undoes one change the testbed made to its lab (an adapter's resources or an IP's ephemeral
 * ports exhausted, a network condition lifted) when closed; idempotent.
 */
final class UndoHandle implements ResourceExhaustion, LiftedCondition {
    private final SimContext ctx;
    private final Runnable undo;
    private boolean closed; // guarded by ctx.lock

    UndoHandle(SimContext ctx, Runnable undo) {
        this.ctx = ctx;
        this.undo = undo;
    }

    @Override
    public void close() {
        ctx.locked(() -> {
            if (!closed) {
                closed = true;
                undo.run();
            }
        });
    }
}
