package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.kit.SpecIndex;

/** The model names scenarios as the suite does and identifies the spec by its hashes. */
class SpecModelTest {
    private static final Path FEATURES = Path.of("..", "features");

    @Test
    void everyRunnableIsASuiteScenarioOnItsOwnLine() throws Exception {
        SpecModel spec = SpecModel.load(FEATURES);
        assertThat(spec.runnables()).hasSameSizeAs(SpecIndex.fromDirectory(FEATURES).entries());
        assertThat(spec.runnables()).extracting(SpecModel.Runnable::id).doesNotHaveDuplicates();
        for (SpecModel.Runnable r : spec.runnables()) {
            List<String> lines = Files.readAllLines(FEATURES.resolve(r.feature()));
            String line = lines.get(Integer.parseInt(r.id().substring(r.id().lastIndexOf(':') + 1)) - 1).trim();
            assertThat(line).as(r.id()).matches(r.scenario().isOutline() ? "\\|.*\\|" : "Scenario: .*");
        }
    }

    @Test
    void theSpecHashIsTheHashOfTheFileHashLines() throws Exception {
        SpecModel spec = SpecModel.load(FEATURES);
        StringBuilder lines = new StringBuilder();
        try (var files = Files.list(FEATURES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".feature") || p.endsWith("clauses.yaml")).sorted().toList()) {
                lines.append(hex(Files.readAllBytes(f))).append("  ").append(f.getFileName()).append('\n');
            }
        }
        assertThat(spec.specHash()).isEqualTo(hex(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aChangedFileChangesItsHashAndTheSpecHash() {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("clauses.yaml", TinySpec.CLAUSES.getBytes(StandardCharsets.UTF_8));
        files.put("a.feature", "Feature: a\n".getBytes(StandardCharsets.UTF_8));
        SpecModel before = SpecModel.fromFiles(files);
        files.put("a.feature", "Feature: b\n".getBytes(StandardCharsets.UTF_8));
        SpecModel after = SpecModel.fromFiles(files);
        assertThat(after.fileHashes().get("clauses.yaml")).isEqualTo(before.fileHashes().get("clauses.yaml"));
        assertThat(after.fileHashes().get("a.feature")).isNotEqualTo(before.fileHashes().get("a.feature"));
        assertThat(after.specHash()).isNotEqualTo(before.specHash());
    }

    @Test
    void aSpecWhoseFeaturesAndCatalogueDisagreeIsNotRendered(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("clauses.yaml"), TinySpec.CLAUSES);
        Files.writeString(dir.resolve("a.feature"), "Feature: a\n  @clause:ONE-CLAUSE @clause:NOT-THERE\n  Scenario: s\n    Given x\n");
        assertThatThrownBy(() -> SpecModel.load(dir)).hasMessageContaining("NOT-THERE").hasMessageContaining("TWO-CLAUSE has no scenario");
    }

    private static String hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
