package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both summary formats read; whatever is absent reads "no run". */
class ResultsTest {
    static final String SUITE_SUMMARY = """
            {"schema": "ndk-conformance-summary/1", "kitVersion": "0.1.0", "finished": "2026-01-02T03:04:05Z",
             "provider": {"name": "simulated", "version": "0.1.0", "settings": {"completion-path": "inline"}},
             "counts": {"passed": 1, "failed": 1, "total": 2},
             "scenarios": [
               {"id": "a.feature:5", "name": "First", "verdict": "passed", "reason": null},
               {"id": "a.feature:9", "name": "Second", "verdict": "failed", "reason": "[ONE] expected X, got Y"}]}
            """;
    static final String CLI_SUMMARY = """
            {"schema": "ndk-conformance-summary/2",
             "kit": {"version": "0.1.0", "spec": {"sha256": "abc"}},
             "run": {"state": "complete", "lab": true, "tags": null, "finished": "2026-01-02T03:04:05Z"},
             "provider": {"name": "reference", "version": "0.2.0", "settings": {}},
             "counts": {"passed": 0, "unsupported": 1, "total": 1},
             "scenarios": [{"id": "a.feature:5", "name": "Renamed since", "verdict": "unsupported", "reason": "no-ipv6: x"}]}
            """;

    @Test
    void theSuitesOwnSummaryIsRead(@TempDir Path dir) throws Exception {
        Path f = Files.createDirectories(dir.resolve("steps/target/conformance/simulated-inline")).resolve("summary.json");
        Files.writeString(f, SUITE_SUMMARY);
        Results.Run r = Results.read(f, dir);
        assertThat(r.present()).isTrue();
        assertThat(r.label()).isEqualTo("steps/target/conformance/simulated-inline");
        assertThat(r.provider()).isEqualTo("simulated");
        assertThat(r.settings()).isEqualTo("completion-path=inline");
        assertThat(r.specHash()).isNull();
        assertThat(r.verdictOf("a.feature:9", "Second")).isEqualTo("failed");
        assertThat(r.reasonOf("a.feature:9", "Second")).isEqualTo("[ONE] expected X, got Y");
        assertThat(r.verdictOf("a.feature:12", "Third")).isEqualTo(Results.NO_RUN);
    }

    @Test
    void theCliSummaryIsReadAndAnIdWhoseNameChangedIsNoRun(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("summary.json");
        Files.writeString(f, CLI_SUMMARY);
        Results.Run r = Results.read(f, dir);
        assertThat(r.specHash()).isEqualTo("abc");
        assertThat(r.state()).isEqualTo("complete");
        assertThat(r.settings()).isEqualTo("in the lab");
        assertThat(r.verdictOf("a.feature:5", "Renamed since")).isEqualTo("unsupported");
        // an older spec had another scenario on that line: its verdict must not be shown for this one
        assertThat(r.verdictOf("a.feature:5", "First")).isEqualTo(Results.NO_RUN);
    }

    @Test
    void aMissingSummaryIsARunWithNoVerdicts(@TempDir Path dir) {
        Results.Run r = Results.read(dir.resolve("target/lab-certification/summary.json"), dir);
        assertThat(r.present()).isFalse();
        assertThat(r.label()).isEqualTo("target/lab-certification");
        assertThat(r.verdictOf("a.feature:5", "First")).isEqualTo(Results.NO_RUN);
    }

    @Test
    void somethingElseIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("summary.json");
        Files.writeString(f, "{\"schema\": \"something/1\"}");
        assertThatThrownBy(() -> Results.read(f, dir)).hasMessageContaining("not a conformance summary");
    }

    @Test
    void aFolderIsSearchedLeavingOutRawCopiesAndKillMatrixRuns(@TempDir Path dir) throws Exception {
        for (String p : List.of("conformance/reference", "conformance/reference/raw/kit", "km/matrix/runs/close-fails", "lab")) {
            Files.writeString(Files.createDirectories(dir.resolve(p)).resolve("summary.json"), SUITE_SUMMARY);
        }
        Path named = dir.resolve("nowhere/summary.json");
        assertThat(Results.discover(List.of(named, dir))).containsExactly(named.toAbsolutePath(),
                dir.resolve("conformance/reference/summary.json").toAbsolutePath(), dir.resolve("lab/summary.json").toAbsolutePath());
    }

    @Test
    void theWorstVerdictWinsAndNoRunOnlyWhenNothingRan() {
        assertThat(Results.worst(List.of("passed", "unsupported", Results.NO_RUN))).isEqualTo("unsupported");
        assertThat(Results.worst(List.of("passed", "failed", "timeout"))).isEqualTo("failed");
        assertThat(Results.worst(List.of(Results.NO_RUN, Results.NO_RUN))).isEqualTo(Results.NO_RUN);
        assertThat(Results.worst(List.of("passed"))).isEqualTo("passed");
    }
}
