package org.ndkkit.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * What the wire costs: one connection's whole cycle (create connector and QP, connect through a
 * shared endpoint, accept, complete, disconnect, close; and its setup window, connect to
 * complete-connect) on the simulated provider in this JVM, and
 * on the same provider behind an ndk-agent process on loopback driven through {@code remote}.
 * The two are measured alternately in blocks, after a warm-up of each, and printed as median and
 * p99 per cycle. Not a microbenchmark: a timed harness that prints its figures.
 *
 * <pre>WireOverheadBench [--cycles N] [--warmup N] [--block N] [--completion-path PATH]</pre>
 */
public final class WireOverheadBench {
    private WireOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = 1000;
        int warmup = 300;
        int block = 100;
        String path = "pending";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--block" -> block = Integer.parseInt(args[++i]);
                case "--completion-path" -> path = args[++i];
                default -> {
                    System.err.println("usage: WireOverheadBench [--cycles N] [--warmup N] [--block N] [--completion-path PATH]");
                    System.exit(2);
                }
            }
        }
        Process agent = startAgent();
        try {
            int port = port(agent);
            Testbed inProcess = open("simulated", Map.of("completion-path", path));
            Testbed remote = open("remote", Map.of("completion-path", path, "local", "127.0.0.1:" + port));
            try (BenchSession a = new BenchSession(inProcess, 10_000, 100, BenchSession.CompletionMode.IN_CALLBACK);
                 BenchSession b = new BenchSession(remote, 10_000, 100, BenchSession.CompletionMode.IN_CALLBACK)) {
                run(a, warmup);
                run(b, warmup);
                List<long[]> ta = new ArrayList<>();
                List<long[]> tb = new ArrayList<>();
                for (int done = 0; done < cycles; done += block) {
                    int n = Math.min(block, cycles - done);
                    ta.addAll(run(a, n));
                    tb.addAll(run(b, n));
                }
                String where = "simulated (completion-path=" + path + "), " + cycles + " cycles each after " + warmup
                        + " of warm-up, alternating in blocks of " + block;
                System.out.println("wire-overhead: " + where);
                for (int k = 0; k < 2; k++) {
                    String what = k == 0 ? "cycle" : "setup";
                    long[] sa = sorted(ta, k);
                    long[] sb = sorted(tb, k);
                    print(what, "in-process", sa);
                    print(what, "remote (ndk-agent on 127.0.0.1)", sb);
                    System.out.printf("wire-overhead: %s: the wire adds %.0f us at the median, %.0f us at p99%n", what,
                            (pct(sb, 50) - pct(sa, 50)) / 1e3, (pct(sb, 99) - pct(sa, 99)) / 1e3);
                }
            } finally {
                inProcess.close();
                remote.close();
            }
        } finally {
            agent.destroy();
            if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    private static Testbed open(String provider, Map<String, String> settings) throws Exception {
        return Providers.byName(provider).openTestbed(new TestbedOptions(Duration.ofMillis(1500), settings));
    }

    /**
     * n cycles of one connection each; per cycle its time (ns) without the harness's own work between
     * steps (the GC and CPU sampling before each round): create, the setup window (connect to
     * complete-connect, the peer's accept inside it), disconnect, the peer's disconnect event, close.
     */
    private static List<long[]> run(BenchSession s, int n) {
        List<long[]> t = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RoundResult r = s.round(1);
            if (!r.ok()) {
                throw new IllegalStateException("a connect cycle failed: " + r.error());
            }
            Map<String, Long> ph = r.phaseNanos();
            long cycle = ph.get("create") + r.setupNanos() + ph.get("disconnect") + ph.get("peerDisconnectWait")
                    + ph.get("close");
            t.add(new long[] {cycle, r.setupNanos()});
        }
        return t;
    }

    private static long[] sorted(List<long[]> v, int k) {
        long[] a = v.stream().mapToLong(x -> x[k]).toArray();
        Arrays.sort(a);
        return a;
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static void print(String what, String label, long[] s) {
        System.out.printf("wire-overhead: %s: %-32s median %8.0f us  p99 %8.0f us  (min %.0f, max %.0f)%n", what, label,
                pct(s, 50) / 1e3, pct(s, 99) / 1e3, s[0] / 1e3, s[s.length - 1] / 1e3);
    }

    private static Process startAgent() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.ndkkit.agent.AgentMain",
                "--provider", "simulated", "--listen", "127.0.0.1:0")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The port the agent prints at start; bounded: a silent agent is killed by the caller's finally. */
    private static int port(Process agent) throws Exception {
        Pattern p = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
        java.util.concurrent.CompletableFuture<Integer> port = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
            try {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = p.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            throw new IllegalStateException("the agent exited without reporting its port");
        });
        return port.get(30, TimeUnit.SECONDS);
    }
}
