package org.ndkkit.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ndkkit.cli.Hashes;
import org.ndkkit.cli.eval.Judgement;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.spec.Spec;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;
import org.ndkkit.kit.ClauseCatalogue;

/**
 * Brings the kit's final verdicts into the Allure results the suite wrote, and makes the offline
 * HTML report with allure-commandline.
 *
 * <ul>
 *   <li>A waived scenario keeps its status, gets its waiver's issue as a link and a message that
 *       says it is waived.</li>
 *   <li>A selected scenario with no result (not-reached, environment-error, or the one that hung)
 *       gets a result written here, with its links, so the report shows every selected scenario.</li>
 *   <li>A scenario that used a lab condition gets a label {@code labCondition} per condition, with
 *       how the testbed produced it ({@code resource-exhaustion (injected)}); the steps' own
 *       attachment of the conditions is already in its tear-down.</li>
 *   <li>{@code categories.json} sorts results by the kit's verdicts; {@code environment.properties}
 *       and {@code executor.json} name the provider (and its identity facts), the kit and the outcome.</li>
 * </ul>
 */
public final class AllureSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String SCENARIO_LABEL = "ndkScenario";

    private AllureSupport() {
    }

    public static void enrich(Path results, RunRecord r, Map<String, Spec.Scenario> specById) throws IOException {
        Files.createDirectories(results);
        Map<String, ScenarioResult> byId = new HashMap<>();
        r.results.forEach(s -> byId.put(s.id(), s));
        Map<String, WaiverEngine.Use> waived = new HashMap<>();
        if (r.waivers != null) {
            r.waivers.applied().forEach(u -> waived.put(u.scenarioId(), u));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(results)) {
            files = s.filter(p -> p.getFileName().toString().endsWith("-result.json")).toList();
        }
        for (Path f : files) {
            ObjectNode n = (ObjectNode) JSON.readTree(f.toFile());
            String id = null;
            for (JsonNode l : n.path("labels")) {
                if (l.path("name").asText().equals(SCENARIO_LABEL)) {
                    id = l.path("value").asText();
                }
            }
            String full = n.path("fullName").asText("");
            if (id == null && full.matches(".*\\.feature:\\d+")) {
                id = full.substring(full.lastIndexOf('/') + 1);
                label(n, SCENARIO_LABEL, id);
            }
            if (id == null) {
                continue;
            }
            seen.add(id);
            ScenarioResult sr = byId.get(id);
            if (sr == null) {
                continue;
            }
            label(n, "verdict", sr.verdict().wire());
            conditionLabels(n, sr);
            WaiverEngine.Use u = waived.get(id);
            if (u != null) {
                Waiver w = u.waiver();
                link(n, (w.kind().equals(Waiver.KIT_DEFECT) ? "kit known defect " : "waiver ") + w.id()
                        + " (until " + w.expires() + ")", w.issue().toString(), "issue");
                label(n, "tag", "waived");
                ObjectNode d = n.with("statusDetails");
                d.put("message", "WAIVED by " + w.id() + " (" + w.kind() + ", until " + w.expires() + "): " + w.reason()
                        + "\n" + d.path("message").asText(""));
            }
            JSON.writeValue(f.toFile(), n);
        }
        long now = System.currentTimeMillis();
        ClauseCatalogue cat = r.spec.catalogue();
        for (ScenarioResult sr : r.results) {
            if (seen.contains(sr.id())) {
                continue;
            }
            Spec.Scenario sc = specById.get(sr.id());
            ObjectNode n = JSON.createObjectNode();
            n.put("uuid", UUID.randomUUID().toString());
            n.put("historyId", Hashes.sha256(sr.id().getBytes(StandardCharsets.UTF_8)));
            n.put("testCaseId", Hashes.sha256(sr.id().getBytes(StandardCharsets.UTF_8)));
            n.put("name", sr.name());
            n.put("fullName", (sc == null ? sr.feature() : sc.featureName()) + ": " + sr.name());
            n.put("status", sr.verdict() == Verdict.PASSED ? "passed" : sr.verdict() == Verdict.UNSUPPORTED ? "skipped" : "broken");
            n.put("stage", "finished");
            ObjectNode d = n.putObject("statusDetails");
            d.put("message", sr.verdict().wire() + (sr.reasonCode() == null ? "" : "[" + sr.reasonCode() + "]") + ": "
                    + (sr.reason() == null ? "" : sr.reason()));
            n.put("start", now);
            n.put("stop", now);
            String feature = sc == null ? sr.feature() : sc.featureName();
            label(n, "feature", feature);
            label(n, "suite", feature);
            label(n, "framework", "cucumber7jvm");
            label(n, SCENARIO_LABEL, sr.id());
            label(n, "verdict", sr.verdict().wire());
            for (String c : sr.clauses()) {
                label(n, "clause", c);
                ClauseCatalogue.Clause cl = cat.get(c);
                if (cl != null) {
                    link(n, "clause " + c + " (" + cl.level() + ")", cl.sourceUrl(), "clause");
                    link(n, "NDKPI: " + cl.sourceKey(), cl.sourceUrl(), "ndkpi");
                }
            }
            if (sc != null) {
                sc.tags().forEach(t -> label(n, "tag", t.substring(1)));
            }
            JSON.writeValue(results.resolve(n.path("uuid").asText() + "-result.json").toFile(), n);
        }

        ArrayNode cats = JSON.createArrayNode();
        category(cats, "Waived", "^WAIVED.*", "failed", "broken", "skipped");
        category(cats, "Unsupported (the provider or testbed cannot run it)", "(?s).*unsupported\\[.*|^unsupported.*", "skipped");
        category(cats, "Timeout", "(?s)^timeout.*", "failed", "broken");
        category(cats, "Not reached (the run stopped before it)", "^not-reached.*", "broken", "skipped");
        category(cats, "Environment error (not a product failure)", "(?s).*environment-error.*", "failed", "broken");
        category(cats, "Crashed", "^failed\\[crashed\\].*", "broken");
        category(cats, "Product failures", ".*", "failed");
        JSON.writerWithDefaultPrettyPrinter().writeValue(results.resolve("categories.json").toFile(), cats);

        StringBuilder env = new StringBuilder();
        env.append("provider=").append(r.providerName).append(' ').append(r.providerVersion).append('\n');
        env.append("vendor=").append(r.providerVendor).append('\n');
        env.append("capabilities=").append(String.join(" ", r.capabilities)).append('\n');
        env.append("profile=").append(r.profile.id()).append('\n');
        env.append("result=").append(r.status).append('\n');
        List<Judgement.WaiverUsed> used = Judgement.used(r.waivers);
        if (!used.isEmpty()) {
            env.append("waiversUsed=").append(String.join("; ", used.stream().map(Judgement::describe).toList())
                    .replace("\n", " ")).append('\n');
        }
        new java.util.TreeMap<>(r.identity).forEach((k, v) -> env.append("identity.").append(k).append('=')
                .append(v.replace("\\", "\\\\").replace("\n", " ")).append('\n'));
        env.append("kit=").append(r.kitVersion).append('\n');
        env.append("spec.sha256=").append(r.spec.specHash()).append('\n');
        if (r.tags != null) {
            env.append("tags=").append(r.tags).append('\n');
        }
        if (r.environment != null) {
            env.append("os=").append(r.environment.path("os").asText()).append('\n');
            env.append("java=").append(r.environment.path("java").asText()).append('\n');
        }
        Files.writeString(results.resolve("environment.properties"), env.toString(), StandardCharsets.UTF_8);
        ObjectNode ex = JSON.createObjectNode();
        ex.put("name", "ndk-cli");
        ex.put("type", "ndk-cli");
        ex.put("buildName", r.runId);
        ex.put("reportName", "NDK conformance: " + r.providerName + " " + r.providerVersion + " (" + r.profile.id() + ", "
                + r.status + ")");
        JSON.writeValue(results.resolve("executor.json").toFile(), ex);
    }

    /** One label {@code labCondition} per lab condition the scenario used: {@code resource-exhaustion (injected)}. */
    private static void conditionLabels(ObjectNode n, ScenarioResult sr) {
        for (LabConditionUse c : sr.conditions()) {
            label(n, "labCondition", c.condition() + " (" + (c.method() == null ? "undeclared" : c.method()) + ")");
        }
    }

    private static void label(ObjectNode n, String name, String value) {
        ArrayNode a = n.has("labels") ? (ArrayNode) n.get("labels") : n.putArray("labels");
        ObjectNode l = a.addObject();
        l.put("name", name);
        l.put("value", value);
    }

    private static void link(ObjectNode n, String name, String url, String type) {
        ArrayNode a = n.has("links") ? (ArrayNode) n.get("links") : n.putArray("links");
        ObjectNode l = a.addObject();
        l.put("name", name);
        l.put("url", url);
        l.put("type", type);
    }

    private static void category(ArrayNode cats, String name, String regex, String... statuses) {
        ObjectNode c = cats.addObject();
        c.put("name", name);
        c.put("messageRegex", regex);
        ArrayNode s = c.putArray("matchedStatuses");
        for (String x : statuses) {
            s.add(x);
        }
    }

    /** The allure-commandline home: {@code ndk.allure.home}, else next to the CLI's jar (or classes). */
    public static Path home() {
        String p = System.getProperty("ndk.allure.home");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        try {
            Path self = Path.of(AllureSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (Stream<Path> s = Files.list(self.getParent())) {
                return s.filter(x -> x.getFileName().toString().startsWith("allure-") && Files.isDirectory(x)
                        && Files.isDirectory(x.resolve("lib"))).sorted().reduce((a, b) -> b).orElse(null);
            }
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Runs {@code allure generate RESULTS -o OUT --clean --single-file}; returns null or the problem.
     * Allure's own main class on this JVM rather than its {@code bin/allure} script, so the report
     * needs no shell (the CLI runs on any OS with Java 17).
     */
    public static String generate(Path home, Path results, Path out, Path log) throws IOException {
        if (home == null || !Files.isDirectory(home.resolve("lib"))) {
            return "allure-commandline not found (build cli/ with Maven, or set -Dndk.allure.home)";
        }
        // a class path wildcard as a string: '*' is no file name on every OS
        String cp = home.resolve("lib") + File.separator + "*" + File.pathSeparator + home.resolve("lib").resolve("config");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "io.qameta.allure.CommandLine", "generate", results.toString(), "-o", out.toString(),
                "--clean", "--single-file"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // where Allure finds its plugins and configuration (its launcher script sets the same)
        pb.environment().put("APP_HOME", home.toAbsolutePath().toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "allure generate did not finish within 300 s";
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(out.resolve("index.html"))) {
            return "allure generate failed (exit " + p.exitValue() + "); see " + log;
        }
        return null;
    }
}
