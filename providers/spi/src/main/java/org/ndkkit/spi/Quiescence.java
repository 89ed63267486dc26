package org.ndkkit.spi;

/**
 * A testbed's answer to {@link Testbed#awaitQuiescence(java.time.Duration)}: whether its provider is
 * quiescent, that is, whether nothing more can happen until the consumer calls again.
 *
 * @since 1.3.0
 */
public enum Quiescence {
    /**
     * The provider is quiescent: no callback (completion, connect event, disconnect event) is
     * running or queued, no timer or other internal work that could lead to one is scheduled, and
     * no completion is outstanding that the provider would deliver without a further call from the
     * consumer. Until the consumer's next call into the provider, no callback can follow. A
     * provider answers this only when it knows it; a wrong {@code QUIET} makes the kit miss a late
     * callback that breaks a rule, and so pass a provider it should fail.
     */
    QUIET,
    /**
     * The provider still had work in progress or scheduled when the wait ended (for example a
     * connect timeout still running, or a callback still queued). The kit then keeps watching for
     * the rest of its window as if it had not asked.
     */
    BUSY,
    /**
     * The provider cannot tell (the default). Always conforming: the kit then watches every window
     * for its full, configured length.
     */
    UNKNOWN
}
