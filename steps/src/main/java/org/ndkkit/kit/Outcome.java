package org.ndkkit.kit;

import org.ndkkit.spi.NtStatus;

/**
 * The final status of an asynchronous request and the path it took.
 *
 * @param status the final status: the inline one, or the completion's after PENDING
 * @param path   how it was reported
 */
public record Outcome(NtStatus status, Path path) {

    /** How a final status reached the consumer. */
    public enum Path {
        /** The call returned it; no completion. */
        INLINE,
        /** The call returned PENDING; the completion ran after the call returned (or on another thread). */
        PENDING,
        /** The call returned PENDING; the completion ran before the call returned (inside it, or on another thread meanwhile). */
        PENDING_COMPLETED_IN_CALL;

        public String describe() {
            return switch (this) {
                case INLINE -> "inline";
                case PENDING -> "through the completion after STATUS_PENDING";
                case PENDING_COMPLETED_IN_CALL -> "through a completion that ran before the call returned STATUS_PENDING";
            };
        }
    }

    @Override
    public String toString() {
        return status + " " + path.describe();
    }
}
