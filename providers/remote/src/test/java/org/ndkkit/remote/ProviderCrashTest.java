package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.grpc.Status;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.ProviderCrashedException;
import org.ndkkit.spi.ProviderUnreachableException;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.wire.v1.SessionEndReply;
import org.ndkkit.wire.v1.SessionState;
import org.ndkkit.wire.v1.WireVersion;

/**
 * The kit's side when its connection to an agent breaks during a session (ndk.wire.v1.3): it asks
 * the agent how the session ended ({@code SessionEnd}), once per link, waiting (bounded) for a
 * supervised agent that is starting a new worker. An agent that says CRASHED turns the loss into a
 * {@link ProviderCrashedException} with the agent's words, for the call that saw it and every later
 * one; any other answer, no answer, or an agent before v1.3 leaves it a
 * {@link ProviderUnreachableException} as before. The fake agent breaks the session as a worker that
 * died breaks it: the call in flight fails UNAVAILABLE and the callback stream ends UNAVAILABLE.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProviderCrashTest {
    private static final String WORDS = "signal 11 (SIGSEGV) in call 3 (create_pd) of session 77";

    private FakeAgent fake;
    private Testbed testbed;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeAgent();
        fake.version = WireVersion.newBuilder().setMajor(1).setMinor(3).build();
        fake.supervised = true;
        // the provider "crashes" in the first create: the worker dies, the stream and the call break
        fake.onInvoke = (c, out) -> {
            if (c.hasCreatePd()) {
                fake.breakStream();
                out.onError(Status.UNAVAILABLE.withDescription("Network closed for unknown reason").asRuntimeException());
            }
        };
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (testbed != null) {
                long t0 = System.nanoTime();
                testbed.close();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("closing the testbed").isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            fake.close();
        }
    }

    private static SessionEndReply crashed() {
        return SessionEndReply.newBuilder().setState(SessionState.SESSION_STATE_CRASHED).setDetail(WORDS).setCallId(3)
                .setOperation("create_pd").build();
    }

    private NdkAdapter open(String... keyValues) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("local", fake.target());
        for (int i = 0; i < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        testbed = new RemoteProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(1), s));
        assertThat(fake.awaitStream()).as("the callback stream is open").isTrue();
        return testbed.adapter(Host.LOCAL);
    }

    private static Throwable thrown(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        return fail("expected the call to throw");
    }

    private static Runnable createPd(NdkAdapter a) {
        return () -> a.createPd((ctx, st, pd) -> { }, null);
    }

    @Test
    void anAgentThatSaysItsWorkerCrashedMakesTheCallAndEveryLaterOneAProviderCrash() throws Exception {
        fake.onSessionEnd = req -> crashed();
        fake.sessionEndUnavailable.set(3); // the new worker takes a moment to serve
        NdkAdapter a = open();
        long t0 = System.nanoTime();
        Throwable t = thrown(createPd(a));
        assertThat(t).isInstanceOf(ProviderCrashedException.class);
        ProviderCrashedException c = (ProviderCrashedException) t;
        assertThat(c.detail()).isEqualTo(WORDS);
        assertThat(c.callId()).isEqualTo(3);
        assertThat(c.operation()).isEqualTo("create_pd");
        assertThat(c.timedOut()).isFalse();
        assertThat(c.getMessage()).contains(WORDS).contains("the agent at " + fake.target());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("asked until it answered, 200 ms apart")
                .isLessThan(Duration.ofSeconds(4));
        assertThat(fake.sessionEnds).hasSize(4);
        assertThat(fake.sessionEnds.peek().getSession()).isEqualTo(FakeAgent.SESSION);

        // every later call on the lost session: the same crash, without asking again
        Throwable later = thrown(() -> a.queryAdapterInfo());
        assertThat(later).isInstanceOf(ProviderCrashedException.class).hasMessage(c.getMessage());
        assertThat(((ProviderCrashedException) later).detail()).isEqualTo(WORDS);
        assertThat(fake.sessionEnds).hasSize(4);
        assertThat(fake.goodbyes.get()).isZero();
    }

    @Test
    void anyOtherAnswerLeavesTheLossAnUnreachableAgent() throws Exception {
        for (SessionState state : new SessionState[] {SessionState.SESSION_STATE_RUNNING, SessionState.SESSION_STATE_CLOSED,
                SessionState.SESSION_STATE_UNKNOWN}) {
            fake.onSessionEnd = req -> SessionEndReply.newBuilder().setState(state).setDetail("closed: goodbye").build();
            NdkAdapter a = open();
            Throwable t = thrown(createPd(a));
            assertThat(t).as("%s", state).isExactlyInstanceOf(ProviderUnreachableException.class);
            assertThat(t.getMessage()).contains(fake.target());
            assertThat(((ProviderUnreachableException) t).timedOut()).isFalse();
            testbed.close();
            testbed = null;
        }
        assertThat(fake.sessionEnds).hasSize(3);
    }

    @Test
    void anAgentBeforeV13IsNeverAskedAndOneThatDoesNotKnowTheCallIsUnreachable() throws Exception {
        fake.version = WireVersion.newBuilder().setMajor(1).setMinor(2).build();
        fake.onSessionEnd = req -> crashed();
        NdkAdapter a = open();
        assertThat(thrown(createPd(a))).isExactlyInstanceOf(ProviderUnreachableException.class);
        assertThat(fake.sessionEnds).isEmpty();
        testbed.close();

        // says v1.3 but answers UNIMPLEMENTED: asked once, not again
        fake.version = WireVersion.newBuilder().setMajor(1).setMinor(3).build();
        fake.onSessionEnd = null;
        NdkAdapter b = open();
        assertThat(thrown(createPd(b))).isExactlyInstanceOf(ProviderUnreachableException.class);
        assertThat(thrown(() -> b.queryAdapterInfo())).isExactlyInstanceOf(ProviderUnreachableException.class);
        assertThat(fake.sessionEnds).hasSize(1);
    }

    @Test
    void anAgentWithoutASupervisorIsAskedOnceAndASupervisedOneWithinTheBound() throws Exception {
        fake.onSessionEnd = req -> crashed();
        fake.supervised = false;
        fake.sessionEndUnavailable.set(1_000);
        NdkAdapter a = open();
        long t0 = System.nanoTime();
        assertThat(thrown(createPd(a))).isExactlyInstanceOf(ProviderUnreachableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(fake.sessionEnds).hasSize(1);
        testbed.close();
        fake.sessionEnds.clear();

        // supervised, but no worker ever answers: given up after crash-check-ms
        fake.supervised = true;
        NdkAdapter b = open(RemoteSettings.CRASH_CHECK, "1000");
        t0 = System.nanoTime();
        assertThat(thrown(createPd(b))).isExactlyInstanceOf(ProviderUnreachableException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofMillis(3000));
        assertThat(fake.sessionEnds.size()).as("asked again and again").isGreaterThan(2);
    }

    /**
     * The kit's watchdog interrupts a call that takes longer than its bound; asking a restarting
     * agent may take that long. The question is bounded on its own: it goes on, the crash is
     * reported, and the thread is left interrupted.
     */
    @Test
    void anInterruptWhileTheAgentRestartsDoesNotLoseTheCrash() throws Exception {
        fake.onSessionEnd = req -> crashed();
        fake.sessionEndUnavailable.set(5);
        NdkAdapter a = open();
        AtomicReference<Throwable> got = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            got.set(thrown(createPd(a)));
            flag.set(Thread.currentThread().isInterrupted());
        }, "kit-caller");
        caller.start();
        assertThat(fake.sessionEnds.poll(5, TimeUnit.SECONDS)).as("the agent was asked").isNotNull();
        caller.interrupt();
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(got.get()).isInstanceOf(ProviderCrashedException.class);
        assertThat(flag.get()).as("the interrupt is kept for the caller").isTrue();
    }

    @Test
    void aPeerTheLinkControlKilledIsNotAProviderCrash() throws Exception {
        fake.onSessionEnd = req -> crashed();
        NdkAdapter a = open();
        AgentLink link = ((RemoteHandle) a).link();
        link.kill("the peer's agent at " + link.target + " was killed by the link control");
        Throwable t = thrown(createPd(a));
        assertThat(t).isExactlyInstanceOf(ProviderUnreachableException.class).hasMessageContaining("killed by the link control");
        assertThat(fake.sessionEnds).isEmpty();
    }
}
