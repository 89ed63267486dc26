package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Gherkin renders as a person reads it: steps with keywords, tables as tables, outline rows anchored. */
class GherkinHtmlTest {
    private static final SpecModel SPEC = TinySpec.of("t.feature", """
            @function:NdkConnectWithSharedEndpoint
            Feature: Tiny
              Some text.

              Background:
                Given the peer listens on its first address as L

              Rule: Tables and outlines

                @clause:ONE-CLAUSE
                Scenario: With a data table
                  When the consumer creates these
                    | object | count |
                    | QP     | 2     |
                    | <CQ>   | 1 & 2 |
                  Then the connect of C1 fails with STATUS_CONNECTION_REFUSED

                @clause:TWO-CLAUSE
                Scenario Outline: An outline with <what>
                  When C1 does <what>
                  Then the reject returns <status>
                  \"\"\"
                  a doc string <kept>
                  \"\"\"

                  Examples: the rows
                    | what  | status         |
                    | this  | STATUS_SUCCESS |
                    | that  | STATUS_SUCCESS |
            """);

    private final GherkinHtml html = new GherkinHtml(Links.single());

    @Test
    void aDataTableRendersAsATableWithItsFirstRowAsHeaderAndEscapedCells() {
        SpecModel.Scenario s = SPEC.features().get(0).scenarios().get(0);
        String out = html.scenario(s, true, List.of());
        assertThat(out).contains("<table class=\"datatable\">", "<thead><tr><th>object</th><th>count</th></tr></thead>",
                "<tr><td>QP</td><td>2</td></tr>", "<td>&lt;CQ&gt;</td><td>1 &amp; 2</td>");
        assertThat(out).contains("<span class=\"kw\">When</span> the consumer creates these",
                "<span class=\"kw\">Then</span> the connect of C1 fails with STATUS_CONNECTION_REFUSED");
        assertThat(out).contains("id=\"scenario-t.feature-11\"");
    }

    @Test
    void anOutlinesExamplesRenderAsATableWhoseRowsCarryTheSuitesIds() {
        SpecModel.Scenario s = SPEC.features().get(0).scenarios().get(1);
        assertThat(s.isOutline()).isTrue();
        String out = html.scenario(s, true, List.of());
        assertThat(out).contains("<table class=\"examples\">", "<th>what</th><th>status</th>",
                "<tr id=\"scenario-t.feature-28\"><td class=\"sid\"><a href=\"#scenario-t.feature-28\">t.feature:28</a></td>"
                        + "<td>this</td><td>STATUS_SUCCESS</td></tr>",
                "<tr id=\"scenario-t.feature-29\">");
        assertThat(out).contains("C1 does <var>&lt;what&gt;</var>", "<pre class=\"docstring\">a doc string &lt;kept&gt;</pre>");
        // the same runnable ids the suite reports: one per row, named with the row filled in
        assertThat(SPEC.runnables()).extracting(SpecModel.Runnable::id)
                .containsExactly("t.feature:11", "t.feature:28", "t.feature:29");
        assertThat(SPEC.runnables().get(1).name()).isEqualTo("An outline with this");
        assertThat(SPEC.runnables().get(1).steps()).contains("the reject returns STATUS_SUCCESS");
    }

    @Test
    void aScenarioAwayFromItsFeatureShowsTheBackgroundAndLinksToItsCanonicalPlace() {
        SpecModel.Scenario s = SPEC.features().get(0).scenarios().get(0);
        String out = new GherkinHtml(Links.site(java.util.Map.of("ONE-CLAUSE", "connect-with-shared-endpoint")))
                .scenario(s, false, SPEC.features().get(0).background());
        assertThat(out).doesNotContain("id=\"scenario-");
        assertThat(out).contains("<ol class=\"steps background\">", "the peer listens on its first address as L",
                "href=\"feature-t.html#scenario-t.feature-11\"", "href=\"fn-connect-with-shared-endpoint.html#clause-ONE-CLAUSE\"",
                "Rule: Tables and outlines");
    }

    @Test
    void descriptionsKeepFormulasAndLinkSources() {
        String out = GherkinHtml.description("Text that\nwraps.\n\n    a = min(b, c)\n\nSource: https://learn.microsoft.com/p\nSource: https://learn.microsoft.com/q");
        assertThat(out).contains("<p>Text that\nwraps.</p>", "<pre class=\"formula\">a = min(b, c)</pre>",
                "<a href=\"https://learn.microsoft.com/p\">https://learn.microsoft.com/p</a><br>");
    }
}
