package org.ndkkit.simulated;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How the simulator reports an outcome that is already known while the call is being made
 * (setting {@code completion-path}). NDK lets a provider report such an outcome either way, so the
 * suite must accept each; this switch lets it see each.
 */
enum CompletionPath {
    /** Failures are returned by the call itself; successful creates return SUCCESS with the object. */
    INLINE("inline"),
    /** The call returns PENDING and the completion runs later on the event thread. */
    PENDING("pending"),
    /** The completion runs on the calling thread inside the call, which then returns PENDING (NDK's L12). */
    PENDING_IN_CALL("pending-in-call");

    static final String SETTING = "completion-path";

    private final String settingValue;

    CompletionPath(String settingValue) {
        this.settingValue = settingValue;
    }

    String settingValue() {
        return settingValue;
    }

    static CompletionPath parse(String value) {
        for (CompletionPath p : values()) {
            if (p.settingValue.equals(value)) {
                return p;
            }
        }
        String allowed = Arrays.stream(values()).map(p -> p.settingValue).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("setting " + SETTING + " must be one of " + allowed
                + "; got '" + value + "'");
    }
}
