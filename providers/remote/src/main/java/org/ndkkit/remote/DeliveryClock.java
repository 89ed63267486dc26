package org.ndkkit.remote;

import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Which of a session's callbacks (numbered 1, 2, 3, ... by the agent) have been handed to the
 * kit's handlers. A call's result is returned to the kit only once every callback the agent had
 * observed before the call returned has been handed over, so the kit sees callbacks made during a
 * call during that call, whatever order the network delivered the reply and the stream in.
 */
final class DeliveryClock {
    private long contiguous;
    private final TreeSet<Long> ahead = new TreeSet<>();

    synchronized void started(long seq) {
        if (seq <= contiguous) {
            return;
        }
        ahead.add(seq);
        while (!ahead.isEmpty() && ahead.first() == contiguous + 1) {
            contiguous = ahead.pollFirst();
        }
        notifyAll();
    }

    /**
     * Waits until callbacks 1..{@code n} have all started.
     *
     * @return false when the bound ran out first
     */
    synchronized boolean awaitStarted(long n, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (contiguous < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    synchronized long contiguous() {
        return contiguous;
    }
}
