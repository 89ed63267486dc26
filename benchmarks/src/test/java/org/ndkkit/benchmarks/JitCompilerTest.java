package org.ndkkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitCompilerTest {
    private static final long TICK = 10_000_000L;

    @Test
    void parsesStateAndCpuAfterANameWithSpacesAndParentheses() {
        // Fields after the name: state, ppid, pgrp, session, tty, tpgid, flags, minflt, cminflt,
        // majflt, cmajflt, utime (14th), stime (15th), ...
        String line = "457 (C1 (x) Thre) R 1 449 449 0 -1 4194368 10 0 0 0 123 45 0 0 20 0 27 0";
        JitCompiler.Sample s = JitCompiler.parseStat(line, TICK);
        assertThat(s).isNotNull();
        assertThat(s.state()).isEqualTo('R');
        assertThat(s.running()).isTrue();
        assertThat(s.cpuNanos()).isEqualTo((123 + 45) * TICK);
        assertThat(JitCompiler.parseStat("457 (x) S 1 2", TICK)).isNull();
        assertThat(JitCompiler.parseStat("no parenthesis", TICK)).isNull();
        assertThat(JitCompiler.parseStat("1 (x) S 1 449 449 0 -1 4 10 0 0 0 abc 45 0", TICK)).isNull();
    }

    @Test
    void recognisesHotSpotsCompilerThreadsAsTheKernelNamesThem() {
        assertThat(JitCompiler.isCompilerThread("C1 CompilerThre\n")).isTrue();
        assertThat(JitCompiler.isCompilerThread("C2 CompilerThre")).isTrue();
        assertThat(JitCompiler.isCompilerThread("Common-Cleaner")).isFalse();
        assertThat(JitCompiler.isCompilerThread("CX CompilerThre")).isFalse();
        assertThat(JitCompiler.isCompilerThread("C1")).isFalse();
    }

    @Test
    void idleOnlyWhenNoCompilerThreadRanOrUsedCpuBetweenTwoReadings() {
        JitCompiler.Sample asleep = new JitCompiler.Sample('S', 5 * TICK);
        assertThat(JitCompiler.idle(List.of(asleep), List.of(asleep))).isTrue();
        assertThat(JitCompiler.idle(List.of(asleep), List.of(new JitCompiler.Sample('R', 5 * TICK)))).isFalse();
        assertThat(JitCompiler.idle(List.of(asleep), List.of(new JitCompiler.Sample('S', 6 * TICK)))).isFalse();
        assertThat(JitCompiler.idle(List.of(asleep), List.of(asleep, asleep))).isFalse();
        assertThat(JitCompiler.idle(List.of(), List.of())).isTrue();
    }

    @Test
    void cpuBetweenTwoReadingsIsPerThreadSoThatAThreadThatCameOrWentDoesNotSkewIt() {
        // Thread 11 ended with 900 ms on it, 12 started and used 30 ms, 10 used 20 ms: 50 ms, where
        // a difference of sums would say -850.
        assertThat(JitCompiler.cpuBetween(java.util.Map.of("10", 100L, "11", 900L),
                java.util.Map.of("10", 120L, "12", 30L))).isEqualTo(50L);
        assertThat(JitCompiler.cpuBetween(java.util.Map.of(), java.util.Map.of("10", 1L))).isEqualTo(-1L);
        assertThat(JitCompiler.cpuBetween(java.util.Map.of("10", 1L), java.util.Map.of())).isEqualTo(-1L);
    }

    @Test
    void findsThisJvmsCompilerThreadsAndWaitsUntilTheyAreIdle() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc");
        assumeTrue(!System.getProperty("java.vm.name", "").contains("Zero"), "needs a JIT");
        assertThat(JitCompiler.threads()).as("HotSpot's compiler threads in /proc/self/task").isNotEmpty();
        assertThat(JitCompiler.cpuNanos()).isNotEmpty().allSatisfy((tid, cpu) -> assertThat(cpu).isNotNegative());
        // A test JVM's compiler goes idle within seconds of its last new method; the bound is wide
        // for a loaded machine, and a negative result says the bound passed.
        assertThat(JitCompiler.awaitIdle(60_000)).isGreaterThanOrEqualTo(0);
    }
}
