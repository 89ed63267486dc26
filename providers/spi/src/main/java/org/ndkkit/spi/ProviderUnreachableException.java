package org.ndkkit.spi;

/**
 * The provider could not be reached to make a call: the transport between the kit and the machine
 * that runs the provider failed (an agent that died, closed the connection, or stopped answering).
 * Thrown by transport providers such as {@code remote}, never by a provider about its own
 * behaviour. The kit reports the scenario as {@code timeout} when {@link #timedOut()} (the agent
 * stopped answering), else as {@code environment-error}; never as a product failure, never as a
 * pass. The message names the agent. When the far end can say that the provider crashed the
 * process that served it, the transport throws the subclass {@link ProviderCrashedException}
 * instead, which the kit reports as a product failure.
 */
public class ProviderUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    /**
     * @param timedOut true when the far end stopped answering within its bound, false when the
     *                 connection to it is gone
     */
    public ProviderUnreachableException(String message, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.timedOut = timedOut;
    }

    /** True when the far end stopped answering; false when the connection to it is gone. */
    public boolean timedOut() {
        return timedOut;
    }
}
