package org.ndkkit.kit;

/**
 * The environment could not host the run (provider missing, testbed unavailable): reported as
 * {@code environment-error}, never as a product failure.
 */
public final class EnvironmentError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final String PREFIX = "environment-error: ";

    public EnvironmentError(String message, Throwable cause) {
        super(PREFIX + message, cause);
    }
}
