package org.ndkkit.cli.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EmbedEvent;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.PickleStepTestStep;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestCaseStarted;
import io.cucumber.plugin.event.TestStepFinished;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.kit.SummaryPlugin;

/**
 * Cucumber plugin that writes each scenario's start and verdict to the {@link ProgressLog} the
 * moment it happens. The verdict is the kit's own ({@link SummaryPlugin#verdict}); the scenario
 * id is the suite's ({@code <feature file>:<line>}). The lab conditions a scenario used, which the
 * steps attach in its After hook ({@value LabConditionUse#MEDIA_TYPE}, a JSON array), go into its
 * {@code scenario-finished} event as {@code conditions}, the array elements as the steps wrote
 * them; a scenario that used none has no {@code conditions}. A scenario during which the provider
 * crashed behind its transport ({@link SummaryPlugin#reasonCode}) carries {@code code}
 * {@value SummaryPlugin#CRASHED}, and the plugin remembers it ({@link #crashedIn()}): the suite
 * process ends after it, and the CLI resumes the rest in a fresh one.
 */
public final class ProgressPlugin implements ConcurrentEventListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The scenario during which the provider crashed, and the reason, once one did. */
    private static volatile String[] crashedIn;

    private final Map<UUID, String> firstBadStep = new ConcurrentHashMap<>();
    private final Map<UUID, ArrayNode> conditions = new ConcurrentHashMap<>();

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        register(publisher, ProgressLog.get());
    }

    void register(EventPublisher publisher, ProgressLog log) {
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
        publisher.registerHandlerFor(EmbedEvent.class, e -> {
            if (LabConditionUse.MEDIA_TYPE.equals(e.getMediaType())) {
                collect(e.getTestCase().getId(), e.getData());
            }
        });
        publisher.registerHandlerFor(TestCaseFinished.class, e -> {
            TestCase tc = e.getTestCase();
            String[] v = SummaryPlugin.verdict(e.getResult());
            String code = SummaryPlugin.reasonCode(e.getResult());
            String bad = firstBadStep.remove(tc.getId());
            ArrayNode used = conditions.remove(tc.getId());
            if (v[0].equals("failed") && bad != null && v[1] != null && v[1].startsWith("step ")) {
                v[1] = v[1] + ": " + bad.trim();
            }
            log.event("scenario-finished", n -> {
                n.put("id", id(tc));
                n.put("name", tc.getName());
                n.put("verdict", v[0]);
                n.put("reason", v[1]);
                if (code != null) {
                    n.put("code", code);
                }
                n.put("durationMillis", e.getResult().getDuration().toMillis());
                if (used != null && !used.isEmpty()) {
                    n.set("conditions", used);
                }
            });
            if (SummaryPlugin.CRASHED.equals(code) && crashedIn == null) {
                crashedIn = new String[] {id(tc), v[1]};
            }
        });
    }

    /**
     * {id, reason} of the first scenario during which the provider crashed behind its transport
     * (verdict failed, code crashed), or null: after it the suite process ends (SuiteMain).
     */
    public static String[] crashedIn() {
        String[] c = crashedIn;
        return c == null ? null : c.clone();
    }

    /** Forgets the crash (tests run many plugins in one JVM). */
    static void forgetCrash() {
        crashedIn = null;
    }

    /** Adds the objects of one attachment's array to the test case's conditions (a scenario may attach more than once). */
    private void collect(UUID testCase, byte[] data) {
        JsonNode array;
        try {
            array = JSON.readTree(data);
        } catch (IOException e) {
            System.err.println("ProgressPlugin: a " + LabConditionUse.MEDIA_TYPE + " attachment does not parse, ignored: "
                    + e.getMessage());
            return;
        }
        if (array == null || !array.isArray()) {
            System.err.println("ProgressPlugin: a " + LabConditionUse.MEDIA_TYPE + " attachment is not a JSON array, ignored");
            return;
        }
        ArrayNode into = conditions.computeIfAbsent(testCase, k -> JSON.createArrayNode());
        synchronized (into) {
            array.forEach(c -> {
                if (c.isObject()) {
                    into.add(c);
                }
            });
        }
    }

    static String id(TestCase tc) {
        return Path.of(tc.getUri().getSchemeSpecificPart()).getFileName() + ":" + tc.getLocation().getLine();
    }
}
