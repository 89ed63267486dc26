package org.ndkkit.cli.suite;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.PickleStepTestStep;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestCaseStarted;
import io.cucumber.plugin.event.TestStepFinished;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.ndkkit.kit.SummaryPlugin;

/**
 * Cucumber plugin that writes each scenario's start and verdict to the {@link ProgressLog} the
 * moment it happens. The verdict is the kit's own ({@link SummaryPlugin#verdict}); the scenario
 * id is the suite's ({@code <feature file>:<line>}).
 */
public final class ProgressPlugin implements ConcurrentEventListener {
    private final Map<UUID, String> firstBadStep = new ConcurrentHashMap<>();

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        ProgressLog log = ProgressLog.get();
        if (log == null) {
            return;
        }
        publisher.registerHandlerFor(TestCaseStarted.class, e -> log.event("scenario-started", n -> {
            n.put("id", id(e.getTestCase()));
            n.put("name", e.getTestCase().getName());
        }));
        publisher.registerHandlerFor(TestStepFinished.class, e -> {
            if (e.getResult().getStatus() != Status.PASSED && e.getTestStep() instanceof PickleStepTestStep step) {
                firstBadStep.putIfAbsent(e.getTestCase().getId(), step.getStep().getKeyword() + step.getStep().getText());
            }
        });
        publisher.registerHandlerFor(TestCaseFinished.class, e -> {
            TestCase tc = e.getTestCase();
            String[] v = SummaryPlugin.verdict(e.getResult());
            String bad = firstBadStep.remove(tc.getId());
            if (v[0].equals("failed") && bad != null && v[1] != null && v[1].startsWith("step ")) {
                v[1] = v[1] + ": " + bad.trim();
            }
            log.event("scenario-finished", n -> {
                n.put("id", id(tc));
                n.put("name", tc.getName());
                n.put("verdict", v[0]);
                n.put("reason", v[1]);
                n.put("durationMillis", e.getResult().getDuration().toMillis());
            });
        });
    }

    static String id(TestCase tc) {
        return Path.of(tc.getUri().getSchemeSpecificPart()).getFileName() + ":" + tc.getLocation().getLine();
    }
}
