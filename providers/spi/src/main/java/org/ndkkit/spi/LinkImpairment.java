package org.ndkkit.spi;

import java.time.Duration;

/**
 * How a {@link NetworkLink} impairs the frames it carries, in each direction.
 *
 * @param lossPercent    the share of frames dropped, 0 to 100
 * @param delay          how long every frame is held before it goes on
 * @param jitter         the spread around {@code delay} (frames may then overtake one another)
 * @param reorderPercent the share of frames sent at once while the rest wait {@code delay}, 0 to
 *                       100; needs a delay
 */
public record LinkImpairment(double lossPercent, Duration delay, Duration jitter, double reorderPercent) {

    public LinkImpairment {
        if (!(lossPercent >= 0 && lossPercent <= 100) || !(reorderPercent >= 0 && reorderPercent <= 100)) {
            throw new IllegalArgumentException("loss and reorder are percentages from 0 to 100: " + lossPercent
                    + ", " + reorderPercent);
        }
        if (delay == null || jitter == null || delay.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("delay and jitter must be zero or more");
        }
        if (reorderPercent > 0 && delay.isZero()) {
            throw new IllegalArgumentException("reordering needs a delay for the frames that are not sent at once");
        }
    }

    /** Drops {@code percent} of the frames. */
    public static LinkImpairment loss(double percent) {
        return new LinkImpairment(percent, Duration.ZERO, Duration.ZERO, 0);
    }

    /** Holds every frame for {@code delay}, give or take {@code jitter}. */
    public static LinkImpairment delay(Duration delay, Duration jitter) {
        return new LinkImpairment(0, delay, jitter, 0);
    }

    /** Sends {@code percent} of the frames at once and holds the rest for {@code delay}. */
    public static LinkImpairment reorder(double percent, Duration delay) {
        return new LinkImpairment(0, delay, Duration.ZERO, percent);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (lossPercent > 0) {
            s.append(lossPercent).append("% loss");
        }
        if (!delay.isZero()) {
            s.append(s.isEmpty() ? "" : ", ").append(delay.toMillis()).append(" ms delay");
            if (!jitter.isZero()) {
                s.append(" ± ").append(jitter.toMillis()).append(" ms");
            }
        }
        if (reorderPercent > 0) {
            s.append(s.isEmpty() ? "" : ", ").append(reorderPercent).append("% reordered");
        }
        return s.isEmpty() ? "no impairment" : s.toString();
    }
}
