package org.ndkkit.spi;

/** The environment cannot host the provider's testbed: an environment error, not a product failure. */
public class TestbedUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public TestbedUnavailableException(String message) {
        super(message);
    }

    public TestbedUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
