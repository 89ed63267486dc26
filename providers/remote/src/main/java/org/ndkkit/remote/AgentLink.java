package org.ndkkit.remote;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ProviderCrashedException;
import org.ndkkit.spi.ProviderUnreachableException;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.TestbedNotImplementedException;
import org.ndkkit.spi.TestbedUnavailableException;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Callback;
import org.ndkkit.wire.v1.CallbackReturn;
import org.ndkkit.wire.v1.ContextArg;
import org.ndkkit.wire.v1.ContextEcho;
import org.ndkkit.wire.v1.GoodbyeRequest;
import org.ndkkit.wire.v1.HelloReply;
import org.ndkkit.wire.v1.HelloRequest;
import org.ndkkit.wire.v1.NdkAgentGrpc;
import org.ndkkit.wire.v1.ObjectArg;
import org.ndkkit.wire.v1.ObjectRef;
import org.ndkkit.wire.v1.OpenTestbed;
import org.ndkkit.wire.v1.SessionEndReply;
import org.ndkkit.wire.v1.SessionEndRequest;
import org.ndkkit.wire.v1.SessionState;

/**
 * The kit's connection to one agent: the handshake, one testbed session, its calls and its
 * callback stream.
 *
 * <p>A call waits for its reply on the calling thread. Callbacks the agent marks as made inside
 * that call arrive on the same wait and run there, before the call returns, as they would
 * in-process; other callbacks run on a thread of their own each (a provider may call back on many
 * threads at once). Before a call's result goes back to the kit, every callback the agent had
 * observed by the time the call returned has been handed over ({@link DeliveryClock}). A handler
 * that calls the provider marks its calls with its callback, and the agent runs them on the
 * provider thread that is waiting in that callback.
 *
 * <p>Contexts and callbacks never cross the wire as pointers: each distinct object gets an id here,
 * and comes back as the same object.
 *
 * <p>When the connection breaks during the session, the call that observes it asks the agent
 * (ndk.wire.v1.3, {@code SessionEnd}) how the session ended, once for the link: a supervised agent
 * is asked until it answers again (it is starting a new worker), bounded by {@code crash-check-ms}.
 * If the provider crashed the worker, that call and every later one throw
 * {@link ProviderCrashedException} with the agent's words; otherwise they throw
 * {@link ProviderUnreachableException} as before.
 */
final class AgentLink implements AutoCloseable {
    /** What a waiting call can receive besides its reply. */
    private record Failure(Throwable error) {
    }

    private record Handling(AgentLink link, long seq) {
    }

    private static final ThreadLocal<ArrayDeque<Handling>> HANDLING = ThreadLocal.withInitial(ArrayDeque::new);
    private static final AtomicLong THREADS = new AtomicLong();

    final String target;
    private final RemoteSettings settings;
    private final ManagedChannel channel;
    private final NdkAgentGrpc.NdkAgentStub async;
    private final NdkAgentGrpc.NdkAgentBlockingStub blocking;
    private final ExecutorService dispatch;

    private HelloReply hello;
    private long session;
    private final AtomicLong callIds = new AtomicLong();
    private final Map<Long, BlockingQueue<Object>> waiting = new ConcurrentHashMap<>();
    private final DeliveryClock clock = new DeliveryClock();
    private volatile ProviderUnreachableException lost;
    private volatile boolean closing;
    /** The kit ended the agent on purpose (the link control killed it): no crash to ask about. */
    private volatile boolean killed;
    private final Object crashCheckLock = new Object();
    private boolean crashChecked;
    private ProviderCrashedException crashed;
    /** The agent refused an AwaitQuiescence as a call it does not know: it is not asked again. */
    private volatile boolean quiescenceRefused;
    private final Object acksLock = new Object();
    private StreamObserver<CallbackReturn> acks;
    private boolean closed;

    private final Object ids = new Object();
    private final Map<Object, Long> contextIds = new IdentityHashMap<>();
    private final Map<Long, Object> contexts = new ConcurrentHashMap<>();
    private final Map<Object, Long> callbackIds = new IdentityHashMap<>();
    private final Map<Long, Object> callbacks = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, Object> proxies = new ConcurrentHashMap<>();

