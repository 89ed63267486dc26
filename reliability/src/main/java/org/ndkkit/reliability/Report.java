package org.ndkkit.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run found: the figures of each phase, the problems, the hangs its bounds caught and the
 * leak check's verdict. Printed as it goes and written as {@code report.json}.
 */
final class Report {
    /** A bounded wait that ran out, with the thread dump taken at that moment. */
    record Timeout(String phase, String what, boolean expected, String threadDump) {
    }

    /** The leak check of one phase: the counts before and after, or why there were none. */
    record LeakCheck(String phase, Map<String, Long> before, Map<String, Long> after, Map<String, Long> leaked,
                     String unavailable) {
    }

    private final PrintStream out;
    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();
    private final List<Problem> demonstrated = new ArrayList<>();
    private final List<Problem> statusFindings = new ArrayList<>();
    private volatile boolean strict;
    private final List<Timeout> timeouts = new ArrayList<>();
    private final List<LeakCheck> leakChecks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private volatile String phase = "setup";
    private volatile boolean hangsExpected;
    private volatile String context;

    Report(PrintStream out) {
        this.out = out;
    }

    void header(String key, Object value) {
        header.put(key, value);
    }

    /** Starts a phase: problems and timeouts from now on belong to it. */
    void phase(String name, boolean hangsExpected) {
        this.phase = name;
        this.hangsExpected = hangsExpected;
    }

    String phase() {
        return phase;
    }

    /** One line for the person watching, prefixed with the phase. */
    void say(String line) {
        synchronized (out) {
            out.println("[" + phase + "] " + line);
            out.flush();
        }
    }

    synchronized void figure(String key, Object value) {
        figures.computeIfAbsent(phase, p -> new LinkedHashMap<>()).put(key, value);
    }

    /** Set while a bad input is being tried: every problem seen meanwhile names it. */
    void context(String context) {
        this.context = context;
    }

    void problem(Problem.Kind kind, String function, String input, String detail) {
        String c = context;
        String in = c == null ? input : input.isEmpty() ? c : input + "; " + c;
        Problem p = new Problem(kind, phase, function, in, detail);
        // In the hang demonstration the seeded hangs are the point: what they cause is expected.
        boolean expected = hangsExpected && kind != Problem.Kind.UNCAUGHT_HANG;
        // A status the SPI rules out is not one of the failures the run is judged by (hang, undocumented
        // exception, unusable provider, callback rules, leaks) unless asked for with --strict.
        boolean statusOnly = kind == Problem.Kind.WRONG_STATUS && !strict;
        synchronized (this) {
            (expected ? demonstrated : statusOnly ? statusFindings : problems).add(p);
        }
        say((expected ? "expected: " : statusOnly ? "STATUS " : "PROBLEM ") + p);
    }

    /** Makes statuses the SPI rules out for a bad input fail the run too. */
    void strict(boolean strict) {
        this.strict = strict;
    }

    /** Statuses the SPI rules out, when they do not fail the run. */
    synchronized List<Problem> statusFindings() {
        return List.copyOf(statusFindings);
    }

    synchronized void timeout(String what, String dumpFile) {
        timeouts.add(new Timeout(phase, what, hangsExpected, dumpFile));
    }

    synchronized void leakCheck(LeakCheck check) {
        leakChecks.add(check);
    }

    synchronized void note(String note) {
        notes.add(phase + ": " + note);
    }

    synchronized List<Problem> problems() {
        return List.copyOf(problems);
    }

    synchronized List<Timeout> timeouts() {
        return List.copyOf(timeouts);
    }

    synchronized List<LeakCheck> leakChecks() {
        return List.copyOf(leakChecks);
    }

    /** Leaked objects and resources over every phase whose check ran. */
    synchronized long leaks() {
        return leakChecks.stream().filter(c -> c.unavailable() == null)
                .mapToLong(c -> c.leaked().values().stream().mapToLong(Long::longValue).sum()).sum();
    }

    /** Null when every phase could count; otherwise the reason the provider gave. */
    synchronized String leakCheckUnavailable() {
        return leakChecks.stream().map(LeakCheck::unavailable).filter(u -> u != null).findFirst().orElse(null);
    }

    synchronized void write(Path file, String finalLine, int exitCode) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>(header);
        root.put("line", finalLine);
        root.put("exitCode", exitCode);
        root.put("figures", figures);
        root.put("leakChecks", leakChecks);
        root.put("timeouts", timeouts);
        root.put("problems", problems);
        root.put("statusFindings", statusFindings);
        root.put("hangDemonstration", demonstrated);
        root.put("notes", notes);
        Files.createDirectories(file.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }
}
