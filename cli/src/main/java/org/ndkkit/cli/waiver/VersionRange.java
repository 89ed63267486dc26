package org.ndkkit.cli.waiver;

import java.util.ArrayList;
import java.util.List;

/**
 * A range of provider versions, written as in Maven: {@code *} (any), {@code 1.2.3} (exactly),
 * {@code [1.0,2.0)} (1.0 &lt;= v &lt; 2.0), {@code [1.0,)} (1.0 or later), {@code (,1.5]} (up to 1.5).
 * Versions compare segment by segment, numerically where both segments are numbers
 * ({@code 1.10 > 1.9}); a missing segment counts as 0; a qualifier after {@code -} sorts before
 * the plain version ({@code 2.0-rc1 < 2.0}).
 */
public final class VersionRange {
    private final String text;
    private final String low;
    private final boolean lowInclusive;
    private final String high;
    private final boolean highInclusive;

    private VersionRange(String text, String low, boolean lowInclusive, String high, boolean highInclusive) {
        this.text = text;
        this.low = low;
        this.lowInclusive = lowInclusive;
        this.high = high;
        this.highInclusive = highInclusive;
    }

    public static VersionRange parse(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("a version range is required (use \"*\" for any version)");
        }
        String t = s.trim();
        if (t.equals("*")) {
            return new VersionRange(t, null, true, null, true);
        }
        char first = t.charAt(0);
        if (first != '[' && first != '(') {
            if (t.contains(",") || t.contains(" ")) {
                throw new IllegalArgumentException("version range '" + s + "': write [low,high) or a single version");
            }
            return new VersionRange(t, t, true, t, true);
        }
        char last = t.charAt(t.length() - 1);
        if (last != ']' && last != ')') {
            throw new IllegalArgumentException("version range '" + s + "' must end with ] or )");
        }
        String inner = t.substring(1, t.length() - 1);
        int comma = inner.indexOf(',');
        if (comma < 0 || inner.indexOf(',', comma + 1) >= 0) {
            throw new IllegalArgumentException("version range '" + s + "' needs exactly one comma: [low,high)");
        }
        String lo = inner.substring(0, comma).trim();
        String hi = inner.substring(comma + 1).trim();
        VersionRange r = new VersionRange(t, lo.isEmpty() ? null : lo, first == '[', hi.isEmpty() ? null : hi, last == ']');
        if (r.low != null && r.high != null && compare(r.low, r.high) > 0) {
            throw new IllegalArgumentException("version range '" + s + "' is empty: " + lo + " is above " + hi);
        }
        return r;
    }

    public boolean contains(String version) {
        if (low != null) {
            int c = compare(version, low);
            if (c < 0 || (c == 0 && !lowInclusive)) {
                return false;
            }
        }
        if (high != null) {
            int c = compare(version, high);
            return c < 0 || (c == 0 && highInclusive);
        }
        return true;
    }

    /** Compares two version strings (see the class comment). */
    public static int compare(String a, String b) {
        String[] qa = splitQualifier(a);
        String[] qb = splitQualifier(b);
        List<String> sa = segments(qa[0]);
        List<String> sb = segments(qb[0]);
        for (int i = 0; i < Math.max(sa.size(), sb.size()); i++) {
            String x = i < sa.size() ? sa.get(i) : "0";
            String y = i < sb.size() ? sb.get(i) : "0";
            int c = segment(x, y);
            if (c != 0) {
                return c;
            }
        }
        if (qa[1] == null || qb[1] == null) {
            return qa[1] == null ? (qb[1] == null ? 0 : 1) : -1;
        }
        return segment(qa[1], qb[1]);
    }

    private static String[] splitQualifier(String v) {
        int dash = v.indexOf('-');
        return dash < 0 ? new String[] {v.trim(), null} : new String[] {v.substring(0, dash).trim(), v.substring(dash + 1).trim()};
    }

    private static List<String> segments(String v) {
        List<String> out = new ArrayList<>(List.of(v.split("\\.")));
        while (out.size() > 1 && out.get(out.size() - 1).equals("0")) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private static int segment(String x, String y) {
        boolean nx = x.matches("\\d+");
        boolean ny = y.matches("\\d+");
        if (nx && ny) {
            return new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y));
        }
        if (nx != ny) {
            return nx ? 1 : -1;
        }
        return x.compareTo(y);
    }

    @Override
    public String toString() {
        return text;
    }
}
