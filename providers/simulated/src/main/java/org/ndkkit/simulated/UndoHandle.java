package org.ndkkit.simulated;

import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.ResourceExhaustion;

/**
 * Undoes one change the testbed made to its lab (an adapter's resources or an IP's ephemeral
 * ports exhausted, a network condition lifted) when closed; idempotent.
 */
final class UndoHandle implements ResourceExhaustion, LiftedCondition {
    private final SimContext ctx;
    private final Runnable undo;
    private final String description;
    private boolean closed; // guarded by ctx.lock

    UndoHandle(SimContext ctx, Runnable undo) {
        this(ctx, undo, "");
    }

    /** @param description what the change is, for the report (a resource exhaustion's) */
    UndoHandle(SimContext ctx, Runnable undo, String description) {
        this.ctx = ctx;
        this.undo = undo;
        this.description = description;
    }

    /** A simulated limit is a flag the simulation sets: never a real one. */
    @Override
    public ExhaustionMethod method() {
        return ExhaustionMethod.INJECTED;
    }

    @Override
    public String description() {
        return description;
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
