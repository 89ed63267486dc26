package org.ndkkit.cli.waiver;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;

/**
 * Applies the kit's known defects and a vendor's waivers to a run's verdicts.
 *
 * <ul>
 *   <li>Only failed, timeout and unsupported verdicts can be waived; passed, not-reached and
 *       environment-error never change.</li>
 *   <li>A waiver applies when its provider and version range match the provider under test and its
 *       scenario (id or name) or clause matches the scenario, and it has not expired (it applies
 *       through its {@code expires} day, UTC).</li>
 *   <li>The kit's known defects are looked at first and are listed apart from vendor waivers.</li>
 *   <li>A matching but expired waiver does not apply: the scenario keeps its real verdict (failed
 *       stays failed) and the expired waiver is listed with it.</li>
 *   <li>Every applied waiver is listed; so is every waiver that covered nothing in this run.</li>
 * </ul>
 */
public final class WaiverEngine {

    /** One use of a waiver on one scenario. */
    public record Use(Waiver waiver, String scenarioId, String scenarioName, Verdict originalVerdict, String originalReason) {
    }

    /** What applying the waivers did. */
    public record Outcome(List<ScenarioResult> results, List<Use> applied, List<Use> expired, List<Waiver> unused) {
        public List<Use> applied(String kind) {
            return applied.stream().filter(u -> u.waiver().kind().equals(kind)).toList();
        }
    }

    private WaiverEngine() {
    }

    public static Outcome apply(List<ScenarioResult> results, List<Waiver> kitDefects, List<Waiver> vendorWaivers,
                                String providerName, String providerVersion, LocalDate today) {
        List<Waiver> all = new ArrayList<>(kitDefects);
        all.addAll(vendorWaivers);
        List<Waiver> forProvider = all.stream().filter(w -> w.matchesProvider(providerName, providerVersion)).toList();
        Set<Waiver> used = new LinkedHashSet<>();
        List<Use> applied = new ArrayList<>();
        List<Use> expired = new ArrayList<>();
        List<ScenarioResult> out = new ArrayList<>();
        for (ScenarioResult r : results) {
            if (!r.verdict().isWaivable()) {
                out.add(r);
                continue;
            }
            List<Waiver> matching = forProvider.stream().filter(w -> w.matches(r.id(), r.name(), r.clauses())).toList();
            Waiver live = matching.stream().filter(w -> !w.isExpired(today)).findFirst().orElse(null);
            if (live != null) {
                used.add(live);
                applied.add(new Use(live, r.id(), r.name(), r.verdict(), r.reason()));
                out.add(r.withVerdict(Verdict.WAIVED, "waived by " + live.id() + " (" + live.issue() + ", until "
                        + live.expires() + "): was " + r.verdict() + (r.reason() == null ? "" : ": " + r.reason()), live.id()));
                continue;
            }
            List<Waiver> dead = matching.stream().filter(w -> w.isExpired(today)).toList();
            if (!dead.isEmpty()) {
                used.addAll(dead);
                dead.forEach(w -> expired.add(new Use(w, r.id(), r.name(), r.verdict(), r.reason())));
                Waiver w = dead.get(0);
                out.add(r.withVerdict(r.verdict(), "waiver " + w.id() + " expired on " + w.expires() + "; "
                        + (r.reason() == null ? r.verdict().wire() : r.reason()), null));
                continue;
            }
            out.add(r);
        }
        List<Waiver> unused = all.stream().filter(w -> !used.contains(w)).toList();
        return new Outcome(out, applied, expired, unused);
    }
}
