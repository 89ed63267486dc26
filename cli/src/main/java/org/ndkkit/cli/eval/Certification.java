package org.ndkkit.cli.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.kit.ClauseCatalogue;

/**
 * The certification rules, applied to one run's final verdicts (waivers already applied).
 *
 * <ol>
 *   <li>Any environment-error verdict, or a failed preflight: status {@code environment-error}.</li>
 *   <li>Not certified when any selected scenario is failed, timeout or not-reached; when a scenario
 *       of a mandatory clause is unsupported and its reason is not excused (see
 *       {@link #EXCUSED_WHEN_CAPABILITY_ABSENT}); or when a declared-versus-observed finding has
 *       severity {@code error}.</li>
 *   <li>Unsupported on a scenario whose clauses are all provider-defined is allowed: the docs leave
 *       that behaviour to the provider.</li>
 *   <li>Otherwise, when the whole spec was selected: {@code certified-with-waivers} when any
 *       scenario's final verdict is {@code waived} (a vendor waiver or a known defect of the kit
 *       covered it), else {@code certified}; {@code incomplete} when a tag expression narrowed the
 *       selection (a partial run never certifies).</li>
 * </ol>
 */
public final class Certification {
    /**
     * Unsupported reason codes that a provider may have without losing certification, and the
     * capability whose absence excuses them: a clause is optional for a capability the provider
     * declares it lacks. A provider that declares the capability gets no excuse.
     */
    public static final Map<String, String> EXCUSED_WHEN_CAPABILITY_ABSENT = Map.of(
            "no-ipv6", "IPV6",
            "no-ndkpi-2-1", "NDKPI_2_1");

    public static final String CERTIFIED = "certified";
    /** Certified only because waivers or kit known defects covered scenarios: never plain {@link #CERTIFIED}. */
    public static final String CERTIFIED_WITH_WAIVERS = "certified-with-waivers";
    public static final String NOT_CERTIFIED = "not-certified";
    public static final String INCOMPLETE = "incomplete";
    public static final String ENVIRONMENT_ERROR = "environment-error";

    /** A clause's standing in the run. */
    public record ClauseStatus(String id, String level, String source, Verdict verdict, List<String> scenarios, boolean ok,
                               String note) {
    }

    /** The judgement. */
    public record Result(String status, List<String> reasons, boolean selectionComplete, Map<String, ClauseStatus> clauses,
                         List<String> excused) {
    }

    private Certification() {
    }

    public static Result evaluate(List<ScenarioResult> results, ClauseCatalogue catalogue, Set<String> capabilities,
                                  boolean selectionComplete, boolean preflightOk, List<Finding> findings) {
        List<String> reasons = new ArrayList<>();
        List<String> excused = new ArrayList<>();
        boolean env = !preflightOk;
        boolean fail = false;
        if (!preflightOk) {
            reasons.add("preflight failed: the environment could not host the run");
        }
        for (ScenarioResult r : results) {
            Verdict v = r.verdict();
            if (v == Verdict.ENVIRONMENT_ERROR) {
                env = true;
                continue;
            }
            if (v == Verdict.FAILED || v == Verdict.TIMEOUT || v == Verdict.NOT_REACHED) {
                fail = true;
                reasons.add(r.id() + " " + v + (r.reason() == null ? "" : ": " + firstLine(r.reason())));
            } else if (v == Verdict.UNSUPPORTED) {
                boolean mandatory = r.clauses().stream().anyMatch(c -> isMandatory(catalogue, c));
                String cap = r.reasonCode() == null ? null : EXCUSED_WHEN_CAPABILITY_ABSENT.get(r.reasonCode());
                if (cap != null && !capabilities.contains(cap)) {
                    excused.add(r.id() + " unsupported (" + r.reasonCode() + "): the provider declares no " + cap);
                } else if (!mandatory) {
                    excused.add(r.id() + " unsupported (" + r.reasonCode() + "): its clauses are provider-defined");
                } else {
                    fail = true;
                    reasons.add(r.id() + " unsupported (" + r.reasonCode() + ") on mandatory clause(s) "
                            + String.join(", ", r.clauses()));
                }
            }
        }
        for (Finding f : findings) {
            if (f.severity().equals(Finding.ERROR)) {
                fail = true;
                reasons.add("finding " + f.id() + ": " + f.detail());
            }
        }
        Map<String, ClauseStatus> clauses = clauses(results, catalogue, capabilities);
        String status;
        if (env) {
            status = ENVIRONMENT_ERROR;
        } else if (fail) {
            status = NOT_CERTIFIED;
        } else if (!selectionComplete) {
            status = INCOMPLETE;
            reasons.add("only part of the spec was selected (--tags): a partial run never certifies");
        } else {
            List<ScenarioResult> waived = results.stream().filter(r -> r.verdict() == Verdict.WAIVED).toList();
            status = waived.isEmpty() ? CERTIFIED : CERTIFIED_WITH_WAIVERS;
            // the reasons say which waivers the certificate rests on
            waived.forEach(r -> reasons.add(r.id() + " waived by " + r.waiverId() + " (was " + r.rawVerdict() + ")"));
        }
        return new Result(status, reasons, selectionComplete, clauses, excused);
    }

    static boolean isMandatory(ClauseCatalogue catalogue, String clause) {
        ClauseCatalogue.Clause c = catalogue.get(clause);
        return c == null || c.level().equals("mandatory");
    }

    /** Every clause of the catalogue with the verdict of its selected scenarios (not-selected when none ran). */
    public static Map<String, ClauseStatus> clauses(List<ScenarioResult> results, ClauseCatalogue catalogue,
                                                    Set<String> capabilities) {
        Map<String, List<ScenarioResult>> by = new TreeMap<>();
        for (ScenarioResult r : results) {
            r.clauses().forEach(c -> by.computeIfAbsent(c, k -> new ArrayList<>()).add(r));
        }
        Map<String, ClauseStatus> out = new LinkedHashMap<>();
        for (ClauseCatalogue.Clause c : catalogue.clauses().values()) {
            List<ScenarioResult> rs = by.getOrDefault(c.id(), List.of());
            if (rs.isEmpty()) {
                out.put(c.id(), new ClauseStatus(c.id(), c.level(), c.sourceUrl(), null, List.of(), false, "not selected"));
                continue;
            }
            Verdict v = Verdict.worst(rs.stream().map(ScenarioResult::verdict).toList());
            boolean ok = switch (v) {
                case PASSED, WAIVED -> true;
                case UNSUPPORTED -> !c.level().equals("mandatory") || rs.stream()
                        .filter(r -> r.verdict() == Verdict.UNSUPPORTED)
                        .allMatch(r -> r.reasonCode() != null && EXCUSED_WHEN_CAPABILITY_ABSENT.containsKey(r.reasonCode())
                                && !capabilities.contains(EXCUSED_WHEN_CAPABILITY_ABSENT.get(r.reasonCode())));
                default -> false;
            };
            out.put(c.id(), new ClauseStatus(c.id(), c.level(), c.sourceUrl(), v,
                    rs.stream().map(ScenarioResult::id).toList(), ok, null));
        }
        return out;
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
