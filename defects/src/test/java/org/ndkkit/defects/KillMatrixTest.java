package org.ndkkit.defects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ndkkit.defects.KillMatrix.Status;
import org.ndkkit.kit.KitConfig;

/** The kill matrix's classification and report, on synthetic runs (no suite is run). */
class KillMatrixTest {
    private static final Defect D = new Defect("some-defect", List.of("X-ONE", "X-TWO"), "breaks X") {
    };

    private static MatrixPlugin.Scenario scenario(String id, String verdict, String message) {
        return new MatrixPlugin.Scenario(id, id, verdict, message);
    }

    private static KillMatrix.Run run(long firings, MatrixPlugin.Scenario... scenarios) {
        return new KillMatrix.Run(List.of(scenarios), Map.of(), firings, 7);
    }

    private static final MatrixPlugin.Scenario NAMING = scenario("a.feature:3", "failed", "[X-TWO] wrong status\nCall sequence:\n...");
    private static final MatrixPlugin.Scenario OTHER = scenario("a.feature:9", "failed", "[Y-OTHER] wrong status");
    private static final MatrixPlugin.Scenario PASSED = scenario("a.feature:12", "passed", "");

    @Test
    void aDefectThatNeverFiredIsNotTriggeredEvenWhenAFailureNamesItsClause() {
        KillMatrix.Row row = KillMatrix.row(D, run(0, NAMING, PASSED));
        assertThat(row.status()).isEqualTo(Status.NOT_TRIGGERED);
        assertThat(row.caught()).isFalse();
        assertThat(row.catchingScenarios()).as("the inner provider's own failure is no kill").isEmpty();
        assertThat(row.reason()).isEqualTo("the defect's hook never altered a call in the selected scenarios");
    }

    @Test
    void aDefectThatFiredWithNoFailureNamingItsClauseSurvived() {
        KillMatrix.Row row = KillMatrix.row(D, run(3, OTHER, PASSED));
        assertThat(row.status()).isEqualTo(Status.SURVIVED);
        assertThat(row.firings()).isEqualTo(3);
        assertThat(row.catchingScenarios()).isEmpty();
    }

    @Test
    void aDefectThatFiredAndWhoseClauseWasNamedIsCaught() {
        KillMatrix.Row row = KillMatrix.row(D, run(1, OTHER, NAMING, PASSED));
        assertThat(row.status()).isEqualTo(Status.CAUGHT);
        assertThat(row.catchingScenarios()).containsExactly("a.feature:3");
        assertThat(row.namedClauses()).containsExactly("X-TWO");
        assertThat(KillMatrix.row(D, run(1, scenario("t:1", "timeout", "timeout: [X-ONE] no return"))).status())
                .isEqualTo(Status.CAUGHT);
    }

    private static KillMatrix.Row row(String id, long firings, MatrixPlugin.Scenario... s) {
        Defect d = new Defect(id, List.of("X-TWO"), "breaks X") {
        };
        return KillMatrix.row(d, run(firings, s));
    }

    private static KillMatrix.Result result(boolean requireAll, KillMatrix.Control control, KillMatrix.Row... rows) {
        return new KillMatrix.Result("9.9", new KillMatrix.Inner("acme", "1.2", "Acme", Map.of(), "in-process"),
                new KitConfig("defective", Path.of("x"), Duration.ofMillis(1000), Duration.ofMillis(300),
                        Duration.ofMillis(20), Map.of()),
                List.of(rows), control, requireAll, 99);
    }

    private static final KillMatrix.Control CLEAN = new KillMatrix.Control(Map.of("passed", 5), List.of(), 0, 10);

    @Test
    void theKillLineCountsTriggeredDefectsAndListsTheOthers() {
        KillMatrix.Result all = result(false, CLEAN, row("a", 1, NAMING), row("b", 2, NAMING));
        assertThat(all.line()).isEqualTo("kill matrix: 2 of 2 defects caught");
        assertThat(all.ok()).isTrue();

        KillMatrix.Result some = result(false, CLEAN, row("a", 1, NAMING), row("b", 0), row("c", 0, NAMING));
        assertThat(some.line()).isEqualTo("kill matrix: 1 of 1 triggered defects caught (2 not triggered on acme: b, c)");
        assertThat(some.ok()).as("not-triggered is allowed unless required").isTrue();
        assertThat(result(true, CLEAN, row("a", 1, NAMING), row("b", 0)).ok()).isFalse();
    }

    @Test
    void aSurvivorOrAFailedOrFiringControlFailsTheMatrix() {
        assertThat(result(false, CLEAN, row("a", 1, NAMING), row("b", 4, OTHER)).ok()).isFalse();
        assertThat(result(false, CLEAN, row("a", 1, NAMING), row("b", 4, OTHER)).line())
                .isEqualTo("kill matrix: 1 of 2 defects caught");
        KillMatrix.Control failed = new KillMatrix.Control(Map.of("failed", 1), List.of("a.feature:3"), 0, 10);
        assertThat(result(false, failed, row("a", 1, NAMING)).ok()).isFalse();
        KillMatrix.Control fired = new KillMatrix.Control(Map.of("passed", 5), List.of(), 1, 10);
        assertThat(result(false, fired, row("a", 1, NAMING)).controlPassed()).isFalse();
    }

    @Test
    void theJsonHasTheDocumentedShape() {
        KillMatrix.Result r = result(false, CLEAN, row("a", 1, NAMING), row("b", 0), row("c", 5, OTHER));
        JsonNode j = KillMatrix.json(new ObjectMapper(), r);
        assertThat(j.path("schema").asText()).isEqualTo("ndk-kill-matrix/2");
        assertThat(j.path("kitVersion").asText()).isEqualTo("9.9");
        assertThat(j.path("inner").path("name").asText()).isEqualTo("acme");
        assertThat(j.path("inner").path("version").asText()).isEqualTo("1.2");
        assertThat(j.path("totals").path("defects").asInt()).isEqualTo(3);
        assertThat(j.path("totals").path("triggered").asInt()).isEqualTo(2);
        assertThat(j.path("totals").path("caught").asInt()).isEqualTo(1);
        assertThat(j.path("totals").path("survived").asInt()).isEqualTo(1);
        assertThat(j.path("totals").path("notTriggered").asInt()).isEqualTo(1);
        assertThat(j.path("control").path("passed").asBoolean()).isTrue();
        assertThat(j.path("control").path("firings").asInt()).isZero();
        assertThat(j.path("ok").asBoolean()).isFalse();
        JsonNode a = j.path("defects").get(0);
        assertThat(a.path("id").asText()).isEqualTo("a");
        assertThat(a.path("status").asText()).isEqualTo("caught");
        assertThat(a.path("firings").asInt()).isEqualTo(1);
        assertThat(a.path("catchingScenarios").get(0).asText()).isEqualTo("a.feature:3");
        assertThat(a.path("namedClauses").get(0).asText()).isEqualTo("X-TWO");
        for (String field : List.of("description", "clauses", "tags", "reason", "verdicts", "millis")) {
            assertThat(a.has(field)).as(field).isTrue();
        }
        assertThat(j.path("defects").get(1).path("status").asText()).isEqualTo("not-triggered");
        assertThat(j.path("defects").get(2).path("status").asText()).isEqualTo("survived");
    }
}
