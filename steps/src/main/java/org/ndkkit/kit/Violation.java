package org.ndkkit.kit;

/**
 * A broken rule found by the kit's own bookkeeping (rather than by a step's expectation).
 *
 * @param clause  the clause id the provider violated
 * @param message what happened, by name and hex
 */
public record Violation(String clause, String message) {
    @Override
    public String toString() {
        return "[" + clause + "] " + message;
    }
}
