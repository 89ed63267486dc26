package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The register covers every clause's ambiguity exactly once, and says why the rest is not checked. */
class RegisterTest {
    private static SiteData.Entry entry(String id, List<String> clauses, String notChecked) {
        return new SiteData.Entry(id, "t", "d", List.of(), clauses, List.of(), notChecked);
    }

    @Test
    void theRealRegisterCoversEveryAmbiguityOfTheCatalogue() {
        SpecModel spec = SpecModel.load(Path.of("..", "features"));
        List<Register.Item> items = Register.join(SiteData.entries(SiteData.read("ambiguities.yaml")), spec.catalogue());
        assertThat(items).extracting(i -> i.entry().id()).contains("D1", "D14", "NF-PRIVATE-DATA-STATUS");
        assertThat(items.stream().filter(i -> i.entry().id().startsWith("D"))).hasSize(14);
        spec.catalogue().clauses().values().stream().filter(c -> c.ambiguity() != null)
                .forEach(c -> assertThat(Register.entryOf(items, c.id())).as(c.id()).isNotNull());
        items.stream().filter(i -> i.covering().isEmpty()).forEach(i -> assertThat(i.entry().notChecked()).isNotBlank());
    }

    @Test
    void aClauseAmbiguityWithoutAnEntryIsRefused() {
        SpecModel spec = TinySpec.of();
        assertThatThrownBy(() -> Register.join(List.of(entry("D2", List.of(), "why")), spec.catalogue()))
                .hasMessageContaining("clause ONE-CLAUSE (ambiguity: D1) is covered by 0 register entries");
    }

    @Test
    void anUncoveredEntryMustSayWhy() {
        SpecModel spec = TinySpec.of();
        assertThatThrownBy(() -> Register.join(List.of(entry("D1", List.of(), null), entry("D2", List.of(), null)), spec.catalogue()))
                .hasMessageContaining("D2 is covered by no clause and says no reason why");
    }

    @Test
    void aNotFoundEntryMayClaimOnlyNotFoundClauses() {
        SpecModel spec = TinySpec.of();
        assertThatThrownBy(() -> Register.join(List.of(entry("D1", List.of(), null), entry("NF-X", List.of("TWO-CLAUSE"), null)),
                spec.catalogue())).hasMessageContaining("NF-X claims TWO-CLAUSE, which is not a clause with 'ambiguity: not-found'");
    }
}
