package org.ndkkit.reference;

import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ndkkit.reference.rdma.CmEvent;
import org.ndkkit.reference.rdma.EventChannel;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaResult;

/**
 * The one event thread of an adapter: it reads the adapter's rdma_cm event channel, runs timers
 * (the provider's own connect, accept and disconnect timers) and tasks posted to it.
 *
 * <p>Every {@code rdma_destroy_id} of an id that can receive events runs here: events are acked
 * right after they are read ({@link RdmaCm#nextCmEvent} copies them), so on this thread no event
 * of any id is ever un-acked while it is destroyed, and librdmacm's destroy never blocks on one.
 * Consumer callbacks that come from rdma_cm events run on this thread too, never under a lock.
 */
final class EventLoop {
    /** How long one wait on the channel lasts when nothing is due: the latency of posted tasks. */
    static final long POLL_MS = 5;

    /** A scheduled task; {@link #cancel} is safe from any thread. */
    static final class Timer implements Comparable<Timer> {
        private static final AtomicLong SEQ = new AtomicLong();
        private final long deadlineNanos;
        private final long seq = SEQ.incrementAndGet();
        private final Runnable task;
        private volatile boolean cancelled;

        Timer(long deadlineNanos, Runnable task) {
            this.deadlineNanos = deadlineNanos;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadlineNanos, o.deadlineNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final String name;
    private final EventChannel channel;
    private final Consumer<CmEvent> dispatcher;
    private final EventLog log;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;

    EventLoop(String name, EventChannel channel, Consumer<CmEvent> dispatcher, EventLog log) {
        this.name = name;
        this.channel = channel;
        this.dispatcher = dispatcher;
        this.log = log;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    void post(Runnable task) {
        tasks.add(task);
    }

    /** Runs {@code task} on this thread now if already on it, else posts it. */
    void execute(Runnable task) {
        if (inLoop()) {
            safely(task, "task");
        } else {
            post(task);
        }
    }

    Timer schedule(long delayMs, Runnable task) {
        Timer t = new Timer(System.nanoTime() + Math.max(0, delayMs) * 1_000_000L, task);
        synchronized (timers) {
            timers.add(t);
        }
        return t;
    }

    /**
     * Posts {@code last}, stops after it has run and every task posted before it, and waits for
     * the thread to end (at most {@code timeoutMs}). Returns false when it did not end in time.
     */
    boolean stop(Runnable last, long timeoutMs) {
        post(() -> {
            safely(last, "shutdown");
            stopping = true;
        });
        if (inLoop()) {
            return true;
        }
        try {
            return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void run() {
        boolean reported = false;
        try {
            while (!stopping) {
                long wait = tasks.isEmpty() ? Math.min(POLL_MS, untilNextTimerMs()) : 0;
                RdmaResult<Optional<CmEvent>> r = RdmaCm.nextCmEvent(channel, wait);
                if (r.ok()) {
                    r.value().ifPresent(ev -> safely(() -> dispatcher.accept(ev), "event " + ev));
                } else if (!reported) {
                    reported = true;
                    log.problem(name + ": reading the event channel failed: " + r);
                    sleep(POLL_MS);
                } else {
                    sleep(POLL_MS);
                }
                runDueTimers();
                Runnable t;
                while (!stopping && (t = tasks.poll()) != null) {
                    safely(t, "task");
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    private long untilNextTimerMs() {
        synchronized (timers) {
            Timer t = timers.peek();
            if (t == null) {
                return POLL_MS;
            }
            return Math.max(0, (t.deadlineNanos - System.nanoTime() + 999_999) / 1_000_000);
        }
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        while (true) {
            Timer t;
            synchronized (timers) {
                t = timers.peek();
                if (t == null || t.deadlineNanos > now) {
                    return;
                }
                timers.poll();
            }
            if (!t.cancelled) {
                safely(t.task, "timer");
            }
        }
    }

    private void safely(Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable e) {
            log.problem(name + ": " + what + " threw " + e);
            e.printStackTrace();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
