package org.ndkkit.simulated;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
     * timer counts in the testbed's activity from now until it is cancelled before its task started,
     * or until its task has returned: whatever the task queues (a completion) is counted before the
     * timer stops counting, so the testbed is never quiescent in between.
     */
    Timer schedule(Duration delay, Runnable task) {
        activity.enter();
        Timer timer = new Timer(activity);
        try {
            timer.future = executor.schedule(() -> {
                if (!timer.start()) {
                    return; // cancelled first
                }
                try {
                    task.run();
                } catch (Throwable t) {
                    LOG.log(Level.WARNING, "simulator timer failed", t);
                } finally {
                    timer.finish();
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
            return timer;
        } catch (RejectedExecutionException e) {
            timer.finish();
            return null;
        }
    }

    /** A scheduled timer: waiting, running, or done (ran or cancelled); it counts until done. */
    static final class Timer {
        private static final int WAITING = 0;
        private static final int RUNNING = 1;
        private static final int DONE = 2;

        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final CallbackTracker activity;
        private ScheduledFuture<?> future; // set before the timer is handed out

        private Timer(CallbackTracker activity) {
            this.activity = activity;
        }

        /** The task is about to run; false when the timer was cancelled first. */
        private boolean start() {
            return state.compareAndSet(WAITING, RUNNING);
        }

        /** The task returned (or was never scheduled). */
        private void finish() {
            if (state.getAndSet(DONE) != DONE) {
                activity.exit();
            }
        }

        /**
         * Cancels the timer unless its task already started; a cancelled timer no longer counts. A
         * task that started (it may be waiting for the lock the canceller holds) counts until it
         * has returned.
         */
        void cancel() {
            if (state.compareAndSet(WAITING, DONE)) {
                future.cancel(false);
                activity.exit();
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
