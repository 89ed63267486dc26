package org.ndkkit.agent;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where a provider thread waits while the client's handler for one of its callbacks runs. Calls
 * the handler makes (NDK allows a consumer to call the provider from inside a callback) are
 * delivered here and run on this very thread, as they would in-process; the wait ends when the
 * client reports the handler returned, when the session ends, or after the callback timeout.
 */
final class Mailbox {
    private static final Object RETURNED = new Object();
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private boolean done;

    /** Hands a nested call to the waiting thread; false when it no longer waits. */
    synchronized boolean offer(Runnable work) {
        if (done) {
            return false;
        }
        queue.add(work);
        return true;
    }

    /** The handler returned (or the session ended): the provider's callback may return. */
    void release() {
        queue.add(RETURNED);
    }

    /**
     * Waits, running nested calls, until released or {@code timeoutNanos} have passed.
     *
     * @return true when released, false on timeout
     */
    boolean await(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        boolean released = false;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Object o = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
                if (o == null) {
                    break;
                }
                if (o == RETURNED) {
                    released = true;
                    break;
                }
                ((Runnable) o).run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            done = true;
        }
        // A nested call that slipped in before the wait ended still runs, so no reply is lost.
        for (Object o; (o = queue.poll()) != null; ) {
            if (o != RETURNED) {
                ((Runnable) o).run();
            }
        }
        return released;
    }
}
