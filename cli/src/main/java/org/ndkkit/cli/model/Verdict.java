package org.ndkkit.cli.model;

import java.util.Arrays;
import java.util.List;

/**
 * A scenario's verdict, as the certification bundle records it. The wire name (lower case,
 * hyphenated) is what summary.json, the JUnit XML and the reports use.
 */
public enum Verdict {
    /** Every step held and the kit's rule checks found nothing. */
    PASSED("passed"),
    /** The provider broke a rule. */
    FAILED("failed"),
    /** The provider or its testbed cannot produce what the scenario needs; carries a stable reason code. */
    UNSUPPORTED("unsupported"),
    /** Failed, timed out or unsupported, but covered by an unexpired waiver or a known defect of the kit. */
    WAIVED("waived"),
    /** A bounded wait ran out, or the scenario hung and the run was stopped. */
    TIMEOUT("timeout"),
    /** Selected, but never got a verdict: something before it hung or crashed. */
    NOT_REACHED("not-reached"),
    /** The environment could not host the run (provider, testbed, lab); never a product failure. */
    ENVIRONMENT_ERROR("environment-error");

    /** Worst first: the order in which a clause takes the verdict of its scenarios. */
    public static final List<Verdict> WORST_FIRST = List.of(FAILED, TIMEOUT, ENVIRONMENT_ERROR, NOT_REACHED,
            UNSUPPORTED, WAIVED, PASSED);

    private final String wire;

    Verdict(String wire) {
        this.wire = wire;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
        return wire;
    }

    /** The verdict for a wire name; the suite's own {@code not-run} (dry run) reads as not-reached. */
    public static Verdict of(String wire) {
        if ("not-run".equals(wire)) {
            return NOT_REACHED;
        }
        return Arrays.stream(values()).filter(v -> v.wire.equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown verdict '" + wire + "'"));
    }

    /** A verdict that counts as a failure of the run: failed, timeout, not-reached, environment-error. */
    public boolean isBad() {
        return this == FAILED || this == TIMEOUT || this == NOT_REACHED || this == ENVIRONMENT_ERROR;
    }

    /** Verdicts a waiver may cover. */
    public boolean isWaivable() {
        return this == FAILED || this == TIMEOUT || this == UNSUPPORTED;
    }

    public static Verdict worst(List<Verdict> vs) {
        return vs.stream().min((a, b) -> WORST_FIRST.indexOf(a) - WORST_FIRST.indexOf(b)).orElse(PASSED);
    }

    @Override
    public String toString() {
        return wire;
    }
}
