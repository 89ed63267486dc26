package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.agent.AgentServer;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.Quiescence;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Done;
import org.ndkkit.wire.v1.ProviderError;
import org.ndkkit.wire.v1.WireVersion;

/**
 * {@code Testbed.awaitQuiescence} through the wire (ndk.wire.v1.4, {@code AwaitQuiescence}): the
 * simulated provider behind a real agent on loopback answers through {@code remote} as it does
 * in-process, and a QUIET also means that no callback is still on its way to, or running in, the
 * kit. An agent before v1.4 is not asked, and nothing an agent does wrong becomes a QUIET or an
 * exception: UNKNOWN. With two agents, QUIET only if both are.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QuiescenceOverWireTest {
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final Duration LONG = Duration.ofSeconds(5);
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static Testbed open(Duration connectTimeout, String... keyValues) throws Exception {
        Map<String, String> s = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        s.putIfAbsent("completion-path", "pending");
        return new RemoteProvider().openTestbed(new TestbedOptions(connectTimeout, s));
    }

    private static AgentServer simulatedAgent() throws Exception {
        return AgentServer.start(Providers.byName("simulated"), Map.of(), ANY, false);
    }

    private static String target(AgentServer a) {
        return "127.0.0.1:" + a.port();
    }

    /** Creates an object through either create path (inline SUCCESS, or PENDING and its completion). */
    private static <T extends NdkObject> T create(BiFunction<CreateCompletion<T>, Object, Created<T>> call)
            throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        Created<T> c = call.apply((ctx, status, object) -> {
            if (status.equals(NtStatus.SUCCESS)) {
                done.complete(object);
            } else {
                done.completeExceptionally(new AssertionError("create completed with " + status));
            }
        }, null);
        if (c.status().equals(NtStatus.SUCCESS)) {
            return c.object();
        }
        assertThat(c.status()).isEqualTo(NtStatus.PENDING);
        return done.get(5, TimeUnit.SECONDS);
    }

    /** A connect from {@code host}'s first address to {@code destination}, completing into {@code completion}. */
    private static NtStatus connect(Testbed t, Host host, SockAddr destination, RequestCompletion completion)
            throws Exception {
        NdkAdapter a = t.adapter(host);
        NdkPd pd = create(a::createPd);
        NdkCq cq = create((c, x) -> a.createCq(64, c, x));
        NdkQp qp = create((c, x) -> pd.createQp(cq, cq, QpParameters.small(), c, x));
        NdkConnector k = create(a::createConnector);
        SockAddr src = SockAddr.of(t.addresses(host).get(0).getHostAddress(), 0);
        NdkSharedEndpoint se = create((c, x) -> a.createSharedEndpoint(src, c, x));
        return k.connectWithSharedEndpoint(qp, se, destination, 1, 1, null, 0, completion, null);
    }

    private static long millisSince(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    // ------------------------------------------------------------------------- a real agent (v1.4)

    @Test
    void theJavaAgentSaysV14AndAFreshTestbedIsQuietAtOnce() throws Exception {
        try (AgentServer a = simulatedAgent()) {
            Testbed t = open(Duration.ofSeconds(1), "local", target(a));
            try {
                assertThat(t.identity()).containsEntry("agent.wire", "ndk.wire.v1.4");
                long t0 = System.nanoTime();
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
                assertThat(millisSince(t0)).as("QUIET as soon as it is").isLessThan(2000);
                assertThat(t.awaitQuiescence(Duration.ZERO)).isEqualTo(Quiescence.QUIET);
            } finally {
                t.close();
            }
        }
    }

    /** QUIET only once the connect's completion has been handed to the kit and its handler ran. */
    @Test
    void quietAfterAConnectsCompletionWasDelivered() throws Exception {
        try (AgentServer a = simulatedAgent()) {
            Testbed t = open(Duration.ofSeconds(1), "local", target(a));
            try {
                List<NtStatus> handled = new CopyOnWriteArrayList<>();
                NtStatus inline = connect(t, Host.LOCAL, t.address(LabCondition.NO_LISTENER).get(), (ctx, st) -> {
                    sleep(100); // a handler that takes a moment: QUIET must wait for it
                    handled.add(st);
                });
                assertThat(inline).isEqualTo(NtStatus.PENDING);
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
                assertThat(handled).as("the completion's handler had returned before QUIET")
                        .containsExactly(NtStatus.CONNECTION_REFUSED);
            } finally {
                t.close();
            }
        }
    }

    /** A connect to the silent host: BUSY while its timer runs (after waiting the whole max), then QUIET once it fired. */
    @Test
    void busyWhileASilentHostsTimerRunsThenQuietOnceItCompleted() throws Exception {
        try (AgentServer a = simulatedAgent()) {
            Testbed t = open(Duration.ofMillis(1500), "local", target(a));
            try {
                List<NtStatus> handled = new CopyOnWriteArrayList<>();
                NtStatus inline = connect(t, Host.LOCAL, t.address(LabCondition.SILENT_HOST).get(), (ctx, st) -> handled.add(st));
                assertThat(inline).isEqualTo(NtStatus.PENDING);
                long t0 = System.nanoTime();
                assertThat(t.awaitQuiescence(SHORT)).as("the connect timer is running").isEqualTo(Quiescence.BUSY);
                assertThat(millisSince(t0)).as("it waited for the max first").isBetween(SHORT.toMillis() - 50, 1300L);
                assertThat(handled).isEmpty();
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
                assertThat(handled).as("the timeout was delivered before QUIET").containsExactly(NtStatus.IO_TIMEOUT);
            } finally {
                t.close();
            }
        }
    }

    /** While the kit's handler for a callback still runs, the callback is in flight: BUSY; QUIET once it returned. */
    @Test
    void busyWhileTheKitsHandlerRunsThenQuiet() throws Exception {
        try (AgentServer a = simulatedAgent()) {
            Testbed t = open(Duration.ofSeconds(1), "local", target(a));
            try {
                busyUntilTheHandlerReturns(t);
            } finally {
                t.close();
            }
        }
    }

    /**
     * The agent's hold of a callback times out (the provider's callback returns, and the provider
     * is quiet) while the kit's handler still runs: still BUSY, since the callback has not come
     * back with its CallbackReturn; QUIET once it has.
     */
    @Test
    void aCallbackWhoseHoldTimedOutIsInFlightUntilTheKitsHandlerReturned() throws Exception {
        try (AgentServer a = simulatedAgent()) {
            Testbed t = open(Duration.ofSeconds(1), "local", target(a), "callback-timeout-ms", "100");
            try {
                busyUntilTheHandlerReturns(t);
            } finally {
                t.close();
            }
        }
    }

    private static void busyUntilTheHandlerReturns(Testbed t) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<NtStatus> handled = new CopyOnWriteArrayList<>();
        NtStatus inline = connect(t, Host.LOCAL, t.address(LabCondition.NO_LISTENER).get(), (ctx, st) -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handled.add(st);
        });
        assertThat(inline).isEqualTo(NtStatus.PENDING);
        assertThat(entered.await(5, TimeUnit.SECONDS)).as("the handler started").isTrue();
        assertThat(t.awaitQuiescence(SHORT)).as("the kit's handler still runs").isEqualTo(Quiescence.BUSY);
        // longer than any hold timeout: the provider itself is long quiet by now
        assertThat(t.awaitQuiescence(SHORT)).as("the kit's handler still runs").isEqualTo(Quiescence.BUSY);
        release.countDown();
        assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
        assertThat(handled).containsExactly(NtStatus.CONNECTION_REFUSED);
    }

    // ------------------------------------------------------------------------- agents that cannot say, or say it wrong

    private static FakeAgent fake(int minor) throws Exception {
        FakeAgent f = new FakeAgent();
        f.version = WireVersion.newBuilder().setMajor(1).setMinor(minor).build();
        return f;
    }

    private static CallReply.Builder reply(Call c) {
        return CallReply.newBuilder().setCallId(c.getCallId());
    }

    /** An agent that said v1.3 at Hello (the C++ agent, an older Java agent) is not asked: UNKNOWN at once. */
    @Test
    void anAgentBeforeV14IsNotAsked() throws Exception {
        try (FakeAgent f = fake(3)) {
            f.onInvoke = (c, out) -> {
                out.onNext(reply(c).setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_QUIET).build());
                out.onCompleted();
            };
            Testbed t = open(Duration.ofSeconds(1), "local", f.target());
            try {
                long t0 = System.nanoTime();
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(millisSince(t0)).as("without waiting").isLessThan(500);
                assertThat(f.invokes).as("nothing was sent").isEmpty();
            } finally {
                t.close();
            }
        }
    }

    /** A v1.4 agent's answers as the kit reads them, and the wait it is asked for. */
    @Test
    void aV14AgentsAnswerIsReadAndOnlyAnExplicitQuietIsQuiet() throws Exception {
        try (FakeAgent f = fake(4)) {
            java.util.concurrent.atomic.AtomicReference<CallReply.Builder> next = new java.util.concurrent.atomic.AtomicReference<>();
            f.onInvoke = (c, out) -> {
                out.onNext(next.get().setCallId(c.getCallId()).build());
                out.onCompleted();
            };
            Testbed t = open(Duration.ofSeconds(1), "local", f.target());
            try {
                next.set(CallReply.newBuilder().setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_QUIET));
                assertThat(t.awaitQuiescence(Duration.ofMillis(1234))).isEqualTo(Quiescence.QUIET);
                Call asked = f.invokes.poll(1, TimeUnit.SECONDS);
                assertThat(asked.getOpCase()).isEqualTo(Call.OpCase.AWAIT_QUIESCENCE);
                assertThat(asked.getAwaitQuiescence().getTimeoutMs()).isEqualTo(1234);
                assertThat(asked.getWithinCallback()).isZero();
                // an absurd max is capped at what an agent accepts
                assertThat(t.awaitQuiescence(Duration.ofDays(3))).isEqualTo(Quiescence.QUIET);
                assertThat(f.invokes.poll(1, TimeUnit.SECONDS).getAwaitQuiescence().getTimeoutMs())
                        .isEqualTo((int) WireValues.MAX_QUIESCENCE_WAIT_MS);
                next.set(CallReply.newBuilder().setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_BUSY));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.BUSY);
                next.set(CallReply.newBuilder().setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_UNKNOWN));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                // UNSPECIFIED, a value this side does not know, another kind of reply, a provider that threw
                next.set(CallReply.newBuilder().setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_UNSPECIFIED));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                next.set(CallReply.newBuilder().setQuiescenceValue(99));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                next.set(CallReply.newBuilder().setDone(Done.getDefaultInstance()));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                next.set(CallReply.newBuilder().setProviderThrew(ProviderError.newBuilder()
                        .setType("java.lang.IllegalStateException").setMessage("no")));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                // a QUIET that says callbacks were made which never reached the kit: not believed
                next.set(CallReply.newBuilder().setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_QUIET)
                        .setCallbacksBeforeReturn(3));
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
            } finally {
                t.close();
            }
        }
    }

    /** No reply: UNKNOWN within about max (plus the reply's slack), and the call is not waited for any longer. */
    @Test
    void anAgentThatDoesNotAnswerIsUnknownWithinTheBound() throws Exception {
        try (FakeAgent f = fake(4)) {
            Testbed t = open(Duration.ofSeconds(1), "local", f.target());
            try {
                long t0 = System.nanoTime();
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(millisSince(t0)).isBetween(SHORT.toMillis(),
                        SHORT.toMillis() + AgentLink.QUIESCENCE_REPLY_SLACK_MS + 1000);
                // the link is not taken for lost: a later answer is read again
                f.onInvoke = (c, out) -> {
                    out.onNext(reply(c).setQuiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_QUIET).build());
                    out.onCompleted();
                };
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.QUIET);
            } finally {
                t.close();
            }
        }
    }

    /** An agent that says v1.4 but does not know the call: UNKNOWN, and it is not asked again. */
    @Test
    void aV14AgentThatDoesNotKnowTheCallIsAskedOnce() throws Exception {
        try (FakeAgent f = fake(4)) {
            f.onInvoke = (c, out) -> out.onError(io.grpc.Status.UNIMPLEMENTED.withDescription("no such op").asRuntimeException());
            Testbed t = open(Duration.ofSeconds(1), "local", f.target());
            try {
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(f.invokes).hasSize(1);
            } finally {
                t.close();
            }
        }
        // any other refusal: UNKNOWN, and asked again next time
        try (FakeAgent f = fake(4)) {
            f.onInvoke = (c, out) -> out.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription("bad").asRuntimeException());
            Testbed t = open(Duration.ofSeconds(1), "local", f.target());
            try {
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(f.invokes).hasSize(2);
            } finally {
                t.close();
            }
        }
    }

    /** An agent that is gone: UNKNOWN, not an exception (the kit's next call reports the agent). */
    @Test
    void aGoneAgentIsUnknownNotAnException() throws Exception {
        FakeAgent f = fake(4);
        Testbed t = open(Duration.ofSeconds(1), "local", f.target());
        try {
            assertThat(f.awaitStream()).isTrue();
            f.close();
            long t0 = System.nanoTime();
            assertThat(t.awaitQuiescence(SHORT)).isEqualTo(Quiescence.UNKNOWN);
            assertThat(millisSince(t0)).isLessThan(SHORT.toMillis() + AgentLink.QUIESCENCE_REPLY_SLACK_MS + 1000);
        } finally {
            t.close();
        }
    }

    // ------------------------------------------------------------------------- two agents

    @Test
    void twoAnswersCombineQuietOnlyIfBothBusyIfEither() {
        Quiescence q = Quiescence.QUIET;
        Quiescence b = Quiescence.BUSY;
        Quiescence u = Quiescence.UNKNOWN;
        assertThat(RemoteTestbed.combine(q, q)).isEqualTo(q);
        assertThat(RemoteTestbed.combine(q, b)).isEqualTo(b);
        assertThat(RemoteTestbed.combine(b, q)).isEqualTo(b);
        assertThat(RemoteTestbed.combine(b, b)).isEqualTo(b);
        assertThat(RemoteTestbed.combine(b, u)).isEqualTo(b);
        assertThat(RemoteTestbed.combine(u, b)).isEqualTo(b);
        assertThat(RemoteTestbed.combine(q, u)).isEqualTo(u);
        assertThat(RemoteTestbed.combine(u, q)).isEqualTo(u);
        assertThat(RemoteTestbed.combine(u, u)).isEqualTo(u);
    }

    /**
     * local and peer on two agents: QUIET when both are; BUSY while either has a timer running,
     * both asked at once within the one max; QUIET again once both timers fired.
     */
    @Test
    void twoAgentsAreAskedAtOnceAndQuietOnlyIfBothAre() throws Exception {
        try (AgentServer a = simulatedAgent(); AgentServer b = simulatedAgent()) {
            Testbed t = open(Duration.ofMillis(2500), "local", target(a), "peer", target(b));
            try {
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
                SockAddr silent = t.address(LabCondition.SILENT_HOST).get();
                List<NtStatus> handled = new CopyOnWriteArrayList<>();
                // the peer's agent only: a connect from Host.PEER to its simulation's silent host
                assertThat(connect(t, Host.PEER, silent, (ctx, st) -> handled.add(st))).isEqualTo(NtStatus.PENDING);
                assertThat(t.awaitQuiescence(SHORT)).as("the peer's timer runs").isEqualTo(Quiescence.BUSY);
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
                assertThat(handled).containsExactly(NtStatus.IO_TIMEOUT);
                // both busy: each waits out the same max, at the same time
                assertThat(connect(t, Host.LOCAL, silent, (ctx, st) -> handled.add(st))).isEqualTo(NtStatus.PENDING);
                assertThat(connect(t, Host.PEER, silent, (ctx, st) -> handled.add(st))).isEqualTo(NtStatus.PENDING);
                Duration max = Duration.ofMillis(1000);
                long t0 = System.nanoTime();
                assertThat(t.awaitQuiescence(max)).isEqualTo(Quiescence.BUSY);
                assertThat(millisSince(t0)).as("one budget for both, not one each").isBetween(max.toMillis() - 50,
                        2 * max.toMillis() - 100);
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.QUIET);
                assertThat(handled).hasSize(3).containsOnly(NtStatus.IO_TIMEOUT);
            } finally {
                t.close();
            }
        }
    }

    /** With two agents, one before v1.4 makes the answer UNKNOWN, and neither is asked. */
    @Test
    void twoAgentsOneBeforeV14IsUnknownWithoutAsking() throws Exception {
        try (FakeAgent old = fake(3); AgentServer b = simulatedAgent()) {
            Testbed t = open(Duration.ofSeconds(1), "local", old.target(), "peer", target(b));
            try {
                long t0 = System.nanoTime();
                assertThat(t.awaitQuiescence(LONG)).isEqualTo(Quiescence.UNKNOWN);
                assertThat(millisSince(t0)).isLessThan(500);
                assertThat(old.invokes).isEmpty();
            } finally {
                t.close();
            }
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
