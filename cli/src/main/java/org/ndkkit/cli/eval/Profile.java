package org.ndkkit.cli.eval;

import java.util.Arrays;

/** How a run is judged. */
public enum Profile {
    CERTIFICATION("certification",
            "Judge the provider for a certificate: every scenario of a mandatory clause passes (or is waived); "
                    + "unsupported counts against it unless the clause is optional for a capability the provider "
                    + "declares it lacks; failed, timeout and not-reached always fail; an 'error' finding of the "
                    + "declared-versus-observed probes fails; a certificate that rests on waivers (or known defects of the kit) is "
                    + "'certified-with-waivers', never plain 'certified'; --tags makes the result 'incomplete', never "
                    + "'certified'. Exit 0 certified, 1 not certified, 2 environment or usage error, 3 certified with "
                    + "waivers, 4 incomplete."),
    REGRESSION("regression",
            "Compare with a baseline result (--baseline, a summary.json or bundle of an earlier run): report new "
                    + "failures, new passes, changed verdicts, added and removed scenarios. A scenario that passed in "
                    + "the baseline and is now failed, timeout, not-reached, environment-error or unsupported is a "
                    + "new failure. Exit 0 without new failures, 1 with, 2 environment or usage error.");

    private final String id;
    private final String description;

    Profile(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public static Profile of(String s) {
        return Arrays.stream(values()).filter(p -> p.id.equalsIgnoreCase(s)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown profile '" + s + "'; use certification or regression"));
    }

    @Override
    public String toString() {
        return id;
    }
}
