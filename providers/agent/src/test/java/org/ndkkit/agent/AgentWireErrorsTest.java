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
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Providers;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Callback;
import org.ndkkit.wire.v1.CallbackReturn;
import org.ndkkit.wire.v1.CallbackReturnAck;
import org.ndkkit.wire.v1.CallbacksRequest;
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
import org.ndkkit.wire.v1.Reject;
import org.ndkkit.wire.v1.WireVersion;

/**
 * ndk.wire.v1's own failure modes, seen from a client that speaks the protocol by hand: every
 * malformed or out-of-order message gets the gRPC error the contract names (and a message that
 * names what was wrong), a message that is well formed but wrong for the provider reaches the
 * provider and gets its NTSTATUS, and after each the agent goes on serving the open session.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AgentWireErrorsTest {
    private static final long WAIT_S = 5;

    private AgentServer agent;
    private ManagedChannel channel;
    private NdkAgentGrpc.NdkAgentStub async;
    private final AtomicLong callIds = new AtomicLong();

    @BeforeEach
    void start() throws IOException {
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
            agent.close();
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
        HelloReply r = stub().hello(hello().setOpen(OpenTestbed.newBuilder().setConnectTimeoutMs(2000)
                .putSettings("completion-path", completionPath)).build());
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

    /** Opens the session's callback stream; callbacks land in the returned queue. */
    private BlockingQueue<Object> attach(long session) {
        BlockingQueue<Object> q = new LinkedBlockingQueue<>();
        StreamObserver<Callback> o = new StreamObserver<>() {
            @Override
            public void onNext(Callback cb) {
                q.add(cb);
            }

            @Override
            public void onError(Throwable t) {
                q.add(t);
            }

            @Override
            public void onCompleted() {
                q.add("completed");
            }
        };
        async.callbacks(CallbacksRequest.newBuilder().setSession(session).build(), o);
        return q;
    }

    private static Callback next(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(o).as("a callback within %d s", WAIT_S).isInstanceOf(Callback.class);
        return (Callback) o;
    }

    /** Makes the provider call back once: a connector created on the pending path completes on its event thread. */
    private Callback oneCallback(HelloReply r, BlockingQueue<Object> stream, long completionId) throws InterruptedException {
        CallReply c = invoke(call(session(r)).setCreateConnector(CreateConnector.newBuilder().setAdapter(arg(adapter(r)))
                .setCompletion(completionId).setContext(ContextArg.newBuilder().setId(completionId + 1000))));
        assertThat(c.getCreated().getNtstatus()).isEqualTo(NtStatus.PENDING.code());
        Callback cb = next(stream);
        assertThat(cb.getSession()).isEqualTo(session(r));
        assertThat(cb.getCreateCompleted().getCompletion()).isEqualTo(completionId);
        assertThat(cb.getCreateCompleted().getContext().getId()).isEqualTo(completionId + 1000);
        return cb;
    }

    private CallbackReturnAck returned(HelloReply r, long seq) {
        return stub().callbackReturned(CallbackReturn.newBuilder().setSession(session(r)).setSeq(seq).build());
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
        expect(e, Status.Code.FAILED_PRECONDITION, "ndk.wire.v2.3", "ndk.wire.v1.0");
        // with a testbed asked for too: refused before anything opens
        e = grpcError(() -> stub().hello(hello().setWireVersion(WireVersion.newBuilder().setMajor(2))
                .setOpen(OpenTestbed.newBuilder().setConnectTimeoutMs(1000)).build()));
        expect(e, Status.Code.FAILED_PRECONDITION, "ndk.wire.v2.0", "ndk.wire.v1.0");
        assertThat(agent.currentTestbed()).isNull();
        // no version at all is version 0.0, not 1
        e = grpcError(() -> stub().hello(HelloRequest.newBuilder().setClient("no version").build()));
        expect(e, Status.Code.FAILED_PRECONDITION, "ndk.wire.v0.0");
        // a newer minor version of the same major is welcome
        HelloReply ok = stub().hello(hello().setWireVersion(WireVersion.newBuilder().setMajor(1).setMinor(7)).build());
        assertThat(ok.getWireVersion()).isEqualTo(WireValues.version());
        assertThat(ok.getProvider().getName()).isEqualTo("simulated");
        assertThat(ok.getTestbedResultCase()).isEqualTo(HelloReply.TestbedResultCase.TESTBEDRESULT_NOT_SET);
    }

    @Test
    void aSecondOpenWhileASessionIsLiveIsBusy() throws InterruptedException {
        HelloReply r = open("pending");
        BlockingQueue<Object> stream = attach(session(r));
        StatusRuntimeException e = grpcError(() -> open("inline"));
        expect(e, Status.Code.FAILED_PRECONDITION, "busy", "session " + session(r));
        // identity-only hello still answers while busy
        assertThat(stub().hello(hello().build()).getProvider().getName()).isEqualTo("simulated");
        stillServes(r);
        // the live session's stream is unaffected
        Callback cb = oneCallback(r, stream, 5);
        returned(r, cb.getSeq());
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
        BlockingQueue<Object> first = attach(session(r));
        returned(r, next(first).getSeq());
        Iterator<Callback> second = stub().callbacks(CallbacksRequest.newBuilder().setSession(session(r)).build());
        StatusRuntimeException e = grpcError(second::hasNext);
        expect(e, Status.Code.FAILED_PRECONDITION, "session " + session(r), "callback stream");
        // a stream for a session that does not exist
        Iterator<Callback> none = stub().callbacks(CallbacksRequest.newBuilder().setSession(session(r) + 99).build());
        expect(grpcError(none::hasNext), Status.Code.NOT_FOUND, String.valueOf(session(r) + 99));
        // the first stream still carries the session's callbacks
        stillServes(r);
        Callback cb = oneCallback(r, first, 3);
        returned(r, cb.getSeq());
        assertThat(first.poll(200, TimeUnit.MILLISECONDS)).as("nothing else on the stream").isNull();
    }

    @Test
    void callbackReturnedForASeqNeverSentIsInvalidArgument() throws InterruptedException {
        HelloReply r = open("pending");
        BlockingQueue<Object> stream = attach(session(r));
        expect(grpcError(() -> returned(r, 1)), Status.Code.INVALID_ARGUMENT, "no callback 1");
        Callback cb = oneCallback(r, stream, 7);
        assertThat(cb.getSeq()).isEqualTo(1);
        expect(grpcError(() -> returned(r, 2)), Status.Code.INVALID_ARGUMENT, "no callback 2", "last sent: 1");
        expect(grpcError(() -> returned(r, 0)), Status.Code.INVALID_ARGUMENT, "no callback 0");
        expect(grpcError(() -> returned(r, -1)), Status.Code.INVALID_ARGUMENT);
        // another session's number: there is no such session
        expect(grpcError(() -> stub().callbackReturned(CallbackReturn.newBuilder().setSession(session(r) + 5)
                .setSeq(1).build())), Status.Code.NOT_FOUND);
        returned(r, cb.getSeq());
        stillServes(r);
    }

    @Test
    void callbackReturnedTwiceIsFailedPrecondition() throws InterruptedException {
        HelloReply r = open("pending");
        BlockingQueue<Object> stream = attach(session(r));
        Callback cb = oneCallback(r, stream, 7);
        returned(r, cb.getSeq());
        expect(grpcError(() -> returned(r, cb.getSeq())), Status.Code.FAILED_PRECONDITION,
                "callback " + cb.getSeq(), "not waiting");
        stillServes(r);
    }

    /**
     * Two CallbackReturned for one callback, sent at the same moment: the callback returns once, and
     * exactly one of the two is told it was not waiting any more.
     */
    @Test
    void callbackReturnedTwiceAtOnceSucceedsOnce() throws Exception {
        HelloReply r = open("pending");
        BlockingQueue<Object> stream = attach(session(r));
        for (int i = 0; i < 20; i++) {
            Callback cb = oneCallback(r, stream, 100 + i);
            List<CompletableFuture<Status>> both = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                CompletableFuture<Status> f = new CompletableFuture<>();
                async.withDeadlineAfter(WAIT_S, TimeUnit.SECONDS).callbackReturned(CallbackReturn.newBuilder()
                        .setSession(session(r)).setSeq(cb.getSeq()).build(), new StreamObserver<>() {
                            @Override
                            public void onNext(CallbackReturnAck value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                                f.complete(Status.fromThrowable(t));
                            }

                            @Override
                            public void onCompleted() {
                                f.complete(Status.OK);
                            }
                        });
                both.add(f);
            }
            List<Status.Code> codes = new ArrayList<>();
            for (CompletableFuture<Status> f : both) {
                codes.add(f.get(WAIT_S, TimeUnit.SECONDS).getCode());
            }
            assertThat(codes).as("callback %d returned twice at once", cb.getSeq())
                    .containsExactlyInAnyOrder(Status.Code.OK, Status.Code.FAILED_PRECONDITION);
        }
        stillServes(r);
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
            BlockingQueue<Object> q = new LinkedBlockingQueue<>();
            NdkAgentGrpc.newStub(gone).callbacks(CallbacksRequest.newBuilder().setSession(session(first)).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(Callback value) {
                            q.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            q.add(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
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
        BlockingQueue<Object> stream = attach(session(r));
        returned(r, next(stream).getSeq()); // the stream is attached
        stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(r)).build());
        assertThat(stream.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("completed");
        expect(grpcError(() -> stub().goodbye(GoodbyeRequest.newBuilder().setSession(session(r)).build())),
                Status.Code.NOT_FOUND);
        assertThat(agent.currentTestbed()).isNull();
        stillServes(open("inline"));
    }
}
