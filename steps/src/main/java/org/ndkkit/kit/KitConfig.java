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
 *       objects are closed (default 100)</li>
 *   <li>{@code ndk.provider.<key>} — provider-specific settings, passed through</li>
 * </ul>
 */
public record KitConfig(String providerName, Path outDir, Duration timeout, Duration connectTimeout,
                        Duration settle, Map<String, String> providerSettings) {

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
                settings);
    }

    private static Duration millis(Properties p, String key, long defaultValue) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return Duration.ofMillis(defaultValue);
        }
        try {
            long ms = Long.parseLong(v.trim());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a positive number of milliseconds, got '" + v + "'");
        }
    }
}
