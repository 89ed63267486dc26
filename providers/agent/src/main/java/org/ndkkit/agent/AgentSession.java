package org.ndkkit.agent;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.Testbed;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Callback;
import org.ndkkit.wire.v1.CloseCompleted;
import org.ndkkit.wire.v1.ConnectEvent;
import org.ndkkit.wire.v1.ContextArg;
import org.ndkkit.wire.v1.ContextEcho;
import org.ndkkit.wire.v1.CreateCompleted;
import org.ndkkit.wire.v1.DisconnectEvent;
import org.ndkkit.wire.v1.ObjectRef;
import org.ndkkit.wire.v1.ProviderError;
import org.ndkkit.wire.v1.RequestCompleted;

/**
 * One open testbed and everything the client and the provider exchanged in it: handles, the
 * client's contexts and callbacks, and the callback stream.
 *
 * <p>Each provider callback becomes one {@link Callback} message, numbered in the order the agent
 * observed it, marked with the call it ran inside (if it ran on a call's thread before that call
 * returned), and held: the provider's callback returns only when the client's handler returned,
 * so a consumer's handler runs "inside" the provider's callback as it would in-process. Calls the
 * handler makes run on the held thread ({@link Mailbox}).
 */
final class AgentSession {
    /** A context the client passed: the provider sees one distinct object per client id. */
    static final class WireContext {
        final long id;

        WireContext(long id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "ctx#" + id;
        }
    }

    final long id;
    final String client;
    final Testbed testbed;
    final Handles handles;
    private final AgentLog log;
    private final long callbackTimeoutNanos;
    private final long openedNanos = System.nanoTime();

    private final Invocations invocations = new Invocations(this);
    private final Map<Long, WireContext> contexts = new ConcurrentHashMap<>();
    private final Map<Long, Object> callbacks = new ConcurrentHashMap<>();
    private final Map<Long, Mailbox> held = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final ThreadLocal<ArrayDeque<Long>> runningCalls = ThreadLocal.withInitial(ArrayDeque::new);

    private final Object streamLock = new Object();
    private ServerCallStreamObserver<Callback> sink;
    private boolean streamEnded;
    private final List<Callback> early = new ArrayList<>();
    /**
     * What {@link #awaitQuiescence} needs besides the provider's own answer (guarded by itself, a
     * leaf lock): the callbacks sent (or queued to send) whose CallbackReturn has not come, the
     * session's calls running now (AwaitQuiescence itself aside), and a count that grows with every
     * call that starts and every callback the provider makes.
     */
    private final Object activity = new Object();
    private final java.util.Set<Long> unanswered = new java.util.HashSet<>();
    private int callsRunning;
    private long generation;
    /** The client is gone (its stream broke): callbacks go nowhere and return at once. */
    private volatile boolean lost;
    private volatile boolean ended;

    AgentSession(long id, String client, Testbed testbed, AgentLog log, long callbackTimeoutMs) {
        this.id = id;
        this.client = client;
        this.testbed = testbed;
        this.handles = new Handles(id);
        this.log = log;
        this.callbackTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(callbackTimeoutMs);
    }

    // ------------------------------------------------------------------------- the stream

    /** Attaches the client's callback stream; callbacks made before it are sent first. */
    void attach(ServerCallStreamObserver<Callback> stream) {
        synchronized (streamLock) {
            if (sink != null) {
                throw WireError.precondition("session " + id + " already has its callback stream");
            }
            if (ended) {
                throw WireError.notFound("session " + id + " has ended");
            }
            sink = stream;
            early.forEach(stream::onNext);
            early.clear();
        }
    }

    /** True when the client has gone, or never attached its stream within {@code graceMs}. */
    boolean abandoned(long graceMs) {
        synchronized (streamLock) {
            return lost || ended
                    || (sink == null && System.nanoTime() - openedNanos > TimeUnit.MILLISECONDS.toNanos(graceMs));
        }
    }

    boolean isLost() {
        return lost;
    }

    /** The client is gone: every held callback returns, later ones return at once. */
    void lose(String why) {
        if (lost || ended) {
            return;
        }
        lost = true;
        log.info("session " + id + " (" + client + "): " + why);
        held.values().forEach(Mailbox::release);
    }

