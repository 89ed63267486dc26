package org.ndkkit.reference;

import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ndkkit.reference.rdma.ChannelWaiter;
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
 *
 * <p>When there is nothing to do the thread sleeps in {@code poll(2)} on the channel's fd and an
 * eventfd ({@link ChannelWaiter}) until an event arrives, its next timer is due, or another
 * thread posts a task or schedules an earlier timer (which wake it). It used to poll the channel every
 * {@link #POLL_MS} ms instead: ~200 idle rdma_get_cm_event calls a second per adapter, each
 * allocating JNA structures, and up to 5 ms before a posted task (a close) ran. If the eventfd
 * cannot be created it still does that.
 */
final class EventLoop {
    /** Without a {@link ChannelWaiter} (eventfd failed): how long one wait on the channel lasts. */
    static final long POLL_MS = 5;
    /** With one: the longest sleep when no timer is due (a safety net; wake-ups end it earlier). */
    static final long MAX_WAIT_MS = 1000;
    /**
     * The most events one pass reads before its timers and tasks run: enough to empty the channel
     * when thousands of connections' timewait exits arrive together while their closes are queued
     * (see {@link #readEvents}; with 64, that walk still took 0.16 ms per connection in the closes
     * of 10,000 connections), few enough that a timer or a posted task waits for at most this many
     * callbacks (~0.2 s under emulation).
     */
    static final int EVENTS_PER_PASS = 4096;
    /**
     * The most posted tasks one pass runs: a close storm (thousands of closes posted at once) then
     * goes back to the channel every so many destroys, so that each destroy finds it nearly empty
     * (see {@link #readEvents}). The tasks left run in the next pass, which does not sleep.
     */
    static final int TASKS_PER_PASS = 64;

    /** A scheduled task; {@link #cancel} is safe from any thread. */
    static final class Timer implements Comparable<Timer> {
        private static final AtomicLong SEQ = new AtomicLong();
        private final long deadlineNanos;
        private final long seq = SEQ.incrementAndGet();
        /** Null once cancelled: the queue keeps a cancelled timer until its deadline (30-60 s for
         * connect and accept timers), and its task would keep a closed connector reachable. */
        private volatile Runnable task;

        Timer(long deadlineNanos, Runnable task) {
            this.deadlineNanos = deadlineNanos;
            this.task = task;
        }

        void cancel() {
            task = null;
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
    private final ChannelWaiter waiter;
    /**
     * {@link #AWAKE}, {@link #DECIDING} (whether and how long to sleep) or {@link #SLEEPING} until
     * {@link #sleepDeadline} (System.nanoTime). Posting a task or scheduling a timer wakes the
     * loop only when it sleeps, or may sleep, past what is new: a wake-up (an eventfd write, then
     * an extra pass of the loop) for every connect and accept timer cost more than it saved.
     */
    private volatile int sleepState;
    private volatile long sleepDeadline;
    private static final int AWAKE = 0;
    private static final int DECIDING = 1;
    private static final int SLEEPING = 2;
    private volatile boolean stopping;

    EventLoop(String name, EventChannel channel, Consumer<CmEvent> dispatcher, EventLog log) {
        this.name = name;
        this.channel = channel;
        this.dispatcher = dispatcher;
        this.log = log;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        RdmaResult<ChannelWaiter> w = ChannelWaiter.open(channel);
        if (!w.ok()) {
            log.problem(name + ": no eventfd (" + w + "); polling the channel every " + POLL_MS + " ms instead");
        }
        this.waiter = w.ok() ? w.value() : null;
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    void post(Runnable task) {
        tasks.add(task);
        if (waiter != null && !inLoop() && sleepState != AWAKE) {
            waiter.wake();
        }
    }

    /**
     * The loop sets {@link #sleepState} before it looks at the task and timer queues, and
     * {@link #post} and {@link #schedule} read it after adding to them: so either the loop sees
     * what is new, or they see it (about to be) asleep and wake it.
     */
    private void wakeIfAsleepPast(long deadlineNanos) {
        if (waiter != null && !inLoop()) {
            int state = sleepState;
            if (state == DECIDING || (state == SLEEPING && deadlineNanos - sleepDeadline < 0)) {
                waiter.wake();
            }
        }
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
        wakeIfAsleepPast(t.deadlineNanos);
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

    /** Whether a failure of the channel or the waiter was reported (once per loop; the loop's thread only). */
    private boolean reported;

    private void run() {
        try {
            while (!stopping) {
                pass();
            }
        } finally {
            if (waiter != null) {
                waiter.close();
            }
            stopped.countDown();
        }
    }

    /**
     * One pass: the events waiting (up to {@link #EVENTS_PER_PASS}), the due timers, the posted
     * tasks (up to {@link #TASKS_PER_PASS}), then a sleep when there was no event and no task is left.
     * Its own method so that the JIT compiles it: a loop in a method called once stays in the
     * interpreter until its back-edge counter reaches the OSR threshold (60,000 passes under C1),
     * and that was 6% of this thread's CPU in a benchmark round (perf, two-host lab).
     */
    private void pass() {
        // With a waiter the read never blocks: the thread sleeps below, in the waiter.
        long wait = waiter != null ? 0 : tasks.isEmpty() ? Math.min(POLL_MS, untilNextTimerMs(POLL_MS)) : 0;
        boolean idle = readEvents(wait);
        runDueTimers();
        Runnable t;
        for (int n = 0; n < TASKS_PER_PASS && !stopping && (t = tasks.poll()) != null; n++) {
            safely(t, "task");
        }
        if (idle && waiter != null) {
            // Declared before the checks: a task posted or a timer scheduled after them sees
            // it and wakes the waiter (the eventfd stays readable until the next await),
            // so nothing waits for the next event or MAX_WAIT_MS.
            sleepState = DECIDING;
            if (!stopping && tasks.isEmpty()) {
                long sleepMs = untilNextTimerMs(MAX_WAIT_MS);
                sleepDeadline = System.nanoTime() + sleepMs * 1_000_000L;
                sleepState = SLEEPING;
                RdmaResult<Boolean> w = waiter.await(sleepMs);
                if (!w.ok()) {
                    if (!reported) {
                        reported = true;
                        log.problem(name + ": waiting on the event channel failed: " + w);
                    }
                    sleep(POLL_MS);
                }
            }
            sleepState = AWAKE;
        }
    }

    /**
     * Reads and dispatches what the channel holds, up to {@link #EVENTS_PER_PASS} events, before
     * the pass runs its timers and tasks. Why not one event per pass: the tasks are mostly closes,
     * and {@code rdma_destroy_id} walks every event still undelivered on the channel
     * ({@code ucma_destroy_private_ctx}), so closes run with a storm of timewait-exit and
     * disconnect events queued in the kernel paid for all of them, once each: the close phase per
     * connection grew 1.48x from N=1000 to 10,000 (1.08x since), and that walk was 0.05 ms per
     * accepted connection across the two-host link.
     *
     * @return true when the channel had no event (the pass may sleep)
     */
    private boolean readEvents(long firstWaitMs) {
        for (int n = 0; n < EVENTS_PER_PASS && !stopping; n++) {
            RdmaResult<Optional<CmEvent>> r = RdmaCm.nextCmEvent(channel, n == 0 ? firstWaitMs : 0);
            if (!r.ok()) {
                if (!reported) {
                    reported = true;
                    log.problem(name + ": reading the event channel failed: " + r);
                }
                sleep(POLL_MS);
                return false;
            }
            if (r.value().isEmpty()) {
                return n == 0;
            }
            CmEvent ev = r.value().get();
            try {
                dispatcher.accept(ev);
            } catch (Throwable e) {
                // The event's text only now: building it for every event cost ~0.1 ms.
                report("event " + ev, e);
            }
        }
        return false;
    }

    /** Milliseconds until the next timer is due (0 when one is), or {@code noTimerMs} without timers. */
    private long untilNextTimerMs(long noTimerMs) {
        synchronized (timers) {
            Timer t = timers.peek();
            if (t == null) {
                return noTimerMs;
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
            Runnable task = t.task;
            if (task != null) {
                safely(task, "timer");
            }
        }
    }

    private void safely(Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable e) {
            report(what, e);
        }
    }

    private void report(String what, Throwable e) {
        log.problem(name + ": " + what + " threw " + e);
        e.printStackTrace();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
