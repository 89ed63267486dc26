package org.ndkkit.benchmarks;

import java.util.Arrays;
import java.util.Collection;

/**
 * The arithmetic of the report, in one place so that it is tested on its own (StatsTest).
 *
 * <ul>
 *   <li>median: the middle value of the sorted sample; for an even count the mean of the two middle
 *       values;</li>
 *   <li>p90: nearest rank, the ceil(0.9 n)-th smallest value;</li>
 *   <li>rate: connections per second, {@code n / seconds};</li>
 *   <li>ratio: reference rate / cmtime rate.</li>
 * </ul>
 * Samples are latencies in nanoseconds; an empty sample gives NaN.
 */
public final class Stats {
    private Stats() {
    }

    public static double median(long[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] s = values.clone();
        Arrays.sort(s);
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + (double) s[mid]) / 2.0;
    }

    public static double median(Collection<Double> values) {
        double[] s = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2.0;
    }

    /** Nearest-rank percentile, {@code 0 < p <= 100}: the ceil(p/100 n)-th smallest value. */
    public static double percentile(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
        }
        long[] s = values.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(1, rank) - 1];
    }

    public static double max(long[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).max().getAsLong();
    }

    /** Connections per second for {@code n} connections set up in {@code nanos}. */
    public static double rate(int n, long nanos) {
        if (n <= 0 || nanos <= 0) {
            return Double.NaN;
        }
        return n / (nanos / 1e9);
    }

    /** Connections per second for {@code n} connections set up in {@code millis} (cmtime prints ms). */
    public static double rateFromMillis(int n, double millis) {
        if (n <= 0 || !(millis > 0)) {
            return Double.NaN;
        }
        return n * 1000.0 / millis;
    }

    /** {@code reference / cmtime}; NaN when either is missing or cmtime's is 0. */
    public static double ratio(double reference, double cmtime) {
        if (Double.isNaN(reference) || Double.isNaN(cmtime) || cmtime == 0) {
            return Double.NaN;
        }
        return reference / cmtime;
    }

    /** The spread of repeated figures, (max - min) / median, as a measure of noise. */
    public static double spread(Collection<Double> values) {
        double[] s = values.stream().filter(v -> !Double.isNaN(v)).mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length < 2) {
            return Double.NaN;
        }
        double m = median(values);
        return m == 0 ? Double.NaN : (s[s.length - 1] - s[0]) / m;
    }

    /** Nanoseconds to milliseconds. */
    public static double ms(double nanos) {
        return nanos / 1e6;
    }
}
