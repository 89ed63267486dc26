package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The read-limit formulas agree with every read-limit scenario, and the check notices when they do not. */
class ReadLimitsTest {
    private static final Path FEATURES = Path.of("..", "features");
    private static final List<SiteData.AdapterPair> PAIRS = SiteData.pairs(SiteData.read("read-limits.yaml"));

    private static Map<String, byte[]> files() throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        for (String n : List.of("clauses.yaml", "read-limits.feature")) {
            files.put(n, Files.readAllBytes(FEATURES.resolve(n)));
        }
        return files;
    }

    @Test
    void everyReadLimitScenarioIsWorkedAndAgreesWithTheFormulas() {
        SpecModel spec = SpecModel.load(FEATURES);
        List<ReadLimits.Worked> worked = ReadLimits.work(spec.runnables(), PAIRS);
        long limitScenarios = spec.runnables().stream().filter(r -> r.clauses().stream().anyMatch(c -> c.startsWith("LIM-"))).count();
        assertThat(worked.stream().map(w -> w.scenario().id()).distinct().count()).isEqualTo(limitScenarios);
        assertThat(worked).allSatisfy(w -> assertThat(w.checks()).isNotEmpty().allMatch(ReadLimits.Check::agrees));
    }

    @Test
    void theExampleRowsValuesComeFromTheTable() {
        SpecModel spec = SpecModel.load(FEATURES);
        ReadLimits.Worked justAbove = ReadLimits.work(spec.runnables(), PAIRS).stream()
                .filter(w -> w.scenario().name().equals("An inbound read limit just above the adapter maximum")).findFirst().orElseThrow();
        SiteData.AdapterPair a = justAbove.pair();
        assertThat(justAbove.ownIn().text()).isEqualTo("MaxInboundReadLimit + 1");
        assertThat(justAbove.ownIn().value()).isEqualTo(a.local().inbound() + 1);
        assertThat(justAbove.checks().get(0).expected().value()).isEqualTo(a.local().inbound());
        assertThat(justAbove.checks().get(0).work()).startsWith("min(" + (a.local().inbound() + 1) + ", " + a.local().inbound() + ", ");
    }

    @Test
    void aTableThatContradictsTheFormulaFailsTheBuild() throws Exception {
        Map<String, byte[]> files = files();
        String feature = new String(files.get("read-limits.feature"), StandardCharsets.UTF_8);
        // the "higher" row of the peer-outbound outline: the effective inbound limit is 2, not 3
        String tampered = feature.replace("| higher   | 3             | 2         |", "| higher   | 3             | 3         |");
        assertThat(tampered).isNotEqualTo(feature);
        files.put("read-limits.feature", tampered.getBytes(StandardCharsets.UTF_8));
        SpecModel spec = SpecModel.fromFiles(files);
        assertThatThrownBy(() -> ReadLimits.work(spec.runnables(), PAIRS)).hasMessageContaining("read-limits.feature:")
                .hasMessageContaining("expects C1 to read inbound 3 = 3, the formula gives min(2, 16, min(3, ");
    }

    @Test
    void aScenarioNoPairCanRunIsReported() {
        SiteData.AdapterPair tiny = new SiteData.AdapterPair("T", "too small", new SiteData.Maxima(1, 1), new SiteData.Maxima(1, 1));
        SpecModel spec = SpecModel.load(FEATURES);
        assertThatThrownBy(() -> ReadLimits.work(spec.runnables(), List.of(tiny)))
                .hasMessageContaining("no adapter pair of read-limits.yaml meets the scenario's preconditions");
    }
}
