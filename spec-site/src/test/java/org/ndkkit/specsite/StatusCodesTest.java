package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NtStatus;

/** The status-code table is read from the steps, and says so when it cannot place one. */
class StatusCodesTest {
    private static final Map<String, String> PAGES = Map.of("connect-with-shared-endpoint", "NdkConnectWithSharedEndpoint",
            "reject", "NdkReject");

    @Test
    void eachOutcomePhraseNamesItsFunctionAndPath() {
        SpecModel spec = TinySpec.of("a.feature", """
                Feature: a
                  @clause:ONE-CLAUSE
                  Scenario: refused
                    When C1 connects through SE to a destination where nothing listens
                    Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
                  @clause:TWO-CLAUSE @clause:ONE-CLAUSE
                  Scenario: rejected
                    When C1 connects through SE to L
                    Then the connect of C1 succeeds
                    And the reject returns STATUS_SUCCESS
                """);
        List<StatusCodes.Use> uses = StatusCodes.uses(spec.runnables());
        assertThat(uses).extracting(u -> u.status().name() + " " + u.function() + " " + u.path()).containsExactly(
                "STATUS_CONNECTION_REFUSED NdkConnectWithSharedEndpoint EITHER",
                "STATUS_SUCCESS NdkConnectWithSharedEndpoint EITHER",
                "STATUS_SUCCESS NdkReject INLINE");
        List<StatusCodes.Row> rows = StatusCodes.rows(uses, spec.catalogue(), PAGES);
        assertThat(rows).extracting(StatusCodes.Row::function).containsExactly("NdkConnectWithSharedEndpoint",
                "NdkReject", "NdkConnectWithSharedEndpoint");
        StatusCodes.Row reject = rows.get(1);
        assertThat(reject.status()).isEqualTo(NtStatus.SUCCESS);
        assertThat(reject.paths()).isEqualTo(EnumSet.of(StatusCodes.Path.INLINE));
        assertThat(reject.requiredBy()).containsExactly("TWO-CLAUSE");
        assertThat(reject.alsoIn()).containsExactly("ONE-CLAUSE");
        // TWO-CLAUSE names STATUS_SUCCESS for the reject, so the connect's success is not "required" by it
        assertThat(rows.get(0).requiredBy()).containsExactly("ONE-CLAUSE");
        assertThat(StatusCodes.unchecked(uses, spec.catalogue())).isEmpty();
    }

    @Test
    void aStatusInAPhraseTheTableDoesNotKnowFailsTheBuild() {
        SpecModel spec = TinySpec.of("a.feature", """
                Feature: a
                  @clause:ONE-CLAUSE
                  Scenario: odd
                    Then the frobnicate returns STATUS_SUCCESS
                """);
        assertThatThrownBy(() -> StatusCodes.uses(spec.runnables())).hasMessageContaining("a.feature:3")
                .hasMessageContaining("the frobnicate returns STATUS_SUCCESS");
    }

    @Test
    void aStatusTheKitDoesNotKnowFailsTheBuild() {
        SpecModel spec = TinySpec.of("a.feature", """
                Feature: a
                  @clause:ONE-CLAUSE
                  Scenario: odd
                    Then the connect of C1 fails with STATUS_NO_SUCH_THING
                """);
        assertThatThrownBy(() -> StatusCodes.uses(spec.runnables())).hasMessageContaining("STATUS_NO_SUCH_THING");
    }

    @Test
    void aClauseNamingACodeNoScenarioChecksIsReported() {
        SpecModel spec = TinySpec.of("a.feature", """
                Feature: a
                  @clause:ONE-CLAUSE @clause:TWO-CLAUSE
                  Scenario: only the reject
                    Then the reject returns STATUS_SUCCESS
                """);
        assertThat(StatusCodes.unchecked(StatusCodes.uses(spec.runnables()), spec.catalogue()))
                .containsExactly("ONE-CLAUSE names STATUS_CONNECTION_REFUSED, which no scenario step requires");
    }

    @Test
    void everyCodeOfTheRealTableIsRequiredByAScenarioAndEveryCodeAClauseNamesIsChecked() {
        SpecModel spec = SpecModel.load(Path.of("..", "features"));
        List<StatusCodes.Use> uses = StatusCodes.uses(spec.runnables());
        assertThat(StatusCodes.unchecked(uses, spec.catalogue())).isEmpty();
        for (StatusCodes.Row r : StatusCodes.rows(uses, spec.catalogue(), Map.of())) {
            assertThat(r.scenarios()).as(r.name() + " " + r.function()).isNotEmpty();
            assertThat(r.requiredBy()).as(r.name() + " " + r.function()).isNotEmpty();
            if (r.status() != null) {
                String name = r.status().name();
                assertThat(spec.runnables().stream().filter(x -> r.scenarios().contains(x.id()))
                        .anyMatch(x -> x.steps().stream().anyMatch(st -> st.contains(name) || st.endsWith("succeeds")
                                || (st.contains("a retryable status")
                                    && org.ndkkit.steps.NetworkSteps.RETRYABLE.contains(r.status())))))
                        .as(name).isTrue();
            }
        }
    }
}
