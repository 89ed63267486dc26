package org.ndkkit.defects;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.ndkkit.agent.AgentServer;
import org.ndkkit.kit.KitConfig;
import org.ndkkit.kit.KitVersion;
import org.ndkkit.kit.Session;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Providers;

/**
 * The kill matrix: runs the suite once per seeded defect (the provider {@code defective} over an
 * inner provider, all in this JVM), and classifies each defect:
 * <ul>
 *   <li>{@code caught}: it altered at least one call ({@link Defect#firings()}) and at least one
 *       scenario failed or timed out with a failure message that names a clause the defect
 *       violates ("[CLAUSE-ID, ...] message" at the start of a line of the message);</li>
 *   <li>{@code survived}: it altered calls, but no failure named one of its clauses;</li>
 *   <li>{@code not-triggered}: it never altered a call in its scenarios on this inner provider
 *       (whatever failed then is the inner provider's own doing, so it is no kill).</li>
 * </ul>
 * Prints the matrix and the kill line ({@link Result#line()}), and writes {@code kill-matrix.json}
 * (schema in defects/README.md) and {@code kill-matrix.md} into the output folder, with each
 * run's summary.json under {@code runs/}.
 *
 * <p>Usage: {@code KillMatrix [--out DIR] [--inner PROVIDER] [--defects ID,ID,...]
 * [--require-all-triggered]}. Timeouts come from the usual system properties ({@code ndk.timeout.ms},
 * {@code ndk.connect-timeout.ms}, {@code ndk.settle.ms}); extra inner-provider settings from
 * {@code ndk.matrix.setting.KEY}. Exit code 0 when no defect survived and the control run (no
 * defect) passed, and with {@code --require-all-triggered} every defect fired; else 1 (2: usage).
 */
public final class KillMatrix {
    private static final Pattern CLAUSE = Pattern.compile("[A-Z][A-Z0-9]*(-[A-Z0-9]+)+");
    static final String NOT_TRIGGERED_REASON = "the defect's hook never altered a call in the selected scenarios";
    /** kill-matrix.json's schema; documented in defects/README.md. */
    static final String SCHEMA = "ndk-kill-matrix/2";
    /** The verdicts that fail the control run. */
    private static final Set<String> FAILING = Set.of("failed", "timeout", "environment-error");

    /** A defect's outcome; {@link #label()} is its name in the reports. */
    public enum Status {
        CAUGHT, SURVIVED, NOT_TRIGGERED;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One defect's row. */
    public record Row(String defect, String description, List<String> clauses, String tags, Status status, long firings,
                      List<String> catchingScenarios, List<String> namedClauses, Map<String, Integer> verdicts,
                      long millis) {
        public boolean caught() {
            return status == Status.CAUGHT;
        }

        /** Why the row has its status, for the reports. */
        public String reason() {
            return switch (status) {
                case CAUGHT -> "failures named " + String.join(", ", namedClauses);
                case SURVIVED -> "altered " + firings + " call(s), but no failure named one of its clauses";
                case NOT_TRIGGERED -> NOT_TRIGGERED_REASON;
            };
        }
    }

    /**
     * The status of a defect from what its run saw. A defect that never fired is not-triggered
     * even when a scenario named its clause: that failure came from the inner provider itself.
     */
    public static Status classify(long firings, List<String> catchingScenarios) {
        if (firings == 0) {
            return Status.NOT_TRIGGERED;
        }
        return catchingScenarios.isEmpty() ? Status.SURVIVED : Status.CAUGHT;
    }

    /** The control run: the decorators with no defect. It passes with no failure and no firing. */
    public record Control(Map<String, Integer> verdicts, List<String> failingScenarios, long firings, long millis) {
        public boolean passed() {
            return failingScenarios.isEmpty() && firings == 0;
        }
    }

    /** The inner provider as it names itself, and the settings the matrix gave it. */
    public record Inner(String name, String version, String vendor, Map<String, String> settings, String through) {
    }

