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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.ndkkit.kit.Session;

/**
 * The kill matrix: runs the suite once per seeded defect (the provider {@code defective} over an
 * inner provider, all in this JVM), and decides for each defect whether the suite caught it: at
 * least one scenario failed or timed out with a failure message that names a clause the defect
 * violates ("[CLAUSE-ID, ...] message" at the start of a line of the message). Prints the matrix
 * and the line {@code kill matrix: K of N defects caught}, and writes {@code kill-matrix.json} and
 * {@code kill-matrix.md} into the output folder, with each run's summary.json under {@code runs/}.
 *
 * <p>Usage: {@code KillMatrix [--out DIR] [--inner PROVIDER] [--defects ID,ID,...]}. Timeouts come
 * from the usual system properties ({@code ndk.timeout.ms}, {@code ndk.connect-timeout.ms},
 * {@code ndk.settle.ms}); extra inner-provider settings from {@code ndk.matrix.setting.KEY}.
 * Exit code 0 when every defect was caught and the control run (no defect) passed, else 1.
 */
public final class KillMatrix {
    private static final Pattern CLAUSE = Pattern.compile("[A-Z][A-Z0-9]*(-[A-Z0-9]+)+");

    /** One defect's row. */
    public record Row(String defect, String description, List<String> clauses, String tags, boolean caught,
                      List<String> catchingScenarios, List<String> namedClauses, Map<String, Integer> verdicts,
                      long millis) {
    }

    /** The whole matrix. */
    public record Result(String inner, List<Row> rows, Row control, long millis) {
        public long caught() {
            return rows.stream().filter(Row::caught).count();
        }

        public boolean ok() {
            return caught() == rows.size() && controlPassed();
        }

        public boolean controlPassed() {
            return control == null || (control.verdicts().getOrDefault("failed", 0) == 0
                    && control.verdicts().getOrDefault("timeout", 0) == 0
                    && control.verdicts().getOrDefault("environment-error", 0) == 0);
        }

        public String line() {
            return "kill matrix: " + caught() + " of " + rows.size() + " defects caught";
        }
    }

