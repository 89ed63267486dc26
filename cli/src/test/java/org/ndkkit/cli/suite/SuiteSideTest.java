package org.ndkkit.cli.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cucumber.plugin.event.EmbedEvent;
import io.cucumber.plugin.event.EventHandler;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.Location;
import io.cucumber.plugin.event.Result;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestStep;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.spi.Testbed;

/**
 * What the suite process records for the CLI: the lab conditions a scenario attached, in its
 * scenario-finished event; and the testbed's identity in the preflight, read within a bound.
 */
class SuiteSideTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ ProgressPlugin

    /** Just enough of Cucumber's bus to deliver events to the plugin's handlers. */
    static final class Bus implements EventPublisher {
        final Map<Class<?>, List<EventHandler<?>>> handlers = new HashMap<>();

        @Override
        public <T> void registerHandlerFor(Class<T> type, EventHandler<T> handler) {
            handlers.computeIfAbsent(type, k -> new ArrayList<>()).add(handler);
        }

        @Override
        public <T> void removeHandlerFor(Class<T> type, EventHandler<T> handler) {
            handlers.getOrDefault(type, new ArrayList<>()).remove(handler);
        }

        @SuppressWarnings("unchecked")
        <T> void send(T event) {
            handlers.getOrDefault(event.getClass(), List.of()).forEach(h -> ((EventHandler<T>) h).receive(event));
        }
    }

    record Case(UUID id, String name, int line) implements TestCase {
        @Override
        public Integer getLine() {
            return line;
        }

        @Override
        public Location getLocation() {
            return new Location(line, 5);
        }

        @Override
        public String getKeyword() {
            return "Scenario";
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getScenarioDesignation() {
            return name;
        }

        @Override
        public List<String> getTags() {
            return List.of();
        }

        @Override
        public List<TestStep> getTestSteps() {
            return List.of();
        }

        @Override
        public URI getUri() {
            return URI.create("classpath:ndk/features/connect-with-shared-endpoint.feature");
        }

        @Override
        public UUID getId() {
            return id;
        }
    }

    private static EmbedEvent embed(TestCase tc, String mediaType, String data) {
        return new EmbedEvent(Instant.now(), tc, data.getBytes(StandardCharsets.UTF_8), mediaType, "lab conditions");
    }

    private static TestCaseFinished finished(TestCase tc) {
        return new TestCaseFinished(Instant.now(), tc, new Result(Status.PASSED, Duration.ofMillis(7), null));
    }

    @Test
    void theConditionsAScenarioAttachedGoIntoItsScenarioFinishedEventAndNoneMeansNoField() throws Exception {
        Path file = dir.resolve("progress.ndjson");
        Bus bus = new Bus();
        new ProgressPlugin().register(bus, ProgressLog.open(file));
        Case exhausted = new Case(UUID.randomUUID(), "Resources are exhausted", 40);
        Case plain = new Case(UUID.randomUUID(), "A connect succeeds", 12);
        bus.send(embed(exhausted, "text/plain", "SPI call trace ..."));
        bus.send(embed(exhausted, LabConditionUse.MEDIA_TYPE, "[{\"condition\":\"resource-exhaustion\",\"host\":\"LOCAL\","
                + "\"method\":\"injected\",\"detail\":\"rdma_create_id, rdma_connect on the LOCAL adapter fail with ENOMEM\"}]"));
        bus.send(embed(exhausted, LabConditionUse.MEDIA_TYPE, "[{\"condition\":\"ephemeral-ports-exhausted\","
                + "\"address\":\"198.18.0.1\",\"method\":\"real-limit\",\"detail\":\"every port is bound\"}, 7]"));
        bus.send(embed(plain, LabConditionUse.MEDIA_TYPE, "not json"));
        bus.send(embed(plain, LabConditionUse.MEDIA_TYPE, "{\"condition\":\"not in an array\"}"));
        bus.send(finished(plain));
        bus.send(finished(exhausted));

        List<JsonNode> events = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            events.add(JSON.readTree(l));
        }
        assertThat(events).hasSize(2);
        assertThat(events.get(0).path("id").asText()).isEqualTo("connect-with-shared-endpoint.feature:12");
        assertThat(events.get(0).has("conditions")).isFalse();
        JsonNode e = events.get(1);
        assertThat(e.path("event").asText()).isEqualTo("scenario-finished");
        assertThat(e.path("id").asText()).isEqualTo("connect-with-shared-endpoint.feature:40");
        assertThat(e.path("verdict").asText()).isEqualTo("passed");
        assertThat(e.path("conditions").toString()).isEqualTo("[{\"condition\":\"resource-exhaustion\",\"host\":\"LOCAL\","
                + "\"method\":\"injected\",\"detail\":\"rdma_create_id, rdma_connect on the LOCAL adapter fail with ENOMEM\"},"
                + "{\"condition\":\"ephemeral-ports-exhausted\",\"address\":\"198.18.0.1\",\"method\":\"real-limit\","
                + "\"detail\":\"every port is bound\"}]");
        assertThat(LabConditionUse.listOf(e.path("conditions"))).extracting(LabConditionUse::method)
                .containsExactly("injected", "real-limit");
    }

    @Test
    void aScenarioDuringWhichTheProviderCrashedBehindItsAgentIsFailedCrashedAndRemembered() throws Exception {
        ProgressPlugin.forgetCrash();
        try {
            Path file = dir.resolve("progress.ndjson");
            Bus bus = new Bus();
            new ProgressPlugin().register(bus, ProgressLog.open(file));
            Case before = new Case(UUID.randomUUID(), "A connect succeeds", 12);
            Case crashed = new Case(UUID.randomUUID(), "A connect with a shared endpoint succeeds", 24);
            String words = "signal 11 (SIGSEGV) in call 30 (connect_with_shared_endpoint) of session 1";
            var crash = new org.ndkkit.spi.ProviderCrashedException(words + ", as the agent at 127.0.0.1:7400 reports", words,
                    30, "connect_with_shared_endpoint", null);
            bus.send(new TestCaseFinished(Instant.now(), before, new Result(Status.FAILED, Duration.ofMillis(3),
                    new AssertionError("[CSE-SUCCESS] expected STATUS_SUCCESS"))));
            assertThat(ProgressPlugin.crashedIn()).as("a plain failure is no crash").isNull();
            bus.send(new TestCaseFinished(Instant.now(), crashed, new Result(Status.FAILED, Duration.ofMillis(7),
                    new IllegalStateException("a step", crash))));

            List<JsonNode> events = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                events.add(JSON.readTree(l));
            }
            assertThat(events.get(0).has("code")).isFalse();
            JsonNode e = events.get(1);
            assertThat(e.path("verdict").asText()).isEqualTo("failed");
            assertThat(e.path("code").asText()).isEqualTo("crashed");
            assertThat(e.path("reason").asText()).isEqualTo("the provider crashed: " + words
                    + ", as the agent at 127.0.0.1:7400 reports");
            assertThat(ProgressPlugin.crashedIn()).containsExactly("connect-with-shared-endpoint.feature:24",
                    e.path("reason").asText());
            // and the CLI keeps that verdict, its code and reason as the suite reported them
            var r = org.ndkkit.cli.exec.Outcomes.assemble(List.of(), events, new org.ndkkit.cli.exec.Outcomes.RunState(
                    false, null, false, false, false, null, 4, 60));
            assertThat(r).hasSize(2);
            assertThat(r.get(1).verdict()).isEqualTo(org.ndkkit.cli.model.Verdict.FAILED);
            assertThat(r.get(1).reasonCode()).isEqualTo("crashed");
            assertThat(r.get(1).reason()).isEqualTo(e.path("reason").asText());
        } finally {
            ProgressPlugin.forgetCrash();
        }
    }

    // ------------------------------------------------------------------ Preflight: identity

    /** A testbed whose identity() is {@code identity}; anything else it is asked is unsupported. */
    private static Testbed testbed(Supplier<Map<String, String>> identity) {
        return (Testbed) Proxy.newProxyInstance(Testbed.class.getClassLoader(), new Class<?>[] {Testbed.class}, (p, m, a) -> {
            if (m.getName().equals("identity")) {
                return identity.get();
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    private static JsonNode check(JsonNode preflight) {
        assertThat(preflight.path("checks")).hasSize(1);
        JsonNode c = preflight.path("checks").get(0);
        assertThat(c.path("name").asText()).isEqualTo("identity");
        return c;
    }

    @Test
    void theIdentityIsRecordedWithItsKeysSorted() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("peer.device", "rxe0");
        facts.put("local.firmware", "2.1.7");
        facts.put("agent.version", "0.1.0");
        facts.put("driver", "rdma_rxe");
        JsonNode pf = Preflight.identityOnly(testbed(() -> facts), Duration.ofSeconds(5));
        assertThat(pf.path("identity").toString()).isEqualTo("{\"agent.version\":\"0.1.0\",\"driver\":\"rdma_rxe\","
                + "\"local.firmware\":\"2.1.7\",\"peer.device\":\"rxe0\"}");
        assertThat(check(pf).path("status").asText()).isEqualTo("ok");
        assertThat(check(pf).path("detail").asText()).isEqualTo("4 facts: agent.version, driver, local.firmware, peer.device");
        assertThat(Preflight.identityOf(pf)).containsExactlyEntriesOf(new java.util.TreeMap<>(facts));
    }

    @Test
    void aTestbedThatDeclaresNothingSaysSo() {
        JsonNode pf = Preflight.identityOnly(testbed(Map::of), Duration.ofSeconds(5));
        assertThat(pf.path("identity").isObject()).isTrue();
        assertThat(pf.path("identity")).isEmpty();
        assertThat(check(pf).path("status").asText()).isEqualTo("ok");
        assertThat(check(pf).path("detail").asText()).isEqualTo("the provider declares none");
    }

    @Test
    void anIdentityThatThrowsOrReturnsNullIsAWarningWithNoFacts() {
        JsonNode threw = Preflight.identityOnly(testbed(() -> {
            throw new IllegalStateException("firmware query failed\nsecond line");
        }), Duration.ofSeconds(5));
        assertThat(threw.path("identity")).isEmpty();
        assertThat(check(threw).path("status").asText()).isEqualTo("warning");
        assertThat(check(threw).path("detail").asText()).isEqualTo("Testbed.identity() failed: IllegalStateException: "
                + "firmware query failed; no identity recorded");

        JsonNode nul = Preflight.identityOnly(testbed(() -> null), Duration.ofSeconds(5));
        assertThat(check(nul).path("status").asText()).isEqualTo("warning");
        assertThat(check(nul).path("detail").asText()).contains("returned null");
    }

    @Test
    void anIdentityThatNeverReturnsIsAWarningWithinTheBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        long t0 = System.nanoTime();
        JsonNode pf = Preflight.identityOnly(testbed(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                // the preflight gave up on it: keep blocking as a wedged provider would
                try {
                    release.await();
                } catch (InterruptedException again) {
                    Thread.currentThread().interrupt();
                }
            }
            return Map.of("late", "x");
        }), Duration.ofMillis(300));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        release.countDown();
        assertThat(ms).isLessThan(5_000);
        assertThat(pf.path("identity")).isEmpty();
        assertThat(check(pf).path("status").asText()).isEqualTo("warning");
        assertThat(check(pf).path("detail").asText()).isEqualTo("Testbed.identity() had not returned after 300 ms; "
                + "no identity recorded");
    }

    @Test
    void malformedKeysAndValuesAreRecordedWithAWarningAndNullsLeftOut() {
        Map<String, String> facts = new HashMap<>();
        facts.put("Local.Firmware", "2.1.7");
        facts.put("driver", "rdma_rxe\nbuilt-in");
        facts.put("kernel", null);
        JsonNode pf = Preflight.identityOnly(testbed(() -> facts), Duration.ofSeconds(5));
        assertThat(pf.path("identity").toString()).isEqualTo("{\"Local.Firmware\":\"2.1.7\",\"driver\":\"rdma_rxe\\nbuilt-in\"}");
        assertThat(check(pf).path("status").asText()).isEqualTo("warning");
        assertThat(check(pf).path("detail").asText()).startsWith("2 facts: Local.Firmware, driver; ")
                .contains("Local.Firmware is not lower-case-hyphenated", "driver is not a single line",
                        "kernel has no value (left out)");
    }
}