    /** The whole matrix. */
    public record Result(String kitVersion, Inner inner, KitConfig bounds, List<Row> rows, Control control,
                         boolean requireAllTriggered, long millis) {
        /** The ids of the defects with this status, in catalogue order. */
        public List<String> ids(Status s) {
            return rows.stream().filter(r -> r.status() == s).map(Row::defect).toList();
        }

        public long count(Status s) {
            return ids(s).size();
        }

        public long caught() {
            return count(Status.CAUGHT);
        }

        public long triggered() {
            return rows.size() - count(Status.NOT_TRIGGERED);
        }

        public List<String> notTriggered() {
            return ids(Status.NOT_TRIGGERED);
        }

        public List<String> survived() {
            return ids(Status.SURVIVED);
        }

        public boolean controlPassed() {
            return control == null || control.passed();
        }

        /** No survivor, the control passed, and (when required) every defect fired. */
        public boolean ok() {
            return survived().isEmpty() && controlPassed() && (!requireAllTriggered || notTriggered().isEmpty());
        }

        public String line() {
            List<String> idle = notTriggered();
            if (idle.isEmpty()) {
                return "kill matrix: " + caught() + " of " + rows.size() + " defects caught";
            }
            return "kill matrix: " + caught() + " of " + triggered() + " triggered defects caught (" + idle.size()
                    + " not triggered on " + inner.name() + ": " + String.join(", ", idle) + ")";
        }
    }

