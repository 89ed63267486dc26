package org.ndkkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReliabilityMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ReliabilityMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aUsageErrorExitsTwoWithTheUsage() {
        assertThat(run("--connections", "many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--connections takes a number").contains("usage:");
    }

    @Test
    void anUnknownProviderIsAnEnvironmentError() {
        assertThat(run("--provider", "no-such-provider")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no provider named 'no-such-provider'");
    }

    @Test
    void optionsParse() {
        ReliabilityMain.Options o = ReliabilityMain.Options.parse(List.of("--provider", "reference", "-s", "a=b=c",
                "--connections", "7", "--strict", "--timeout-ms", "900"));
        assertThat(o.provider()).isEqualTo("reference");
        assertThat(o.settings()).containsEntry("a", "b=c");
        assertThat(o.connections()).isEqualTo(7);
        assertThat(o.cycles()).isEqualTo(1000);
        assertThat(o.strict()).isTrue();
        assertThat(o.timeout().toMillis()).isEqualTo(900);
        assertThat(o.out().toString()).endsWith("target/reliability/reference");
    }
}
