package org.ndkkit.simulated;

import org.ndkkit.spi.ResourceExhaustion;

/** Undoes one exhaustion (of an adapter's resources or of an IP's ephemeral ports) when closed; idempotent. */
final class ExhaustionHandle implements ResourceExhaustion {
    private final SimContext ctx;
    private final Runnable undo;
    private boolean closed; // guarded by ctx.lock

    ExhaustionHandle(SimContext ctx, Runnable undo) {
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
