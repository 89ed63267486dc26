package org.ndkkit.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Providers;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.AwaitQuiescence;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Callback;
import org.ndkkit.wire.v1.CallbackReturn;
import org.ndkkit.wire.v1.ContextArg;
import org.ndkkit.wire.v1.CreateConnector;
import org.ndkkit.wire.v1.CreatePd;
import org.ndkkit.wire.v1.CreateQp;
import org.ndkkit.wire.v1.ExhaustEphemeralPorts;
import org.ndkkit.wire.v1.GoodbyeRequest;
import org.ndkkit.wire.v1.HelloReply;
import org.ndkkit.wire.v1.HelloRequest;
import org.ndkkit.wire.v1.NdkAgentGrpc;
import org.ndkkit.wire.v1.ObjectArg;
import org.ndkkit.wire.v1.OpenTestbed;
import org.ndkkit.wire.v1.QpParameters;
import org.ndkkit.wire.v1.QueryAdapterInfo;
import org.ndkkit.wire.v1.Quiescence;
import org.ndkkit.wire.v1.Reject;
import org.ndkkit.wire.v1.WireVersion;

/**
 * ndk.wire.v1's own failure modes, seen from a client that speaks the protocol by hand: every
 * malformed or out-of-order message gets the gRPC error the contract names (and a message that
 * names what was wrong), a message that is well formed but wrong for the provider reaches the
 * provider and gets its NTSTATUS, and after each the agent goes on serving the open session. On the
 * bidirectional Callbacks stream, a message that cannot be right (an attach that is not one, a
 * callback the agent never sent, another session's id) ends the stream and the session, and the
 * agent then serves the next client; a repeated or late return is only logged.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AgentWireErrorsTest {
    private static final long WAIT_S = 5;

    private AgentServer agent;
    private ManagedChannel channel;
    private NdkAgentGrpc.NdkAgentStub async;
    private final AtomicLong callIds = new AtomicLong();
    /** The agent's log (it writes to the standard error it finds when it starts), still shown as well. */
    private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void start() throws IOException {
        originalErr = System.err;
        System.setErr(new PrintStream(new Tee(originalErr, agentLog), true, StandardCharsets.UTF_8));
        agent = AgentServer.start(Providers.byName("simulated"), Map.of(), new InetSocketAddress("127.0.0.1", 0), false);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();
        async = NdkAgentGrpc.newStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            channel.shutdownNow();
            channel.awaitTermination(WAIT_S, TimeUnit.SECONDS);
        } finally {
            try {
                agent.close();
            } finally {
                System.setErr(originalErr);
            }
        }
    }

    /** Writes to both: the real standard error and a copy the test reads. */
    private static final class Tee extends OutputStream {
        private final OutputStream shown;
        private final OutputStream kept;

        Tee(OutputStream shown, OutputStream kept) {
            this.shown = shown;
            this.kept = kept;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            shown.write(b);
            kept.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            shown.write(b, off, len);
            kept.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            shown.flush();
        }
    }

    private String agentLog() {
        return agentLog.toString(StandardCharsets.UTF_8);
    }

    /**
     * For each callback of {@code session}, how many times the agent logged a return for it that
     * it ignored (the callback was no longer waiting); waits (bounded) until there are {@code atLeast}.
     */
    private Map<Long, Integer> ignoredReturns(long session, int atLeast) throws InterruptedException {
        Pattern p = Pattern.compile("session " + session + ": callback (\\d+) of session " + session
                + " is not waiting \\(it already returned or timed out\\); ignored");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (true) {
            Map<Long, Integer> seen = new TreeMap<>();
            Matcher m = p.matcher(agentLog());
            int n = 0;
            while (m.find()) {
                seen.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
                n++;
            }
            if (n >= atLeast || System.nanoTime() > deadline) {
                return seen;
            }
            Thread.sleep(10);
        }
    }

    /** A blocking stub whose deadline starts now. */
    private NdkAgentGrpc.NdkAgentBlockingStub stub() {
        return NdkAgentGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_S, TimeUnit.SECONDS);
    }

    private static HelloRequest.Builder hello() {
        return HelloRequest.newBuilder().setWireVersion(WireValues.version()).setClient("AgentWireErrorsTest");
    }

    private HelloReply open(String completionPath) {
        return open(completionPath, 0);
    }

    /** A session whose callbacks the agent holds {@code callbackTimeoutMs} at most (0: its default). */
    private HelloReply open(String completionPath, long callbackTimeoutMs) {
        HelloReply r = stub().hello(hello().setOpen(OpenTestbed.newBuilder().setConnectTimeoutMs(2000)
                .setCallbackTimeoutMs(callbackTimeoutMs).putSettings("completion-path", completionPath)).build());
        assertThat(r.getTestbedResultCase()).isEqualTo(HelloReply.TestbedResultCase.TESTBED);
        return r;
    }

    private static long session(HelloReply r) {
        return r.getTestbed().getSession();
    }

    private static long adapter(HelloReply r) {
        return r.getTestbed().getLocal().getAdapter().getHandle();
    }

    private static ObjectArg arg(long handle) {
        return ObjectArg.newBuilder().setHandle(handle).build();
    }

    private Call.Builder call(long session) {
        return Call.newBuilder().setSession(session).setCallId(callIds.incrementAndGet());
    }

    private CallReply invoke(Call.Builder c) {
        return stub().invoke(c.build());
    }

    private static StatusRuntimeException grpcError(Runnable r) {
        try {
            r.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        return fail("expected a gRPC error, got a reply");
    }

    private static void expect(StatusRuntimeException e, Status.Code code, String... inMessage) {
        assertThat(e.getStatus().getCode()).as("status of %s", e).isEqualTo(code);
        for (String s : inMessage) {
            assertThat(e.getStatus().getDescription()).as("description").contains(s);
        }
    }

    /** The agent still serves the session: a valid call gets the adapter's info. */
    private void stillServes(HelloReply r) {
        CallReply reply = invoke(call(session(r)).setQueryAdapterInfo(QueryAdapterInfo.newBuilder().setAdapter(
                arg(adapter(r)))));
        assertThat(reply.getResultCase()).isEqualTo(CallReply.ResultCase.ADAPTER_INFO);
        assertThat(reply.getAdapterInfo()).isEqualTo(r.getTestbed().getLocal().getAdapterInfo());
        assertThat(reply.getAdapterInfo().getVendorId()).isEqualTo(0x1AB);
    }

    private long createPdInline(HelloReply r) {
        CallReply reply = invoke(call(session(r)).setCreatePd(CreatePd.newBuilder().setAdapter(arg(adapter(r)))
                .setCompletion(1)));
        assertThat(reply.getCreated().getNtstatus()).isEqualTo(NtStatus.SUCCESS.code());
        assertThat(reply.getCreated().getObject().getHandle()).isNotZero();
        return reply.getCreated().getObject().getHandle();
    }

    /**
     * One Callbacks stream as a client holds it: what the agent sent on it ({@link Callback}s, then
     * the Throwable it ended with or "completed") and the way to send CallbackReturns on it.
     */
    private static final class CallbackStream {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final ClientCallStreamObserver<CallbackReturn> out;

        CallbackStream(NdkAgentGrpc.NdkAgentStub stub) {
            out = (ClientCallStreamObserver<CallbackReturn>) stub.callbacks(new StreamObserver<>() {
                @Override
                public void onNext(Callback cb) {
                    received.add(cb);
                }

                @Override
                public void onError(Throwable t) {
                    received.add(t);
                }

                @Override
                public void onCompleted() {
                    received.add("completed");
                }
            });
        }

        /** Sends one CallbackReturn (a client's messages on a stream go one at a time). */
        synchronized void send(long session, long seq) {
            out.onNext(CallbackReturn.newBuilder().setSession(session).setSeq(seq).build());
        }

        synchronized void halfClose() {
            out.onCompleted();
        }

        synchronized void cancel() {
            out.cancel("the test's client goes away", null);
        }

        /**
         * How the agent ended the stream (OK: it completed it), waiting up to WAIT_S; what comes
         * next on it must be that end, not a callback.
         */
        Status end() throws InterruptedException {
            Object o = received.poll(WAIT_S, TimeUnit.SECONDS);
            if (o == null) {
                return fail("the agent did not end the callback stream within %d s", WAIT_S);
            }
            if (o instanceof Throwable t) {
                return Status.fromThrowable(t);
            }
            assertThat(o).as("the stream's end").isEqualTo("completed");
            return Status.OK;
        }

        /** Nothing more arrives on the stream (no callback, no end) for {@code ms}. */
        void quietFor(long ms) throws InterruptedException {
            assertThat(received.poll(ms, TimeUnit.MILLISECONDS)).as("nothing else on the stream").isNull();
        }
    }

    /** Opens a Callbacks stream and attaches it to {@code session} (its first message, seq 0). */
    private CallbackStream attach(long session) {
        CallbackStream s = new CallbackStream(async);
        s.send(session, 0);
        return s;
    }

    private static void expectEnd(CallbackStream s, Status.Code code, String... inMessage) throws InterruptedException {
        Status st = s.end();
        assertThat(st.getCode()).as("the stream's end: %s", st).isEqualTo(code);
        for (String m : inMessage) {
            assertThat(st.getDescription()).as("description").contains(m);
        }
    }

    private static Callback next(CallbackStream s) throws InterruptedException {
        Object o = s.received.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(o).as("a callback within %d s", WAIT_S).isInstanceOf(Callback.class);
        return (Callback) o;
    }

    /** Makes the provider call back once: a connector created on the pending path completes on its event thread. */
    private Callback oneCallback(HelloReply r, CallbackStream stream, long completionId) throws InterruptedException {
        CallReply c = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder().setAdapter(arg(adapter(r)))
                .setCompletion(completionId).setContext(ContextArg.newBuilder().setId(completionId + 1000))));
        assertThat(c.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
        Callback cb = next(stream);
        assertThat(cb.getSession()).isEqualTo(session(r));
        assertThat(cb.getCreateCompleted().getCompletion()).isEqualTo(completionId);
        assertThat(cb.getCreateCompleted().getContext().getId()).isEqualTo(completionId + 1000);
        return cb;
    }

    /** The client's handler for callback {@code seq} returned: said on the session's stream. */
    private static void returned(HelloReply r, CallbackStream stream, long seq) {
        stream.send(session(r), seq);
    }

    /**
     * Says that callback {@code cb} returned and shows that the agent let the provider's callback
     * return: the simulator makes its callbacks one at a time on its one event thread, so the next
     * one arrives only once that thread is out of {@code cb}.
     */
    private Callback returnedThenNext(HelloReply r, CallbackStream stream, Callback cb, long nextCompletion)
            throws InterruptedException {
        returned(r, stream, cb.getSeq());
        Callback after = oneCallback(r, stream, nextCompletion);
        assertThat(after.getSeq()).isEqualTo(cb.getSeq() + 1);
        return after;
    }

    /** The agent no longer has the session (bounded: it drops it just after it ends the stream). */
    private void awaitGone(HelloReply r) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (true) {
            try {
                invoke(call(session(r)).setQueryAdapterInfo(QueryAdapterInfo.newBuilder().setAdapter(arg(adapter(r)))));
            } catch (StatusRuntimeException e) {
                expect(e, Status.Code.NOT_FOUND, String.valueOf(session(r)));
                return;
            }
            assertThat(System.nanoTime()).as("session %d still served after its client was gone", session(r))
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Opens a session once the agent is free (bounded: it frees itself just after a client went). */
    private HelloReply openOnceFree(String completionPath) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (true) {
            try {
                return open(completionPath);
            } catch (StatusRuntimeException e) {
                expect(e, Status.Code.FAILED_PRECONDITION, "busy");
                assertThat(System.nanoTime()).as("the agent still busy after its client was gone").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    // ------------------------------------------------------------------------- how a session ended (v1.3)

    private org.ndkkit.wire.v1.SessionEndReply sessionEnd(long session) {
        return stub().sessionEnd(org.ndkkit.wire.v1.SessionEndRequest.newBuilder().setSession(session).build());
    }

    /**
     * SessionEnd without a session: the open one is RUNNING, one that ended CLOSED with how, one the
     * agent never had UNKNOWN; never CRASHED (a Java agent has no worker: a provider that crashes it
     * ends the agent, which cannot answer), and a Java agent does not say it is supervised. Asking
     * changes nothing.
     */
    @Test
    void sessionEndSaysHowEachSessionEndedAndNeverCrashed() throws InterruptedException {
        assertThat(stub().hello(hello().build()).getSupervised()).isFalse();
        HelloReply r = open("inline");
        CallbackStream stream = attach(session(r));
        assertThat(sessionEnd(session(r)).getState()).isEqualTo(org.ndkkit.wire.v1.SessionState.SESSION_STATE_RUNNING);
        assertThat(sessionEnd(session(r) + 1000).getState()).isEqualTo(org.ndkkit.wire.v1.SessionState.SESSION_STATE_UNKNOWN);
        assertThat(sessionEnd(0).getState()).isEqualTo(org.ndkkit.wire.v1.SessionState.SESSION_STATE_UNKNOWN);
        stillServes(r);
        stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(r)).build());
        var closed = sessionEnd(session(r));
        assertThat(closed.getState()).isEqualTo(org.ndkkit.wire.v1.SessionState.SESSION_STATE_CLOSED);
        assertThat(closed.getDetail()).contains("goodbye");
        assertThat(closed.getCallId()).isZero();
        expectEnd(stream, Status.Code.OK);

        // a client that goes away: CLOSED as soon as the agent noticed, while its testbed closes
        HelloReply second = openOnceFree("pending");
        CallbackStream gone = attach(session(second));
        // a callback over the stream proves the agent attached it: a stream cancelled before its
        // first message arrived never was the session's, and the agent could not see it go
        oneCallback(second, gone, 7);
        gone.cancel();
        awaitGone(second);
        var lost = sessionEnd(session(second));
        assertThat(lost.getState()).isEqualTo(org.ndkkit.wire.v1.SessionState.SESSION_STATE_CLOSED);
        assertThat(lost.getDetail()).contains("went away");
        assertThat(sessionEnd(session(r)).getState()).isEqualTo(org.ndkkit.wire.v1.SessionState.SESSION_STATE_CLOSED);
    }

    // ------------------------------------------------------------------------- quiescence (v1.4)

    private CallReply awaitQuiescence(HelloReply r, int timeoutMs) {
        return invoke(call(session(r)).setAwaitQuiescence(AwaitQuiescence.newBuilder().setTimeoutMs(timeoutMs)));
    }

    /** A wait above 600000 ms is refused, naming the bound (timeout_ms is unsigned); the session goes on. */
    @Test
    void awaitQuiescenceAboveTheBoundIsInvalidArgument() {
        HelloReply r = open("inline");
        expect(grpcError(() -> awaitQuiescence(r, 600_001)), Status.Code.INVALID_ARGUMENT, "timeout_ms", "600001",
                "600000");
        expect(grpcError(() -> awaitQuiescence(r, -1)), Status.Code.INVALID_ARGUMENT, "4294967295");
        CallReply q = awaitQuiescence(r, 0);
        assertThat(q.getResultCase()).isEqualTo(CallReply.ResultCase.QUIESCENCE);
        assertThat(q.getQuiescence()).isEqualTo(Quiescence.QUIESCENCE_QUIET);
        assertThat(awaitQuiescence(r, 600_000).getQuiescence()).as("the bound itself is accepted")
                .isEqualTo(Quiescence.QUIESCENCE_QUIET);
        stillServes(r);
    }

    /**
     * A callback is in flight from when the agent makes it until its CallbackReturn: BUSY while the
     * agent holds it, and still BUSY after the hold timed out (the provider's callback returned and
     * the provider is quiet, but the client's handler may not have run): only the return, late as
     * it is, makes it QUIET.
     */
    @Test
    void aCallbackIsInFlightUntilItsReturnAlsoAfterItsHoldTimedOut() throws InterruptedException {
        HelloReply r = open("pending", 200);
        CallbackStream stream = attach(session(r));
        Callback cb = oneCallback(r, stream, 7);
        long t0 = System.nanoTime();
        assertThat(awaitQuiescence(r, 100).getQuiescence()).as("held").isEqualTo(Quiescence.QUIESCENCE_BUSY);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("it waited first").isGreaterThanOrEqualTo(90);
        Thread.sleep(400); // the hold times out: the provider's callback returns
        assertThat(agent.currentTestbed().awaitQuiescence(java.time.Duration.ofSeconds(WAIT_S)))
                .as("the provider itself is quiet").isEqualTo(org.ndkkit.spi.Quiescence.QUIET);
        assertThat(awaitQuiescence(r, 100).getQuiescence()).as("no CallbackReturn yet")
                .isEqualTo(Quiescence.QUIESCENCE_BUSY);
        returned(r, stream, cb.getSeq()); // late: the agent ignores it as a return, but it ends the flight
        CallReply quiet = awaitQuiescence(r, (int) TimeUnit.SECONDS.toMillis(WAIT_S));
        assertThat(quiet.getQuiescence()).isEqualTo(Quiescence.QUIESCENCE_QUIET);
        assertThat(quiet.getCallbacksBeforeReturn()).isEqualTo(cb.getSeq());
        stream.quietFor(100);
        stillServes(r);
    }

    /** Asked from inside a callback (within_callback): BUSY at once, without waiting; QUIET once it returned. */
    @Test
    void awaitQuiescenceFromInsideACallbackIsBusyAtOnce() throws InterruptedException {
        HelloReply r = open("pending");
        CallbackStream stream = attach(session(r));
        Callback cb = oneCallback(r, stream, 7);
        long t0 = System.nanoTime();
        CallReply inside = invoke(call(session(r)).setWithinCallback(cb.getSeq())
                .setAwaitQuiescence(AwaitQuiescence.newBuilder().setTimeoutMs(3000)));
        assertThat(inside.getQuiescence()).isEqualTo(Quiescence.QUIESCENCE_BUSY);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1500);
        returned(r, stream, cb.getSeq());
        assertThat(awaitQuiescence(r, 3000).getQuiescence()).isEqualTo(Quiescence.QUIESCENCE_QUIET);
    }

    // ------------------------------------------------------------------------- sessions and handles

    @Test
    void invokeOnAnUnknownSessionIsNotFound() {
        HelloReply r = open("inline");
        long bogus = session(r) + 1_000_000;
        StatusRuntimeException e = grpcError(() -> invoke(call(bogus).setQueryAdapterInfo(
                QueryAdapterInfo.newBuilder().setAdapter(arg(adapter(r))))));
        expect(e, Status.Code.NOT_FOUND, String.valueOf(bogus));
        stillServes(r);
    }

    @Test
    void unknownHandleIsInvalidArgumentNamingIt() {
        HelloReply r = open("inline");
        long bogus = 987_654_321L;
        StatusRuntimeException e = grpcError(() -> invoke(call(session(r)).setQueryAdapterInfo(
                QueryAdapterInfo.newBuilder().setAdapter(arg(bogus)))));
        expect(e, Status.Code.INVALID_ARGUMENT, "unknown handle " + bogus);
        // the same for an argument object (not the object the call is made on)
        long pd = createPdInline(r);
        e = grpcError(() -> invoke(call(session(r)).setCreateQp(CreateQp.newBuilder().setPd(arg(pd))
                .setReceiveCq(arg(bogus)).setInitiatorCq(arg(bogus)).setParameters(QpParameters.getDefaultInstance())
                .setCompletion(2))));
        expect(e, Status.Code.INVALID_ARGUMENT, "receive_cq", String.valueOf(bogus));
        // the object a call is made on must not be NULL
        e = grpcError(() -> invoke(call(session(r)).setQueryAdapterInfo(QueryAdapterInfo.newBuilder()
                .setAdapter(ObjectArg.getDefaultInstance()))));
        expect(e, Status.Code.INVALID_ARGUMENT, "adapter");
        stillServes(r);
    }

    @Test
    void handleOfTheWrongTypeIsInvalidArgumentNamingIt() {
        HelloReply r = open("inline");
        long pd = createPdInline(r);
        StatusRuntimeException e = grpcError(() -> invoke(call(session(r)).setQueryAdapterInfo(
                QueryAdapterInfo.newBuilder().setAdapter(arg(pd)))));
        expect(e, Status.Code.INVALID_ARGUMENT, "handle " + pd, "NdkPd", "not a NdkAdapter");
        // and the other way round: an adapter where a PD belongs
        e = grpcError(() -> invoke(call(session(r)).setCreateQp(CreateQp.newBuilder().setPd(arg(adapter(r)))
                .setCompletion(2))));
        expect(e, Status.Code.INVALID_ARGUMENT, "handle " + adapter(r), "not a NdkPd");
        stillServes(r);
    }

    @Test
    void handleOfAnEndedSessionIsInvalidArgumentNamingIt() {
        HelloReply first = open("inline");
        long oldAdapter = adapter(first);
        long oldPd = createPdInline(first);
        stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(first)).build());
        // the ended session itself is gone
        StatusRuntimeException gone = grpcError(() -> invoke(call(session(first)).setQueryAdapterInfo(
                QueryAdapterInfo.newBuilder().setAdapter(arg(oldAdapter)))));
        expect(gone, Status.Code.NOT_FOUND, String.valueOf(session(first)));

        HelloReply second = open("inline");
        assertThat(session(second)).isNotEqualTo(session(first));
        assertThat(adapter(second)).as("handles are never reused").isNotEqualTo(oldAdapter);
        for (long h : new long[] {oldAdapter, oldPd}) {
            StatusRuntimeException e = grpcError(() -> invoke(call(session(second)).setQueryAdapterInfo(
                    QueryAdapterInfo.newBuilder().setAdapter(arg(h)))));
            expect(e, Status.Code.INVALID_ARGUMENT, "handle " + h, "session " + session(first));
        }
        stillServes(second);
    }

    @Test
    void aCallWithNoOperationIsUnimplemented() {
        HelloReply r = open("inline");
        Call.Builder c = call(session(r));
        StatusRuntimeException e = grpcError(() -> invoke(c));
        expect(e, Status.Code.UNIMPLEMENTED, "call " + c.getCallId());
        stillServes(r);
    }

    @Test
    void exhaustEphemeralPortsWithAThreeByteIpIsInvalidArgument() {
        HelloReply r = open("inline");
        StatusRuntimeException e = grpcError(() -> invoke(call(session(r)).setExhaustEphemeralPorts(
                ExhaustEphemeralPorts.newBuilder().setLocalIp(ByteString.copyFrom(new byte[] {(byte) 198, 18, 0})))));
        expect(e, Status.Code.INVALID_ARGUMENT, "local_ip", "4 or 16", "3");
        // a well-formed one goes through to the testbed
        CallReply ok = invoke(call(session(r)).setExhaustEphemeralPorts(ExhaustEphemeralPorts.newBuilder()
                .setLocalIp(r.getTestbed().getLocal().getAddresses(0))));
        assertThat(ok.getExhaustionAvailability().hasUnavailable()).isFalse();
        assertThat(ok.getExhaustionAvailability().getExhaustion()).isNotZero();
        stillServes(r);
    }

    // ------------------------------------------------------------------------- values for the provider

    @Test
    void aPrivateDataLengthThatDisagreesReachesTheProvider() {
        HelloReply r = open("inline");
        CallReply c = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder().setAdapter(arg(adapter(r)))
                .setCompletion(1)));
        long connector = c.getCreated().getObject().getHandle();
        // 2 bytes, declared 100: the provider judges it, and says so with an NTSTATUS
        CallReply reply = invoke(call(session(r)).setReject(Reject.newBuilder().setConnector(arg(connector))
                .setPrivateData(ByteString.copyFrom(new byte[] {1, 2})).setPrivateDataLength(100)));
        assertThat(reply.getResultCase()).isEqualTo(CallReply.ResultCase.NTSTATUS);
        assertThat(NtStatus.of(reply.getNtstatus())).isEqualTo(NtStatus.INVALID_PARAMETER);
        // a NULL buffer with a length: the same
        reply = invoke(call(session(r)).setReject(Reject.newBuilder().setConnector(arg(connector))
                .setPrivateDataLength(5)));
        assertThat(NtStatus.of(reply.getNtstatus())).isEqualTo(NtStatus.INVALID_PARAMETER);
        // an unsigned length beyond 2^31
        reply = invoke(call(session(r)).setReject(Reject.newBuilder().setConnector(arg(connector))
                .setPrivateData(ByteString.copyFrom(new byte[4])).setPrivateDataLength(0xFFFF_FFFF)));
        assertThat(NtStatus.of(reply.getNtstatus())).isEqualTo(NtStatus.INVALID_PARAMETER);
        stillServes(r);
    }

    @Test
    void bytesThatAreNoProtobufMessageGetAGrpcError() {
        HelloReply r = open("inline");
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("ndk.wire.v1.NdkAgent", "Invoke"))
                .setRequestMarshaller(new RawBytes()).setResponseMarshaller(new RawBytes()).build();
        // a length-delimited field 1 whose length runs past the end, then bytes with no valid tag
        for (byte[] garbage : List.of(new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02},
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                    (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})) {
            // (grpc-java's server answers a request it cannot parse with UNKNOWN, "Application error
            // processing RPC"; what matters is that it is an error and the agent goes on)
            StatusRuntimeException e = grpcError(() -> ClientCalls.blockingUnaryCall(channel, raw,
                    CallOptions.DEFAULT.withDeadlineAfter(WAIT_S, TimeUnit.SECONDS), garbage));
            assertThat(e.getStatus().getCode()).as("%s", e.getStatus())
                    .isIn(Status.Code.INTERNAL, Status.Code.INVALID_ARGUMENT, Status.Code.UNKNOWN);
            stillServes(r);
        }
        // the descriptor itself is right: the session's own call, as raw bytes, gets its reply
        Call good = call(session(r)).setQueryAdapterInfo(QueryAdapterInfo.newBuilder().setAdapter(arg(adapter(r)))).build();
        byte[] reply = ClientCalls.blockingUnaryCall(channel, raw,
                CallOptions.DEFAULT.withDeadlineAfter(WAIT_S, TimeUnit.SECONDS), good.toByteArray());
        assertThat(reply).isNotEmpty();
    }

    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // ------------------------------------------------------------------------- the handshake

    @Test
    void helloWithAnotherMajorVersionIsRefusedNamingBoth() {
        StatusRuntimeException e = grpcError(() -> stub().hello(hello().setWireVersion(
                WireVersion.newBuilder().setMajor(2).setMinor(3)).build()));
        expect(e, Status.Code.FAILED_PRECONDITION, "ndk.wire.v2.3", "ndk.wire.v1.4");
        // with a testbed asked for too: refused before anything opens
        e = grpcError(() -> stub().hello(hello().setWireVersion(WireVersion.newBuilder().setMajor(2))
                .setOpen(OpenTestbed.newBuilder().setConnectTimeoutMs(1000)).build()));
        expect(e, Status.Code.FAILED_PRECONDITION, "ndk.wire.v2.0", "ndk.wire.v1.4");
        assertThat(agent.currentTestbed()).isNull();
        // no version at all is version 0.0, not 1
        e = grpcError(() -> stub().hello(HelloRequest.newBuilder().setClient("no version").build()));
        expect(e, Status.Code.FAILED_PRECONDITION, "ndk.wire.v0.0");
        // a newer minor version of the same major is welcome
        HelloReply ok = stub().hello(hello().setWireVersion(WireVersion.newBuilder().setMajor(1).setMinor(7)).build());
        assertThat(ok.getWireVersion()).isEqualTo(WireValues.version());
        assertThat(WireValues.text(ok.getWireVersion())).as("this agent has AwaitQuiescence").isEqualTo("ndk.wire.v1.4");
        assertThat(ok.getProvider().getName()).isEqualTo("simulated");
        assertThat(ok.getTestbedResultCase()).isEqualTo(HelloReply.TestbedResultCase.TESTBEDRESULT_NOT_SET);
    }

    @Test
    void aSecondOpenWhileASessionIsLiveIsBusy() throws InterruptedException {
        HelloReply r = open("pending");
        CallbackStream stream = attach(session(r));
        StatusRuntimeException e = grpcError(() -> open("inline"));
        expect(e, Status.Code.FAILED_PRECONDITION, "busy", "session " + session(r));
        // identity-only hello still answers while busy
        assertThat(stub().hello(hello().build()).getProvider().getName()).isEqualTo("simulated");
        stillServes(r);
        // the live session's stream is unaffected: it carries callbacks both ways
        Callback cb = oneCallback(r, stream, 5);
        returned(r, stream, returnedThenNext(r, stream, cb, 6).getSeq());
        stream.quietFor(200);
    }

    @Test
    void twoOpensAtOnceGiveOneSession() throws Exception {
        for (int round = 0; round < 20; round++) {
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Object>> results = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        try {
                            return open("inline");
                        } catch (StatusRuntimeException e) {
                            return e;
                        }
                    }));
                }
                go.countDown();
                List<HelloReply> opened = new ArrayList<>();
                List<StatusRuntimeException> refused = new ArrayList<>();
                for (Future<Object> f : results) {
                    Object o = f.get(WAIT_S * 2, TimeUnit.SECONDS);
                    if (o instanceof HelloReply h) {
                        opened.add(h);
                    } else {
                        refused.add((StatusRuntimeException) o);
                    }
                }
                assertThat(opened).as("round %d: sessions opened at once", round).hasSize(1);
                expect(refused.get(0), Status.Code.FAILED_PRECONDITION, "busy");
                stillServes(opened.get(0));
                stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(opened.get(0))).build());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aProviderThatThrowsAtOpenIsReportedAndLeavesNoSession() {
        HelloReply r = stub().hello(hello().setOpen(OpenTestbed.newBuilder().setConnectTimeoutMs(1000)
                .putSettings("completion-path", "sideways")).build());
        assertThat(r.getTestbedResultCase()).isEqualTo(HelloReply.TestbedResultCase.OPEN_THREW);
        assertThat(r.getOpenThrew().getType()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(r.getOpenThrew().getMessage()).contains("sideways");
        // nothing is left open: the next open succeeds at once
        stillServes(open("inline"));
    }

    // ------------------------------------------------------------------------- the callback stream

    @Test
    void aSecondCallbackStreamIsRefused() throws InterruptedException {
        HelloReply r = open("pending");
        // a callback made before the stream is attached arrives on it once it is: proof that the
        // first stream is the session's before the second one asks
        CallReply pending = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder()
                .setAdapter(arg(adapter(r))).setCompletion(2)));
        assertThat(pending.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
        CallbackStream first = attach(session(r));
        returned(r, first, next(first).getSeq());
        CallbackStream second = attach(session(r));
        expectEnd(second, Status.Code.FAILED_PRECONDITION, "session " + session(r), "callback stream");
        // a stream for a session that does not exist
        CallbackStream none = attach(session(r) + 99);
        expectEnd(none, Status.Code.NOT_FOUND, String.valueOf(session(r) + 99));
        // the first stream still carries the session's callbacks, and the client's returns
        stillServes(r);
        Callback cb = oneCallback(r, first, 3);
        assertThat(cb.getSeq()).as("callback 1 had returned").isEqualTo(2);
        returned(r, first, returnedThenNext(r, first, cb, 4).getSeq());
        first.quietFor(200);
    }

    /** The first message on a stream attaches it: one that says a callback returned instead ends the stream. */
    @Test
    void aFirstMessageThatIsNoAttachIsInvalidArgument() throws InterruptedException {
        HelloReply r = open("pending");
        CallReply pending = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder()
                .setAdapter(arg(adapter(r))).setCompletion(2)));
        assertThat(pending.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
        for (long seq : new long[] {1, 2, -1}) {
            CallbackStream bad = new CallbackStream(async);
            bad.send(session(r), seq);
            // (and no callback went to it first: the session's early callback waits for its real stream)
            expectEnd(bad, Status.Code.INVALID_ARGUMENT, "seq 0", "callback " + seq);
        }
        // and for a session that does not exist: the same (the seq is wrong whatever the session)
        CallbackStream bad = new CallbackStream(async);
        bad.send(session(r) + 99, 1);
        expectEnd(bad, Status.Code.INVALID_ARGUMENT, "seq 0");
        // none of them took the session: it goes on, and its stream attaches as the first message says
        stillServes(r);
        CallbackStream stream = attach(session(r));
        Callback early = next(stream);
        assertThat(early.getSeq()).isEqualTo(1);
        assertThat(early.getCreateCompleted().getCompletion()).isEqualTo(2);
        returned(r, stream, returnedThenNext(r, stream, early, 3).getSeq());
        stream.quietFor(200);
        stillServes(r);
    }

    /**
     * A CallbackReturn for a callback the agent never sent (or for another session) ends the stream
     * with INVALID_ARGUMENT naming what was wrong; the agent treats the client as gone (its session
     * is closed) and serves the next one.
     */
    @Test
    void aCallbackReturnForASeqNeverSentEndsTheStreamAndTheSession() throws InterruptedException {
        record Bad(String what, boolean afterOneCallback, long sessionOffset, long seq, String[] inMessage) {
        }
        List<Bad> cases = List.of(
                new Bad("seq 1 before any callback", false, 0, 1, new String[] {"no callback 1", "last sent: 0"}),
                new Bad("seq 2 after callback 1", true, 0, 2, new String[] {"no callback 2", "last sent: 1"}),
                new Bad("seq 0 after the attach", true, 0, 0, new String[] {"no callback 0"}),
                new Bad("seq 2^64-1", true, 0, -1, new String[] {"no callback"}),
                // another session's number: this stream is not that session's
                new Bad("another session's id", true, 5, 1, new String[] {"not session "}));
        HelloReply r = open("pending");
        for (Bad bad : cases) {
            CallbackStream stream = attach(session(r));
            if (bad.afterOneCallback()) {
                Callback cb = oneCallback(r, stream, 7);
                assertThat(cb.getSeq()).isEqualTo(1);
            }
            stream.send(session(r) + bad.sessionOffset(), bad.seq());
            Status st = stream.end();
            assertThat(st.getCode()).as("%s: %s", bad.what(), st).isEqualTo(Status.Code.INVALID_ARGUMENT);
            for (String m : bad.inMessage()) {
                assertThat(st.getDescription()).as("%s: description", bad.what()).contains(m);
            }
            if (bad.sessionOffset() != 0) {
                assertThat(st.getDescription()).contains("session " + session(r), "session " + (session(r) + 5));
            }
            // the client is gone as far as the agent is concerned: the session ends ...
            awaitGone(r);
            // ... and the agent serves the next client
            HelloReply next = openOnceFree("pending");
            assertThat(session(next)).isNotEqualTo(session(r));
            stillServes(next);
            r = next;
        }
        // the last one works end to end
        CallbackStream stream = attach(session(r));
        Callback cb = oneCallback(r, stream, 9);
        assertThat(cb.getSeq()).isEqualTo(1);
        returned(r, stream, returnedThenNext(r, stream, cb, 10).getSeq());
        stream.quietFor(200);
        stillServes(r);
    }

    /**
     * A CallbackReturn for a callback that no longer waits (here: it was returned already) is
     * logged and ignored: the stream and the session go on, the callback returned once, and the
     * repeated return lets no other callback go.
     */
    @Test
    void aRepeatedCallbackReturnIsIgnored() throws InterruptedException {
        HelloReply r = open("pending");
        CallbackStream stream = attach(session(r));
        Callback cb = oneCallback(r, stream, 7);
        returned(r, stream, cb.getSeq());
        returned(r, stream, cb.getSeq());
        // the stream is still the session's and carries the next callback (so callback 1 returned)
        Callback second = oneCallback(r, stream, 8);
        assertThat(second.getSeq()).isEqualTo(cb.getSeq() + 1);
        assertThat(ignoredReturns(session(r), 1)).as("the agent's log: repeated returns it ignored")
                .containsExactly(Map.entry(cb.getSeq(), 1));
        // callback 2 is held: a third return of callback 1 does not let it go ...
        returned(r, stream, cb.getSeq());
        CallReply third = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder()
                .setAdapter(arg(adapter(r))).setCompletion(9)));
        assertThat(third.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
        stream.quietFor(300);
        assertThat(ignoredReturns(session(r), 2)).containsExactly(Map.entry(cb.getSeq(), 2));
        // ... its own return does
        returned(r, stream, second.getSeq());
        Callback last = next(stream);
        assertThat(last.getSeq()).isEqualTo(second.getSeq() + 1);
        assertThat(last.getCreateCompleted().getCompletion()).isEqualTo(9);
        returned(r, stream, last.getSeq());
        stream.quietFor(200);
        stillServes(r);
        assertThat(ignoredReturns(session(r), 2)).containsExactly(Map.entry(cb.getSeq(), 2));
    }

    /**
     * Two CallbackReturns for one callback, sent at the same moment (from two threads, one after
     * the other on the stream): the callback returns once, exactly one of the two is logged as no
     * longer waiting and ignored, and the stream goes on.
     */
    @Test
    void aCallbackReturnedTwiceAtOnceReturnsOnce() throws Exception {
        HelloReply r = open("pending");
        CallbackStream stream = attach(session(r));
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < rounds; i++) {
                // the simulator's one event thread makes this callback only once the previous one returned
                Callback cb = oneCallback(r, stream, 100 + i);
                assertThat(cb.getSeq()).isEqualTo(i + 1);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> both = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    both.add(pool.submit(() -> {
                        go.await();
                        returned(r, stream, cb.getSeq());
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : both) {
                    f.get(WAIT_S, TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Map<Long, Integer> ignored = ignoredReturns(session(r), rounds);
        for (long seq = 1; seq <= rounds; seq++) {
            assertThat(ignored.get(seq)).as("callback %d: the returns the agent ignored", seq).isEqualTo(1);
        }
        assertThat(ignored).hasSize(rounds);
        stream.quietFor(200);
        stillServes(r);
        // and the stream still carries callbacks
        Callback after = oneCallback(r, stream, 200);
        assertThat(after.getSeq()).isEqualTo(rounds + 1);
        returned(r, stream, after.getSeq());
    }

    /** A client that ends its stream (cancels it, or half-closes it: no more returns) is gone: the agent serves the next. */
    @Test
    void aClientThatEndsItsStreamFreesTheAgentForTheNext() throws InterruptedException {
        for (boolean cancel : new boolean[] {true, false}) {
            HelloReply r = open("pending");
            CallbackStream stream = attach(session(r));
            // a callback the client never returns: the provider's thread is held in it
            Callback cb = oneCallback(r, stream, 7);
            assertThat(cb.getSeq()).isEqualTo(1);
            expect(grpcError(() -> open("inline")), Status.Code.FAILED_PRECONDITION, "busy");
            if (cancel) {
                stream.cancel();
            } else {
                stream.halfClose();
                // the agent ends its side too, so the call does not stay open on either end
                assertThat(stream.end()).as("the agent completes a stream its client half-closed").isEqualTo(Status.OK);
            }
            awaitGone(r);
            HelloReply next = openOnceFree("pending");
            stillServes(next);
            // the new session's callbacks flow (the simulator of the old one was closed, its held thread let go)
            CallbackStream nextStream = attach(session(next));
            Callback first = oneCallback(next, nextStream, 8);
            assertThat(first.getSeq()).isEqualTo(1);
            returned(next, nextStream, first.getSeq());
            stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(next)).build());
            assertThat(nextStream.end()).isEqualTo(Status.OK);
        }
    }

    /** A client that vanishes (its connection, and with it its callback stream, goes) frees the agent. */
    @Test
    void aClientThatVanishesFreesTheAgentForTheNext() throws InterruptedException {
        ManagedChannel gone = NettyChannelBuilder.forAddress("127.0.0.1", agent.port()).usePlaintext().build();
        try {
            HelloReply first = NdkAgentGrpc.newBlockingStub(gone).withDeadlineAfter(WAIT_S, TimeUnit.SECONDS)
                    .hello(hello().setOpen(OpenTestbed.newBuilder().setConnectTimeoutMs(1000)).build());
            // a callback made before the stream is attached arrives once it is: proof that it is
            CallReply pending = NdkAgentGrpc.newBlockingStub(gone).withDeadlineAfter(WAIT_S, TimeUnit.SECONDS)
                    .invoke(call(session(first)).setCreateConnector(CreateConnector.newBuilder()
                            .setAdapter(arg(adapter(first))).setCompletion(2)).build());
            assertThat(pending.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
            CallbackStream q = new CallbackStream(NdkAgentGrpc.newStub(gone));
            q.send(session(first), 0);
            assertThat(next(q).getCreateCompleted().getCompletion()).isEqualTo(2);
            // while it is there, the agent is busy (its callback is still held: the client never returned it)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            StatusRuntimeException busy = grpcError(() -> open("inline"));
            expect(busy, Status.Code.FAILED_PRECONDITION, "busy");
            gone.shutdownNow();
            assertThat(gone.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
            HelloReply next = null;
            while (next == null && System.nanoTime() < deadline) {
                try {
                    next = open("inline");
                } catch (StatusRuntimeException e) {
                    expect(e, Status.Code.FAILED_PRECONDITION, "busy");
                    Thread.sleep(20);
                }
            }
            assertThat(next).as("a new session once the first client is gone").isNotNull();
            stillServes(next);
            expect(grpcError(() -> invoke(call(session(first)).setQueryAdapterInfo(QueryAdapterInfo.newBuilder()
                    .setAdapter(arg(adapter(first)))))), Status.Code.NOT_FOUND);
        } finally {
            gone.shutdownNow();
        }
    }

    @Test
    void goodbyeEndsTheStreamAndTheSession() throws InterruptedException {
        HelloReply r = open("pending");
        CallReply pending = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder()
                .setAdapter(arg(adapter(r))).setCompletion(2)));
        assertThat(pending.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
        CallbackStream stream = attach(session(r));
        returned(r, stream, next(stream).getSeq()); // the stream is attached
        stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(r)).build());
        assertThat(stream.received.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("completed");
        expect(grpcError(() -> stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(r)).build())),
                Status.Code.NOT_FOUND);
        assertThat(agent.currentTestbed()).isNull();
        stillServes(open("inline"));
    }
}
