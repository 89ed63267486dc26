package org.ndkkit.kit;

/**
 * A bounded wait ran out: the provider never returned or never called back. Reported as the
 * verdict {@code timeout}, with the scenario's call trace.
 */
public final class KitTimeout extends AssertionError {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "timeout: ";

    public KitTimeout(String message) {
        super(PREFIX + message);
    }
}
