package org.ndkkit.reference;

import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NtStatus;

/**
 * NDK's antecedent rule for one object: while successors hold it (connectors on a shared
 * endpoint, a listener or a QP; QPs on a PD or CQ), its close pends, and the deferred finalizer
 * runs when the last successor lets go.
 *
 * <p>The finalizer runs on the thread that makes the last release, never under this object's
 * lock (it calls the consumer's close completion).
 */
final class Lifetime {
    private int holders;
    private boolean closing;
    private Runnable finalizer;

    /** Adds a successor; false once the object's close was issued. */
    synchronized boolean acquire() {
        if (closing) {
            return false;
        }
        holders++;
        return true;
    }

    /** Removes a successor; runs the deferred finalizer when it was the last one. */
    void release() {
        Runnable run = null;
        synchronized (this) {
            if (holders <= 0) {
                throw new IllegalStateException("release without acquire");
            }
            holders--;
            if (holders == 0 && finalizer != null) {
                run = finalizer;
                finalizer = null;
            }
        }
        if (run != null) {
            run.run();
        }
    }

    /**
     * Marks the object closing. Returns true when nothing holds it (the caller finalizes now);
     * otherwise stores {@code deferred}, run by the last {@link #release()}, and returns false.
     */
    synchronized boolean closeNowOrDefer(Runnable deferred) {
        closing = true;
        if (holders == 0) {
            return true;
        }
        finalizer = deferred;
        return false;
    }

    /**
     * NdkCloseObject for an object its successors hold: {@code destroy} runs now and the close
     * returns STATUS_SUCCESS, or it runs when the last successor lets go, followed by the close
     * completion, and the close returns STATUS_PENDING. {@code afterClose} runs last either way
     * (it releases the object's own antecedents, after its completion per the lifetime rules).
     */
    NtStatus close(Runnable destroy, CloseCompletion completion, Object context,
                                  Runnable afterClose) {
        if (completion == null) {
            return NtStatus.INVALID_PARAMETER; // a close that pends must have a completion to call
        }
        Runnable deferred = () -> {
            destroy.run();
            completion.closed(context);
            afterClose.run();
        };
        boolean now;
        synchronized (this) {
            // A second close would replace the first one's deferred completion and lose it.
            if (closing) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            now = closeNowOrDefer(deferred);
        }
        if (now) {
            destroy.run();
            afterClose.run();
            return NtStatus.SUCCESS;
        }
        return NtStatus.PENDING;
    }

    synchronized boolean isClosing() {
        return closing;
    }

    synchronized int holders() {
        return holders;
    }
}
