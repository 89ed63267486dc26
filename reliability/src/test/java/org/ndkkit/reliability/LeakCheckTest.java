package org.ndkkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/** The leak check compares counts, reports growth as a leak, and never reports "no leaks" when it could not count. */
class LeakCheckTest {

    @Test
    void onlyGrowthIsALeak() {
        assertThat(LeakCheck.leaked(Map.of("qp", 2L, "cq", 1L), Map.of("qp", 3L, "cq", 0L, "rdma:cm_id", 4L)))
                .isEqualTo(Map.of("qp", 1L, "rdma:cm_id", 4L));
        assertThat(LeakCheck.leaked(Map.of("qp", 2L), Map.of("qp", 2L))).isEmpty();
    }

    @Test
    void countsThatGrowAreReportedAsALeak() {
        AtomicLong held = new AtomicLong();
        try (TestRigs t = new TestRigs(counting(() -> Availability.of(Map.of("connector", held.get()))), Map.of(),
                Duration.ofMillis(200))) {
            t.report.phase("cycles", false);
            LeakCheck check = LeakCheck.start(t.rig);
            held.set(3);
            assertThat(check.finish()).isEqualTo(3);
            assertThat(t.report.problems()).extracting(Problem::kind).containsExactly(Problem.Kind.LEAK);
            assertThat(t.report.leaks()).isEqualTo(3);
        }
    }

    @Test
    void aProviderThatCannotCountMakesTheCheckUnavailableNotClean() {
        try (TestRigs t = new TestRigs(counting(() -> Availability.unavailable("no-resource-counts", "cannot count")),
                Map.of(), Duration.ofMillis(200))) {
            t.report.phase("cycles", false);
            assertThat(LeakCheck.start(t.rig).finish()).isEqualTo(-1);
            assertThat(t.report.leakCheckUnavailable()).contains("no-resource-counts");
            assertThat(t.printed()).contains("leak check unavailable").doesNotContain("0 leaks");
        }
    }

    /** The simulated provider with its counts replaced: everything else passes through. */
    private static NdkProvider counting(java.util.function.Supplier<Availability<Map<String, Long>>> counts) {
        NdkProvider simulated = Providers.byName("simulated");
        return new NdkProvider() {
            @Override
            public ProviderIdentity identity() {
                return new ProviderIdentity("counting", "0", "test", "simulated with its counts replaced");
            }

            @Override
            public Set<ProviderCapability> capabilities() {
                return simulated.capabilities();
            }

            @Override
            public Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException {
                Testbed inner = simulated.openTestbed(options);
                return (Testbed) java.lang.reflect.Proxy.newProxyInstance(Testbed.class.getClassLoader(), new Class<?>[] {Testbed.class},
                        (proxy, m, args) -> m.getName().equals("resourceCounts") ? counts.get() : invoke(inner, m, args));
            }
        };
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
