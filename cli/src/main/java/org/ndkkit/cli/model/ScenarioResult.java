package org.ndkkit.cli.model;

import java.util.List;

/**
 * One selected scenario's final result.
 *
 * @param id             {@code <feature file>:<line>} (the example row's line for an outline row)
 * @param feature        feature file name
 * @param line           line of the scenario (or example row)
 * @param name           scenario name
 * @param clauses        clause ids it is tagged with
 * @param verdict        final verdict, waivers applied
 * @param rawVerdict     the verdict before waivers
 * @param reasonCode     stable code for unsupported/timeout/not-reached/environment-error, else null
 * @param reason         one line for a person (null for passed)
 * @param durationMillis how long it ran (0 when it never ran)
 * @param waiverId       id of the waiver or kit known defect that covers it, else null
 * @param conditions     the lab conditions it used and how the testbed produced them (empty when none)
 */
public record ScenarioResult(String id, String feature, int line, String name, List<String> clauses, Verdict verdict,
                             Verdict rawVerdict, String reasonCode, String reason, long durationMillis,
                             String waiverId, List<LabConditionUse> conditions) {

    public ScenarioResult {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }

    public ScenarioResult withVerdict(Verdict v, String newReason, String waiver) {
        return new ScenarioResult(id, feature, line, name, clauses, v, rawVerdict, reasonCode, newReason, durationMillis,
                waiver, conditions);
    }
}
