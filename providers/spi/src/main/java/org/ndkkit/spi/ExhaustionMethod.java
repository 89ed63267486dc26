package org.ndkkit.spi;

/**
 * How a testbed makes an adapter run out of resources ({@link ResourceExhaustion#method()}). The
 * kit reports it with every scenario that exhausted something, so a reader of the report knows
 * whether INSUFFICIENT_RESOURCES came from a limit the device really hit or from the provider's
 * own allocations being failed on purpose.
 *
 * @since 1.1.0
 */
public enum ExhaustionMethod {
    /**
     * A real limit was reached: the device's or the operating system's own resources (for example
     * a cgroup limit, or every port really taken).
     */
    REAL_LIMIT("real-limit"),
    /**
     * The provider's allocations were failed at its lowest layer, as Driver Verifier's
     * low-resources simulation does for a Windows driver: the provider's code above that layer
     * runs exactly as it would on real exhaustion.
     */
    INJECTED("injected"),
    /** The testbed did not say (a provider built against SPI 1.0). */
    UNDECLARED("undeclared");

    private final String id;

    ExhaustionMethod(String id) {
        this.id = id;
    }

    /** The stable lower-case-hyphenated name used in reports: {@code real-limit}, {@code injected}, {@code undeclared}. */
    public String id() {
        return id;
    }

    /** The method with this {@link #id()}. */
    public static ExhaustionMethod ofId(String id) {
        for (ExhaustionMethod m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown exhaustion method: " + id);
    }
}