    AgentLink(String target, RemoteSettings settings) {
        this.target = target;
        this.settings = settings;
        // Replies and callbacks are only queued or handed to a thread here, never block: no executor hop.
        this.channel = NettyChannelBuilder.forTarget(target).usePlaintext().directExecutor()
                .maxInboundMessageSize(4 << 20).build();
        this.async = NdkAgentGrpc.newStub(channel);
        this.blocking = NdkAgentGrpc.newBlockingStub(channel);
        this.dispatch = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ndk-remote-callback-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    // ------------------------------------------------------------------------- handshake

    /** Hello with a testbed: opens the session and its callback stream. */
    HelloReply open(OpenTestbed open) throws TestbedUnavailableException {
        HelloReply r = hello(helloRequest().setOpen(open).build(), settings.openTimeoutMs());
        switch (r.getTestbedResultCase()) {
            case TESTBED -> {
            }
            case TESTBED_UNAVAILABLE -> throw new TestbedUnavailableException("the agent at " + target + " ("
                    + r.getProvider().getName() + "): " + r.getTestbedUnavailable());
            case TESTBED_NOT_IMPLEMENTED -> throw new TestbedNotImplementedException("the agent at " + target + " ("
                    + r.getProvider().getName() + "): " + r.getTestbedNotImplemented());
            case OPEN_THREW -> throw new IllegalStateException("the provider " + r.getProvider().getName()
                    + " behind the agent at " + target + " threw " + r.getOpenThrew().getType() + ": "
                    + r.getOpenThrew().getMessage());
            default -> throw new TestbedUnavailableException("the agent at " + target + " opened no testbed");
        }
        hello = r;
        session = r.getTestbed().getSession();
        StreamObserver<CallbackReturn> out = async.callbacks(new StreamObserver<>() {
            @Override
            public void onNext(Callback cb) {
                route(cb);
            }

            @Override
            public void onError(Throwable t) {
                lose(false, "the callback stream of the agent at " + target + " broke: " + describe(t), t);
            }

            @Override
            public void onCompleted() {
                if (!closing) {
                    lose(false, "the agent at " + target + " ended session " + session, null);
                }
            }
        });
        synchronized (acksLock) {
            acks = out;
            // the first message attaches the stream to the session
            acks.onNext(CallbackReturn.newBuilder().setSession(session).setSeq(0).build());
        }
        return r;
    }

    private static HelloRequest.Builder helloRequest() {
        return HelloRequest.newBuilder().setWireVersion(WireValues.version()).setClient(RemoteProvider.CLIENT);
    }

    private HelloReply hello(HelloRequest req, long timeoutMs) throws TestbedUnavailableException {
        HelloReply r;
        try {
            r = blocking.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS).hello(req);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            String why = switch (code) {
                case UNAVAILABLE -> "cannot reach the agent at " + target + ": " + describe(e);
                case DEADLINE_EXCEEDED -> "the agent at " + target + " did not answer hello within " + timeoutMs + " ms"
                        + (req.hasOpen() ? " (opening the testbed; -s " + RemoteSettings.OPEN_TIMEOUT + "=MS gives it longer)" : "");
                case UNIMPLEMENTED -> "the server at " + target + " does not speak " + WireValues.text(WireValues.version())
                        + " (" + describe(e) + ")";
                default -> "the agent at " + target + " refused hello: " + describe(e);
            };
            throw new TestbedUnavailableException(why, e);
        }
        if (r.getWireVersion().getMajor() != WireValues.MAJOR) {
            throw new TestbedUnavailableException("the agent at " + target + " speaks " + WireValues.text(r.getWireVersion())
                    + ", this kit " + WireValues.text(WireValues.version()));
        }
        return r;
    }

    HelloReply helloReply() {
        return hello;
    }

    // ------------------------------------------------------------------------- calls

