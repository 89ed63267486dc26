package org.ndkkit.reliability;

/**
 * One thing the provider did wrong, as the harness saw it.
 *
 * @param kind     what sort of wrong
 * @param phase    the phase it happened in (stress, cycles, races, bad-inputs, hangs)
 * @param function the SPI function (or the step) concerned
 * @param input    what was passed or done, for a person to reproduce it
 * @param detail   what happened
 */
public record Problem(Kind kind, String phase, String function, String input, String detail) {

    /** The sorts of wrong; each fails the run. */
    public enum Kind {
        /** A call did not return within the bound. */
        HANG,
        /** A call threw, and the SPI documents no exception for it. */
        EXCEPTION,
        /** A call returned null instead of a status. */
        NULL_RESULT,
        /** A call returned PENDING and its completion (or an awaited event) did not come within the bound. */
        LOST_CALLBACK,
        /** A completion was called more than once. */
        DUPLICATE_CALLBACK,
        /** A completion was called for a call that returned a status other than PENDING. */
        CALLBACK_AFTER_INLINE,
        /** A completion carried another context than the caller's. */
        WRONG_CONTEXT,
        /** A callback for an object arrived after its close had completed. */
        LATE_CALLBACK,
        /** An antecedent's close completed while a successor was still open. */
        CLOSE_ORDER,
        /** Live objects or native resources were not back at their count once everything was closed. */
        LEAK,
        /** After a bad input, a normal connect/accept/disconnect/close cycle no longer succeeded. */
        UNUSABLE,
        /** A bad input got a status the SPI rules out for it (for example success for a malformed address). */
        WRONG_STATUS,
        /** A step of a normal flow failed (a status other than the one a working provider gives). */
        FAILED,
        /** The hang demonstration's seeded hang was not caught by the harness's bounds. */
        UNCAUGHT_HANG
    }

    @Override
    public String toString() {
        return kind + " [" + phase + "] " + function + (input.isEmpty() ? "" : " (" + input + ")") + ": " + detail;
    }
}