    /** Ends the callback stream (after Goodbye closed the testbed). */
    void completeStream() {
        ended = true;
        endStream(null);
        held.values().forEach(Mailbox::release);
    }

    /**
     * Ends the callback stream once, completed or with {@code error}, under the lock every callback
     * is sent with (a stream must not be written from two threads at once).
     */
    void endStream(io.grpc.StatusRuntimeException error) {
        synchronized (streamLock) {
            if (sink == null || streamEnded) {
                return;
            }
            streamEnded = true;
            try {
                if (error == null) {
                    sink.onCompleted();
                } else {
                    sink.onError(error);
                }
            } catch (RuntimeException ignored) {
                // the client cancelled at the same moment
            }
        }
    }

    private void fire(Consumer<Callback.Builder> fill) {
        if (lost) {
            return;
        }
        synchronized (activity) {
            generation++;
        }
        Callback.Builder b = Callback.newBuilder();
        fill.accept(b);
        Mailbox box = new Mailbox();
        long s;
        synchronized (streamLock) {
            s = seq.incrementAndGet();
            ArrayDeque<Long> calls = runningCalls.get();
            b.setSeq(s).setSession(id).setAgentNanos(System.nanoTime())
                    .setInCall(calls.isEmpty() ? 0 : calls.peek()).setThread(Thread.currentThread().getName());
            Callback cb = b.build();
            if (streamEnded) {
                return;
            }
            held.put(s, box);
            synchronized (activity) {
                unanswered.add(s);
            }
            if (sink == null) {
                early.add(cb);
            } else {
                try {
                    sink.onNext(cb);
                } catch (RuntimeException e) {
                    held.remove(s);
                    answered(s);
                    lose("the callback stream failed: " + e);
                    return;
                }
            }
            if (log.debugEnabled()) {
                log.debug("session " + id + " callback " + s + " " + cb.getEventCase() + (cb.getInCall() != 0
                        ? " inside call " + cb.getInCall() : "") + " on " + cb.getThread());
            }
        }
        try {
            if (!box.await(callbackTimeoutNanos) && !lost && !ended) {
                log.info("session " + id + ": callback " + s + " returned without the client's word after "
                        + TimeUnit.NANOSECONDS.toMillis(callbackTimeoutNanos) + " ms");
            }
        } finally {
            held.remove(s);
        }
    }

    /**
     * The client's handler for callback {@code s} returned.
     *
     * @throws WireError when no such callback was sent, or it no longer waits
     */
    void returned(long s) {
        if (s <= 0 || s > seq.get()) {
            throw WireError.invalid("session " + id + " has sent no callback " + s + " (last sent: " + seq.get() + ")");
        }
        // The client's handler has returned, also for a callback that no longer waits (it timed out):
        // it is no longer in flight.
        answered(s);
        // Taken out here, not when the held thread wakes: a second CallbackReturn for the same
        // callback must find it no longer waiting.
        Mailbox box = held.remove(s);
        if (box == null) {
            throw WireError.precondition("callback " + s + " of session " + id
                    + " is not waiting (it already returned or timed out)");
        }
        box.release();
    }

    private void answered(long s) {
        synchronized (activity) {
            if (unanswered.remove(s)) {
                activity.notifyAll();
            }
        }
    }

    // ------------------------------------------------------------------------- quiescence

