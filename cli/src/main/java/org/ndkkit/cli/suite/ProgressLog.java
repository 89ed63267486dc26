package org.ndkkit.cli.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The suite process's incremental record, {@code progress.ndjson}: one JSON object per line, each
 * written and forced to disk as soon as it happens, so that a crash or a hang (or a VM that is
 * powered off) still leaves every verdict reached so far. The CLI tails it for the live progress
 * line and reads it to name what never got a verdict.
 *
 * <p>Events: {@code suite-started}, {@code preflight}, {@code scenario-started},
 * {@code scenario-finished}, {@code suite-finished}, {@code probes-started},
 * {@code probes-finished}, {@code run-finished}, and {@code provider-crashed} ({@code id},
 * {@code reason}, {@code exitCode}: the provider crashed behind its transport during that scenario,
 * and the process ends; see {@link SuiteMain}). A {@code scenario-finished} event carries {@code id},
 * {@code name}, {@code verdict}, {@code reason}, {@code durationMillis}, {@code code} when the kit
 * gives one ({@code crashed}) and, when the scenario used a lab condition, {@code conditions} (see
 * {@link ProgressPlugin}).
 */
public final class ProgressLog {
    /** System property naming the file, set by the CLI for the suite process. */
    public static final String PROPERTY = "ndk.cli.progress";

    private static ProgressLog current;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileChannel channel;

    private ProgressLog(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** The log named by {@link #PROPERTY}, or null when the suite runs without the CLI. */
    public static synchronized ProgressLog get() {
        if (current == null) {
            String p = System.getProperty(PROPERTY);
            if (p == null || p.isBlank()) {
                return null;
            }
            try {
                current = new ProgressLog(Path.of(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + p, e);
            }
        }
        return current;
    }

    /** A log of its own on {@code file}, not the process's (for tests). */
    static ProgressLog open(Path file) throws IOException {
        return new ProgressLog(file);
    }

    public synchronized void event(String type, Consumer<ObjectNode> fields) {
        ObjectNode n = JSON.createObjectNode();
        n.put("event", type);
        n.put("time", Instant.now().toString());
        fields.accept(n);
        try {
            byte[] line = (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                channel.write(b);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the progress log", e);
        }
    }
}