    private KillMatrix() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of("target/kill-matrix");
        String inner = "simulated";
        List<Defect> defects = Defects.all();
        boolean requireAll = false;
        boolean wire = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--out" -> out = Path.of(value(args, ++i));
                    case "--inner" -> inner = value(args, ++i);
                    case "--defects" -> defects = Defects.byIds(value(args, ++i));
                    case "--require-all-triggered" -> requireAll = true;
                    case "--wire" -> wire = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("KillMatrix: " + e.getMessage());
            System.err.println("usage: KillMatrix [--out DIR] [--inner PROVIDER] [--defects ID,...] [--require-all-triggered] [--wire]");
            System.exit(2);
        }
        Result r;
        try {
            r = run(out, inner, defects, true, requireAll, wire);
        } catch (IllegalArgumentException e) { // no such inner provider
            System.err.println("KillMatrix: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(r.ok() ? 0 : 1);
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** Runs the control and every defect in-process, prints the matrix and writes the reports. */
    public static Result run(Path out, String inner, List<Defect> defects, boolean control, boolean requireAllTriggered)
            throws IOException {
        return run(out, inner, defects, control, requireAllTriggered, false);
    }

    /**
     * Runs the control and every defect, prints the matrix and writes the reports. With {@code wire}
     * the defective provider is served by an ndk-agent on loopback in this JVM and the suite drives it
     * through the {@code remote} provider over ndk.wire.v1: a defect caught in-process but not through
     * the wire is one the protocol hides.
     */
    public static Result run(Path out, String inner, List<Defect> defects, boolean control, boolean requireAllTriggered,
                             boolean wire) throws IOException {
        if (!wire) {
            return run(out, inner, defects, control, requireAllTriggered, (AgentServer) null);
        }
        try (AgentServer agent = AgentServer.start(new DefectiveProvider(), Map.of(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), false)) {
            return run(out, inner, defects, control, requireAllTriggered, agent);
        }
    }

    private static Result run(Path out, String inner, List<Defect> defects, boolean control, boolean requireAllTriggered,
                              AgentServer agent) throws IOException {
        Files.createDirectories(out.resolve("runs"));
        Map<String, String> extra = new TreeMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("ndk.matrix.setting.")) {
                extra.put(k.substring("ndk.matrix.setting.".length()), System.getProperty(k));
            }
        }
        ProviderIdentity id = Providers.byName(inner).identity();
        KitConfig bounds = KitConfig.fromSystemProperties();
        long t0 = System.nanoTime();
        PrintStream console = System.out;
        String through = agent == null ? "in-process" : "ndk.wire.v1 via ndk-agent on " + InetAddress.getLoopbackAddress()
                .getHostAddress() + ":" + agent.port();
        console.println("kill matrix over '" + inner + "' " + id.version() + " (" + through + "): " + defects.size()
                + " defects, timeouts "
                + bounds.timeout().toMillis() + "/" + bounds.connectTimeout().toMillis() + "/" + bounds.settle().toMillis()
                + " ms");
        Control controlRun = null;
        if (control) {
            Run c = runOne(out, inner, Defects.byId("none"), extra, agent);
            List<String> failing = c.scenarios().stream().filter(s -> FAILING.contains(s.verdict()))
                    .map(MatrixPlugin.Scenario::id).toList();
            controlRun = new Control(c.verdicts(), failing, c.firings(), c.millis());
            console.printf("  %-13s %-44s %s%n", controlRun.passed() ? "control" : "CONTROL!", "none (no defect)",
                    controlRun.verdicts() + ", " + controlRun.firings() + " firings, in " + controlRun.millis() + " ms"
                            + (failing.isEmpty() ? "" : "; failing: " + String.join(" ", failing)));
        }
        List<Row> rows = new ArrayList<>();
        for (Defect d : defects) {
            Row row = row(d, runOne(out, inner, d, extra, agent));
            rows.add(row);
            String label = row.status() == Status.CAUGHT ? "caught" : row.status().label().toUpperCase(Locale.ROOT);
            console.printf("  %-13s %-44s %6d %-60s %s%n", label, row.defect(), row.firings(),
                    row.catchingScenarios().isEmpty() ? "-" : String.join(" ", row.catchingScenarios()),
                    row.namedClauses().isEmpty() ? "-" : String.join(",", row.namedClauses()));
        }
        Result result = new Result(KitVersion.get(), new Inner(inner, id.version(), id.vendor(), extra, through), bounds, rows,
                controlRun, requireAllTriggered, (System.nanoTime() - t0) / 1_000_000);
        write(out, result);
        console.println("kill matrix report: " + out.resolve("kill-matrix.md") + ", " + out.resolve("kill-matrix.json")
                + " (" + result.millis() + " ms)");
        if (!result.controlPassed()) {
            console.println("kill matrix: the control run (decorators without a defect) did not pass: " + controlRun);
        }
        if (!result.survived().isEmpty()) {
            console.println("kill matrix: survived (fired, but no failure named their clauses): "
                    + String.join(", ", result.survived()));
        }
        if (requireAllTriggered && !result.notTriggered().isEmpty()) {
            console.println("kill matrix: every defect must fire on '" + inner + "', these did not ("
                    + NOT_TRIGGERED_REASON + "): " + String.join(", ", result.notTriggered()));
        }
        console.println(result.line());
        return result;
    }

    /** What one suite run saw: every scenario's verdict and message, and the defect's firings. */
    record Run(List<MatrixPlugin.Scenario> scenarios, Map<String, Integer> verdicts, long firings, long millis) {
    }

    /** A defect's row from its run: which failures named its clauses, and its status. */
    static Row row(Defect d, Run run) {
        List<String> catching = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        for (MatrixPlugin.Scenario s : run.scenarios()) {
            if (!s.verdict().equals("failed") && !s.verdict().equals("timeout")) {
                continue;
            }
            Set<String> n = namedClauses(s.message());
            if (n.stream().anyMatch(d.clauses()::contains)) {
                catching.add(s.id());
                n.stream().filter(d.clauses()::contains).forEach(named::add);
            }
        }
        Status status = classify(run.firings(), catching);
        if (status == Status.NOT_TRIGGERED) {
            // a failure naming its clause without a firing is the inner provider's own, not a kill
            catching.clear();
            named.clear();
        }
        return new Row(d.id(), d.description(), d.clauses(), d.tags(), status, run.firings(), List.copyOf(catching),
                List.copyOf(named), run.verdicts(), run.millis());
    }