    /**
     * {@code Testbed.awaitQuiescence} for the client (wire v1.4): QUIET only when, at one moment,
     * the provider says it is quiescent, no callback it made is in flight on the stream (each one
     * sent has come back with the client's CallbackReturn, so the client's handler has returned,
     * also for one whose hold timed out), and none of the session's calls is running (a call the
     * client gave up on may still run here). Nothing then can happen until the client calls again.
     * The provider is asked only once nothing of the session is in flight, and its QUIET counts
     * only if no call started and no callback was made while it was asked; otherwise it is asked
     * again while time is left. BUSY when {@code timeoutMs} ran out first; the provider's own BUSY
     * or UNKNOWN as it gave them. Changes nothing.
     */
    org.ndkkit.spi.Quiescence awaitQuiescence(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long seen;
            synchronized (activity) {
                while (callsRunning > 0 || !unanswered.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return org.ndkkit.spi.Quiescence.BUSY;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(activity, left);
                    } catch (InterruptedException e) {
                        // the client gave up on this call: its answer is read by nobody
                        Thread.currentThread().interrupt();
                        return org.ndkkit.spi.Quiescence.BUSY;
                    }
                }
                seen = generation;
            }
            org.ndkkit.spi.Quiescence q = testbed.awaitQuiescence(
                    java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (q != org.ndkkit.spi.Quiescence.QUIET) {
                return q == null ? org.ndkkit.spi.Quiescence.UNKNOWN : q;
            }
            synchronized (activity) {
                if (generation == seen && callsRunning == 0 && unanswered.isEmpty()) {
                    return org.ndkkit.spi.Quiescence.QUIET;
                }
            }
            if (deadline - System.nanoTime() <= 0) {
                return org.ndkkit.spi.Quiescence.BUSY;
            }
        }
    }

    // ------------------------------------------------------------------------- calls

    /**
     * Runs a call, on the thread held in the callback the call was made from when there is one, or
     * else on the calling (gRPC) thread, and replies.
     */
    void invoke(Call call, ServerCallStreamObserver<CallReply> out) {
        if (lost || ended) {
            out.onError(WireError.notFound("session " + id + " has ended").toGrpc());
            return;
        }
        Execution ex = new Execution(call, out);
        out.setOnCancelHandler(ex::cancelled);
        long within = call.getWithinCallback();
        if (within != 0) {
            Mailbox box = held.get(within);
            if (box != null && box.offer(ex)) {
                return;
            }
        }
        ex.run();
    }

    /** One call's run; a cancelled call (the client's bound ran out) interrupts the provider, as in-process. */
    private final class Execution implements Runnable {
        private final Call call;
        private final ServerCallStreamObserver<CallReply> out;
        /** Whether quiescence waits for it: every call but an AwaitQuiescence. */
        private final boolean counted;
        private Thread runner;
        private boolean finished;

        Execution(Call call, ServerCallStreamObserver<CallReply> out) {
            this.call = call;
            this.out = out;
            this.counted = call.getOpCase() != Call.OpCase.AWAIT_QUIESCENCE;
        }

        synchronized void cancelled() {
            if (runner != null && !finished) {
                runner.interrupt();
            }
        }

        @Override
        public void run() {
            synchronized (this) {
                runner = Thread.currentThread();
            }
            ArrayDeque<Long> calls = runningCalls.get();
            calls.push(call.getCallId());
            if (counted) {
                synchronized (activity) {
                    generation++;
                    callsRunning++;
                }
            }
            long t0 = System.nanoTime();
            CallReply.Builder reply;
            try {
                reply = invocations.run(call);
            } catch (WireError e) {
                reply = null;
                finish(calls);
                log.info("session " + id + " call " + call.getCallId() + " " + call.getOpCase() + " refused: "
                        + e.getMessage());
                out.onError(e.toGrpc());
                return;
            } catch (RuntimeException | Error e) {
                reply = CallReply.newBuilder().setProviderThrew(error(e));
            }
            long t1 = System.nanoTime();
            finish(calls);
            reply.setCallId(call.getCallId()).setAgentStartedNanos(t0).setAgentReturnedNanos(t1)
                    .setCallbacksBeforeReturn(seq.get());
            if (log.debugEnabled()) {
                log.debug("session " + id + " call " + call.getCallId() + " " + call.getOpCase() + " -> "
                        + Invocations.summary(reply) + " in " + (t1 - t0) / 1000 + " us");
            }
            try {
                out.onNext(reply.build());
                out.onCompleted();
            } catch (RuntimeException e) {
                log.info("session " + id + " call " + call.getCallId() + ": the reply could not be sent: " + e);
            }
        }

        private void finish(ArrayDeque<Long> calls) {
            calls.pop();
            if (counted) {
                synchronized (activity) {
                    callsRunning--;
                    activity.notifyAll();
                }
            }
            synchronized (this) {
                finished = true;
            }
            // A cancellation's interrupt belongs to this call only, not to whatever the thread does next.
            Thread.interrupted();
        }
    }

    static ProviderError error(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        String trace = w.toString();
        return ProviderError.newBuilder().setType(e.getClass().getName())
                .setMessage(String.valueOf(e.getMessage())).setTrace(trace.length() > 8000 ? trace.substring(0, 8000) : trace)
                .build();
    }

    // ------------------------------------------------------------------------- contexts and callbacks

    /** The provider-side object for a client context id; null for 0. */
    Object context(ContextArg c) {
        return c.getId() == 0 ? null : contexts.computeIfAbsent(c.getId(), WireContext::new);
    }

    ContextEcho echo(Object ctx) {
        if (ctx == null) {
            return ContextEcho.getDefaultInstance();
        }
        if (ctx instanceof WireContext w && contexts.get(w.id) == w) {
            return ContextEcho.newBuilder().setId(w.id).build();
        }
        return ContextEcho.newBuilder().setForeign(true).setForeignText(String.valueOf(ctx)).build();
    }

    ObjectRef ref(Object o) {
        if (o == null) {
            return ObjectRef.getDefaultInstance();
        }
        NdkObjectType t = o instanceof NdkObject n ? n.type() : o instanceof NdkAdapter ? NdkObjectType.ADAPTER : null;
        return ObjectRef.newBuilder().setHandle(handles.handle(o)).setType(WireValues.objectType(t)).build();
    }

    private <T> T callback(long cbId, Class<T> kind, Supplier<T> make) {
        if (cbId == 0) {
            return null;
        }
        Object cb = callbacks.computeIfAbsent(cbId, k -> make.get());
        if (!kind.isInstance(cb)) {
            throw WireError.invalid("callback id " + cbId + " was given before as a " + callbackKind(cb) + ", now as a "
                    + kind.getSimpleName());
        }
        return kind.cast(cb);
    }

    private static String callbackKind(Object cb) {
        for (Class<?> k : List.of(RequestCompletion.class, CreateCompletion.class, CloseCompletion.class,
                ConnectEventCallback.class, DisconnectEventCallback.class)) {
            if (k.isInstance(cb)) {
                return k.getSimpleName();
            }
        }
        return cb.getClass().getSimpleName();
    }

    private static int code(NtStatus s) {
        if (s == null) {
            throw new NullPointerException("the provider passed a null status to a completion (an NTSTATUS is a value)");
        }
        return s.code();
    }

    RequestCompletion requestCompletion(long cbId) {
        return callback(cbId, RequestCompletion.class, () -> (ctx, status) -> {
            int code = code(status);
            fire(b -> b.setRequestCompleted(RequestCompleted.newBuilder().setCompletion(cbId).setContext(echo(ctx))
                    .setNtstatus(code)));
        });
    }

    @SuppressWarnings("unchecked")
    <T extends NdkObject> CreateCompletion<T> createCompletion(long cbId) {
        return callback(cbId, CreateCompletion.class, () -> (CreateCompletion<T>) (ctx, status, object) -> {
            int code = code(status);
            fire(b -> b.setCreateCompleted(CreateCompleted.newBuilder().setCompletion(cbId).setContext(echo(ctx))
                    .setNtstatus(code).setObject(ref(object))));
        });
    }

    CloseCompletion closeCompletion(long cbId) {
        return callback(cbId, CloseCompletion.class, () -> ctx -> fire(b -> b.setCloseCompleted(
                CloseCompleted.newBuilder().setCompletion(cbId).setContext(echo(ctx)))));
    }

    ConnectEventCallback connectEvent(long cbId) {
        return callback(cbId, ConnectEventCallback.class, () -> (ctx, connector) -> fire(b -> b.setConnectEvent(
                ConnectEvent.newBuilder().setCallback(cbId).setContext(echo(ctx)).setConnector(ref(connector)))));
    }

    DisconnectEventCallback disconnectEvent(long cbId) {
        return callback(cbId, DisconnectEventCallback.class, () -> ctx -> fire(b -> b.setDisconnectEvent(
                DisconnectEvent.newBuilder().setCallback(cbId).setContext(echo(ctx)))));
    }
}
