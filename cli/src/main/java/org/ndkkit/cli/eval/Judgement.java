package org.ndkkit.cli.eval;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ndkkit.cli.ExitCodes;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;
import org.ndkkit.kit.ClauseCatalogue;

/**
 * One run's judging, from its raw verdicts to its status and exit code: the kit's known defects and
 * the vendor's waivers (as of {@code day}), the certification rules, the regression comparison, and
 * the profile's status. {@code ndk-cli run} judges with it and {@code ndk-cli verify} judges a
 * bundle again with it, so both always apply the same rules.
 *
 * @param waivers       what the waivers did (final verdicts in {@code waivers.results()})
 * @param certification the certification rules on the final verdicts
 * @param regression    the comparison with the baseline, or null without one
 * @param status        the run's status: the certification status, {@code environment-error}, or
 *                      the regression status
 * @param exitCode      the exit code of that status
 */
public record Judgement(WaiverEngine.Outcome waivers, Certification.Result certification, Regression.Result regression,
                        String status, int exitCode) {

    /** What judging reads besides the verdicts. */
    public record Inputs(List<Waiver> kitDefects, List<Waiver> vendorWaivers, String providerName, String providerVersion,
                         LocalDate day, ClauseCatalogue catalogue, Set<String> capabilities, boolean selectionComplete,
                         boolean preflightOk, List<Finding> findings, Profile profile, Regression.Baseline baseline) {
    }

    /** Judges the raw verdicts (no waiver applied yet). */
    public static Judgement of(List<ScenarioResult> raw, Inputs in) {
        WaiverEngine.Outcome w = WaiverEngine.apply(raw, in.kitDefects(), in.vendorWaivers(), in.providerName(),
                in.providerVersion() == null ? "" : in.providerVersion(), in.day());
        List<ScenarioResult> results = w.results();
        Certification.Result c = Certification.evaluate(results, in.catalogue(), in.capabilities(), in.selectionComplete(),
                in.preflightOk(), in.findings());
        Regression.Result g = in.baseline() == null ? null : Regression.compare(in.baseline(), results);
        boolean env = !in.preflightOk() || results.stream().anyMatch(x -> x.verdict() == Verdict.ENVIRONMENT_ERROR);
        String status;
        int exit;
        if (env) {
            status = Certification.ENVIRONMENT_ERROR;
            exit = ExitCodes.ENVIRONMENT_OR_USAGE;
        } else if (in.profile() == Profile.REGRESSION) {
            status = g.status();
            exit = g.newFailures().isEmpty() ? ExitCodes.OK : ExitCodes.FAILURES;
        } else {
            status = c.status();
            exit = ExitCodes.forCertification(status);
        }
        return new Judgement(w, c, g, status, exit);
    }

    /** One used waiver (vendor waiver or kit known defect) and the scenarios it covered, in the order first used. */
    public record WaiverUsed(Waiver waiver, List<String> scenarios) {
    }

    /** Every waiver that turned at least one verdict into {@code waived}. */
    public static List<WaiverUsed> used(WaiverEngine.Outcome w) {
        Map<Waiver, List<String>> by = new LinkedHashMap<>();
        if (w != null) {
            w.applied().forEach(u -> by.computeIfAbsent(u.waiver(), k -> new ArrayList<>()).add(u.scenarioId()));
        }
        return by.entrySet().stream().map(e -> new WaiverUsed(e.getKey(), List.copyOf(e.getValue()))).toList();
    }

    /** One line per used waiver: id, scope, expiry, reason (for the console and summary.md). */
    public static String describe(WaiverUsed u) {
        Waiver w = u.waiver();
        return w.id() + " (" + w.kind() + ", " + w.scope() + ", expires " + w.expires() + ", " + u.scenarios().size()
                + " scenario(s)): " + w.reason();
    }
}
