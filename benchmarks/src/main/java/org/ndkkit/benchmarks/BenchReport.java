package org.ndkkit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads what bench-in-guest.sh left in the out dir (ConnectBench's {@code <provider>-n<N>.json},
 * cmtime's {@code cmtime-n<N>-r<k>.txt} with {@code .rc} and GNU time's {@code .client-time} /
 * {@code .server-time}; across a link, {@code cmtime-acceptor-n<N>-r<k>.*}: the same client against
 * the provider's PeerAcceptor), prints one {@code connect-rate} line per N and the tables, and writes
 * {@code report.json}, {@code report.md} and {@code report.txt} (what it printed).
 *
 * <pre>BenchReport [--provider reference] --out DIR N...</pre>
 *
 * Exit status: 0 when every N has a rate for both, 1 otherwise.
 */
public final class BenchReport {
    public static final String SCHEMA = "ndk-connect-bench-report/1";

    /** How each provider step maps onto cmtime's steps (empty: cmtime does not time it). */
    static final Map<String, List<String>> CMTIME_STEPS = new LinkedHashMap<>();

    static {
        CMTIME_STEPS.put("create", List.of("create id", "create qp"));
        CMTIME_STEPS.put("connect", List.of("bind addr", "resolve addr", "resolve route", "connect"));
        CMTIME_STEPS.put("accept", List.of());
        CMTIME_STEPS.put("complete", List.of());
        CMTIME_STEPS.put("disconnect", List.of("disconnect"));
        CMTIME_STEPS.put("close", List.of("destroy"));
    }

    private BenchReport() {
    }

    /** cmtime's runs for one N: by round (null where the round failed), failures, CPU ms of ok runs. */
    record CmtimeRuns(List<CmtimeOutput> byRound, List<String> failures, List<Double> cpuMs) {
        List<CmtimeOutput> ok() {
            return byRound.stream().filter(o -> o != null).toList();
        }

        List<Double> rates(int n) {
            return ok().stream().map(o -> o.setupRate(n)).toList();
        }
    }

    /** One N: both programs' figures, or why they are missing. */
    record Row(int n, List<RoundResult> reference, String referenceError, CmtimeRuns cmtime, String completeConnect,
               String peer, String localEndpoint, CmtimeRuns toAcceptor) {
        /** Median of the rounds' rates; NaN when the N failed (a failed round stops its N). */
        double referenceRate() {
            return referenceError != null ? Double.NaN
                    : Stats.median(reference.stream().filter(RoundResult::ok).map(RoundResult::rate).toList());
        }

        /**
         * Per round k: the provider's rate over cmtime's, where both rounds succeeded. ConnectBench
         * runs cmtime's round k just before its own round k, so each pair shares the lab's speed.
         */
        List<Double> pairedRatios() {
            List<Double> r = new ArrayList<>();
            for (int k = 0; k < Math.min(reference.size(), cmtime.byRound().size()); k++) {
                CmtimeOutput c = cmtime.byRound().get(k);
                if (reference.get(k).ok() && c != null) {
                    r.add(Stats.ratio(reference.get(k).rate(), c.setupRate(n)));
                }
            }
            return r;
        }

        double cmtimeRate() {
            return Stats.median(cmtime.rates(n));
        }

        /** Whether cmtime's client also ran against the provider's acceptor (the passive side alone). */
        boolean passiveSide() {
            return !toAcceptor.byRound().isEmpty();
        }

        /**
         * Per round k: cmtime's client against the provider's acceptor over the same client
         * against cmtime's server, run just before it: the passive side alone, the active side
         * being cmtime in both.
         */
        List<Double> passivePairedRatios() {
            List<Double> r = new ArrayList<>();
            for (int k = 0; k < Math.min(toAcceptor.byRound().size(), cmtime.byRound().size()); k++) {
                CmtimeOutput a = toAcceptor.byRound().get(k);
                CmtimeOutput c = cmtime.byRound().get(k);
                if (a != null && c != null) {
                    r.add(Stats.ratio(a.setupRate(n), c.setupRate(n)));
                }
            }
            return r;
        }

        double ratio() {
            return Stats.ratio(referenceRate(), cmtimeRate());
        }

        /** Every ok round's latencies of {@code step}, pooled. */
        long[] pooled(String step) {
            return reference.stream().filter(RoundResult::ok).map(r -> r.latencies().get(step))
                    .filter(v -> v != null).flatMapToLong(java.util.Arrays::stream).toArray();
        }

        /** Median over rounds of a step's phase wall time divided by N, in ms per connection. */
        double referencePhasePerConnMs(String step) {
            // A step timed elsewhere (the accept of a peer on another machine) has no phase here: n/a.
            return Stats.median(reference.stream().filter(RoundResult::ok).filter(r -> r.phaseNanos().containsKey(step))
                    .map(r -> r.phaseNanos().get(step) / 1e6 / n).toList());
        }

        /** Median over cmtime's runs of the summed {@code us / conn} of {@code steps}, in ms. */
        double cmtimePerConnMs(List<String> steps) {
            if (steps.isEmpty()) {
                return Double.NaN;
            }
            return Stats.median(cmtime.ok().stream().map(o -> steps.stream()
                    .mapToDouble(s -> o.step(s).usPerConn()).sum() / 1000.0).toList());
        }

        double cmtimeMaxMs(List<String> steps) {
            return steps.isEmpty() ? Double.NaN : Stats.median(cmtime.ok().stream().map(o -> steps.stream()
                    .mapToDouble(s -> o.step(s).maxMs()).sum()).toList());
        }

        double referenceSetupPerConnMs() {
            return Stats.median(reference.stream().filter(RoundResult::ok).map(r -> r.setupNanos() / 1e6 / n).toList());
        }

        double cmtimeSetupPerConnMs() {
            return Stats.median(cmtime.ok().stream().map(o -> o.setupMs() / n).toList());
        }

        double referenceCpuPerConnMs() {
            return Stats.median(reference.stream().filter(RoundResult::ok)
                    .map(r -> r.cpuNanos().getOrDefault("process:setup", -1L) / 1e6 / n).filter(v -> v >= 0).toList());
        }

        double cmtimeCpuPerConnMs() {
            return Stats.median(cmtime.cpuMs().stream().map(v -> v / n).toList());
        }

        /**
         * Per thread of the provider's JVM that used CPU in the setup window: {total, user-mode}
         * ms per connection, medians over the successful rounds (a round where a thread used
         * under 1 ms counts as 0 for it).
         */
        Map<String, double[]> threadCpuPerConnMs() {
            List<RoundResult> ok = reference.stream().filter(RoundResult::ok).toList();
            java.util.SortedSet<String> names = new java.util.TreeSet<>();
            ok.forEach(r -> r.cpuNanos().keySet().stream()
                    .filter(k -> k.startsWith("setup:") && !k.endsWith(":user") && !k.startsWith("setup:gc:"))
                    .forEach(k -> names.add(k.substring("setup:".length()))));
            Map<String, double[]> m = new LinkedHashMap<>();
            for (String t : names) {
                m.put(t, new double[] {
                    Stats.median(ok.stream().map(r -> r.cpuNanos().getOrDefault("setup:" + t, 0L) / 1e6 / n).toList()),
                    Stats.median(ok.stream().map(r -> r.cpuNanos().getOrDefault("setup:" + t + ":user", 0L) / 1e6 / n).toList())});
            }
            return m;
        }
    }

    public static void main(String[] args) throws IOException {
        String provider = "reference";
        Path out = null;
        List<Integer> ns = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--provider" -> provider = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> ns.addAll(ConnectBench.parseList(args[i]));
            }
        }
        if (out == null || ns.isEmpty()) {
            System.err.println("usage: BenchReport [--provider NAME] --out DIR N...");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        for (int n : ns) {
            rows.add(load(out, provider, n));
        }
        String text = render(rows, provider);
        System.out.print(text);
        Files.writeString(out.resolve("report.txt"), text, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("report.md"), markdown(rows, provider), StandardCharsets.UTF_8);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(),
                json(rows, provider));
        boolean allOk = rows.stream().allMatch(r -> !Double.isNaN(r.referenceRate()) && !Double.isNaN(r.cmtimeRate()));
        System.exit(allOk ? 0 : 1);
    }

    // ================================================================== loading

    @SuppressWarnings("unchecked")
    static Row load(Path dir, String provider, int n) throws IOException {
        List<RoundResult> ref = new ArrayList<>();
        String refError = null;
        String completeConnect = "?";
        String peer = "in-process";
        String localEndpoint = "shared";
        Path json = ConnectBench.resultFile(dir, provider, n);
        if (Files.isRegularFile(json)) {
            Map<String, Object> m = new ObjectMapper().readValue(json.toFile(), Map.class);
            for (Object r : (List<Object>) m.getOrDefault("runs", List.of())) {
                ref.add(RoundResult.fromJson((Map<String, Object>) r));
            }
            if (!Boolean.TRUE.equals(m.get("ok"))) {
                refError = String.valueOf(m.get("error"));
            }
            completeConnect = String.valueOf(m.getOrDefault("completeConnect", "completer-thread"));
            peer = String.valueOf(m.getOrDefault("peer", "in-process"));
            localEndpoint = String.valueOf(m.getOrDefault("localEndpoint", "shared"));
        } else {
            Path rc = dir.resolve(provider + "-n" + n + ".rc");
            refError = "no result" + (Files.exists(rc) ? ": " + Files.readString(rc).trim() : "")
                    + tail(dir.resolve(provider + ".log"));
        }
        if (refError == null && ref.stream().noneMatch(RoundResult::ok)) {
            refError = "no successful round";
        }
        return new Row(n, ref, refError, loadCmtime(dir, "cmtime", n, false), completeConnect, peer, localEndpoint,
                loadCmtime(dir, "cmtime-acceptor", n, true));
    }

    /** {@code prefix-n<N>-r<k>.*} for k = 1, 2, ... while they exist; {@code optional}: none is no failure. */
    static CmtimeRuns loadCmtime(Path dir, String prefix, int n, boolean optional) throws IOException {
        List<CmtimeOutput> byRound = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int k = 1; ; k++) {
            String base = prefix + "-n" + n + "-r" + k;
            Path txt = dir.resolve(base + ".txt");
            if (!Files.exists(txt)) {
                break;
            }
            String rc = readOr(dir.resolve(base + ".rc"), "?").trim();
            String text = Files.readString(txt);
            byRound.add(null);
            try {
                CmtimeOutput o = CmtimeOutput.parse(text);
                if (!rc.equals("0")) {
                    failures.add("round " + k + ": exit " + rc);
                } else if (!o.errors().isEmpty()) {
                    failures.add("round " + k + ": " + o.errors().get(0) + (o.errors().size() > 1
                            ? " (and " + (o.errors().size() - 1) + " more)" : ""));
                } else {
                    byRound.set(k - 1, o);
                    // Across a link the server runs on the other machine for every round: no server
                    // time, the client's CPU only (as the provider's JVM there is the active side only).
                    Path server = dir.resolve(base + ".server-time");
                    double c = cpuSeconds(dir.resolve(base + ".client-time"))
                            + (Files.exists(server) ? cpuSeconds(server) : 0);
                    if (!Double.isNaN(c)) {
                        cpu.add(c * 1000.0);
                    }
                }
            } catch (IllegalArgumentException e) {
                failures.add("round " + k + ": exit " + rc + ", " + e.getMessage() + tail(txt));
            }
        }
        if (byRound.isEmpty() && !optional) {
            failures.add("no cmtime output");
        }
        return new CmtimeRuns(byRound, failures, cpu);
    }

    /** User + system seconds from GNU time's {@code -f '%U %S %e'} (its last line). */
    static double cpuSeconds(Path p) throws IOException {
        if (!Files.exists(p)) {
            return Double.NaN;
        }
        List<String> lines = Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return Double.NaN;
        }
        String[] f = lines.get(lines.size() - 1).trim().split("\\s+");
        try {
            return Double.parseDouble(f[0]) + Double.parseDouble(f[1]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String readOr(Path p, String dflt) throws IOException {
        return Files.exists(p) ? Files.readString(p) : dflt;
    }

    private static String tail(Path p) throws IOException {
        if (!Files.exists(p)) {
            return "";
        }
        List<String> lines = Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : "; last line: " + lines.get(lines.size() - 1).trim();
    }

    // ================================================================== rendering

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** The line the issue asks for, one per N. */
    static String rateLine(Row r, String provider) {
        return "connect-rate N=" + r.n() + " " + provider + "=" + rate(r.referenceRate()) + " cmtime="
                + rate(r.cmtimeRate()) + " ratio=" + fmt(r.ratio(), 2);
    }

    private static String rate(double v) {
        return Double.isNaN(v) ? "failed" : fmt(v, 1) + "/s";
    }

    private static String msTriple(long[] v) {
        if (v.length == 0) {
            return "n/a";
        }
        return fmt(Stats.ms(Stats.median(v)), 2) + " (" + fmt(Stats.ms(Stats.percentile(v, 90)), 1) + "/"
                + fmt(Stats.ms(Stats.max(v)), 1) + ")";
    }

    /** How the cost per connection changes from the previous N: per-connection time ratio. */
    static String growth(double perConnPrev, double perConn) {
        if (Double.isNaN(perConnPrev) || Double.isNaN(perConn) || perConnPrev == 0) {
            return "";
        }
        double g = perConn / perConnPrev;
        String word = g < 0.8 ? "sub-linear" : g > 1.25 ? "SUPER-linear" : "~linear";
        return fmt(g, 2) + "x per conn, " + word;
    }

    static String render(List<Row> rows, String provider) {
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            sb.append(rateLine(r, provider)).append('\n');
            if (r.referenceError() != null) {
                sb.append("  ").append(provider).append(" N=").append(r.n()).append(" FAILED: ")
                        .append(r.referenceError()).append('\n');
            }
            for (String f : r.cmtime().failures()) {
                sb.append("  cmtime N=").append(r.n()).append(" FAILED ").append(f).append('\n');
            }
            for (String f : r.toAcceptor().failures()) {
                sb.append("  cmtime to the acceptor N=").append(r.n()).append(" FAILED ").append(f).append('\n');
            }
        }
        List<String> peers = rows.stream().map(Row::peer).distinct().toList();
        if (!peers.equals(List.of("in-process"))) {
            sb.append('\n').append("The peer's side (listeners, accepts): ").append(String.join(", ", peers))
                    .append("; its accepts are timed by neither program, and both CPU figures count the active side only.\n");
        }
        if (rows.stream().anyMatch(r -> r.localEndpoint().equals("dedicated"))) {
            sb.append('\n').append("Local address: NdkConnect from port 0, a port of its own per connection (as cmtime's),")
                    .append(" not one shared endpoint for all.\n");
        }
        sb.append('\n').append("Setup rate (connections/s; median of rounds) and ").append(provider)
                .append("'s per-step latency, median (p90/max) in ms; NdkCompleteConnect called ")
                .append(String.join("/", rows.stream().map(Row::completeConnect).distinct().toList())).append(":\n");
        sb.append(String.format(Locale.ROOT, "%6s %10s %10s %6s %6s | %-18s %-18s %-18s %-18s %-18s %-18s%n",
                "N", provider, "cmtime", "ratio", "rounds", "create", "connect", "accept", "complete", "disconnect",
                "close"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%6d %10s %10s %6s %6s |", r.n(), fmt(r.referenceRate(), 1),
                    fmt(r.cmtimeRate(), 1), fmt(r.ratio(), 2),
                    r.reference().stream().filter(RoundResult::ok).count() + "/" + r.cmtime().ok().size()));
            for (String step : ConnectBench.STEPS) {
                sb.append(String.format(Locale.ROOT, " %-18s", msTriple(r.pooled(step))));
            }
            sb.append('\n');
        }
        sb.append('\n').append("cmtime per step, median of rounds of 'us / conn' (its total / N) in ms;"
                + " cmtime prints no per-connection median:\n");
        List<String> cm = List.of("create id", "bind addr", "resolve addr", "resolve route", "create qp", "connect",
                "disconnect", "destroy");
        sb.append(String.format(Locale.ROOT, "%6s", "N"));
        for (String s : cm) {
            sb.append(String.format(Locale.ROOT, " %13s", s));
        }
        sb.append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%6d", r.n()));
            for (String s : cm) {
                sb.append(String.format(Locale.ROOT, " %13s", fmt(r.cmtimePerConnMs(List.of(s)), 3)));
            }
            sb.append('\n');
        }
        sb.append('\n').append("Side by side, ms per connection (phase total / N, median of rounds):\n");
        sb.append(String.format(Locale.ROOT, "%6s %-11s %12s %12s   %s%n", "N", "step", provider, "cmtime",
                "cmtime steps"));
        for (Row r : rows) {
            for (Map.Entry<String, List<String>> e : CMTIME_STEPS.entrySet()) {
                sb.append(String.format(Locale.ROOT, "%6d %-11s %12s %12s   %s%n", r.n(), e.getKey(),
                        fmt(r.referencePhasePerConnMs(e.getKey()), 3), fmt(r.cmtimePerConnMs(e.getValue()), 3),
                        e.getValue().isEmpty() ? "(not timed by cmtime)" : String.join(" + ", e.getValue())));
            }
        }
        sb.append('\n').append("Cost growth: setup window per connection (ms), against the previous N;"
                + " CPU per connection (ms; ").append(provider).append(": the JVM in the setup window,"
                + " cmtime: ").append(peers.equals(List.of("in-process")) ? "client + server" : "the client")
                .append(", whole run):\n");
        sb.append(String.format(Locale.ROOT, "%6s %12s %-30s %12s %-30s %10s %10s%n", "N", provider, "growth",
                "cmtime", "growth", "cpu " + provider, "cpu cmtime"));
        Row prev = null;
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%6d %12s %-30s %12s %-30s %10s %10s%n", r.n(),
                    fmt(r.referenceSetupPerConnMs(), 2),
                    prev == null ? "" : growth(prev.referenceSetupPerConnMs(), r.referenceSetupPerConnMs()),
                    fmt(r.cmtimeSetupPerConnMs(), 2),
                    prev == null ? "" : growth(prev.cmtimeSetupPerConnMs(), r.cmtimeSetupPerConnMs()),
                    fmt(r.referenceCpuPerConnMs(), 2), fmt(r.cmtimeCpuPerConnMs(), 2)));
            prev = r;
        }
        sb.append('\n').append(provider).append("'s CPU per connection in the setup window by thread, ms (from N=100 on,"
                + " the user-mode part in brackets, the rest being system calls; Linux counts user time in 10 ms ticks,"
                + " too coarse for smaller rounds):\n");
        for (Row r : rows) {
            StringBuilder line = new StringBuilder();
            r.threadCpuPerConnMs().forEach((t, v) -> line.append(String.format(Locale.ROOT, "  %s %s%s", t, fmt(v[0], 2),
                    r.n() >= 100 ? " (" + fmt(v[1], 2) + ")" : "")));
            sb.append(String.format(Locale.ROOT, "  N=%d%s%n", r.n(), line.length() == 0 ? " -" : line.toString()));
        }
        sb.append('\n').append("Noise: the rounds' rates with their spread, (max - min) / median; paired ratios"
                + " (each round's rate over the cmtime round run just before it) with their median:\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "  N=%d %s %s (%s), cmtime %s (%s), paired ratios %s (median %s)%n",
                    r.n(), provider,
                    fmt(Stats.spread(r.reference().stream().filter(RoundResult::ok).map(RoundResult::rate).toList()), 2),
                    rates(r.reference().stream().filter(RoundResult::ok).map(RoundResult::rate).toList()),
                    fmt(Stats.spread(r.cmtime().rates(r.n())), 2), rates(r.cmtime().rates(r.n())),
                    rates(r.pairedRatios(), 2), fmt(Stats.median(r.pairedRatios()), 2)));
        }
        if (rows.stream().anyMatch(Row::passiveSide)) {
            sb.append('\n').append(passiveSide(rows, provider));
        }
        return sb.toString();
    }

    /** The passive side alone: cmtime's client against the provider's acceptor and against cmtime's server. */
    static String passiveSide(List<Row> rows, String provider) {
        StringBuilder sb = new StringBuilder("The passive side alone: cmtime's client against ").append(provider)
                .append("'s acceptor and, just before, against cmtime's server (connections/s, rounds; paired ratios"
                        + " acceptor / server with their median):\n");
        for (Row r : rows.stream().filter(Row::passiveSide).toList()) {
            sb.append(String.format(Locale.ROOT, "  passive-side N=%d %s %s (%s), cmtime %s (%s), paired ratios %s (median %s)%n",
                    r.n(), provider, fmt(Stats.median(r.toAcceptor().rates(r.n())), 1), rates(r.toAcceptor().rates(r.n())),
                    fmt(r.cmtimeRate(), 1), rates(r.cmtime().rates(r.n())), rates(r.passivePairedRatios(), 2),
                    fmt(Stats.median(r.passivePairedRatios()), 2)));
        }
        return sb.toString();
    }

    private static String rates(List<Double> v) {
        return rates(v, 1);
    }

    private static String rates(List<Double> v, int decimals) {
        return v.isEmpty() ? "-" : String.join(" ", v.stream().map(x -> fmt(x, decimals)).toList());
    }

    static String markdown(List<Row> rows, String provider) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Connection setup: ").append(provider).append(" vs rdma-core cmtime\n\n");
        sb.append("Setup window: ").append(provider).append(" from the first NdkConnectWithSharedEndpoint issued to the last "
                + "NdkCompleteConnect done; cmtime the sum of its `bind addr`, `resolve addr`, `resolve route` and "
                + "`connect` totals (all connections' REQ/REP/RTU until ESTABLISHED). Rate = N / window, median of rounds. "
                + "See benchmarks/README.md.\n\n```\n");
        rows.forEach(r -> sb.append(rateLine(r, provider)).append('\n'));
        sb.append("```\n\n");
        sb.append("| N | ").append(provider).append(" conn/s | cmtime conn/s | ratio | paired ratios (median) | rounds (ok) | spread ")
                .append(provider).append(" | spread cmtime | failures |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            List<String> f = new ArrayList<>();
            if (r.referenceError() != null) {
                f.add(provider + ": " + r.referenceError());
            }
            r.cmtime().failures().forEach(x -> f.add("cmtime " + x));
            sb.append("| ").append(r.n()).append(" | ").append(fmt(r.referenceRate(), 1)).append(" | ")
                    .append(fmt(r.cmtimeRate(), 1)).append(" | ").append(fmt(r.ratio(), 2)).append(" | ")
                    .append(rates(r.pairedRatios(), 2)).append(" (").append(fmt(Stats.median(r.pairedRatios()), 2))
                    .append(") | ")
                    .append(r.reference().stream().filter(RoundResult::ok).count()).append(" / ")
                    .append(r.cmtime().ok().size()).append(" | ")
                    .append(fmt(Stats.spread(r.reference().stream().filter(RoundResult::ok).map(RoundResult::rate).toList()), 2))
                    .append(" | ").append(fmt(Stats.spread(r.cmtime().rates(r.n())), 2)).append(" | ")
                    .append(String.join("; ", f).replace("|", "\\|")).append(" |\n");
        }
        sb.append("\n## Per step\n\n").append(provider).append(": per-connection latency median (p90 / max) in ms, "
                + "and the step's phase total / N. cmtime: its `us / conn` (total / N) and its slowest connection "
                + "(`max ms`), medians of rounds; cmtime prints no per-connection median.\n\n");
        sb.append("| N | step | ").append(provider).append(" median (p90/max) ms | ").append(provider)
                .append(" total/N ms | cmtime total/N ms | cmtime max ms | cmtime steps |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            for (Map.Entry<String, List<String>> e : CMTIME_STEPS.entrySet()) {
                sb.append("| ").append(r.n()).append(" | ").append(e.getKey()).append(" | ")
                        .append(msTriple(r.pooled(e.getKey()))).append(" | ")
                        .append(fmt(r.referencePhasePerConnMs(e.getKey()), 3)).append(" | ")
                        .append(fmt(r.cmtimePerConnMs(e.getValue()), 3)).append(" | ")
                        .append(fmt(r.cmtimeMaxMs(e.getValue()), 1)).append(" | ")
                        .append(e.getValue().isEmpty() ? "not timed by cmtime" : String.join(" + ", e.getValue()))
                        .append(" |\n");
            }
        }
        sb.append("\n## Cost growth with N\n\nSetup window per connection (ms) and its change from the previous N "
                + "(1.00x = linear total cost); CPU per connection (ms): ").append(provider)
                .append(" the JVM's CPU in the setup window, cmtime client + server CPU of the whole run.\n\n");
        sb.append("| N | ").append(provider).append(" ms/conn | growth | cmtime ms/conn | growth | CPU ").append(provider)
                .append(" ms/conn | CPU cmtime ms/conn |\n|---|---|---|---|---|---|---|\n");
        Row prev = null;
        for (Row r : rows) {
            sb.append("| ").append(r.n()).append(" | ").append(fmt(r.referenceSetupPerConnMs(), 2)).append(" | ")
                    .append(prev == null ? "" : growth(prev.referenceSetupPerConnMs(), r.referenceSetupPerConnMs()))
                    .append(" | ").append(fmt(r.cmtimeSetupPerConnMs(), 2)).append(" | ")
                    .append(prev == null ? "" : growth(prev.cmtimeSetupPerConnMs(), r.cmtimeSetupPerConnMs()))
                    .append(" | ").append(fmt(r.referenceCpuPerConnMs(), 2)).append(" | ")
                    .append(fmt(r.cmtimeCpuPerConnMs(), 2)).append(" |\n");
            prev = r;
        }
        if (rows.stream().anyMatch(Row::passiveSide)) {
            sb.append("\n## The passive side alone\n\n```\n").append(passiveSide(rows, provider)).append("```\n");
        }
        return sb.toString();
    }

    static Map<String, Object> json(List<Row> rows, String provider) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("provider", provider);
        m.put("setupWindow", Map.of(provider, "first NdkConnectWithSharedEndpoint issued to last NdkCompleteConnect done",
                "cmtime", String.join(" + ", CmtimeOutput.SETUP_STEPS)));
        List<Object> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("n", r.n());
            e.put("line", rateLine(r, provider));
            e.put("referenceRate", nan(r.referenceRate()));
            e.put("cmtimeRate", nan(r.cmtimeRate()));
            e.put("ratio", nan(r.ratio()));
            e.put("referenceRoundRates", r.reference().stream().filter(RoundResult::ok).map(RoundResult::rate).toList());
            e.put("cmtimeRoundRates", r.cmtime().rates(r.n()));
            e.put("pairedRatios", r.pairedRatios());
            e.put("pairedRatioMedian", nan(Stats.median(r.pairedRatios())));
            e.put("referenceError", r.referenceError());
            e.put("cmtimeFailures", r.cmtime().failures());
            Map<String, Object> steps = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> s : CMTIME_STEPS.entrySet()) {
                long[] v = r.pooled(s.getKey());
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("medianMs", nan(Stats.ms(Stats.median(v))));
                st.put("p90Ms", nan(Stats.ms(Stats.percentile(v, 90))));
                st.put("maxMs", nan(Stats.ms(Stats.max(v))));
                st.put("phasePerConnMs", nan(r.referencePhasePerConnMs(s.getKey())));
                st.put("cmtimeSteps", s.getValue());
                st.put("cmtimePerConnMs", nan(r.cmtimePerConnMs(s.getValue())));
                st.put("cmtimeMaxMs", nan(r.cmtimeMaxMs(s.getValue())));
                steps.put(s.getKey(), st);
            }
            e.put("steps", steps);
            e.put("referenceSetupPerConnMs", nan(r.referenceSetupPerConnMs()));
            e.put("cmtimeSetupPerConnMs", nan(r.cmtimeSetupPerConnMs()));
            e.put("referenceCpuPerConnMs", nan(r.referenceCpuPerConnMs()));
            e.put("cmtimeCpuPerConnMs", nan(r.cmtimeCpuPerConnMs()));
            if (r.passiveSide()) {
                // cmtime's client against the provider's acceptor: the passive side alone
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("acceptorRoundRates", r.toAcceptor().rates(r.n()));
                p.put("pairedRatios", r.passivePairedRatios());
                p.put("pairedRatioMedian", nan(Stats.median(r.passivePairedRatios())));
                p.put("failures", r.toAcceptor().failures());
                e.put("passiveSide", p);
            }
            list.add(e);
        }
        m.put("rows", list);
        return m;
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
