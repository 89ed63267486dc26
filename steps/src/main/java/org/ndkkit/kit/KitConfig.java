package org.ndkkit.kit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Settings of one suite run, read from system properties so that Maven, the lab and the command
 * line can all set them.
 *
 * <ul>
 *   <li>{@code ndk.provider} — provider name (default {@code simulated})</li>
 *   <li>{@code ndk.out} — output folder (default {@code target/conformance})</li>
 *   <li>{@code ndk.timeout.ms} — bound on every wait for a callback (default 5000)</li>
 *   <li>{@code ndk.connect-timeout.ms} — the connect timeout the provider is asked to use for a
 *       silent host (default 1500); the kit waits that long plus {@code ndk.timeout.ms}</li>
 *   <li>{@code ndk.settle.ms} — how long the kit watches for stray callbacks after a scenario's
 *       objects are closed, and in every window in which it watches that nothing more happens (no
 *       second completion, no callback after a close; default 100)</li>
 *   <li>{@code ndk.quiescence} — {@code use} (default): such a window ends as soon as the testbed
 *       says its provider is quiescent ({@code Testbed.awaitQuiescence} answers QUIET; a provider
 *       that cannot tell answers UNKNOWN and gets the whole window); {@code ignore}: every window
 *       runs its full length whatever the testbed says</li>
 *   <li>{@code ndk.leak-grace.ms} — how long, beyond the settle time, the leak check waits for
 *       counts to come back after a scenario's closes completed (native resources freed by deferred
 *       work; default 500); cut short when the testbed is quiescent</li>
 *   <li>{@code ndk.testbed} — {@code per-run} (default): one testbed for the whole run;
 *       {@code per-scenario}: a fresh testbed for every scenario (mutation testing)</li>
 *   <li>{@code ndk.seed} — the run seed (a decimal or 0x-hex 64-bit number): every value a
 *       scenario draws comes from it ({@link Draws}), and it is passed to the provider as its setting
 *       {@code seed} unless {@code ndk.provider.seed} is given. When absent, the run draws one from
 *       the clock ({@link #runSeed()}), prints it and records it in the summary and in every
 *       scenario's report, so that a run can be repeated with {@code -Dndk.seed=...}</li>
 *   <li>{@code ndk.provider.<key>} — provider-specific settings, passed through</li>
 * </ul>
 *
 * @param seed the seed {@code ndk.seed} gave, or null when the run draws its own
 */
public record KitConfig(String providerName, Path outDir, Duration timeout, Duration connectTimeout,
                        Duration settle, Map<String, String> providerSettings, boolean useQuiescence,
                        Duration leakGrace, boolean freshTestbedPerScenario, Long seed) {

    /** The default leak grace, {@code ndk.leak-grace.ms}. */
    public static final Duration DEFAULT_LEAK_GRACE = Duration.ofMillis(500);

    /** The provider setting the run seed is passed as. */
    public static final String PROVIDER_SEED = "seed";

    /** One seed per JVM for runs that do not give one, so that a run's resets all draw from the same. */
    private static final long CLOCK_SEED = System.nanoTime() ^ System.currentTimeMillis() * 0x9E3779B97F4A7C15L;

    /** Settings that use the testbed's quiescence, the default leak grace and a seed from the clock. */
    public KitConfig(String providerName, Path outDir, Duration timeout, Duration connectTimeout,
                     Duration settle, Map<String, String> providerSettings) {
        this(providerName, outDir, timeout, connectTimeout, settle, providerSettings, true, DEFAULT_LEAK_GRACE, false, null);
    }

    /** The run seed: the one {@code ndk.seed} gave, else one drawn from the clock once per JVM. */
    public long runSeed() {
        return seed != null ? seed : CLOCK_SEED;
    }

    /** How the seed came about, for the run's output. */
    public String seedOrigin() {
        return seed != null ? "given by ndk.seed" : "drawn from the clock";
    }

    /** The settings the provider's testbed is opened with: the run seed is its {@code seed} unless one is given. */
    public Map<String, String> testbedSettings() {
        Map<String, String> s = new HashMap<>(providerSettings);
        s.putIfAbsent(PROVIDER_SEED, Long.toString(runSeed()));
        return s;
    }

    public static KitConfig fromSystemProperties() {
        return from(System.getProperties());
    }

    public static KitConfig from(Properties p) {
        Map<String, String> settings = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith("ndk.provider.")) {
                settings.put(key.substring("ndk.provider.".length()), p.getProperty(key));
            }
        }
        return new KitConfig(
                p.getProperty("ndk.provider", "simulated"),
                Path.of(p.getProperty("ndk.out", "target/conformance")),
                millis(p, "ndk.timeout.ms", 5000),
                millis(p, "ndk.connect-timeout.ms", 1500),
                millis(p, "ndk.settle.ms", 100),
                settings,
                choice(p, "ndk.quiescence", "ignore", "use", true),
                millis(p, "ndk.leak-grace.ms", DEFAULT_LEAK_GRACE.toMillis(), 0),
                choice(p, "ndk.testbed", "per-run", "per-scenario", false),
                seed(p.getProperty("ndk.seed")));
    }

    /** A two-valued setting: true for {@code whenTrue}, false for {@code whenFalse} (the default when absent). */
    private static boolean choice(Properties p, String key, String whenFalse, String whenTrue, boolean absent) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return absent;
        }
        if (v.trim().equals(whenTrue) || v.trim().equals(whenFalse)) {
            return v.trim().equals(whenTrue);
        }
        throw new IllegalArgumentException(key + " must be " + whenFalse + " or " + whenTrue + ", got '" + v + "'");
    }

    private static Long seed(String v) {
        return v == null || v.isBlank() ? null : parseSeed(v);
    }

    /**
     * A run seed as the kit reads {@code ndk.seed} (and the CLI its {@code --seed}): decimal, or 0x-hex
     * for all 64 bits.
     *
     * @throws IllegalArgumentException when {@code v} is not such a number
     */
    public static long parseSeed(String v) {
        String t = v.trim();
        try {
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ndk.seed must be a 64-bit number (decimal or 0x-hex), got '" + v + "'");
        }
    }

    private static Duration millis(Properties p, String key, long defaultValue) {
        return millis(p, key, defaultValue, 1);
    }

    private static Duration millis(Properties p, String key, long defaultValue, long least) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return Duration.ofMillis(defaultValue);
        }
        try {
            long ms = Long.parseLong(v.trim());
            if (ms < least) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be " + (least > 0 ? "a positive" : "zero or a positive")
                    + " number of milliseconds, got '" + v + "'");
        }
    }
}
