package org.ndkkit.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * Runs a provider under load and abuse, through the SPI only, and prints figures:
 * <ol>
 *   <li>stress: one shared endpoint, {@code --connections} connections to as many listeners, all
 *       held open at once, then torn down;</li>
 *   <li>cycles: {@code --cycles} connect/accept/complete/disconnect/close cycles with a leak check;</li>
 *   <li>races: closes racing completions ({@code --races} iterations of each race);</li>
 *   <li>bad inputs: {@code --bad-inputs} generated malformed calls (jqwik), each followed by a
 *       normal cycle;</li>
 *   <li>hangs: the seeded hang defects of {@code defective} over the provider, which the harness's
 *       bounds must catch.</li>
 * </ol>
 * The last line reads {@code reliability <provider>: C concurrent connections, Y cycles, B bad
 * inputs, L leaks, T timeouts caught} ({@code leak check unavailable} in place of {@code L leaks}
 * when the provider cannot count). Exit 0 when nothing was found, 1 on any problem (a leak, a
 * lost, duplicate or late callback, a hang, a bad-input finding, a seeded hang not caught), 2 on a
 * usage or environment error. {@code report.json} and the thread dumps go to {@code --out}.
 */
public final class ReliabilityMain {
    static final String USAGE = """
            usage: ReliabilityMain [--provider NAME] [-s KEY=VALUE]... [--connections N] [--cycles N]
                                   [--bad-inputs N] [--races N] [--out DIR] [--timeout-ms MS]
                                   [--connect-timeout-ms MS] [--settle-ms MS] [--seed N] [--strict]
              --provider NAME          provider to run (default simulated)
              -s KEY=VALUE             provider setting (repeatable)
              --connections N          concurrent connections on one shared endpoint (default 1000)
              --cycles N               connect/close cycles (default 1000)
              --bad-inputs N           generated bad inputs (default 400)
              --races N                iterations of each close race (default 50)
              --out DIR                report.json and thread dumps (default target/reliability/NAME)
              --timeout-ms MS          bound on every call and every wait for a callback (default 5000)
              --connect-timeout-ms MS  the provider's own connect timeout (default 15000)
              --settle-ms MS           how long to watch for stray callbacks at the end of a phase (default 100)
              --seed N                 seed of the races' jitter (default 1)
              --strict                 a status the SPI rules out for a bad input fails the run too
            """;

    /** The parsed command line. */
    record Options(String provider, Map<String, String> settings, int connections, int cycles, int badInputs,
                   int races, Path out, Duration timeout, Duration connectTimeout, long settleMs, long seed,
                   boolean strict) {

        static Options parse(List<String> args) {
            String provider = "simulated";
            Map<String, String> settings = new LinkedHashMap<>();
            int connections = 1000;
            int cycles = 1000;
            int badInputs = 400;
            int races = 50;
            Path out = null;
            long timeout = 5000;
            long connectTimeout = 15000;
            long settle = 100;
            long seed = 1;
            boolean strict = false;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("-h") || a.equals("--help")) {
                    throw new IllegalArgumentException("");
                }
                if (a.equals("--strict")) {
                    strict = true;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args.get(++i);
                switch (a) {
                    case "--provider" -> provider = v;
                    case "-s", "--setting" -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("-s takes KEY=VALUE, got " + v);
                        }
                        settings.put(v.substring(0, eq), v.substring(eq + 1));
                    }
                    case "--connections" -> connections = count(a, v);
                    case "--cycles" -> cycles = count(a, v);
                    case "--bad-inputs" -> badInputs = count(a, v);
                    case "--races" -> races = count(a, v);
                    case "--out" -> out = Path.of(v);
                    case "--timeout-ms" -> timeout = Math.max(1, count(a, v));
                    case "--connect-timeout-ms" -> connectTimeout = count(a, v);
                    case "--settle-ms" -> settle = count(a, v);
                    case "--seed" -> seed = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (out == null) {
                out = Path.of("target", "reliability", provider);
            }
            return new Options(provider, settings, connections, cycles, badInputs, races, out.toAbsolutePath(),
                    Duration.ofMillis(timeout), Duration.ofMillis(connectTimeout), settle, seed, strict);
        }

