package org.ndkkit.cli.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the suite process (a JVM, or {@code lab/run} around one) and watches it through its
 * progress log. A watchdog stops it when no progress event came for {@code stallTimeout} (a hung
 * scenario, preflight or probe) or when the whole run exceeds {@code runTimeout}; what ran until
 * then stays in the progress log.
 */
public final class SuiteProcess {
    /** How the process ended. */
    public record Ended(int exitCode, boolean stalled, boolean runTimedOut, boolean interrupted, String lastStarted,
                        List<JsonNode> events, long millis) {
        public boolean stopped() {
            return stalled || runTimedOut || interrupted;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private SuiteProcess() {
    }

    public static Ended run(List<String> command, Map<String, String> env, Path progressFile, Path logFile,
                            Duration stallTimeout, Duration runTimeout, Consumer<JsonNode> onEvent)
            throws IOException {
        Files.deleteIfExists(progressFile);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        Thread killer = new Thread(() -> stop(p), "ndk-cli-stop-suite");
        Runtime.getRuntime().addShutdownHook(killer);
        List<JsonNode> events = new ArrayList<>();
        long offset = 0;
        StringBuilder partial = new StringBuilder();
        long lastEvent = System.nanoTime();
        String lastStarted = null;
        boolean runFinished = false;
        boolean stalled = false;
        boolean timedOut = false;
        boolean interrupted = false;
        try {
            while (true) {
                boolean alive = p.isAlive();
                long[] off = {offset};
                List<JsonNode> fresh = read(progressFile, off, partial);
                offset = off[0];
                for (JsonNode e : fresh) {
                    events.add(e);
                    lastEvent = System.nanoTime();
                    String type = e.path("event").asText();
                    if (type.equals("scenario-started")) {
                        lastStarted = e.path("id").asText();
                    } else if (type.equals("scenario-finished")) {
                        lastStarted = null;
                    } else if (type.equals("run-finished")) {
                        // the suite is done; what the process still runs (the lab's --lab-also
                        // command, the VM's power-down) is bounded by the run timeout only
                        runFinished = true;
                    }
                    onEvent.accept(e);
                }
                if (!alive) {
                    break;
                }
                long now = System.nanoTime();
                if (!runFinished && now - lastEvent > stallTimeout.toNanos()) {
                    stalled = true;
                    stop(p);
                } else if (runTimeout != null && now - t0 > runTimeout.toNanos()) {
                    timedOut = true;
                    stop(p);
                } else {
                    try {
                        p.waitFor(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        interrupted = true;
                        stop(p);
                        Thread.currentThread().interrupt();
                    }
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down: the hook stops the process
            }
        }
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        return new Ended(code, stalled, timedOut, interrupted, lastStarted, events, (System.nanoTime() - t0) / 1_000_000);
    }

    /** TERM (lab/run then powers the VM off), then KILL after 10 s; children too. */
    static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        List<ProcessHandle> kids = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                kids.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        kids.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Complete lines appended to the progress log since {@code offset[0]}. */
    static List<JsonNode> read(Path file, long[] offset, StringBuilder partial) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (len <= offset[0]) {
                return out;
            }
            byte[] b = new byte[(int) (len - offset[0])];
            f.seek(offset[0]);
            f.readFully(b);
            offset[0] = len;
            partial.append(new String(b, StandardCharsets.UTF_8));
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl).trim();
            partial.delete(0, nl + 1);
            if (!line.isEmpty()) {
                try {
                    out.add(JSON.readTree(line));
                } catch (IOException e) {
                    // a torn line from a process killed mid-write: ignore it
                }
            }
        }
        return out;
    }

    /** Every event in a finished progress log. */
    public static List<JsonNode> readAll(Path file) throws IOException {
        return read(file, new long[] {0}, new StringBuilder());
    }
}
