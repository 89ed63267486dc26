package org.ndkkit.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The bad-input property on the simulated provider, once per completion path (an error inline,
 * through a pending completion, or through a completion made inside the call): every generated bad
 * call must return a status or throw nothing, never hang, and leave the provider able to run a
 * normal cycle. A finding fails the property, and jqwik shrinks it to a smallest bad input.
 */
class BadInputPropertyTest {
    private static final Map<String, Fixture> FIXTURES = new ConcurrentHashMap<>();

    /** One simulated testbed per completion path, shared by that property's tries. */
    private record Fixture(TestRigs rigs, BadInputRunner runner) {
    }

    @Property(tries = 150)
    void pendingPath(@ForAll("badCalls") BadCall call) {
        survives("pending", call);
    }

    @Property(tries = 100)
    void pendingInCallPath(@ForAll("badCalls") BadCall call) {
        survives("pending-in-call", call);
    }

    @Property(tries = 100)
    void inlinePath(@ForAll("badCalls") BadCall call) {
        survives("inline", call);
    }

    @Provide
    Arbitrary<BadCall> badCalls() {
        return BadCalls.any();
    }

    private static void survives(String path, BadCall call) {
        Fixture f = FIXTURES.computeIfAbsent(path, p -> {
            TestRigs rigs = new TestRigs("simulated", Map.of("completion-path", p), Duration.ofSeconds(2));
            rigs.report.phase("bad-inputs", false);
            return new Fixture(rigs, new BadInputRunner(rigs.rig, () -> {
                throw new IllegalStateException("the simulated provider became unusable; see the findings");
            }));
        });
        int before = f.rigs().report.problems().size();
        boolean clean = f.runner().check(call);
        List<Problem> found = f.rigs().report.problems();
        if (!clean) {
            throw new AssertionError(call + " on completion path " + path + ":\n  "
                    + String.join("\n  ", found.subList(before, found.size()).stream().map(Problem::toString).toList()));
        }
    }

    @AfterContainer
    static void closeFixtures() {
        FIXTURES.values().forEach(f -> {
            f.runner().finish();
            f.rigs().close();
        });
        FIXTURES.clear();
    }
}
