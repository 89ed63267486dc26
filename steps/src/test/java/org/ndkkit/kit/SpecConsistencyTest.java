package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build fails when the features and the clause catalogue disagree. */
class SpecConsistencyTest {
    private static final Path FEATURES = Path.of("..", "features");

    @Test
    void everyClauseHasAScenarioAndEveryScenarioKnownClauses() {
        SpecIndex index = SpecIndex.fromDirectory(FEATURES);
        assertThat(index.entries()).hasSizeGreaterThan(50);
        assertThat(index.problems(ClauseCatalogue.load())).isEmpty();
    }

    @Test
    void theCheckCatchesAnUnknownClauseAMissingTagAndAnUncoveredClause(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("x.feature"), """
                Feature: x
                  @clause:KNOWN-ONE @clause:UNKNOWN-CLAUSE
                  Scenario: a
                    Given something
                  Scenario: b
                    Given something
                """);
        ClauseCatalogue catalogue = ClauseCatalogue.parse(new ByteArrayInputStream("""
                sources: {p: https://example.invalid/p}
                clauses:
                  KNOWN-ONE: {rule: r, source: p, level: mandatory}
                  NEVER-USED: {rule: r, source: p, level: mandatory}
                """.getBytes(StandardCharsets.UTF_8)));
        assertThat(SpecIndex.fromDirectory(dir).problems(catalogue)).containsExactlyInAnyOrder(
                "x.feature: scenario 'a' names clause UNKNOWN-CLAUSE, which is not in the clause catalogue",
                "x.feature: scenario 'b' has no @clause tag",
                "clause NEVER-USED has no scenario");
    }

    @Test
    void everyClauseNamesARealSourcePage() {
        ClauseCatalogue.load().clauses().values().forEach(c ->
                assertThat(c.sourceUrl()).as(c.id()).startsWith("https://learn.microsoft.com/"));
    }
}
