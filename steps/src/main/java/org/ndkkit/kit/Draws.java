package org.ndkkit.kit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.ndkkit.spi.Host;

/**
 * The values one scenario draws, from a stream of its own: the run seed mixed with the scenario's
 * id ({@code feature:line}), so that the same seed draws the same values for that scenario
 * whatever else runs, and a different seed other values. Every draw is recorded (name, value,
 * range, rule) for the scenario's report and the run's summary.
 */
public final class Draws {
    /**
     * Explicit ports are drawn from a band of each host's own, so that a port the local host binds
     * never equals a destination port on the peer by accident. Both lie below every kernel's and
     * NDK's ephemeral range (32768 and 49152).
     */
    public static final int LOCAL_PORT_LOW = 10000;
    public static final int LOCAL_PORT_HIGH = 19999;
    public static final int PEER_PORT_LOW = 20000;
    public static final int PEER_PORT_HIGH = 29999;

    private static final Map<String, List<String>> RECORDED = new ConcurrentHashMap<>();

    private final long runSeed;
    private final String scenarioId;
    private final SplittableRandom random;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, Long> values = new LinkedHashMap<>();

    public Draws(long runSeed, String scenarioId) {
        this.runSeed = runSeed;
        this.scenarioId = scenarioId;
        this.random = new SplittableRandom(scenarioSeed(runSeed, scenarioId));
    }

    /** The seed of one scenario's stream: the run seed mixed with a 64-bit hash of its id. */
    public static long scenarioSeed(long runSeed, String scenarioId) {
        long h = 1125899906842597L;
        for (int i = 0; i < scenarioId.length(); i++) {
            h = 31 * h + scenarioId.charAt(i);
        }
        return mix(runSeed ^ mix(h));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long runSeed() {
        return runSeed;
    }

    public String scenarioId() {
        return scenarioId;
    }

    /**
     * A number from {@code low} to {@code high} (both included), odd or even when {@code parity}
     * says so ("odd", "even", or null for any), recorded under {@code name}.
     */
    public long number(String name, long low, long high, String parity, String rule) {
        long lo = low;
        long hi = high;
        if (parity != null) {
            int want = parity.equals("odd") ? 1 : 0;
            if (Math.floorMod(lo, 2) != want) {
                lo++;
            }
            if (Math.floorMod(hi, 2) != want) {
                hi--;
            }
        }
        if (lo > hi) {
            throw new Unsupported("empty-draw-range", "no " + (parity == null ? "" : parity + " ") + "number lies from "
                    + low + " to " + high + " (" + rule + ") with these adapters");
        }
        long v = parity == null ? lo + random.nextLong(hi - lo + 1) : lo + 2 * random.nextLong((hi - lo) / 2 + 1);
        record(name, v, (parity == null ? "" : parity + " number ") + "from " + low + " to " + high, rule);
        return v;
    }

    /** A value the scenario fixes (an example's boundary), named like a drawn one and recorded with the draws. */
    public long fixed(String name, long v, String text) {
        values.put(name, v);
        lines.add(name + " = " + v + "  (fixed: " + text + ")");
        return v;
    }

    /** An explicit port of {@code host}'s band, from {@code low} to {@code high}. */
    public int port(String name, Host host, int low, int high) {
        int bandLow = host == Host.LOCAL ? LOCAL_PORT_LOW : PEER_PORT_LOW;
        int bandHigh = host == Host.LOCAL ? LOCAL_PORT_HIGH : PEER_PORT_HIGH;
        if (low < bandLow || high > bandHigh || low > high) {
            throw new IllegalArgumentException("the " + host.name().toLowerCase() + " host's explicit ports are drawn from "
                    + bandLow + "-" + bandHigh + " (each host has its own band, so no local port equals a destination port"
                    + " by accident); the step asks for " + low + "-" + high);
        }
        return (int) number(name, low, high, null, "the " + host.name().toLowerCase() + " host's port band");
    }

    /** One of {@code options}, each equally likely. */
    public <T> T pick(String name, List<T> options, String rule) {
        if (options.isEmpty()) {
            throw new IllegalArgumentException("nothing to draw " + name + " from");
        }
        int i = random.nextInt(options.size());
        T v = options.get(i);
        String shown = v instanceof java.net.InetAddress ip ? ip.getHostAddress() : String.valueOf(v);
        lines.add(name + " = " + shown + "  (option " + (i + 1) + " of " + options.size() + ": " + rule + ")");
        return v;
    }

    private void record(String name, long v, String range, String rule) {
        values.put(name, v);
        lines.add(name + " = " + v + "  (" + range + (rule == null || rule.isEmpty() ? "" : "; " + rule) + ")");
    }

    /** A named value drawn earlier, or null. */
    public Long value(String name) {
        return values.get(name);
    }

    /** Every named number drawn so far, by name. */
    public Map<String, Long> values() {
        return Collections.unmodifiableMap(values);
    }

    /** The draws in order, one line each. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** What a failure says so that it can be reproduced. */
    public String reproduce() {
        return "Reproduce: run seed " + runSeed + " (-Dndk.seed=" + runSeed + "); scenario " + scenarioId
                + (lines.isEmpty() ? " drew nothing" : " drew " + String.join(", ", lines.stream()
                .map(l -> l.substring(0, l.indexOf("  ("))).toList()));
    }

    /** The attachment of the scenario's report. */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("run seed ").append(runSeed).append(" (rerun with -Dndk.seed=").append(runSeed).append(")\n");
        b.append("scenario ").append(scenarioId).append(", stream seed ").append(scenarioSeed(runSeed, scenarioId)).append('\n');
        if (lines.isEmpty()) {
            b.append("no values drawn\n");
        }
        lines.forEach(l -> b.append("  ").append(l).append('\n'));
        return b.toString();
    }

    /** Publishes the draws for the run's summary, under the Cucumber test case's id. */
    public void publish(String testCaseId) {
        RECORDED.put(testCaseId, lines());
    }

    /** The draws published for a test case, removed; empty when it drew nothing. */
    public static List<String> take(String testCaseId) {
        List<String> l = RECORDED.remove(testCaseId);
        return l == null ? List.of() : l;
    }
}
