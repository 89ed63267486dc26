package org.ndkkit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ReliabilityMain on the simulated provider in a JVM of its own, as a user runs it: with its full
 * defaults (1,000 concurrent connections, 1,000 cycles), and smaller on the other two completion
 * paths. Each run must exit 0 and end with the figures line.
 */
class ReliabilityMainIT {
    static final Pattern LINE = Pattern.compile("reliability (\\S+): (\\d+) concurrent connections, (\\d+) cycles, "
            + "(\\d+) bad inputs, (\\d+ leaks|leak check unavailable), (\\d+) timeouts caught");

    private record Run(int exit, Matcher line, JsonNode report, Path log) {
    }

    private static Run run(String name, String... args) throws IOException, InterruptedException {
        Path out = Path.of(System.getProperty("ndk.reliability.out", "target/reliability-it")).resolve(name);
        String cp = System.getProperty("ndk.reliability.classes", "target/classes") + File.pathSeparator
                + Files.readString(Path.of(System.getProperty("ndk.reliability.classpath-file", "target/runtime-classpath.txt"))).trim();
        Path log = Files.createDirectories(out).resolve("stdout.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "org.ndkkit.reliability.ReliabilityMain", "--provider", "simulated", "--out", out.toString()));
        command.addAll(List.of(args));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ReliabilityMain did not end within 240 s; output in " + log);
        }
        List<String> lines = Files.readAllLines(log);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        System.out.printf("ReliabilityMain %s on simulated: %.1f s, exit %d%n%s%n", String.join(" ", args),
                (System.nanoTime() - t0) / 1e9, p.exitValue(), last);
        assertThat(p.exitValue()).as("exit status; output in " + log).isZero();
        Matcher m = LINE.matcher(last);
        assertThat(m.matches()).as("the last line: " + last).isTrue();
        assertThat(m.group(1)).isEqualTo("simulated");
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.get("line").asText()).isEqualTo(last);
        assertThat(report.get("problems")).isEmpty();
        assertThat(report.at("/figures/hangs/caught").asInt()).as("seeded hangs caught").isEqualTo(3);
        assertThat(Integer.parseInt(m.group(6))).as("timeouts caught").isGreaterThanOrEqualTo(3);
        return new Run(p.exitValue(), m, report, log);
    }

    @Test
    void fullDefaults() throws IOException, InterruptedException {
        Run r = run("defaults");
        assertThat(Integer.parseInt(r.line().group(2))).as("connections held at once").isEqualTo(1000);
        assertThat(Integer.parseInt(r.line().group(3))).as("clean cycles").isEqualTo(1000);
        assertThat(Integer.parseInt(r.line().group(4))).as("bad inputs").isEqualTo(400);
        assertThat(r.report().at("/figures/stress/distinctDestinations").asInt()).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending-in-call"})
    void otherCompletionPaths(String path) throws IOException, InterruptedException {
        Run r = run(path, "-s", "completion-path=" + path, "--connections", "300", "--cycles", "300",
                "--bad-inputs", "200", "--timeout-ms", "1000");
        assertThat(Integer.parseInt(r.line().group(2))).isEqualTo(300);
        assertThat(Integer.parseInt(r.line().group(3))).isEqualTo(300);
    }
}