    private KillMatrix() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of("target/kill-matrix");
        String inner = "simulated";
        List<Defect> defects = Defects.all();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--inner" -> inner = args[++i];
                case "--defects" -> defects = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Defects::byId).toList();
                default -> {
                    System.err.println("usage: KillMatrix [--out DIR] [--inner PROVIDER] [--defects ID,...]");
                    System.exit(2);
                }
            }
        }
        Result r = run(out, inner, defects, true);
        System.exit(r.ok() ? 0 : 1);
    }

    /** Runs the control and every defect, prints the matrix and writes the reports. */
    public static Result run(Path out, String inner, List<Defect> defects, boolean control) throws IOException {
        Files.createDirectories(out.resolve("runs"));
        Map<String, String> extra = new TreeMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("ndk.matrix.setting.")) {
                extra.put(k.substring("ndk.matrix.setting.".length()), System.getProperty(k));
            }
        }
        long t0 = System.nanoTime();
        PrintStream console = System.out;
        console.println("kill matrix over '" + inner + "': " + defects.size() + " defects, timeouts "
                + System.getProperty("ndk.timeout.ms", "5000") + "/" + System.getProperty("ndk.connect-timeout.ms", "1500")
                + "/" + System.getProperty("ndk.settle.ms", "100") + " ms");
        Row controlRow = null;
        if (control) {
            controlRow = runOne(out, inner, Defects.byId("none"), extra);
            console.printf("  %-8s %-44s %s%n", controlRow.verdicts().getOrDefault("failed", 0)
                    + controlRow.verdicts().getOrDefault("timeout", 0) == 0 ? "control" : "CONTROL!", "none (no defect)",
                    controlRow.verdicts() + " in " + controlRow.millis() + " ms");
        }
        List<Row> rows = new ArrayList<>();
        for (Defect d : defects) {
            Row row = runOne(out, inner, d, extra);
            rows.add(row);
            console.printf("  %-8s %-44s %-60s %s%n", row.caught() ? "caught" : "SURVIVED", row.defect(),
                    row.catchingScenarios().isEmpty() ? "-" : String.join(" ", row.catchingScenarios()),
                    row.namedClauses().isEmpty() ? "-" : String.join(",", row.namedClauses()));
        }
        Result result = new Result(inner, rows, controlRow, (System.nanoTime() - t0) / 1_000_000);
        write(out, result);
        console.println("kill matrix report: " + out.resolve("kill-matrix.md") + ", " + out.resolve("kill-matrix.json")
                + " (" + result.millis() + " ms)");
        if (!result.controlPassed()) {
            console.println("kill matrix: the control run (decorators without a defect) did not pass: " + controlRow.verdicts());
        }
        console.println(result.line());
        return result;
    }

    private static Row runOne(Path out, String inner, Defect d, Map<String, String> extra) throws IOException {
        Path dir = out.resolve("runs").resolve(d.id()).toAbsolutePath();
        Files.createDirectories(dir);
        for (String k : new ArrayList<>(System.getProperties().stringPropertyNames())) {
            if (k.startsWith("ndk.provider.")) {
                System.clearProperty(k);
            }
        }
        System.setProperty("ndk.provider", DefectiveProvider.NAME);
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
        PrintStream console = System.out;
        try (PrintStream log = new PrintStream(new FileOutputStream(dir.resolve("run.log").toFile()), true,
                StandardCharsets.UTF_8)) {
            System.setOut(log);
            Launcher launcher = LauncherFactory.create();
            launcher.execute(request);
        } finally {
            System.setOut(console);
            Session.reset();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<MatrixPlugin.Scenario> scenarios = MatrixPlugin.drain();
        Map<String, Integer> verdicts = new TreeMap<>();
        scenarios.forEach(s -> verdicts.merge(s.verdict(), 1, Integer::sum));
        List<String> catching = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        for (MatrixPlugin.Scenario s : scenarios) {
            if (!s.verdict().equals("failed") && !s.verdict().equals("timeout")) {
                continue;
            }
            Set<String> n = namedClauses(s.message());
            if (n.stream().anyMatch(d.clauses()::contains)) {
                catching.add(s.id());
                n.stream().filter(d.clauses()::contains).forEach(named::add);
            }
        }
        boolean caught = !d.id().equals("none") && !catching.isEmpty();
        return new Row(d.id(), d.description(), d.clauses(), d.id().equals("none") ? "" : d.tags(), caught, catching,
                List.copyOf(named), verdicts, ms);
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

    private static void write(Path out, Result r) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("schema", "ndk-kill-matrix/1");
        root.put("inner", r.inner());
        root.put("defects", r.rows().size());
        root.put("caught", r.caught());
        root.put("line", r.line());
        root.put("durationMillis", r.millis());
        root.put("controlPassed", r.controlPassed());
        if (r.control() != null) {
            root.set("control", json.valueToTree(r.control()));
        }
        ArrayNode rows = root.putArray("matrix");
        r.rows().forEach(row -> rows.add(json.valueToTree(row)));
        json.writeValue(out.resolve("kill-matrix.json").toFile(), root);

        StringBuilder md = new StringBuilder();
        md.append("# Kill matrix over `").append(r.inner()).append("`\n\n");
        md.append("`").append(r.line()).append("` in ").append(r.millis()).append(" ms. Control run (no defect): ")
                .append(r.control() == null ? "not run" : r.control().verdicts() + (r.controlPassed() ? ", passed" : ", FAILED"))
                .append(".\n\n");
        md.append("| defect | caught | catching scenarios | clauses named | violates | what it breaks |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            md.append("| `").append(row.defect()).append("` | ").append(row.caught() ? "yes" : "**no**").append(" | ")
                    .append(row.catchingScenarios().isEmpty() ? "-" : String.join("<br>", row.catchingScenarios())).append(" | ")
                    .append(String.join(", ", row.namedClauses())).append(" | ")
                    .append(String.join(", ", row.clauses())).append(" | ")
                    .append(row.description().replace("|", "\\|")).append(" |\n");
        }
        Files.writeString(out.resolve("kill-matrix.md"), md.toString());
    }
}
