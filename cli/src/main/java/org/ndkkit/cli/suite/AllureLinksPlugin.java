package org.ndkkit.cli.suite;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseStarted;
import io.qameta.allure.Allure;
import java.util.LinkedHashSet;
import java.util.Set;
import org.ndkkit.kit.ClauseCatalogue;

/**
 * Links each scenario's Allure result to its clauses and their NDKPI pages (from the clause
 * catalogue) and labels it with its scenario id and clauses. It must be listed after Allure's own
 * plugin: on TestCaseStarted, Allure's handler has then started the test case on this thread, so
 * the labels and links land on the test case (in a Before hook they would land on the hook's
 * fixture). Done in code because Allure's tag-based named links cannot carry the clause tags.
 */
public final class AllureLinksPlugin implements ConcurrentEventListener {
    /** Label naming the scenario the way summary.json does ({@code <feature file>:<line>}). */
    public static final String SCENARIO_LABEL = "ndkScenario";
    private final ClauseCatalogue catalogue = ClauseCatalogue.load();

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestCaseStarted.class, e -> link(e.getTestCase()));
    }

    private void link(TestCase tc) {
        Allure.label(SCENARIO_LABEL, ProgressPlugin.id(tc));
        Set<String> pages = new LinkedHashSet<>();
        for (String tag : tc.getTags()) {
            if (!tag.startsWith("@clause:")) {
                continue;
            }
            String id = tag.substring("@clause:".length());
            Allure.label("clause", id);
            ClauseCatalogue.Clause c = catalogue.get(id);
            if (c == null) {
                continue;
            }
            Allure.link("clause " + id + " (" + c.level() + ")", "clause", c.sourceUrl());
            if (pages.add(c.sourceUrl())) {
                Allure.link("NDKPI: " + c.sourceKey(), "ndkpi", c.sourceUrl());
            }
        }
    }
}
