package org.ndkkit.kit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;

/**
 * One asynchronous call (a request, a create or a close) and every completion the provider made
 * for it, so that NDK's completion rule can be checked: a completion exactly once, with the
 * caller's context, if and only if the call returned STATUS_PENDING.
 */
public final class TrackedCall {

    /** The three asynchronous patterns of NDKPI, each with the clauses that govern it. */
    public enum Kind {
        REQUEST("ASYNC-NO-COMPLETION-AFTER-INLINE", "ASYNC-PENDING-COMPLETES-ONCE", "ASYNC-CONTEXT-RETURNED"),
        CREATE("CREATE-COMPLETION-PATTERN", "CREATE-COMPLETION-PATTERN", "CREATE-COMPLETION-PATTERN"),
        CLOSE("CLOSE-COMPLETION-PATTERN", "CLOSE-COMPLETION-PATTERN", "CLOSE-COMPLETION-PATTERN");

        final String noCompletionAfterInline;
        final String exactlyOnce;
        final String context;

        Kind(String noCompletionAfterInline, String exactlyOnce, String context) {
            this.noCompletionAfterInline = noCompletionAfterInline;
            this.exactlyOnce = exactlyOnce;
            this.context = context;
        }
    }

    /** One completion callback as the provider made it. */
    public record Completion(Object context, NtStatus status, Object object, String thread, long nanos,
                             boolean duringCall) {
    }

    private static final AtomicLong IDS = new AtomicLong();

    private final Kind kind;
    private final String label;
    private final String owner;
    private final CallTrace trace;
    private final Object context;
    private final List<Completion> completions = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstCompletion = new CountDownLatch(1);
    private final CountDownLatch hasReturned = new CountDownLatch(1);
    private volatile boolean inCall;
    private volatile NtStatus inline;
    private volatile long beganNanos;
    private volatile long returnedNanos;
    private volatile long callbackReturnedNanos;
    private final CountDownLatch callbackReturned = new CountDownLatch(1);

    /**
     * @param nullContext pass NULL as the call's context (RequestContext is optional), so the
     *                    completion must carry NULL back
     */
    TrackedCall(Kind kind, String label, String owner, CallTrace trace, boolean nullContext) {
        this.kind = kind;
        this.label = label;
        this.owner = owner;
        this.trace = trace;
        long id = IDS.incrementAndGet();
        this.context = nullContext ? null : new Object() {
            @Override
            public String toString() {
                return "ctx#" + id;
            }
        };
    }

    public Kind kind() {
        return kind;
    }

    /** E.g. "NdkConnectWithSharedEndpoint(C1)". */
    public String label() {
        return label;
    }

    /** The name of the object the call was made on. */
    public String owner() {
        return owner;
    }

    /** The unique context object passed with the call, or null when the call passed NULL. */
    public Object context() {
        return context;
    }

    public RequestCompletion requestCompletion() {
        return (ctx, status) -> record(ctx, status, null);
    }

    public <T extends NdkObject> CreateCompletion<T> createCompletion() {
        return (ctx, status, object) -> record(ctx, status, object);
    }

    public CloseCompletion closeCompletion() {
        return closeCompletion(java.time.Duration.ZERO);
    }

