package org.ndkkit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * Connection set-up through the provider SPI, timed per step, for N connections over ONE shared
 * endpoint ({@code --local-endpoint dedicated}: each with NdkConnect from a port of its own). Not
 * a microbenchmark: a harness that prints its figures and writes them as JSON for
 * {@link BenchReport}. See benchmarks/README.md for what is timed and how it maps onto cmtime.
 *
 * <pre>
 * ConnectBench [--provider NAME] [--n 1,10,100,1000] [--rounds R|auto] [--warmup W] [--out DIR]
 *              [--before-round CMD] [--hook-timeout-s S] [--bound-ms MS] [--bound-per-connection-ms MS]
 *              [--connect-timeout-ms MS] [--complete-connect in-callback|completer-thread]
 *              [--local-endpoint shared|dedicated] [--peer-acceptor ADDRESS:PORT/COUNT]
 * </pre>
 *
 * One testbed, a warm-up of W connections (default 500, in rounds of 100), then for each N its rounds
 * (default 5 for N &lt;= 1000, else 3), each preceded by {@code CMD} when given.
 * Provider settings come from {@code -Dndk.provider.KEY=VALUE}, as for the kit. For each N it
 * writes {@code DIR/<provider>-n<N>.json}, also for a failed N; an N it could not run because the
 * testbed had become unusable gets no file. Exit status 0 when every N succeeded.
 *
 * <p>{@code --peer-acceptor}: the peer is a {@link PeerAcceptor} on another machine, listening on
 * COUNT ports from PORT at ADDRESS (the two-host lab's support machine); only the active side runs
 * here, on the testbed's LOCAL adapter.
 */
public final class ConnectBench {
    /** The per-connection steps, in order. */
    public static final List<String> STEPS = List.of("create", "connect", "accept", "complete", "disconnect", "close");
    public static final String SCHEMA = "ndk-connect-bench/1";

    private ConnectBench() {
    }

    /**
     * Rounds per N when not given: enough repetitions for a paired median that one noisy round does
     * not decide (the lab is emulated and shares two cores), fewer past 1000, where a round takes
     * half a minute.
     */
    static int autoRounds(int n) {
        return n <= 1000 ? 5 : 3;
    }

    /**
     * Connections of the warm-up when not given, made in rounds of at most {@link #WARMUP_ROUND}.
     * The lab's JVMs run C1 only, which compiles a method once the interpreter reports more than
     * ~200 invocations (it reports every 128), later when the compile queue is long, and most of
     * the connection path runs once per connection. After a 10-connection warm-up the rounds of
     * N=100 still sped up from one round to the next (63 to 120 conn/s in one measurement); after
     * 300, C1 still compiled about a hundred methods during the measured rounds.
     */
    static final int DEFAULT_WARMUP = 500;
    static final int WARMUP_ROUND = 100;
    /**
     * Then this many more in rounds of {@link #WARMUP_SMALL_ROUND}: at few connections in flight the
     * threads sleep and wake per event, paths the rounds of 100 hardly take. Without them the first
     * rounds of N=10 ran at 0.5-0.7 of the later ones, which a median of five did not always hide.
     */
    static final int WARMUP_SMALL = 200;
    static final int WARMUP_SMALL_ROUND = 10;
    /**
     * The JIT compiler's CPU in a warm-up window below which the warm-up ends: one clock tick
     * (Linux counts thread CPU in 10 ms ticks), i.e. none that can be seen.
     */
    static final long JIT_QUIET_NANOS = 10_000_000L;
    /** At most this many more warm-up rounds of {@link #WARMUP_ROUND} wait for the JIT to be idle. */
    static final int WARMUP_JIT_ROUNDS = 10;

    public static void main(String[] args) throws IOException {
        String providerName = "reference";
        List<Integer> ns = List.of(1, 10, 100, 1000);
        String rounds = "auto";
        int warmup = DEFAULT_WARMUP;
        Path out = Path.of("target/bench");
        long boundMs = 30_000;
        long perConnMs = 100;
        long connectTimeoutMs = 60_000;
        String beforeRound = null;
        long hookTimeoutS = 180;
        BenchSession.CompletionMode completionMode = BenchSession.CompletionMode.COMPLETER_THREAD;
        BenchSession.LocalEndpoint localEndpoint = BenchSession.LocalEndpoint.SHARED;
        List<org.ndkkit.spi.SockAddr> peerAcceptor = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--provider" -> providerName = need(a, v);
                case "--n" -> ns = parseList(need(a, v));
                case "--rounds" -> rounds = need(a, v);
                case "--warmup" -> warmup = Integer.parseInt(need(a, v));
                case "--out" -> out = Path.of(need(a, v));
                case "--bound-ms" -> boundMs = Long.parseLong(need(a, v));
                case "--bound-per-connection-ms" -> perConnMs = Long.parseLong(need(a, v));
                case "--connect-timeout-ms" -> connectTimeoutMs = Long.parseLong(need(a, v));
                case "--before-round" -> beforeRound = need(a, v);
                case "--hook-timeout-s" -> hookTimeoutS = Long.parseLong(need(a, v));
                case "--peer-acceptor" -> {
                    try {
                        peerAcceptor = PeerAcceptor.destinations(need(a, v));
                    } catch (IllegalArgumentException e) {
                        usage(e.getMessage());
                    }
                }
                case "--local-endpoint" -> {
                    try {
                        localEndpoint = BenchSession.LocalEndpoint.parse(need(a, v));
                    } catch (IllegalArgumentException e) {
                        usage(e.getMessage());
                    }
                }
                case "--complete-connect" -> {
                    try {
                        completionMode = BenchSession.CompletionMode.parse(need(a, v));
                    } catch (IllegalArgumentException e) {
                        usage(e.getMessage());
                    }
                }
                default -> usage("unknown argument " + a);
            }
            i++;
        }
        Files.createDirectories(out);
        Map<String, String> settings = SpiCalls.providerSettings();
        trace("main started");
        NdkProvider provider = Providers.byName(providerName);
        Run run = new Run(out, providerName, provider, warmup, completionMode, localEndpoint,
                peerAcceptor == null ? "in-process" : "acceptor process at " + peerAcceptor.get(0) + " (another machine)");
        Testbed tb;
        try {
            tb = provider.openTestbed(new TestbedOptions(Duration.ofMillis(connectTimeoutMs), settings));
        } catch (TestbedUnavailableException e) {
            run.failAll(ns, "testbed unavailable: " + e.getMessage());
            System.exit(1);
            return;
        }
        trace("testbed open");
        BenchSession session;
        try {
            session = new BenchSession(tb, peerAcceptor, boundMs, perConnMs, completionMode, localEndpoint);
        } catch (RuntimeException e) {
            run.failAll(ns, "session set-up failed: " + e);
            tb.close();
            System.exit(1);
            return;
        }
        int failed = 0;
        try {
            int total = warmup == 0 ? 0 : warmup + WARMUP_SMALL;
            for (int done = 0; done < total && run.warmupError == null && !session.broken(); ) {
                int n = done < warmup ? Math.min(WARMUP_ROUND, warmup - done) : Math.min(WARMUP_SMALL_ROUND, total - done);
                RoundResult warm = run.warmupRound(session, n);
                done += n;
                trace("warm-up, " + done + " of " + total + " connections: " + (warm.ok()
                        ? String.format(Locale.ROOT, "%.1f conn/s", warm.rate()) : "FAILED: " + warm.error()));
            }
            // Then rounds of 100 until one's window sees the JIT compiler idle (bounded): a method that
            // reaches its threshold only in a measured round is compiled inside its window. A round
            // of 10 says little (few methods reach a threshold in it), hence at least one of 100.
            for (int extra = 0; warmup > 0 && run.warmupError == null && !session.broken(); extra++) {
                long jit = run.lastWarmupJitNanos;
                if (extra > 0 && jit <= JIT_QUIET_NANOS) { // -1: the compiler's threads cannot be read
                    break;
                }
                if (extra == WARMUP_JIT_ROUNDS) {
                    trace("warm-up: the JIT compiler still ran " + jit / 1_000_000 + " ms in the last window after "
                            + extra + " more rounds; measuring anyway");
                    break;
                }
                RoundResult warm = run.warmupRound(session, WARMUP_ROUND);
                run.warmupExtra += WARMUP_ROUND;
                run.lastWarmupJitNanos = warm.jitCompilerNanos();
                trace("warm-up, " + run.warmupExtra + " more connections until the JIT is idle: " + (warm.ok()
                        ? String.format(Locale.ROOT, "%.1f conn/s, the JIT compiler %d ms in the window", warm.rate(),
                                run.lastWarmupJitNanos / 1_000_000) : "FAILED: " + warm.error()));
            }
            for (int n : ns) {
                if (session.broken()) {
                    // No result file: bench-in-guest.sh runs this N again in a new JVM.
                    System.out.println("bench " + providerName + " N=" + n + " not run: the testbed is unusable");
                    failed++;
                    continue;
                }
                int r = rounds.equals("auto") ? autoRounds(n) : Integer.parseInt(rounds);
                if (!run.measure(session, n, r, beforeRound, hookTimeoutS)) {
                    failed++;
                }
            }
        } finally {
            trace("closing the session");
            session.close();
            trace("session closed");
        }
        System.out.flush();
        // The provider's threads are daemons, but a stuck native call must not keep the JVM.
        System.exit(failed == 0 ? 0 : 1);
    }

    /** What one invocation measures and writes. */
    private static final class Run {
        private final BenchSession.CompletionMode completionMode;
        private final BenchSession.LocalEndpoint localEndpoint;
        private final String peerSide;
        final Path out;
        final String name;
        final NdkProvider provider;
        final int warmup;
        String warmupError;
        /** Warm-up connections made after the fixed warm-up, waiting for a window without the JIT. */
        int warmupExtra;
        /** The JIT compiler's CPU in the last warm-up window (ns; -1: not known). */
        long lastWarmupJitNanos = -1;

        /** One warm-up round of {@code n}, its listeners made first; a failure is kept as the warm-up's. */
        RoundResult warmupRound(BenchSession session, int n) {
            session.ensureListeners(n);
            RoundResult warm = session.round(n);
            warmupError = warm.ok() ? null : warm.error();
            return warm;
        }

        Run(Path out, String name, NdkProvider provider, int warmup, BenchSession.CompletionMode completionMode,
            BenchSession.LocalEndpoint localEndpoint, String peerSide) {
            this.completionMode = completionMode;
            this.localEndpoint = localEndpoint;
            this.peerSide = peerSide;
            this.out = out;
            this.name = name;
            this.provider = provider;
            this.warmup = warmup;
        }

        void failAll(List<Integer> ns, String why) throws IOException {
            for (int n : ns) {
                write(n, 0, List.of(), List.of(), why);
                System.out.println("bench " + name + " N=" + n + " FAILED: " + why);
            }
        }

        /** The rounds of {@code n}; stops at the first failed round. Writes the result file. */
        boolean measure(BenchSession session, int n, int rounds, String beforeRound, long hookTimeoutS)
                throws IOException {
            String error = null;
            List<RoundResult> results = new ArrayList<>();
            List<Object> hooks = new ArrayList<>();
            try {
                session.ensureListeners(n);
                trace("N=" + n + ": listeners ready");
                for (int k = 1; error == null && k <= rounds; k++) {
                    if (beforeRound != null) {
                        hooks.add(runHook(beforeRound, n, k, hookTimeoutS));
                    }
                    RoundResult rr = session.round(n);
                    results.add(rr);
                    System.out.printf(Locale.ROOT, "bench %s N=%d round %d: %s%n", name, n, k, rr.ok()
                            ? String.format(Locale.ROOT, "setup %.1f ms, %.1f conn/s, JIT compiler %.0f ms in the window",
                                    Stats.ms(rr.setupNanos()), rr.rate(),
                                    Stats.ms(rr.jitCompilerNanos()))
                            : "FAILED: " + rr.error());
                    if (!rr.ok()) {
                        error = "round " + k + ": " + rr.error();
                    }
                    if (session.broken()) {
                        break;
                    }
                }
            } catch (RuntimeException e) {
                error = e.toString();
            }
            write(n, rounds, results, hooks, error);
            if (error != null) {
                System.out.println("bench " + name + " N=" + n + " FAILED: " + error);
                return false;
            }
            return true;
        }

        private void write(int n, int rounds, List<RoundResult> results, List<Object> hooks, String error)
                throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", SCHEMA);
            m.put("provider", name);
            m.put("providerVersion", provider.identity().version());
            m.put("n", n);
            m.put("rounds", rounds);
            m.put("warmup", warmup);
            m.put("warmupError", warmupError);
            m.put("warmupExtra", warmupExtra);
            m.put("warmupLastJitNanos", lastWarmupJitNanos);
            m.put("completeConnect", completionMode.label());
            m.put("localEndpoint", localEndpoint.label());
            m.put("peer", peerSide);
            m.put("ok", error == null && !results.isEmpty());
            m.put("error", error);
            m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            m.put("jvmArgs", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            m.put("beforeRound", hooks);
            List<Object> rs = new ArrayList<>();
            for (RoundResult r : results) {
                rs.add(r.toJson());
            }
            m.put("runs", rs);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(resultFile(out, name, n).toFile(), m);
        }
    }

    /**
     * Runs {@code /bin/sh -c cmd} with BENCH_N and BENCH_ROUND set, at most {@code timeoutS}
     * seconds; its output goes to this JVM's stdout. bench-in-guest.sh runs one cmtime round
     * there, so that each cmtime round runs seconds before the provider's round it is compared
     * with (the lab's speed drifts with the load on the physical host).
     */
    static Map<String, Object> runHook(String cmd, int n, int round, long timeoutS) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("round", round);
        long t0 = System.nanoTime();
        try {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("BENCH_N", Integer.toString(n));
            pb.environment().put("BENCH_ROUND", Integer.toString(round));
            Process p = pb.start();
            if (p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                h.put("exit", p.exitValue());
            } else {
                p.destroyForcibly();
                h.put("exit", "killed after " + timeoutS + " s");
            }
        } catch (IOException e) {
            h.put("exit", "not started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            h.put("exit", "interrupted");
        }
        h.put("ms", (System.nanoTime() - t0) / 1_000_000);
        return h;
    }

    /** A progress line on stderr with the JVM's uptime, to see where a run's wall time goes. */
    static void trace(String what) {
        System.err.printf(Locale.ROOT, "bench: %.2f s after JVM start: %s%n",
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0, what);
    }

    static Path resultFile(Path dir, String provider, int n) {
        return dir.resolve(provider + "-n" + n + ".json");
    }

    static List<Integer> parseList(String s) {
        List<Integer> r = new ArrayList<>();
        for (String p : s.split("[,\\s]+")) {
            if (!p.isBlank()) {
                int v = Integer.parseInt(p.trim());
                if (v < 1) {
                    throw new IllegalArgumentException("N must be at least 1: " + v);
                }
                r.add(v);
            }
        }
        return r;
    }

    private static String need(String opt, String v) {
        if (v == null) {
            usage(opt + " needs a value");
        }
        return v;
    }

    private static void usage(String why) {
        System.err.println("ConnectBench: " + why);
        System.err.println("usage: ConnectBench [--provider NAME] [--n 1,10,100,1000] [--rounds R|auto] [--warmup W] "
                + "[--out DIR] [--before-round CMD] [--hook-timeout-s S] [--bound-ms MS] [--bound-per-connection-ms MS] "
                + "[--connect-timeout-ms MS] [--complete-connect in-callback|completer-thread] "
                + "[--local-endpoint shared|dedicated] [--peer-acceptor ADDRESS:PORT/COUNT]");
        System.exit(2);
    }
}
