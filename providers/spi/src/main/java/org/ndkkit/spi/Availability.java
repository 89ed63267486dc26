package org.ndkkit.spi;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Either something a testbed can provide, or a machine-readable reason why it cannot.
 *
 * <p>A scenario that needs an unavailable thing ends as <em>unsupported</em> with this reason,
 * never as passed. Reason codes are stable, lower-case and hyphenated (for example
 * {@code cannot-exhaust-resources}, {@code no-ipv6}).
 *
 * @param <T> what is offered
 */
public final class Availability<T> {
    private final T value;
    private final String reasonCode;
    private final String detail;

    private Availability(T value, String reasonCode, String detail) {
        this.value = value;
        this.reasonCode = reasonCode;
        this.detail = detail;
    }

    public static <T> Availability<T> of(T value) {
        return new Availability<>(Objects.requireNonNull(value, "value"), null, null);
    }

    /**
     * @param reasonCode stable code, e.g. {@code cannot-produce-host-unreachable}
     * @param detail     one sentence for a person
     */
    public static <T> Availability<T> unavailable(String reasonCode, String detail) {
        if (!reasonCode.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("reason code must be lower-case-hyphenated: " + reasonCode);
        }
        return new Availability<>(null, reasonCode, Objects.requireNonNull(detail, "detail"));
    }

    public boolean isAvailable() {
        return value != null;
    }

    public T get() {
        if (value == null) {
            throw new NoSuchElementException(reasonCode + ": " + detail);
        }
        return value;
    }

    /** Null when available. */
    public String reasonCode() {
        return reasonCode;
    }

    /** Null when available. */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return isAvailable() ? "available(" + value + ")" : "unavailable(" + reasonCode + ": " + detail + ")";
    }
}