    private static Run runOne(Path out, String inner, Defect d, Map<String, String> extra, AgentServer agent)
            throws IOException {
        Path dir = out.resolve("runs").resolve(d.id()).toAbsolutePath();
        Files.createDirectories(dir);
        for (String k : new ArrayList<>(System.getProperties().stringPropertyNames())) {
            if (k.startsWith("ndk.provider.")) {
                System.clearProperty(k);
            }
        }
        if (agent == null) {
            System.setProperty("ndk.provider", DefectiveProvider.NAME);
        } else {
            System.setProperty("ndk.provider", "remote");
            System.setProperty("ndk.provider.local", InetAddress.getLoopbackAddress().getHostAddress() + ":" + agent.port());
        }
        System.setProperty("ndk.provider.defect", d.id());
        System.setProperty("ndk.provider.inner", inner);
        extra.forEach((k, v) -> System.setProperty("ndk.provider." + k, v));
        System.setProperty("ndk.out", dir.toString());
        Session.reset();
        MatrixPlugin.drain();
        Map<String, String> params = new HashMap<>();
        params.put("cucumber.glue", "org.ndkkit.steps");
        params.put("cucumber.publish.quiet", "true");
        params.put("cucumber.junit-platform.naming-strategy", "long");
        params.put("cucumber.plugin", "org.ndkkit.kit.SummaryPlugin, org.ndkkit.defects.MatrixPlugin, junit:" + dir
                + "/cucumber-junit.xml");
        if (!d.id().equals("none") && !d.tags().isBlank()) {
            params.put("cucumber.filter.tags", d.tags());
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("ndk.features"))
                .configurationParameters(params)
                .build();
        long t0 = System.nanoTime();
        long firings = 0;
        PrintStream console = System.out;
        try (PrintStream log = new PrintStream(new FileOutputStream(dir.resolve("run.log").toFile()), true,
                StandardCharsets.UTF_8)) {
            System.setOut(log);
            Launcher launcher = LauncherFactory.create();
            launcher.execute(request);
            // The testbed's own instance of the defect counted its firings: read them before the
            // session closes. No session means no scenario ran, so nothing could fire.
            Session session = Session.peek();
            Object testbed = session == null ? null : agent == null ? session.testbed() : agent.currentTestbed();
            if (testbed instanceof Wrappers.WTestbed tb) {
                firings = tb.defect().firings();
            }
        } finally {
            System.setOut(console);
            Session.reset();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<MatrixPlugin.Scenario> scenarios = MatrixPlugin.drain();
        Map<String, Integer> verdicts = new TreeMap<>();
        scenarios.forEach(sc -> verdicts.merge(sc.verdict(), 1, Integer::sum));
        return new Run(scenarios, verdicts, firings, ms);
    }

    /** The clause ids a failure message names: "[A, B] ..." at the start of a line before the call sequence. */
    public static Set<String> namedClauses(String message) {
        Set<String> named = new LinkedHashSet<>();
        String head = message;
        int cut = head.indexOf("\nCall sequence:");
        if (cut >= 0) {
            head = head.substring(0, cut);
        }
        for (String line : head.split("\n")) {
            String l = line.strip();
            if (l.startsWith("timeout: ")) {
                l = l.substring("timeout: ".length());
            }
            if (!l.startsWith("[")) {
                continue;
            }
            int end = l.indexOf(']');
            if (end < 0) {
                continue;
            }
            for (String part : l.substring(1, end).split(",")) {
                String id = part.strip();
                if (CLAUSE.matcher(id).matches()) {
                    named.add(id);
                }
            }
        }
        return named;
    }

    /** kill-matrix.json: the shape documented in defects/README.md ("kill-matrix.json"). */
    static ObjectNode json(ObjectMapper json, Result r) {
        ObjectNode root = json.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("kitVersion", r.kitVersion());
        ObjectNode inner = root.putObject("inner");
        inner.put("name", r.inner().name());
        inner.put("version", r.inner().version());
        inner.put("vendor", r.inner().vendor());
        inner.set("settings", json.valueToTree(r.inner().settings()));
        inner.put("through", r.inner().through());
        ObjectNode bounds = root.putObject("bounds");
        bounds.put("timeoutMillis", r.bounds().timeout().toMillis());
        bounds.put("connectTimeoutMillis", r.bounds().connectTimeout().toMillis());
        bounds.put("settleMillis", r.bounds().settle().toMillis());
        root.put("requireAllTriggered", r.requireAllTriggered());
        root.put("line", r.line());
        root.put("ok", r.ok());
        root.put("durationMillis", r.millis());
        ObjectNode totals = root.putObject("totals");
        totals.put("defects", r.rows().size());
        totals.put("triggered", r.triggered());
        totals.put("caught", r.caught());
        totals.put("survived", r.count(Status.SURVIVED));
        totals.put("notTriggered", r.count(Status.NOT_TRIGGERED));
        ObjectNode control = root.putObject("control");
        control.put("run", r.control() != null);
        control.put("passed", r.controlPassed());
        if (r.control() != null) {
            control.put("firings", r.control().firings());
            control.set("verdicts", json.valueToTree(r.control().verdicts()));
            control.set("failingScenarios", json.valueToTree(r.control().failingScenarios()));
            control.put("millis", r.control().millis());
        }
        ArrayNode rows = root.putArray("defects");
        for (Row row : r.rows()) {
            ObjectNode n = rows.addObject();
            n.put("id", row.defect());
            n.put("description", row.description());
            n.set("clauses", json.valueToTree(row.clauses()));
            n.put("tags", row.tags());
            n.put("status", row.status().label());
            n.put("reason", row.reason());
            n.put("firings", row.firings());
            n.set("catchingScenarios", json.valueToTree(row.catchingScenarios()));
            n.set("namedClauses", json.valueToTree(row.namedClauses()));
            n.set("verdicts", json.valueToTree(row.verdicts()));
            n.put("millis", row.millis());
        }
        return root;
    }

    private static void write(Path out, Result r) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(out.resolve("kill-matrix.json").toFile(), json(json, r));

        StringBuilder md = new StringBuilder();
        md.append("# Kill matrix over `").append(r.inner().name()).append("` ").append(r.inner().version())
                .append(" (").append(r.inner().through()).append(", kit ").append(r.kitVersion()).append(")\n\n");
        md.append("`").append(r.line()).append("` in ").append(r.millis()).append(" ms. Control run (no defect): ")
                .append(r.control() == null ? "not run" : r.control().verdicts() + ", " + r.control().firings() + " firings"
                        + (r.controlPassed() ? ", passed" : ", FAILED"))
                .append(".\n\n");
        md.append("| defect | status | firings | catching scenarios | clauses named | violates | what it breaks |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            String status = row.status().label();
            md.append("| `").append(row.defect()).append("` | ").append(row.caught() ? status : "**" + status + "**")
                    .append(" | ").append(row.firings()).append(" | ")
                    .append(row.catchingScenarios().isEmpty() ? "-" : String.join("<br>", row.catchingScenarios())).append(" | ")
                    .append(String.join(", ", row.namedClauses())).append(" | ")
                    .append(String.join(", ", row.clauses())).append(" | ")
                    .append(row.description().replace("|", "\\|")).append(" |\n");
        }
        if (!r.notTriggered().isEmpty()) {
            md.append("\nNot triggered on `").append(r.inner().name()).append("` (").append(NOT_TRIGGERED_REASON)
                    .append("): ").append(String.join(", ", r.notTriggered())).append(".\n");
        }
        Files.writeString(out.resolve("kill-matrix.md"), md.toString());
    }
}
