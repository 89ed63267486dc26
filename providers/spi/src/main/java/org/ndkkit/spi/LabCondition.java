package org.ndkkit.spi;

/**
 * Network conditions a scenario needs a destination (or local address) for. A testbed offers an
 * address for each condition it can produce, or says why it cannot.
 */
public enum LabCondition {
    /** A peer address and ND port on which nothing listens: connects are refused. */
    NO_LISTENER,
    /** A destination in a network the local host has no route to: NETWORK_UNREACHABLE. */
    NETWORK_UNREACHABLE,
    /** A destination whose route reports the host unreachable: HOST_UNREACHABLE. */
    HOST_UNREACHABLE,
    /** A destination that never answers: the provider's own connect timer gives IO_TIMEOUT. */
    SILENT_HOST,
    /** An address that is not a local address of the local adapter: INVALID_ADDRESS at creation. */
    FOREIGN_LOCAL_ADDRESS
}
