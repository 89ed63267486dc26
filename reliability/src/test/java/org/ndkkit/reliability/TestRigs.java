package org.ndkkit.reliability;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/** A rig on a provider found by name, with its report captured, for the module's tests. */
final class TestRigs implements AutoCloseable {
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    final Report report = new Report(new PrintStream(printed, true, StandardCharsets.UTF_8));
    final Bounds bounds;
    final Rig rig;

    TestRigs(String provider, Map<String, String> settings, Duration timeout) {
        this(Providers.byName(provider), settings, timeout);
    }

    TestRigs(NdkProvider provider, Map<String, String> settings, Duration timeout) {
        bounds = new Bounds(timeout, report, Path.of("target", "test-timeouts"));
        try {
            rig = Rig.open(provider, new TestbedOptions(Duration.ofMillis(300), settings), bounds, report);
        } catch (TestbedUnavailableException e) {
            throw new IllegalStateException(e);
        }
    }

    String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        rig.close();
        bounds.close();
    }
}