    /**
     * A close completion that takes {@code hold} before it returns to the provider, as a consumer's
     * slow callback would: the window in which an antecedent's close must not complete (L17).
     */
    public CloseCompletion closeCompletion(java.time.Duration hold) {
        return ctx -> {
            record(ctx, null, null);
            if (!hold.isZero()) {
                try {
                    Thread.sleep(hold.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            callbackReturnedNanos = System.nanoTime();
            callbackReturned.countDown();
        };
    }

    /**
     * Waits (bounded) until a close completion has returned to the provider: the provider may run
     * it on a thread of its own, so it can still be running when the next check comes.
     */
    public long awaitCallbackReturned(Duration bound) {
        waitFor(callbackReturned, bound, label + " close completion did not return within " + bound.toMillis() + " ms");
        return callbackReturnedNanos;
    }

    /** When the last close completion returned to the provider; 0 when none has (or it was not a close). */
    public long callbackReturnedNanos() {
        return callbackReturnedNanos;
    }

    /** When the call was made. */
    public long beganNanos() {
        return beganNanos;
    }

    private void record(Object ctx, NtStatus status, Object object) {
        Completion c = new Completion(ctx, status, object, Thread.currentThread().getName(), System.nanoTime(), inCall);
        completions.add(c);
        trace.callback(label + " completion(context=" + ctx + (status != null ? ", " + status : "")
                + (object != null ? ", object" : "") + ")" + (c.duringCall ? " before the call returned" : ""));
        firstCompletion.countDown();
    }

    /** Marks the start of the call; the call itself follows immediately. */
    public void begin() {
        beganNanos = System.nanoTime();
        inCall = true;
    }

    /** Records what the call returned inline. */
    public NtStatus returned(NtStatus status) {
        returnedNanos = System.nanoTime();
        inline = status;
        inCall = false;
        trace.call(label + " -> " + status);
        hasReturned.countDown();
        return status;
    }

    /** What the call returned, or null before it returned. */
    public NtStatus inline() {
        return inline;
    }

    public long returnedNanos() {
        return returnedNanos;
    }

    public List<Completion> completions() {
        return List.copyOf(completions);
    }

    /**
     * Waits (bounded) for the final status.
     *
     * @throws KitTimeout    when PENDING was returned and no completion came within {@code bound}
     * @throws AssertionError when the completion rule is already broken (a completion after an
     *                        inline status)
     */
    public Outcome await(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        // The call may be in progress on another thread (a close issued inside a completion).
        waitFor(hasReturned, bound, "[ASYNC-NO-BLOCKING] " + label + " did not return within " + bound.toMillis() + " ms");
        NtStatus s = inline;
        if (!s.isPending()) {
            if (!completions.isEmpty()) {
                throw new AssertionError("[" + kind.noCompletionAfterInline + inCallClause() + "] " + label + " returned " + s
                        + " inline, yet its completion was called");
            }
            return new Outcome(s, Outcome.Path.INLINE);
        }
        waitFor(firstCompletion, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), "[" + kind.exactlyOnce + "] "
                + label + " returned STATUS_PENDING (0x00000103) but its completion was not called within " + bound.toMillis() + " ms");
        Completion c = completions.get(0);
        return new Outcome(c.status, c.duringCall ? Outcome.Path.PENDING_COMPLETED_IN_CALL : Outcome.Path.PENDING);
    }

    private void waitFor(CountDownLatch latch, Duration bound, String timeoutMessage) {
        try {
            if (!latch.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
                ThreadDump.take(timeoutMessage);
                throw new KitTimeout(timeoutMessage);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KitTimeout("interrupted while waiting for " + label);
        }
    }

    /** A request completion made inside the call obliges the call to return PENDING (ASYNC-COMPLETION-IN-CALL). */
    private String inCallClause() {
        return kind == Kind.REQUEST && completions.stream().anyMatch(Completion::duringCall) ? ", ASYNC-COMPLETION-IN-CALL" : "";
    }

    /** True once the final status is known (inline, or the first completion after PENDING). */
    public boolean isDone() {
        NtStatus s = inline;
        return s != null && (!s.isPending() || !completions.isEmpty());
    }

    /** Time the call finished: when it returned inline, or when its first completion ran. */
    public long doneNanos() {
        NtStatus s = inline;
        if (s != null && s.isPending() && !completions.isEmpty()) {
            return completions.get(0).nanos();
        }
        return returnedNanos;
    }

    /**
     * Checks the completion rule as far as it can be decided now.
     *
     * @param final_ true at the end of a scenario, when a PENDING call must have completed
     */
    public List<Violation> violations(boolean final_) {
        List<Violation> v = new ArrayList<>();
        NtStatus s = inline;
        if (s == null) {
            return v;
        }
        List<Completion> cs = completions();
        if (!s.isPending() && !cs.isEmpty()) {
            v.add(new Violation(kind.noCompletionAfterInline, label + " returned " + s + " inline, yet its completion was called "
                    + cs.size() + " time(s)"));
            if (!inCallClause().isEmpty()) {
                v.add(new Violation("ASYNC-COMPLETION-IN-CALL", label + " called its completion inside the call, then returned "
                        + s + " instead of STATUS_PENDING"));
            }
        }
        if (s.isPending() && cs.size() > 1) {
            v.add(new Violation(kind.exactlyOnce, label + " returned STATUS_PENDING and its completion was called "
                    + cs.size() + " times"));
        }
        if (final_ && s.isPending() && cs.isEmpty()) {
            v.add(new Violation(kind.exactlyOnce, label + " returned STATUS_PENDING and its completion was never called"));
        }
        for (Completion c : cs) {
            if (c.context() != context) {
                v.add(new Violation(kind.context, label + " completion got context " + c.context() + ", expected "
                        + context));
            }
        }
        return v;
    }
}
