package org.ndkkit.steps;

import io.cucumber.java.After;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;
import java.util.List;
import java.util.stream.Collectors;
import org.ndkkit.kit.Draws;
import org.ndkkit.kit.EnvironmentError;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.LabConditionRecord;
import org.ndkkit.kit.Session;
import org.ndkkit.kit.ThreadDump;
import org.ndkkit.kit.Violation;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.ResourceExhaustion;

/** Opens a scenario's lab on the run's session, and closes and checks everything after it. */
public final class Hooks {
    private final ScenarioState state;

    public Hooks(ScenarioState state) {
        this.state = state;
    }

    @Before(order = 0)
    public void openLab(Scenario scenario) {
        ThreadDump.drain(); // a dump from before this scenario is not its evidence
        Session session = Session.forScenario();
        if (session.providerCrash() != null) {
            // an earlier scenario crashed the provider: its testbed is gone (the CLI resumes in a fresh process)
            throw new EnvironmentError("the provider crashed in an earlier scenario of this run ("
                    + session.providerCrash().getMessage() + "): its testbed is gone", null); // not this scenario's crash
        }
        state.lab = new Lab(session);
        String feature = java.nio.file.Path.of(scenario.getUri().getSchemeSpecificPart()).getFileName().toString();
        state.lab.setDraws(new Draws(session.config().runSeed(), feature + ":" + scenario.getLine()));
        state.lab.setClauses(scenario.getSourceTagNames().stream()
                .filter(t -> t.startsWith("@clause:")).map(t -> t.substring("@clause:".length())).sorted().toList());
    }

    @After(order = 0)
    public void closeAndCheck(Scenario scenario) {
        Lab lab = state.lab;
        if (lab == null) {
            return;
        }
        // the peer must answer again before its objects can be closed
        for (int i = state.linkFaults.size() - 1; i >= 0; i--) {
            state.linkFaults.get(i).close();
        }
        for (ResourceExhaustion e : state.exhaustions) {
            e.close();
        }
        List<Violation> found;
        try {
            found = lab.closeEverythingAndCheck();
        } finally {
            // after the objects on the healed addresses are gone, so the lab is as before
            for (LiftedCondition l : state.lifts) {
                l.close();
            }
        }
        for (Violation v : found) {
            lab.trace().note("VIOLATION " + v);
        }
        scenario.attach(lab.trace().render(), "text/plain", "SPI call trace");
        scenario.attach(lab.draws().render(), "text/plain", "drawn inputs and run seed");
        lab.draws().publish(scenario.getId());
        if (!state.conditions.isEmpty()) {
            scenario.attach(LabConditionRecord.json(state.conditions), LabConditionRecord.MEDIA_TYPE, "lab conditions");
        }
        for (String dump : ThreadDump.drain()) {
            scenario.attach(dump, "text/plain", "thread dump at timeout");
        }
        if (!found.isEmpty() && !scenario.isFailed()) {
            throw new AssertionError(found.stream().map(Violation::toString).collect(Collectors.joining("\n"))
                    + "\n" + lab.reproduce() + "\nCall sequence:\n" + lab.trace().render());
        }
    }
}
