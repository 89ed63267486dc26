package org.ndkkit.kit;

import org.opentest4j.TestAbortedException;

/**
 * Ends a scenario as <em>unsupported</em>: the provider or its testbed cannot produce what the
 * scenario needs. Cucumber reports it as skipped; the kit's summary reports it as
 * {@code unsupported} with the reason code, never as passed.
 */
public final class Unsupported extends TestAbortedException {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "unsupported[";

    private final String reasonCode;

    public Unsupported(String reasonCode, String detail) {
        super(PREFIX + reasonCode + "]: " + detail);
        this.reasonCode = reasonCode;
    }

    public String reasonCode() {
        return reasonCode;
    }
}
