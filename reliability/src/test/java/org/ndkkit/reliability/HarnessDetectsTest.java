package org.ndkkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The harness must see what it claims to see: each seeded defect that breaks a completion rule,
 * run through a few normal cycles, must come out as the matching problem; the same cycles on the
 * bare simulated provider must come out clean.
 */
class HarnessDetectsTest {

    private static List<Problem.Kind> cycleProblems(String provider, Map<String, String> settings, int cycles) {
        try (TestRigs t = new TestRigs(provider, settings, Duration.ofMillis(500))) {
            t.report.phase("cycles", false);
            CyclePhase.run(t.rig, cycles, 20);
            return t.report.problems().stream().map(Problem::kind).toList();
        }
    }

    @Test
    void cleanCyclesOnTheSimulatedProvider() {
        assertThat(cycleProblems("simulated", Map.of(), 20)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "completion-twice, DUPLICATE_CALLBACK",
            "completion-context-lost, WRONG_CONTEXT",
            "pending-never-completes, LOST_CALLBACK",
            "disconnect-never-returns, HANG",
            "disconnect-event-twice, DUPLICATE_CALLBACK",
            "four-tuple-never-released, FAILED",
    })
    void aSeededDefectBecomesTheMatchingProblem(String defect, Problem.Kind expected) {
        assertThat(cycleProblems("defective", Map.of("defect", defect), 4)).contains(expected);
    }

    private static List<Problem.Kind> raceProblems(String provider, Map<String, String> settings) {
        try (TestRigs t = new TestRigs(provider, settings, Duration.ofMillis(500))) {
            t.report.phase("races", false);
            new RacePhase(t.rig, 3, 1).run(20);
            return t.report.problems().stream().map(Problem::kind).toList();
        }
    }

    @Test
    void cleanRacesOnTheSimulatedProvider() {
        assertThat(raceProblems("simulated", Map.of())).isEmpty();
    }

    /**
     * Defects only a race shows: a connect completion held back until after the close completion
     * (a close racing a pending connect), and a pending close completed twice (the shared endpoint
     * closed while its connectors connect).
     */
    @ParameterizedTest
    @CsvSource({
            "callback-after-close, LATE_CALLBACK",
            "close-completion-twice, DUPLICATE_CALLBACK",
    })
    void aSeededDefectBecomesTheMatchingProblemInTheRaces(String defect, Problem.Kind expected) {
        assertThat(raceProblems("defective", Map.of("defect", defect))).contains(expected);
    }

    @Test
    void aHangIsCaughtWithAThreadDumpAndTheHarnessGoesOn() {
        try (TestRigs t = new TestRigs("defective", Map.of("defect", "disconnect-never-returns"), Duration.ofMillis(300))) {
            t.report.phase("cycles", false);
            CyclePhase.run(t.rig, 2, 10);
            assertThat(t.bounds.caught()).isGreaterThanOrEqualTo(1);
            assertThat(t.report.timeouts()).allSatisfy(x -> assertThat(x.threadDump()).isNotNull());
            assertThat(t.printed()).contains("TIMEOUT NdkDisconnect");
        }
    }
}
