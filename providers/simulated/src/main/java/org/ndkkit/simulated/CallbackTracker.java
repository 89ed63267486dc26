package org.ndkkit.simulated;

import java.time.Duration;

/**
 * Counts callbacks that are queued or running for one adapter's objects, so that
 * {@code NdkAdapter.close} can wait until every one of them has returned (NDK's L19). A tracker
 * with a parent counts in the parent too: the testbed's tracker counts everything of both adapters
 * plus its timers, which is how it knows it is quiescent.
 */
final class CallbackTracker {
    private final CallbackTracker parent;
    private int inFlight; // guarded by this

    CallbackTracker() {
        this(null);
    }

    CallbackTracker(CallbackTracker parent) {
        this.parent = parent;
    }

    void enter() {
        synchronized (this) {
            inFlight++;
        }
        if (parent != null) {
            parent.enter();
        }
    }

    void exit() {
        if (parent != null) {
            parent.exit();
        }
        synchronized (this) {
            if (--inFlight == 0) {
                notifyAll();
            }
        }
    }

    /** Waits until nothing is in flight; false when {@code max} passed first. */
    synchronized boolean awaitIdle(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
