package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ProviderUnreachableException;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * A real ndk-agent process (serving {@code simulated}, completions pending) killed in the middle of
 * a scenario: objects created, a connect to the silent host outstanding, a provider callback held
 * by the kit's handler and a call in flight. The call in flight, the next call and every later one
 * fail with {@link ProviderUnreachableException} (not timed out: the connection is gone) naming the
 * agent, within seconds; nothing hangs, and the testbed closes promptly.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentKilledIT {
    private static final Pattern LISTENING = Pattern.compile("ndk-agent listening on 127\\.0\\.0\\.1:(\\d+)");

    private Process agent;
    private Path agentLog;
    private Testbed testbed;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startAgent() throws Exception {
        Path out = Path.of(System.getProperty("ndk.remote.it-out", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(out);
        agentLog = out.resolve("agent-killed.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        agent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.ndkkit.agent.AgentMain",
                "--provider", "simulated", "--listen", "127.0.0.1:0", "-s", "completion-path=pending")
                .redirectError(agentLog.toFile()).start();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        try {
            if (testbed != null) {
                testbed.close();
            }
        } finally {
            agent.destroyForcibly();
            assertThat(agent.waitFor(10, TimeUnit.SECONDS)).as("the agent process ended").isTrue();
        }
    }

    /** The port the agent printed, read from its standard output (bounded). */
    private int port() throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                port.completeExceptionally(new IllegalStateException("the agent's output ended"));
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
        }, "agent-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return port.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the agent did not say where it listens; its log:\n" + Files.readString(agentLog), e);
        }
    }

    private static <T extends NdkObject> T create(Function<CreateCompletion<T>, Created<T>> call) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        Created<T> c = call.apply((ctx, status, object) -> {
            if (status.equals(NtStatus.SUCCESS)) {
                done.complete(object);
            } else {
                done.completeExceptionally(new AssertionError("create completed with " + status));
            }
        });
        if (c.status().equals(NtStatus.SUCCESS)) {
            return c.object();
        }
        assertThat(c.status()).isEqualTo(NtStatus.PENDING);
        return done.get(5, TimeUnit.SECONDS);
    }

    private static Throwable thrown(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        return fail("expected the call to fail");
    }

    private static void lostNaming(Throwable t, String target) {
        assertThat(t).isInstanceOf(ProviderUnreachableException.class).hasMessageContaining(target);
        assertThat(((ProviderUnreachableException) t).timedOut()).as("gone, not silent: %s", t.getMessage()).isFalse();
    }

    @Test
    void anAgentKilledMidScenarioFailsEveryCallPromptly() throws Exception {
        String target = "127.0.0.1:" + port();
        testbed = new RemoteProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(60),
                Map.of("local", target, "rpc-timeout-ms", "15000")));
        NdkAdapter adapter = testbed.adapter(Host.LOCAL);

        // the scenario so far: objects, and a connect to the silent host whose completion is outstanding
        NdkPd pd = create(c -> adapter.createPd(c, "pd"));
        NdkCq cq = create(c -> adapter.createCq(64, c, "cq"));
        NdkQp qp = create(c -> pd.createQp(cq, cq, QpParameters.small(), c, "qp"));
        NdkConnector connector = create(c -> adapter.createConnector(c, "connector"));
        SockAddr silent = testbed.address(LabCondition.SILENT_HOST).get();
        CountDownLatch connectCompleted = new CountDownLatch(1);
        NtStatus st = connector.connect(qp, SockAddr.of(testbed.addresses(Host.LOCAL).get(0), 0), silent, 0, 0, null, 0,
                (ctx, s) -> connectCompleted.countDown(), "connect");
        assertThat(st).isEqualTo(NtStatus.PENDING);

        // a provider callback whose kit handler has not returned: the simulated event thread stays in it
        CountDownLatch holding = new CountDownLatch(1);
        Created<NdkConnector> held = adapter.createConnector((ctx, s, o) -> {
            holding.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "held");
        assertThat(held.status()).isEqualTo(NtStatus.PENDING);
        assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

        // a call in flight: the simulated adapter's close waits for that callback to return
        AtomicReference<Throwable> inFlightThrew = new AtomicReference<>();
        Thread inFlight = new Thread(() -> {
            try {
                adapter.close();
            } catch (Throwable t) {
                inFlightThrew.set(t);
            }
        }, "in-flight-call");
        inFlight.setDaemon(true);
        inFlight.start();
        Thread.sleep(300);
        assertThat(inFlight.isAlive()).as("the adapter's close is still in the agent").isTrue();

        long killed = System.nanoTime();
        agent.destroyForcibly();
        assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();

        inFlight.join(5000);
        assertThat(inFlight.isAlive()).as("the call in flight ended").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(5));
        lostNaming(inFlightThrew.get(), target);

        // the next call, and every later one, fail fast the same way
        long t0 = System.nanoTime();
        lostNaming(thrown(() -> adapter.queryAdapterInfo()), target);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        for (Runnable later : new Runnable[] {
            () -> connector.disconnect((ctx, s) -> { }, null),
            () -> testbed.address(LabCondition.NO_LISTENER),
            () -> testbed.resourceCounts(),
            () -> qp.close(ctx -> { }, null)}) {
            long t1 = System.nanoTime();
            lostNaming(thrown(later), target);
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).as("a later call").isLessThan(Duration.ofMillis(500));
        }

        // the held handler may now return; the dead agent's outstanding completion never comes
        release.countDown();
        assertThat(connectCompleted.await(200, TimeUnit.MILLISECONDS)).as("a completion the agent never sent").isFalse();

        long t2 = System.nanoTime();
        Testbed tb = testbed;
        testbed = null;
        tb.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t2)).as("closing the testbed").isLessThan(Duration.ofSeconds(3));
    }
}
