package org.ndkkit.reliability;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;

/**
 * NDK's completion rules, kept for every asynchronous call of a phase: a completion exactly once,
 * with the caller's context, if and only if the call returned PENDING; and no callback of any kind
 * for an object once its close has completed (or returned SUCCESS). A broken rule becomes a
 * {@link Problem} when it is seen, and again at {@link #verify} for what can only be judged at the
 * end (a PENDING call that never completed).
 */
final class Ledger {
    enum Kind { REQUEST, CREATE, CLOSE }

    private static final AtomicLong IDS = new AtomicLong();

    private final Report report;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();

    Ledger(Report report) {
        this.report = report;
    }

    /** An object the harness made or was given, so its callbacks can be held against its close. */
    static final class Obj {
        final String name;
        final NdkObject object;
        private volatile long closedAt;
        private volatile boolean closed;
        volatile Call close;

        Obj(String name, NdkObject object) {
            this.name = name;
            this.object = object;
        }

        /** From this moment no callback for the object may start. */
        void markClosed(long nanos) {
            if (!closed) {
                closedAt = nanos;
                closed = true;
            }
        }

        boolean closed() {
            return closed;
        }

        /** When the close completed (or returned SUCCESS); meaningful once {@link #closed()}. */
        long closedAt() {
            return closedAt;
        }

        /** True when a callback that started at {@code nanos} came after the close completed. */
        boolean closedBefore(long nanos) {
            return closed && nanos > closedAt;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One asynchronous call and what the provider did with it. */
    final class Call {
        final Kind kind;
        final String label;
        final Obj owner;
        final Object context;
        private final AtomicInteger completions = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicBoolean finalSeen = new AtomicBoolean();
        private final Set<Problem.Kind> reported = EnumSet.noneOf(Problem.Kind.class);
        private final Consumer<NtStatus> then;
        private volatile NtStatus inline;
        private volatile NtStatus completed;
        private volatile NdkObject created;
        private volatile boolean abandoned;

        private Call(Kind kind, String label, Obj owner, Consumer<NtStatus> then) {
            this.kind = kind;
            this.label = label;
            this.owner = owner;
            this.then = then;
            long id = IDS.incrementAndGet();
            this.context = new Object() {
                @Override
                public String toString() {
                    return "context#" + id;
                }
            };
        }

        RequestCompletion request() {
            return (ctx, status) -> completed(System.nanoTime(), ctx, status, null);
        }

        <T extends NdkObject> CreateCompletion<T> create() {
            return (ctx, status, object) -> completed(System.nanoTime(), ctx, status, object);
        }

        CloseCompletion close() {
            return ctx -> {
                long now = System.nanoTime();
                owner.markClosed(now); // from the start of the close completion on, nothing else may come
                completed(now, ctx, NtStatus.SUCCESS, null);
            };
        }

        private void completed(long now, Object ctx, NtStatus status, NdkObject object) {
            int n = completions.incrementAndGet();
            if (ctx != context) {
                problem(Problem.Kind.WRONG_CONTEXT, "completed with context " + ctx + ", expected " + context);
            }
            if (n > 1) {
                problem(Problem.Kind.DUPLICATE_CALLBACK, "completion called " + n + " times");
                return;
            }
            NtStatus s = inline;
            if (s != null && !s.isPending()) {
                problem(Problem.Kind.CALLBACK_AFTER_INLINE, "returned " + s + " inline, then its completion was called with " + status);
            }
            if (kind != Kind.CLOSE && owner != null && owner.closedBefore(now)) {
                problem(Problem.Kind.LATE_CALLBACK, "completed with " + status + " after the close of " + owner + " had completed");
            }
            completed = status;
            created = object;
            finish(status);
        }

        /** What the call returned inline (PENDING, or its final status). */
        void returned(NtStatus status) {
            inline = status;
            if (kind == Kind.CLOSE && status.equals(NtStatus.SUCCESS)) {
                owner.markClosed(System.nanoTime());
            }
            if (!status.isPending()) {
                if (completions.get() > 0) {
                    problem(Problem.Kind.CALLBACK_AFTER_INLINE, "its completion was called inside the call, which then returned "
                            + status + " instead of STATUS_PENDING");
                }
                finish(status);
            }
        }

        /** The call did not return a status (hang, exception, null): nothing is owed or awaited. */
        void abandon() {
            abandoned = true;
            done.countDown();
        }

        private void finish(NtStatus status) {
            if (finalSeen.compareAndSet(false, true)) {
                done.countDown();
                if (then != null) {
                    then.accept(status);
                }
            }
        }

        NtStatus inline() {
            return inline;
        }

        /** The final status once known (inline, or the first completion), else null. */
        NtStatus status() {
            NtStatus s = inline;
            if (s != null && !s.isPending()) {
                return s;
            }
            return completed;
        }

        /** The object a PENDING create delivered. */
        NdkObject created() {
            return created;
        }

        boolean isDone() {
            return done.getCount() == 0;
        }

        CountDownLatch doneLatch() {
            return done;
        }

        boolean pendingUncompleted() {
            NtStatus s = inline;
            return !abandoned && s != null && s.isPending() && completions.get() == 0;
        }

        /** Reports a broken rule once per call and kind. */
        void problem(Problem.Kind k, String detail) {
            synchronized (reported) {
                if (!reported.add(k)) {
                    return;
                }
            }
            report.problem(k, label, owner == null ? "" : "on " + owner, detail);
        }
    }

    Obj obj(String name, NdkObject object) {
        return new Obj(name, object);
    }

    Call call(Kind kind, String label, Obj owner, Consumer<NtStatus> then) {
        Call c = new Call(kind, label, owner, then);
        calls.add(c);
        return c;
    }

    /** An event callback (connect or disconnect event) for {@code owner}, held against its close. */
    void event(Obj owner, String what) {
        if (owner.closedBefore(System.nanoTime())) {
            report.problem(Problem.Kind.LATE_CALLBACK, what, "on " + owner, "after the close of " + owner + " had completed");
        }
    }

    /**
     * The end of a phase: every call that returned PENDING must have completed by now.
     *
     * @return how many calls the ledger held
     */
    int verify() {
        int n = 0;
        List<Call> lost = new ArrayList<>();
        for (Call c : calls) {
            n++;
            if (c.pendingUncompleted()) {
                lost.add(c);
            }
        }
        for (Call c : lost) {
            c.problem(Problem.Kind.LOST_CALLBACK, "returned STATUS_PENDING and its completion never came");
        }
        return n;
    }

    /** Forgets the calls verified so far (long phases keep memory flat). */
    int verifyAndForget() {
        int n = verify();
        calls.clear();
        return n;
    }
}
