package org.ndkkit.cli.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.spec.Spec;

/**
 * Turns the suite process's progress events into one result per selected scenario. A selected
 * scenario that never reported a verdict is {@code not-reached}, except: the one that was running
 * when the run was stopped for a hang is {@code timeout} (reason {@code hung}); the one that was
 * running when the process died is {@code failed} (reason {@code crashed}); and when the
 * environment failed before the first scenario, every scenario is {@code environment-error}. A
 * result keeps the lab conditions its {@code scenario-finished} event names ({@code conditions});
 * a scenario without that event used none as far as the evidence goes.
 */
public final class Outcomes {
    /** How the run went, as far as naming missing verdicts goes. */
    public record RunState(boolean finished, String environmentError, boolean stalled, boolean runTimedOut,
                           boolean interrupted, String lastStarted, Integer exitCode, long stallSeconds) {
    }

    private Outcomes() {
    }

    public static List<ScenarioResult> assemble(List<Spec.Scenario> selected, List<JsonNode> events, RunState state) {
        Map<String, JsonNode> finished = new LinkedHashMap<>();
        Set<String> started = new LinkedHashSet<>();
        for (JsonNode e : events) {
            String type = e.path("event").asText();
            if (type.equals("scenario-finished")) {
                finished.put(e.path("id").asText(), e);
            } else if (type.equals("scenario-started")) {
                started.add(e.path("id").asText());
            }
        }
        List<ScenarioResult> out = new ArrayList<>();
        Set<String> known = new LinkedHashSet<>();
        for (Spec.Scenario s : selected) {
            known.add(s.id());
            JsonNode f = finished.get(s.id());
            if (f != null) {
                out.add(fromEvent(s.id(), s.feature(), s.line(), s.name(), s.clauses(), f));
                continue;
            }
            Verdict v;
            String code;
            String reason;
            if (state.environmentError() != null && started.isEmpty()) {
                v = Verdict.ENVIRONMENT_ERROR;
                code = "environment";
                reason = state.environmentError();
            } else if (s.id().equals(state.lastStarted()) && state.stalled()) {
                v = Verdict.TIMEOUT;
                code = "hung";
                reason = "no verdict within " + state.stallSeconds() + " s: the scenario hung and the run was stopped";
            } else if (s.id().equals(state.lastStarted()) && state.runTimedOut()) {
                v = Verdict.TIMEOUT;
                code = "run-timeout";
                reason = "the run's time limit ran out during this scenario";
            } else if (s.id().equals(state.lastStarted()) && !state.interrupted()) {
                v = Verdict.FAILED;
                code = "crashed";
                reason = "the suite process ended" + (state.exitCode() == null ? "" : " (exit " + state.exitCode() + ")")
                        + " during this scenario";
            } else {
                v = Verdict.NOT_REACHED;
                code = state.interrupted() ? "interrupted" : state.finished() ? "no-verdict" : "run-stopped";
                reason = state.interrupted() ? "the run was interrupted before this scenario"
                        : state.finished() ? "the suite finished without a verdict for this scenario"
                        : state.lastStarted() != null ? "the run stopped in " + state.lastStarted() + " before this scenario"
                        : "the run stopped before this scenario";
            }
            out.add(new ScenarioResult(s.id(), s.feature(), s.line(), s.name(), s.clauses(), v, v, code, reason, 0, null,
                    List.of()));
        }
        // a verdict for a scenario the selection did not name: keep it, it is evidence
        finished.forEach((id, f) -> {
            if (!known.contains(id)) {
                String feature = id.contains(":") ? id.substring(0, id.lastIndexOf(':')) : id;
                int line = id.contains(":") ? Integer.parseInt(id.substring(id.lastIndexOf(':') + 1)) : 0;
                out.add(fromEvent(id, feature, line, f.path("name").asText(), List.of(), f));
            }
        });
        return out;
    }

    static ScenarioResult fromEvent(String id, String feature, int line, String name, List<String> clauses, JsonNode f) {
        Verdict v = Verdict.of(f.path("verdict").asText());
        String reason = f.path("reason").isNull() ? null : f.path("reason").asText(null);
        String code = f.hasNonNull("code") ? f.path("code").asText() : switch (v) {
            case UNSUPPORTED -> reason != null && reason.matches("(?s)[a-z0-9]+(-[a-z0-9]+)*: .*")
                    ? reason.substring(0, reason.indexOf(':')) : "unsupported";
            case TIMEOUT -> "wait-timeout";
            case ENVIRONMENT_ERROR -> "environment";
            case NOT_REACHED -> "skipped";
            default -> null;
        };
        return new ScenarioResult(id, feature, line, name, clauses, v, v, code, reason, f.path("durationMillis").asLong(),
                null, LabConditionUse.listOf(f.get("conditions")));
    }
}
