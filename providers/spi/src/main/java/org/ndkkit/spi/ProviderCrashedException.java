package org.ndkkit.spi;

/**
 * The provider crashed: the process that ran it died of it (a native fault, an abort) while the kit
 * was using it, and whatever served it says so. Thrown by transport providers such as
 * {@code remote} when the connection to an agent broke during a session and the agent, asked
 * afterwards how that session ended, answers that the provider crashed its worker process (a
 * supervisor on the machine under test started a new one). The call that observed the loss throws
 * it, and so does every later call on the lost session.
 *
 * <p>Unlike its superclass this is a product failure, not an environment problem: the kit reports
 * the scenario during which it happened as {@code failed} with reason code {@code crashed}
 * ("the provider crashed: " followed by {@link #getMessage()}), as it does when a provider in its
 * own process crashes it, and goes on with the scenarios not yet run in a fresh suite process with
 * a new testbed. {@link #timedOut()} is false.
 *
 * @since 1.2.0
 */
public class ProviderCrashedException extends ProviderUnreachableException {
    private static final long serialVersionUID = 1L;
    private final String detail;
    private final long callId;
    private final String operation;

    /**
     * @param message   the whole story for the report: {@code detail} and who said so (the agent)
     * @param detail    what the far end said about the crash, in its words (for example
     *                  {@code signal 11 (SIGSEGV) in call 30 (connect_with_shared_endpoint) of session 1})
     * @param callId    the call (its transport id) the provider crashed in; 0 when unknown or outside
     *                  any call
     * @param operation the provider function it crashed in (for example
     *                  {@code connect_with_shared_endpoint}); empty when unknown
     * @param cause     the transport failure that revealed it, or null
     */
    public ProviderCrashedException(String message, String detail, long callId, String operation, Throwable cause) {
        super(message, false, cause);
        this.detail = detail == null ? "" : detail;
        this.callId = callId;
        this.operation = operation == null ? "" : operation;
    }

    /** What the far end said about the crash, in its own words (signal, call, operation). */
    public String detail() {
        return detail;
    }

    /** The call the provider crashed in, as the transport numbered it; 0 when unknown or outside any call. */
    public long callId() {
        return callId;
    }

    /** The provider function it crashed in; empty when unknown. */
    public String operation() {
        return operation;
    }
}
