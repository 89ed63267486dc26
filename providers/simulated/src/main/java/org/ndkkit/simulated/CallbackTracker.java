package org.ndkkit.simulated;

import java.time.Duration;

/**
 * Counts callbacks that are queued or running for one adapter's objects, so that
 * {@code NdkAdapter.close} can wait until every one of them has returned (NDK's L19).
 */
final class CallbackTracker {
    private int inFlight; // guarded by this

    synchronized void enter() {
        inFlight++;
    }

    synchronized void exit() {
        if (--inFlight == 0) {
            notifyAll();
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
