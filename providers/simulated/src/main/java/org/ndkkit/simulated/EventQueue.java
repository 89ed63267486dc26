package org.ndkkit.simulated;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The testbed's single event thread, {@value #THREAD_NAME}. Every callback that does not run inside
 * the consumer's call runs here, one at a time in posting order. Before a callback it may wait a
 * little, as long as the testbed's randomness says ({@link SimRandom#callbackDelayNanos}, drawn when
 * the callback is posted), so that the same seed gives the same schedule and different seeds let
 * the consumer's thread and the callbacks interleave differently. Timers (the silent host's connect
 * timeout) run here too.
 */
final class EventQueue {
    static final String THREAD_NAME = "ndk-sim-events";
    private static final System.Logger LOG = System.getLogger(EventQueue.class.getName());

    private final ScheduledThreadPoolExecutor executor;
    private final CallbackTracker posted;
    private final CallbackTracker activity;
    private volatile Thread thread;

    private final SimRandom random;

    /**
     * {@code activity}: the testbed's count of queued and running callbacks and pending timers;
     * {@code random}: the completion timing's draws.
     */
    EventQueue(CallbackTracker activity, SimRandom random) {
        this.activity = activity;
        this.posted = new CallbackTracker();
        this.random = random;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true); // a testbed the consumer forgot to close must not keep the JVM alive
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} on the event thread after everything posted before it; counted in {@code owner}. */
    void post(CallbackTracker owner, Runnable task) {
        owner.enter();
        posted.enter();
        long delay = random.callbackDelayNanos();
        try {
            executor.execute(() -> {
                try {
                    if (delay > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(delay);
                    }
                    task.run();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "simulator task failed", t);
                } finally {
                    posted.exit();
                    owner.exit();
                }
            });
        } catch (RejectedExecutionException e) {
            // The testbed is closed: nothing is delivered any more.
            posted.exit();
            owner.exit();
        }
    }

    /**
     * Runs {@code task} on the event thread after {@code delay}; null when the testbed is closed. A
     * timer counts in the testbed's activity from now until it has run or is cancelled.
     */
    Timer schedule(Duration delay, Runnable task) {
        activity.enter();
        java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);
        Runnable done = () -> {
            if (counted.compareAndSet(true, false)) {
                activity.exit();
            }
        };
        try {
            ScheduledFuture<?> f = executor.schedule(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "simulator timer failed", t);
                } finally {
                    done.run();
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            return new Timer(f, done);
        } catch (RejectedExecutionException e) {
            done.run();
            return null;
        }
    }

    /** A scheduled timer. */
    static final class Timer {
        private final ScheduledFuture<?> future;
        private final Runnable done;

        Timer(ScheduledFuture<?> future, Runnable done) {
            this.future = future;
            this.done = done;
        }

        /** Cancels the timer unless it already runs; a cancelled timer no longer counts. */
        void cancel() {
            if (future.cancel(false)) {
                done.run();
            }
        }
    }

    boolean onEventThread() {
        return Thread.currentThread() == thread;
    }

    /** Waits until every posted task (not timers) has run; false on timeout. */
    boolean awaitIdle(Duration max) {
        return onEventThread() || posted.awaitIdle(max);
    }

    /** Stops the thread, dropping queued work and timers; waits for a running task (bounded). */
    void shutdown(Duration max) {
        executor.shutdownNow();
        if (onEventThread()) {
            return;
        }
        try {
            executor.awaitTermination(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
