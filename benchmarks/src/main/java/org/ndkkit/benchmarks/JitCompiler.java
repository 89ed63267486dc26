package org.ndkkit.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JIT compiler's threads, which {@link java.lang.management.ThreadMXBean} does not list: their
 * CPU time, and a wait until they are idle, read from {@code /proc/self/task}.
 *
 * <p>Why the harness needs them: under emulation C1's one busy thread falls behind, and two rules
 * of HotSpot's tiered policy then keep the connection path interpreted past the warm-up. The
 * threshold grows with the queue (x (queue / 5 + 1), {@code Tier3LoadFeedback}), and a queued
 * method not called in the last 50 ms is dropped from the queue ({@code TieredCompileTaskTimeout}),
 * which between two rounds is every method of the path. Measured: after a 700-connection warm-up
 * the first round of N=300 compiled the path inside its window, 570 ms of its 1.9 s (perf, two-host
 * lab). So the benchmark JVMs run with a long task timeout, the harness waits for the compiler to
 * be idle before each window, and the warm-up goes on until a window sees no compilation.
 */
final class JitCompiler {
    private static final Path TASKS = Path.of("/proc/self/task");
    /** HotSpot's names, cut to 15 characters by the kernel: "C1 CompilerThre", "C2 CompilerThre". */
    private static final String NAME_PREFIX = "C";
    private static final String NAME_PART = " CompilerThre";
    private static final long POLL_MS = 25;

    private JitCompiler() {
    }

    /** One reading of a thread's {@code stat}: its state letter and its CPU time. */
    record Sample(char state, long cpuNanos) {
        boolean running() {
            return state == 'R';
        }
    }

    /**
     * Parses {@code /proc/PID/task/TID/stat}: the state is the field after the name in parentheses
     * (the name may hold spaces and parentheses, so it is found from the last ')'), utime and stime
     * are the 14th and 15th fields, in clock ticks of {@code tickNanos}.
     *
     * @return null when the line is not a stat line
     */
    static Sample parseStat(String line, long tickNanos) {
        int close = line.lastIndexOf(')');
        if (close < 0 || close + 2 >= line.length()) {
            return null;
        }
        String[] f = line.substring(close + 2).trim().split(" +");
        // f[0] is field 3 (state); utime, stime are fields 14 and 15, i.e. f[11] and f[12].
        if (f.length < 13 || f[0].length() != 1) {
            return null;
        }
        try {
            return new Sample(f[0].charAt(0), (Long.parseLong(f[11]) + Long.parseLong(f[12])) * tickNanos);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether a thread name (as the kernel keeps it) is one of HotSpot's compiler threads. */
    static boolean isCompilerThread(String comm) {
        String c = comm.strip();
        return c.startsWith(NAME_PREFIX) && c.length() >= 2 + NAME_PART.length()
                && Character.isDigit(c.charAt(1)) && c.startsWith(NAME_PART, 2);
    }

    /**
     * Whether two readings of every compiler thread, {@link #POLL_MS} apart, say the compiler is
     * idle: no thread running in either and none used CPU between them (the ticks are coarse,
     * hence both tests).
     */
    static boolean idle(List<Sample> before, List<Sample> after) {
        if (before.size() != after.size()) {
            return false; // a compiler thread came or went: look again
        }
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i).running() || after.get(i).running()
                    || before.get(i).cpuNanos() != after.get(i).cpuNanos()) {
                return false;
            }
        }
        return true;
    }

    /** The compiler threads' stat files now (none when /proc cannot be read: not Linux, say). */
    static List<Path> threads() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path t : tasks) {
                try {
                    if (isCompilerThread(Files.readString(t.resolve("comm")))) {
                        out.add(t.resolve("stat"));
                    }
                } catch (IOException e) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        return out;
    }

    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    private static List<Sample> read(List<Path> stats) {
        List<Sample> out = new ArrayList<>(stats.size());
        for (Path p : stats) {
            try {
                Sample s = parseStat(Files.readString(p), TICK_NANOS);
                out.add(s == null ? new Sample('?', -1) : s);
            } catch (IOException e) {
                out.add(new Sample('X', -1)); // gone
            }
        }
        return out;
    }

    /**
     * CPU time (ns) of each compiler thread alive now, by thread id; empty when none can be read.
     * HotSpot starts and ends compiler threads beyond the first as its queue grows and shrinks
     * ({@code UseDynamicNumberOfCompilerThreads}), so CPU between two points is a per-thread
     * difference ({@link #cpuBetween}), not a difference of sums.
     */
    static Map<String, Long> cpuNanos() {
        Map<String, Long> out = new TreeMap<>();
        List<Path> t = threads();
        List<Sample> s = read(t);
        for (int i = 0; i < t.size(); i++) {
            if (s.get(i).cpuNanos() >= 0) {
                out.put(t.get(i).getParent().getFileName().toString(), s.get(i).cpuNanos());
            }
        }
        return out;
    }

    /**
     * The compiler threads' CPU (ns) from {@code before} to {@code after}: a thread that started
     * in between counts from 0; one that ended in between is missing from {@code after}, and its
     * share is lost (it ends only after a while without work). -1 when either reading is empty.
     */
    static long cpuBetween(Map<String, Long> before, Map<String, Long> after) {
        if (before.isEmpty() || after.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            sum += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return sum;
    }

    /**
     * Waits, at most {@code boundMs}, until the compiler threads are idle.
     *
     * @return the time waited in ns; negative (minus the time) when the bound passed first or the
     *         threads cannot be read
     */
    static long awaitIdle(long boundMs) {
        long t0 = System.nanoTime();
        long deadline = t0 + boundMs * 1_000_000L;
        List<Path> stats = threads();
        if (stats.isEmpty()) {
            return -1;
        }
        List<Sample> before = read(stats);
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            List<Path> now = threads();
            List<Sample> after = read(now);
            if (now.equals(stats) && idle(before, after)) {
                return System.nanoTime() - t0;
            }
            stats = now;
            before = after;
        }
        return -(System.nanoTime() - t0);
    }
}
