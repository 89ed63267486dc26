package org.ndkkit.reliability;

import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The harness's own bounds: every call into the provider runs on a worker thread and is waited
 * for at most {@link #timeout()}, so a call that never returns (even one that ignores interrupts)
 * costs one worker and the harness goes on. Every wait for a callback is bounded the same way.
 * Each bound that runs out is counted, and a thread dump taken at that moment (while the stuck
 * thread is still where it stuck) goes to the output folder.
 */
final class Bounds implements AutoCloseable {
    /** What a bounded call did: returned a value, threw, or did not return in time. */
    record Result<T>(T value, Throwable thrown, boolean timedOut) {
        boolean returned() {
            return !timedOut && thrown == null;
        }

        /** For a problem report: the exception, or the bound that ran out. */
        String failure(Duration bound) {
            return timedOut ? "did not return within " + bound.toMillis() + " ms"
                    : thrown.getClass().getName() + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage())
                            + at(thrown);
        }

        private static String at(Throwable t) {
            StackTraceElement[] st = t.getStackTrace();
            return st.length == 0 ? "" : " at " + st[0];
        }
    }

    private final Duration timeout;
    private final Report report;
    private final Path dumpDir;
    private final AtomicInteger caught = new AtomicInteger();
    private final AtomicInteger workerIds = new AtomicInteger();
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "reliability-call-" + workerIds.incrementAndGet());
        t.setDaemon(true); // a worker stuck in a provider call must not keep the JVM alive
        return t;
    });

    Bounds(Duration timeout, Report report, Path dumpDir) {
        this.timeout = timeout;
        this.report = report;
        this.dumpDir = dumpDir;
    }

    Duration timeout() {
        return timeout;
    }

    /** Hangs caught so far. */
    int caught() {
        return caught.get();
    }

    /** Makes one provider call on a worker, waiting at most the timeout for it to return. */
    <T> Result<T> call(String label, Supplier<T> body) {
        return call(label, body, timeout);
    }

    /** As {@link #call(String, Supplier)} with another bound (opening a testbed may take longer). */
    <T> Result<T> call(String label, Supplier<T> body, Duration bound) {
        Future<T> f = workers.submit(body::get);
        try {
            return new Result<>(f.get(bound.toNanos(), TimeUnit.NANOSECONDS), null, false);
        } catch (ExecutionException e) {
            return new Result<>(null, e.getCause(), false);
        } catch (TimeoutException e) {
            // Dump first, while the worker is still stuck where it stuck; then interrupt it (a
            // provider that ignores the interrupt keeps the worker, and the harness goes on).
            caught(label + " did not return within " + bound.toMillis() + " ms");
            f.cancel(true);
            return new Result<>(null, null, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return new Result<>(null, e, false);
        }
    }

    /**
     * Makes a provider call on the current thread, a provider's callback thread that the call must
     * be made from: a watchdog records it as a hang when it has not returned in time. The thread
     * cannot be rescued, but the hang is reported and the harness's own waits go on.
     */
    <T> Result<T> inCallback(String label, Supplier<T> body) {
        CountDownLatch returned = new CountDownLatch(1);
        workers.execute(() -> {
            try {
                if (!returned.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    caught(label + " (made inside a callback) did not return within " + timeout.toMillis() + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            return new Result<>(body.get(), null, false);
        } catch (Throwable t) {
            return new Result<>(null, t, false);
        } finally {
            returned.countDown();
        }
    }

    /** Waits at most the timeout for {@code latch}; false (counted, dumped) when it ran out. */
    boolean await(CountDownLatch latch, String what) {
        return await(latch, what, timeout);
    }

    /** As {@link #await(CountDownLatch, String)} with another bound (a connect may take the provider's connect timeout). */
    boolean await(CountDownLatch latch, String what, Duration bound) {
        try {
            if (latch.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        caught(what + ": nothing within " + bound.toMillis() + " ms");
        return false;
    }

    /**
     * Waits until {@code done} reaches {@code target}, for as long as it keeps moving: the bound is
     * the timeout without progress, so a thousand completions may take longer than one timeout but
     * a stall is caught. False (counted, dumped) on a stall.
     */
    boolean awaitProgress(String what, IntSupplier done, int target) {
        int last = done.getAsInt();
        long lastMove = System.nanoTime();
        while (last < target) {
            sleep(1);
            int now = done.getAsInt();
            if (now != last) {
                last = now;
                lastMove = System.nanoTime();
            } else if (System.nanoTime() - lastMove > timeout.toNanos()) {
                caught(what + ": " + now + " of " + target + ", none more within " + timeout.toMillis() + " ms");
                return false;
            }
        }
        return true;
    }

    /** Counts a hang and writes the thread dump that shows where it is stuck. */
    void caught(String what) {
        int n = caught.incrementAndGet();
        String file = null;
        try {
            Files.createDirectories(dumpDir);
            Path p = dumpDir.resolve(String.format("timeout-%03d.txt", n));
            Files.writeString(p, "Thread dump at a timeout (" + report.phase() + "): " + what + "\n\n" + threadDump());
            file = p.toString();
        } catch (IOException e) {
            report.note("could not write the thread dump for timeout " + n + ": " + e.getMessage());
        }
        report.timeout(what, file);
        report.say("TIMEOUT " + what + (file == null ? "" : " (thread dump " + file + ")"));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every thread's state, the lock it waits for, the locks it holds and its whole stack. */
    static String threadDump() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            LockInfo waitingFor = t.getLockInfo();
            if (waitingFor != null) {
                b.append(" waiting for ").append(waitingFor);
                if (t.getLockOwnerName() != null) {
                    b.append(" held by \"").append(t.getLockOwnerName()).append('"');
                }
            }
            b.append(t.isInNative() ? " (native)\n" : "\n");
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i < stack.length; i++) {
                b.append("\tat ").append(stack[i]).append('\n');
                for (MonitorInfo m : t.getLockedMonitors()) {
                    if (m.getLockedStackDepth() == i) {
                        b.append("\t- holds ").append(m).append('\n');
                    }
                }
            }
            for (LockInfo l : t.getLockedSynchronizers()) {
                b.append("\t- holds synchronizer ").append(l).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
