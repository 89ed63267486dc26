package org.ndkkit.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the kit asks a provider to set up its testbed.
 *
 * @param connectTimeout how long the provider's own connect timer waits for a silent host before
 *                       failing with IO_TIMEOUT; the kit waits somewhat longer than this
 * @param settings       provider-specific settings, passed through from the command line or system
 *                       properties {@code ndk.provider.<key>} (for example the simulated provider's
 *                       {@code completion-path})
 */
public record TestbedOptions(Duration connectTimeout, Map<String, String> settings) {
    public TestbedOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        settings = Map.copyOf(settings);
    }

    public String setting(String key, String defaultValue) {
        return settings.getOrDefault(key, defaultValue);
    }
}
