package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ndkkit.cli.exec.Outcomes;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.spec.Spec;

/** The spec index the CLI selects from, and how progress events become one verdict per selected scenario. */
class SpecAndOutcomesTest {
    static final Spec SPEC = Spec.load(SpecAndOutcomesTest.class.getClassLoader());
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theIndexMatchesTheFeatureFilesAndTheirHashes() throws IOException {
        Path features = Path.of("../features");
        Map<String, String> onDisk = new TreeMap<>();
        try (Stream<Path> s = Files.list(features)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".feature") || p.getFileName().toString().equals("clauses.yaml")).toList()) {
                onDisk.put(p.getFileName().toString(), Hashes.sha256(p));
            }
        }
        assertThat(SPEC.fileHashes()).isEqualTo(onDisk);
        assertThat(SPEC.specHash()).hasSize(64);
        // every id points at the line of a Scenario or of an Examples row in its file
        for (Spec.Scenario s : SPEC.scenarios()) {
            String line = Files.readAllLines(features.resolve(s.feature())).get(s.line() - 1).trim();
            assertThat(line.startsWith("Scenario") || line.startsWith("|")).as(s.id() + ": " + line).isTrue();
            assertThat(s.clauses()).as(s.id()).isNotEmpty();
        }
        assertThat(SPEC.scenarios()).extracting(Spec.Scenario::id).doesNotHaveDuplicates();
    }

    @Test
    void tagExpressionsSelect() {
        List<Spec.Scenario> one = SPEC.select("@clause:CSE-PENDING");
        assertThat(one).hasSize(1);
        List<Spec.Scenario> success = SPEC.select("@clause:CSE-SUCCESS");
        assertThat(success).isNotEmpty().doesNotContainAnyElementsOf(one);
        assertThat(SPEC.select("@clause:CSE-SUCCESS or @clause:CSE-PENDING")).hasSize(success.size() + 1)
                .containsAll(success).containsAll(one);
        assertThat(SPEC.select("not @clause:CSE-PENDING")).hasSize(SPEC.scenarios().size() - 1);
        assertThat(SPEC.select(null)).hasSize(SPEC.scenarios().size());
        assertThat(SPEC.select("@function:NdkConnectWithSharedEndpoint")).isNotEmpty();
        assertThatThrownBy(() -> SPEC.select("@a and (")).isInstanceOf(IllegalArgumentException.class);
    }

    static JsonNode ev(String json) throws IOException {
        return JSON.readTree(json);
    }

    @Test
    void missingVerdictsAreNamed() throws IOException {
        List<Spec.Scenario> sel = SPEC.scenarios().subList(0, 4);
        List<JsonNode> events = new ArrayList<>();
        events.add(ev("{\"event\":\"scenario-started\",\"id\":\"" + sel.get(0).id() + "\"}"));
        events.add(ev("{\"event\":\"scenario-finished\",\"id\":\"" + sel.get(0).id()
                + "\",\"verdict\":\"unsupported\",\"reason\":\"no-ipv6: none here\",\"durationMillis\":3}"));
        events.add(ev("{\"event\":\"scenario-started\",\"id\":\"" + sel.get(1).id() + "\"}"));

        List<ScenarioResult> hung = Outcomes.assemble(sel, events, new Outcomes.RunState(false, null, true, false, false,
                sel.get(1).id(), 143, 60));
        assertThat(hung).extracting(ScenarioResult::verdict).containsExactly(Verdict.UNSUPPORTED, Verdict.TIMEOUT,
                Verdict.NOT_REACHED, Verdict.NOT_REACHED);
        assertThat(hung.get(0).reasonCode()).isEqualTo("no-ipv6");
        assertThat(hung.get(1).reasonCode()).isEqualTo("hung");

        List<ScenarioResult> crashed = Outcomes.assemble(sel, events, new Outcomes.RunState(false, null, false, false, false,
                sel.get(1).id(), 134, 60));
        assertThat(crashed).extracting(ScenarioResult::verdict).containsExactly(Verdict.UNSUPPORTED, Verdict.FAILED,
                Verdict.NOT_REACHED, Verdict.NOT_REACHED);
        assertThat(crashed.get(1).reason()).contains("exit 134");

        List<ScenarioResult> env = Outcomes.assemble(sel, List.of(), new Outcomes.RunState(false, "preflight failed: x",
                false, false, false, null, 2, 60));
        assertThat(env).extracting(ScenarioResult::verdict).containsOnly(Verdict.ENVIRONMENT_ERROR);
    }
}
