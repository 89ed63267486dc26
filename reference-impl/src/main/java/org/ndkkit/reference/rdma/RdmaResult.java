package org.ndkkit.reference.rdma;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of one call through the safety layer: a value, or an errno together with where the
 * failure came from. The facades never throw for native failures; they return one of these.
 *
 * @param <T> the value type ({@link Void} for calls without a value)
 */
public final class RdmaResult<T> {

    /** Where a result came from. */
    public enum Kind {
        /** The native call succeeded (or nothing had to be called). */
        SUCCESS,
        /** The native call ran and failed; {@link #errno()} is what it reported. */
        NATIVE_ERROR,
        /**
         * The safety layer refused the call before any native code ran (bad argument, closed
         * handle, unacknowledged event ...). {@link #errno()} is the errno the safety layer chose
         * (mostly {@link Errno#EINVAL}, {@link Errno#EBUSY} for objects still in use).
         */
        REJECTED,
        /** A native library could not be loaded; {@link #errno()} is {@link Errno#ENOSYS}. */
        UNAVAILABLE
    }

    private final String operation;
    private final Kind kind;
    private final T value;
    private final int errno;
    private final String detail;

    private RdmaResult(String operation, Kind kind, T value, int errno, String detail) {
        this.operation = Objects.requireNonNull(operation);
        this.kind = Objects.requireNonNull(kind);
        this.value = value;
        this.errno = errno;
        this.detail = detail == null ? "" : detail;
    }

    public static <T> RdmaResult<T> success(String operation, T value) {
        return new RdmaResult<>(operation, Kind.SUCCESS, value, 0, null);
    }

    public static <T> RdmaResult<T> nativeError(String operation, int errno, String detail) {
        return new RdmaResult<>(operation, Kind.NATIVE_ERROR, null, errno, detail);
    }

    public static <T> RdmaResult<T> rejected(String operation, int errno, String why) {
        return new RdmaResult<>(operation, Kind.REJECTED, null, errno, why);
    }

    public static <T> RdmaResult<T> unavailable(String operation, String why) {
        return new RdmaResult<>(operation, Kind.UNAVAILABLE, null, Errno.ENOSYS, why);
    }

    /** The same failure, retyped (only valid on failures). */
    public <U> RdmaResult<U> asFailure() {
        if (ok()) {
            throw new IllegalStateException("not a failure: " + this);
        }
        return new RdmaResult<>(operation, kind, null, errno, detail);
    }

    public <U> RdmaResult<U> map(Function<? super T, ? extends U> f) {
        return ok() ? new RdmaResult<>(operation, kind, f.apply(value), 0, detail) : asFailure();
    }

    public boolean ok() {
        return kind == Kind.SUCCESS;
    }

    public Kind kind() {
        return kind;
    }

    /** The native function (or facade operation) this result is about, e.g. "rdma_bind_addr". */
    public String operation() {
        return operation;
    }

    /** 0 on success; otherwise a positive errno (see {@link Kind} for who chose it). */
    public int errno() {
        return errno;
    }

    public String errnoName() {
        return errno == 0 ? "0" : Errno.name(errno);
    }

    public String detail() {
        return detail;
    }

    /** The value of a successful result; {@link IllegalStateException} on a failure. */
    public T value() {
        if (!ok()) {
            throw new IllegalStateException("no value: " + this);
        }
        return value;
    }

    /** The value, or {@link RdmaException} carrying this result. */
    public T orElseThrow() throws RdmaException {
        if (!ok()) {
            throw new RdmaException(this);
        }
        return value;
    }

    @Override
    public String toString() {
        if (ok()) {
            return operation + ": ok" + (value == null ? "" : " (" + value + ")");
        }
        return operation + ": " + kind + " " + Errno.describe(errno)
                + (detail.isEmpty() ? "" : " - " + detail);
    }
}
