package org.ndkkit.cli.waiver;

import java.net.URI;
import java.time.LocalDate;
import java.util.List;
import org.ndkkit.cli.spec.Spec;

/**
 * One entry of a waiver file: a failing (or timed-out, or unsupported) scenario or clause that a
 * provider may have for a while, with why, where it is tracked, and until when.
 *
 * @param id       the entry's id (from the file, or {@code <file>#<n>})
 * @param kind     {@link #VENDOR} (a vendor's waiver file) or {@link #KIT_DEFECT} (the kit's own known defects)
 * @param scenario a scenario id ({@code file.feature:LINE}) or exact scenario name, or null
 * @param clause   a clause id, or null (exactly one of scenario and clause is set)
 * @param provider the provider name it is for ({@code *}: any provider)
 * @param versions the provider versions it is for
 * @param reason   why
 * @param issue    where it is tracked (http or https)
 * @param expires  the last day it applies (UTC); from the next day the scenario's verdict stands again
 * @param source   the file it came from
 */
public record Waiver(String id, String kind, String scenario, String clause, String provider, VersionRange versions,
                     String reason, URI issue, LocalDate expires, String source) {
    public static final String VENDOR = "vendor-waiver";
    public static final String KIT_DEFECT = "kit-known-defect";

    public boolean matchesProvider(String name, String version) {
        return (provider.equals("*") || provider.equals(name)) && versions.contains(version);
    }

    public boolean matches(Spec.Scenario s) {
        if (clause != null) {
            return s.clauses().contains(clause);
        }
        return s.id().equals(scenario) || s.name().equals(scenario);
    }

    public boolean matches(String scenarioId, String scenarioName, List<String> clauses) {
        if (clause != null) {
            return clauses.contains(clause);
        }
        return scenarioId.equals(scenario) || scenarioName.equals(scenario);
    }

    public boolean isExpired(LocalDate today) {
        return today.isAfter(expires);
    }

    public String scope() {
        return clause != null ? "clause " + clause : "scenario " + scenario;
    }
}
