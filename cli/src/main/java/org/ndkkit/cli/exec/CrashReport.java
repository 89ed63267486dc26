package org.ndkkit.cli.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a suite process that died left behind: the JVM's fatal-error log ({@code hs_err_PID.log},
 * written where {@code -XX:ErrorFile} points), boiled down to the signal and the problematic
 * frame, so a crash in CI names its cause in the report instead of only an exit code.
 */
public final class CrashReport {
    private CrashReport() {
    }

    /** The newest fatal-error log in {@code dir} written at or after {@code sinceMillis}. */
    public static Optional<Path> find(Path dir, long sinceMillis) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("hs_err_.*\\.log"))
                    .filter(p -> modified(p) >= sinceMillis - 2000)
                    .max(Comparator.comparingLong(CrashReport::modified));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * One line: the signal line and the problematic frame of a fatal-error log, e.g.
     * {@code SIGSEGV (0xb) at pc=0x..., pid=145, tid=160; problematic frame: J 1234 c1 Foo.bar()}.
     */
    public static String summarize(Path hsErr) {
        List<String> lines;
        try {
            lines = Files.readAllLines(hsErr, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "fatal-error log " + hsErr + " unreadable: " + e.getMessage();
        }
        String signal = null;
        String frame = null;
        for (int i = 0; i < lines.size() && i < 60; i++) {
            String l = lines.get(i);
            if (signal == null && l.matches("#\\s+(SIG[A-Z]+|EXCEPTION_\\w+|Internal Error|Out of Memory Error).*")) {
                signal = l.replaceFirst("^#\\s+", "").trim();
            }
            if (frame == null && l.startsWith("# Problematic frame:") && i + 1 < lines.size()) {
                frame = lines.get(i + 1).replaceFirst("^#\\s*", "").trim();
            }
        }
        StringBuilder b = new StringBuilder(signal == null ? "fatal error" : signal);
        if (frame != null) {
            b.append("; problematic frame: ").append(frame);
        }
        return b.append(" (").append(hsErr).append(')').toString();
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