        private static int count(String option, String v) {
            try {
                int n = Integer.parseInt(v);
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // falls through to the message
            }
            throw new IllegalArgumentException(option + " takes a number from 0, got " + v);
        }
    }

    private ReliabilityMain() {
    }

    public static void main(String[] args) {
        int rc = run(List.of(args), System.out, System.err);
        // Workers stuck in a hung provider call (daemons) must not keep the JVM; exit says it all.
        System.exit(rc);
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                err.println("reliability: " + e.getMessage());
            }
            err.print(USAGE);
            return e.getMessage().isEmpty() ? 0 : 2;
        }
        Report report = new Report(out);
        report.strict(o.strict());
        NdkProvider provider;
        try {
            provider = Providers.byName(o.provider());
        } catch (IllegalArgumentException e) {
            err.println("reliability: " + e.getMessage());
            return 2;
        }
        report.header("provider", Map.of("name", provider.identity().name(), "version", provider.identity().version(),
                "vendor", String.valueOf(provider.identity().vendor())));
        report.header("settings", o.settings());
        report.header("requested", Map.of("connections", o.connections(), "cycles", o.cycles(), "badInputs",
                o.badInputs(), "races", o.races()));
        report.header("bounds", Map.of("timeoutMs", o.timeout().toMillis(), "connectTimeoutMs", o.connectTimeout().toMillis(),
                "settleMs", o.settleMs()));
        report.say("provider " + provider.identity().name() + " " + provider.identity().version() + ", settings "
                + o.settings() + ", every call and wait bounded by " + o.timeout().toMillis() + " ms; output " + o.out());
        TestbedOptions options = new TestbedOptions(o.connectTimeout(), o.settings());
        int held = 0;
        int cycles = 0;
        int badInputs = 0;
        try (Bounds bounds = new Bounds(o.timeout(), report, o.out().resolve("timeouts"))) {
            Rig rig;
            try {
                rig = Rig.open(provider, options, bounds, report);
            } catch (TestbedUnavailableException e) {
                err.println("reliability: cannot open provider '" + o.provider() + "': " + e.getMessage());
                return 2;
            }
            long t0 = System.nanoTime();
            report.phase("stress", false);
            held = new StressPhase(rig, o.connections()).run();
            report.phase("cycles", false);
            cycles = CyclePhase.run(rig, o.cycles(), o.settleMs());
            report.phase("races", false);
            new RacePhase(rig, o.races(), o.seed()).run(o.settleMs());
            rig.close();
            report.phase("bad-inputs", false);
            // A testbed of its own whose connect timer ends within the harness's bound: a bad input may
            // send a connect to an address that never answers, and each such case would otherwise
            // last the long connect timeout the stress phase wants.
            Duration shortConnect = o.connectTimeout().compareTo(o.timeout()) < 0 ? o.connectTimeout() : o.timeout();
            TestbedOptions badOptions = new TestbedOptions(shortConnect, o.settings());
            java.util.function.Supplier<Rig> opener = () -> {
                try {
                    return Rig.open(provider, badOptions, bounds, report);
                } catch (TestbedUnavailableException e) {
                    throw new IllegalStateException("cannot open the provider again: " + e.getMessage(), e);
                }
            };
            BadInputRunner runner = BadInputPhase.run(opener.get(), opener, o.badInputs(), o.out());
            badInputs = runner.cases();
            runner.rig().close();
            report.phase("hangs", true);
            HangPhase.run(o.provider(), o.settings(), o.connectTimeout(), bounds, report);
            report.phase("end", false);
            report.figure("totalSeconds", StressPhase.seconds(System.nanoTime() - t0));
            return finish(o, report, bounds, held, cycles, badInputs, out, err);
        } catch (RuntimeException e) {
            // The harness itself broke (a provider that cannot even be reopened, say): say so, never pass.
            err.println("reliability: the run could not go on: " + e);
            e.printStackTrace(err);
            return 2;
        }
    }

    private static int finish(Options o, Report report, Bounds bounds, int held, int cycles, int badInputs,
                              PrintStream out, PrintStream err) {
        String leaks = report.leakCheckUnavailable() != null && report.leakChecks().stream().allMatch(c -> c.unavailable() != null)
                ? "leak check unavailable" : report.leaks() + " leaks";
        String line = "reliability " + o.provider() + ": " + held + " concurrent connections, " + cycles + " cycles, "
                + badInputs + " bad inputs, " + leaks + ", " + bounds.caught() + " timeouts caught";
        List<Problem> problems = report.problems();
        int rc = problems.isEmpty() ? 0 : 1;
        List<Problem> statuses = report.statusFindings();
        if (!statuses.isEmpty()) {
            out.println("statuses the SPI rules out (" + statuses.size() + "; not failures without --strict):");
            statuses.forEach(p -> out.println("  " + p));
        }
        if (!problems.isEmpty()) {
            out.println("problems (" + problems.size() + "):");
            problems.forEach(p -> out.println("  " + p));
        }
        try {
            report.write(o.out().resolve("report.json"), line, rc);
            out.println("report: " + o.out().resolve("report.json"));
        } catch (IOException e) {
            err.println("reliability: cannot write the report: " + e.getMessage());
        }
        out.println(line);
        out.flush();
        return rc;
    }
}