    /**
     * Makes one call and waits for its reply, running the callbacks made inside it.
     *
     * @throws ProviderUnreachableException when the agent is gone or stops answering
     * @throws RemoteProviderException      when the provider threw
     */
    CallReply invoke(Call.Builder b) {
        ProviderUnreachableException gone = lost;
        if (gone != null) {
            throw again(settle(gone));
        }
        long id = callIds.incrementAndGet();
        BlockingQueue<Object> box = new LinkedBlockingQueue<>();
        waiting.put(id, box);
        long within = withinCallback();
        Call call = b.setSession(session).setCallId(id).setWithinCallback(within).build();
        Context.CancellableContext rpc = Context.current().withCancellation();
        try {
            rpc.run(() -> async.withDeadlineAfter(settings.rpcTimeoutMs(), TimeUnit.MILLISECONDS).invoke(call,
                    replyInto(box)));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.rpcTimeoutMs() + 1000);
            while (true) {
                Object o;
                try {
                    o = box.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    rpc.cancel(null);
                    throw interrupted(call);
                }
                if (o == null) {
                    throw silent(call, null);
                }
                if (o instanceof Callback cb) {
                    handle(cb);
                } else if (o instanceof Failure f) {
                    throw failure(call, f.error());
                } else {
                    CallReply r = (CallReply) o;
                    awaitCallbacks(r, call);
                    if (r.hasProviderThrew()) {
                        throw new RemoteProviderException(r.getProviderThrew());
                    }
                    return r;
                }
            }
        } finally {
            // In-call callbacks that arrived but were not run here (the call failed, timed out or
            // was interrupted first) still reach the kit's handlers, each on a thread of its own:
            // the provider's thread is held in each until the agent hears that its handler returned.
            for (Object o : waiting.remove(id)) {
                if (o instanceof Callback cb) {
                    dispatch(cb);
                }
            }
        }
    }

    private void awaitCallbacks(CallReply r, Call call) {
        try {
            if (!clock.awaitStarted(r.getCallbacksBeforeReturn(), TimeUnit.MILLISECONDS.toNanos(settings.rpcTimeoutMs()))) {
                ProviderUnreachableException gone = lost;
                ProviderUnreachableException e = new ProviderUnreachableException("call " + call.getCallId() + " ("
                        + call.getOpCase() + ") returned after callback " + r.getCallbacksBeforeReturn()
                        + ", which never arrived from the agent at " + target + (gone != null ? " (" + gone.getMessage() + ")" : ""),
                        gone == null, gone);
                throw gone != null ? again(settle(e)) : e;
            }
        } catch (InterruptedException e) {
            throw interrupted(call);
        }
    }

    /**
     * The kit's bound on the call ran out and it interrupted this thread. If the agent still
     * answers, the provider is what blocks: the kit reports that. If not, the agent is what hangs.
     */
    private RuntimeException interrupted(Call call) {
        Thread.interrupted();
        boolean alive = answersHello();
        Thread.currentThread().interrupt();
        if (!alive) {
            String why = "the agent at " + target + " stopped answering (call " + call.getCallId() + ", "
                    + call.getOpCase() + ", and a hello after it)";
            lose(true, why, null);
            return new ProviderUnreachableException(why, true, null);
        }
        return new IllegalStateException("interrupted while the provider behind the agent at " + target + " ran call "
                + call.getCallId() + " (" + call.getOpCase() + ")");
    }

    /** A liveness check: does the agent still answer a hello (within min(2 s, hello-timeout-ms))? */
    private boolean answersHello() {
        try {
            blocking.withDeadlineAfter(Math.min(2000, settings.helloTimeoutMs()), TimeUnit.MILLISECONDS)
                    .hello(helloRequest().build());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /**
     * A call got no reply within its bound. When the agent does not answer a hello either, it has
     * stopped answering: the link is lost, so later calls fail at once instead of each waiting out
     * its bound.
     */
    private ProviderUnreachableException silent(Call call, Throwable cause) {
        String why = "the agent at " + target + " did not answer call " + call.getCallId() + " (" + call.getOpCase()
                + ") within " + settings.rpcTimeoutMs() + " ms";
        if (!answersHello()) {
            why += ", nor a hello after it";
            lose(true, why, cause);
        }
        return new ProviderUnreachableException(why, true, cause);
    }

    private RuntimeException failure(Call call, Throwable t) {
        Status s = Status.fromThrowable(t);
        String what = "call " + call.getCallId() + " (" + call.getOpCase() + ")";
        return switch (s.getCode()) {
            case UNAVAILABLE, CANCELLED -> {
                ProviderUnreachableException gone = lost;
                yield again(settle(gone != null ? new ProviderUnreachableException(gone.getMessage(), false, t)
                        : new ProviderUnreachableException("the agent at " + target + " went away during " + what + ": "
                        + describe(t), false, t)));
            }
            case DEADLINE_EXCEEDED -> silent(call, t);
            default -> new IllegalStateException("the agent at " + target + " refused " + what + ": " + describe(t), t);
        };
    }

    static String describe(Throwable t) {
        Status s = Status.fromThrowable(t);
        return s.getCode() + (s.getDescription() != null ? ": " + s.getDescription() : "");
    }

    /** The link is gone: every waiting call and every later one fails, naming the agent. */
    void lose(boolean timedOut, String why, Throwable cause) {
        if (lost != null || closing) {
            return;
        }
        lost = new ProviderUnreachableException(why, timedOut, cause);
        for (BlockingQueue<Object> box : waiting.values()) {
            box.add(new Failure(Status.UNAVAILABLE.withDescription(why).asRuntimeException()));
        }
    }

    /** The kit ended the agent on purpose: the link is gone, and there is no crash to ask about. */
    void kill(String why) {
        killed = true;
        lose(false, why, null);
    }

    // ------------------------------------------------------------------------- quiescence

    /** How much longer than the wait it asked for the client waits for an AwaitQuiescence's reply. */
    static final long QUIESCENCE_REPLY_SLACK_MS = 1000;

    /** Whether the agent said, at Hello, a wire version that has AwaitQuiescence (v1.4). */
    boolean hasQuiescence() {
        return hello != null && hello.getWireVersion().getMinor() >= 4 && !quiescenceRefused;
    }

    /**
     * {@code Testbed.awaitQuiescence} of the agent's provider (wire v1.4), waiting at most
     * {@code maxMs} (capped at {@link WireValues#MAX_QUIESCENCE_WAIT_MS}). Never throws and never
     * answers QUIET unless the agent did, for this session, in time: an agent before v1.4, a lost
     * or closing link, an error, no reply within {@code maxMs} plus {@link #QUIESCENCE_REPLY_SLACK_MS}
     * (the call is then cancelled), an interrupt or an unexpected reply are all UNKNOWN. Unlike
     * {@link #invoke}, a failure here neither asks how the session ended nor checks that the agent
     * is alive: the bound the kit puts on this question is short, and the kit's next call finds out.
     */
    org.ndkkit.spi.Quiescence awaitQuiescence(long maxMs) {
        if (!hasQuiescence() || lost != null || closing) {
            return org.ndkkit.spi.Quiescence.UNKNOWN;
        }
        long wait = Math.max(0, Math.min(maxMs, WireValues.MAX_QUIESCENCE_WAIT_MS));
        long within = withinCallback();
        Call call = Call.newBuilder().setSession(session).setCallId(callIds.incrementAndGet()).setWithinCallback(within)
                .setAwaitQuiescence(org.ndkkit.wire.v1.AwaitQuiescence.newBuilder().setTimeoutMs((int) wait)).build();
        BlockingQueue<Object> box = new LinkedBlockingQueue<>();
        long bound = wait + Math.min(QUIESCENCE_REPLY_SLACK_MS, settings.rpcTimeoutMs());
        Context.CancellableContext rpc = Context.current().withCancellation();
        try {
            rpc.run(() -> async.withDeadlineAfter(bound, TimeUnit.MILLISECONDS).invoke(call, replyInto(box)));
            Object o = box.poll(bound + 100, TimeUnit.MILLISECONDS);
            if (o instanceof CallReply r) {
                if (r.getResultCase() != CallReply.ResultCase.QUIESCENCE) {
                    System.err.println("ndk-remote: the agent at " + target + " answered AwaitQuiescence with "
                            + r.getResultCase() + (r.hasProviderThrew() ? " (" + r.getProviderThrew().getType() + ": "
                            + r.getProviderThrew().getMessage() + ")" : "") + ": taken as UNKNOWN");
                    return org.ndkkit.spi.Quiescence.UNKNOWN;
                }
                org.ndkkit.spi.Quiescence q = WireValues.quiescence(r.getQuiescence());
                // The agent's QUIET says every callback it sent has come back with its CallbackReturn,
                // so each has been handed over here; if not, something is off: no QUIET on it.
                if (q == org.ndkkit.spi.Quiescence.QUIET && clock.contiguous() < r.getCallbacksBeforeReturn()) {
                    return org.ndkkit.spi.Quiescence.UNKNOWN;
                }
                return q;
            }
            Status.Code code = o instanceof Failure f ? Status.fromThrowable(f.error()).getCode() : Status.Code.DEADLINE_EXCEEDED;
            if (code == Status.Code.UNIMPLEMENTED) {
                quiescenceRefused = true;
            }
            if (lost == null && !closing) {
                System.err.println("ndk-remote: " + (code == Status.Code.DEADLINE_EXCEEDED
                        ? "the agent at " + target + " did not answer AwaitQuiescence(" + wait + " ms) within " + bound + " ms"
                        : "the agent at " + target + " refused AwaitQuiescence: " + describe(((Failure) o).error())
                        + (quiescenceRefused ? " (not asked again)" : "")) + "; taken as UNKNOWN");
            }
            return org.ndkkit.spi.Quiescence.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return org.ndkkit.spi.Quiescence.UNKNOWN;
        } catch (RuntimeException e) {
            System.err.println("ndk-remote: AwaitQuiescence to the agent at " + target + " failed: " + e
                    + ": taken as UNKNOWN");
            return org.ndkkit.spi.Quiescence.UNKNOWN;
        } finally {
            rpc.cancel(null); // a reply not waited for any longer: the agent interrupts its wait
        }
    }

    // ------------------------------------------------------------------------- a provider that crashed

    /** A fresh exception for this call (its own stack), of the same kind as {@code e}. */
    private static ProviderUnreachableException again(ProviderUnreachableException e) {
        if (e instanceof ProviderCrashedException c) {
            return new ProviderCrashedException(c.getMessage(), c.detail(), c.callId(), c.operation(), c);
        }
        return new ProviderUnreachableException(e.getMessage(), e.timedOut(), e);
    }

    /**
     * The error for a call that observed the connection's loss: {@code e}, or the provider's crash
     * when the agent says so. The agent is asked once per link (later calls get the same answer),
     * and only when the connection broke: not for a silent agent (that is a timeout), not for one
     * the kit killed, not when the kit is closing, and not for an agent before v1.3.
     */
    private ProviderUnreachableException settle(ProviderUnreachableException e) {
        if (e.timedOut() || killed || closing || hello == null || hello.getWireVersion().getMinor() < 3) {
            return e;
        }
        ProviderCrashedException c;
        synchronized (crashCheckLock) {
            if (!crashChecked) {
                crashChecked = true;
                crashed = askSessionEnd(e);
                if (crashed != null) {
                    ProviderUnreachableException was = lost;
                    lost = crashed;
                    if (was == null) {
                        for (BlockingQueue<Object> box : waiting.values()) {
                            box.add(new Failure(Status.UNAVAILABLE.withDescription(crashed.getMessage()).asRuntimeException()));
                        }
                    }
                    System.err.println("ndk-remote: " + crashed.getMessage());
                }
            }
            c = crashed;
        }
        return c != null ? c : e;
    }

    /**
     * {@code SessionEnd} for this link's session: the provider's crash when the agent answers
     * CRASHED, else null (any other state, no answer, or an agent that does not know the call).
     * A supervised agent that does not answer yet is asked again every 200 ms (it is starting a
     * new worker on the same address) until {@code crash-check-ms} runs out; any other agent once.
     * An interrupt of this thread (the kit's bound on the call) does not cut the question short: it
     * is bounded anyway, and the thread is interrupted again when it is answered.
     */
    private ProviderCrashedException askSessionEnd(ProviderUnreachableException cause) {
        boolean supervised = hello.getSupervised();
        long bound = supervised ? settings.crashCheckMs() : Math.min(2000, settings.crashCheckMs());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(bound);
        SessionEndRequest req = SessionEndRequest.newBuilder().setSession(session).build();
        boolean interrupted = Thread.interrupted();
        String last = "no answer";
        try {
            while (true) {
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                try {
                    channel.resetConnectBackoff();
                    NdkAgentGrpc.NdkAgentBlockingStub stub = blocking.withDeadlineAfter(
                            Math.max(50, Math.min(1000, leftMs)), TimeUnit.MILLISECONDS);
                    SessionEndReply r = (supervised ? stub.withWaitForReady() : stub).sessionEnd(req);
                    if (r.getState() != SessionState.SESSION_STATE_CRASHED) {
                        System.err.println("ndk-remote: the agent at " + target + " says session " + session + " is "
                                + r.getState() + (r.getDetail().isEmpty() ? "" : " (" + r.getDetail() + ")")
                                + ": not a provider crash");
                        return null;
                    }
                    String detail = r.getDetail().isEmpty() ? "session " + session + " crashed" : r.getDetail();
                    return new ProviderCrashedException(detail + ", as the agent at " + target + " reports", detail,
                            r.getCallId(), r.getOperation(), cause);
                } catch (StatusRuntimeException e) {
                    Status.Code code = e.getStatus().getCode();
                    if (Thread.interrupted()) {
                        interrupted = true; // the stub gave up because of it: ask again
                    } else if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
                        return null; // UNIMPLEMENTED (an agent before v1.3) or a refusal: nothing to learn
                    }
                    last = describe(e);
                }
                if (!supervised || System.nanoTime() >= deadline) {
                    System.err.println("ndk-remote: the agent at " + target + " did not say how session " + session
                            + " ended within " + bound + " ms (" + last + ")");
                    return null;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------- callbacks

    private void route(Callback cb) {
        if (cb.getInCall() != 0) {
            // Atomic with the call's end (invoke's finally): a callback is either in a box its call
            // still drains, or handed to a thread of its own; never dropped in between.
            boolean[] queued = {false};
            waiting.computeIfPresent(cb.getInCall(), (k, box) -> {
                box.add(cb);
                queued[0] = true;
                return box;
            });
            if (queued[0]) {
                return;
            }
        }
        dispatch(cb);
    }

    private void dispatch(Callback cb) {
        try {
            dispatch.execute(() -> handle(cb));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the link is closing
        }
    }

    /** The seq of this link's callback whose handler runs on this thread (the call is made from inside it), else 0. */
    private long withinCallback() {
        ArrayDeque<Handling> h = HANDLING.get();
        return !h.isEmpty() && h.peek().link() == this ? h.peek().seq() : 0;
    }

    /** An Invoke's observer: its reply, or the RPC's failure, into {@code box}. */
    private static StreamObserver<CallReply> replyInto(BlockingQueue<Object> box) {
        return new StreamObserver<>() {
            @Override
            public void onNext(CallReply r) {
                box.add(r);
            }

            @Override
            public void onError(Throwable t) {
                box.add(new Failure(t));
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    /** Runs the kit's handler for one callback on this thread, then lets the agent's callback return. */
    private void handle(Callback cb) {
        clock.started(cb.getSeq());
        ArrayDeque<Handling> h = HANDLING.get();
        h.push(new Handling(this, cb.getSeq()));
        try {
            deliver(cb);
        } catch (RuntimeException | AssertionError e) {
            // In-process this would unwind into the provider's callback; here it ends at the wire.
            System.err.println("ndk-remote: the kit's handler for callback " + cb.getSeq() + " (" + cb.getEventCase()
                    + ") threw " + e);
        } finally {
            h.pop();
            returned(cb.getSeq());
        }
    }

    /** Tells the agent, on the callback stream, that the handler for callback {@code seq} returned. */
    private void returned(long seq) {
        if (lost != null) {
            return;
        }
        // A message on a stream never blocks and is not cancelled by an interrupt of this thread.
        synchronized (acksLock) {
            try {
                acks.onNext(CallbackReturn.newBuilder().setSession(session).setSeq(seq).build());
            } catch (RuntimeException e) {
                if (!closing) {
                    System.err.println("ndk-remote: telling the agent at " + target + " that callback " + seq
                            + " returned failed: " + e);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void deliver(Callback cb) {
        switch (cb.getEventCase()) {
            case REQUEST_COMPLETED -> {
                var e = cb.getRequestCompleted();
                RequestCompletion c = callback(e.getCompletion(), RequestCompletion.class, cb);
                c.completed(context(e.getContext()), NtStatus.of(e.getNtstatus()));
            }
            case CREATE_COMPLETED -> {
                var e = cb.getCreateCompleted();
                CreateCompletion<NdkObject> c = callback(e.getCompletion(), CreateCompletion.class, cb);
                c.created(context(e.getContext()), NtStatus.of(e.getNtstatus()), (NdkObject) proxy(e.getObject()));
            }
            case CLOSE_COMPLETED -> {
                var e = cb.getCloseCompleted();
                callback(e.getCompletion(), CloseCompletion.class, cb).closed(context(e.getContext()));
            }
            case CONNECT_EVENT -> {
                var e = cb.getConnectEvent();
                callback(e.getCallback(), ConnectEventCallback.class, cb).connectRequest(context(e.getContext()),
                        (NdkConnector) proxy(e.getConnector()));
            }
            case DISCONNECT_EVENT -> {
                var e = cb.getDisconnectEvent();
                callback(e.getCallback(), DisconnectEventCallback.class, cb).peerDisconnected(context(e.getContext()));
            }
            default -> throw new IllegalStateException("callback " + cb.getSeq() + " from the agent at " + target
                    + " carries no event this kit knows");
        }
    }

    private <T> T callback(long id, Class<T> kind, Callback cb) {
        Object o = callbacks.get(id);
        if (!kind.isInstance(o)) {
            throw new IllegalStateException("callback " + cb.getSeq() + " from the agent at " + target + " names "
                    + kind.getSimpleName() + " id " + id + ", which this kit never gave as one");
        }
        return kind.cast(o);
    }

    // ------------------------------------------------------------------------- ids and handles

    /** The wire id of a context object (0 for null); the same object always gets the same id. */
    ContextArg context(Object ctx) {
        return ContextArg.newBuilder().setId(id(ctx, contextIds, contexts)).build();
    }

    /** The wire id of a callback object (0 for null). */
    long callbackId(Object cb) {
        return id(cb, callbackIds, callbacks);
    }

    private long id(Object o, Map<Object, Long> byObject, Map<Long, Object> byId) {
        if (o == null) {
            return 0;
        }
        synchronized (ids) {
            Long id = byObject.get(o);
            if (id == null) {
                id = nextId.incrementAndGet();
                byObject.put(o, id);
                byId.put(id, o);
            }
            return id;
        }
    }

    /** The kit's object for a context the provider passed back. */
    private Object context(ContextEcho e) {
        if (e.getForeign()) {
            String text = e.getForeignText();
            return new Object() {
                @Override
                public String toString() {
                    return "a context the provider was never given (" + text + ")";
                }
            };
        }
        if (e.getId() == 0) {
            return null;
        }
        Object o = contexts.get(e.getId());
        long id = e.getId();
        return o != null ? o : new Object() {
            @Override
            public String toString() {
                return "an unknown context id " + id;
            }
        };
    }

    /** An object argument: this link's handle, null, or foreign (anything this link did not hand out). */
    ObjectArg arg(Object o) {
        if (o == null) {
            return ObjectArg.getDefaultInstance();
        }
        if (o instanceof RemoteHandle r && r.link() == this) {
            return ObjectArg.newBuilder().setHandle(r.handle()).build();
        }
        return ObjectArg.newBuilder().setForeign(true).build();
    }

    /** The kit-side object for a handle: one proxy per handle, so identities are the provider's. */
    Object proxy(ObjectRef ref) {
        if (ref.getHandle() == 0) {
            return null;
        }
        return proxies.computeIfAbsent(ref.getHandle(), h -> RemoteObjects.make(this, ref));
    }

    // ------------------------------------------------------------------------- end

    /** Goodbye (the agent closes the testbed), then the channel; bounded. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (hello != null && lost == null) {
            closing = true;
            try {
                blocking.withDeadlineAfter(settings.rpcTimeoutMs() + 30_000, TimeUnit.MILLISECONDS)
                        .goodbye(GoodbyeRequest.newBuilder().setSession(session).build());
            } catch (StatusRuntimeException e) {
                System.err.println("ndk-remote: goodbye to the agent at " + target + " failed: " + describe(e));
            }
        }
        closing = true;
        synchronized (acksLock) {
            if (acks != null) {
                try {
                    acks.onCompleted();
                } catch (RuntimeException ignored) {
                    // the stream is gone already
                }
            }
        }
        dispatch.shutdown();
        if (lost != null) {
            // nothing more is coming from a lost agent: cancel the stream and any hung call now
            channel.shutdownNow();
        } else {
            channel.shutdown();
        }
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }
}
