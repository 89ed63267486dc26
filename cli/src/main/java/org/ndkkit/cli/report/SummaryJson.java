package org.ndkkit.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ndkkit.cli.eval.Certification;
import org.ndkkit.cli.eval.Judgement;
import org.ndkkit.cli.eval.Regression;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;

/**
 * Writes {@code summary.json}, schema {@value #SCHEMA}; every field is described in
 * {@code cli/SUMMARY-SCHEMA.md}. Fields are only ever added within a schema version.
 */
public final class SummaryJson {
    public static final String SCHEMA = "ndk-conformance-summary/2";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {
    }

    /** Writes atomically (a reader never sees half a file). */
    public static void write(RunRecord r, Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), build(r));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static ObjectNode build(RunRecord r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);

        ObjectNode kit = root.putObject("kit");
        kit.put("version", r.kitVersion);
        kit.put("cliVersion", r.cliVersion);
        ObjectNode spec = kit.putObject("spec");
        spec.put("sha256", r.spec.specHash());
        ObjectNode files = spec.putObject("files");
        r.spec.fileHashes().forEach(files::put);
        spec.put("scenarios", r.spec.scenarios().size());
        spec.put("clauses", r.spec.catalogue().clauses().size());
        ObjectNode kd = kit.putObject("knownDefects");
        kd.put("file", r.knownDefectsName);
        kd.put("sha256", r.knownDefectsSha256);
        kit.set("artifacts", JSON.valueToTree(r.kitArtifacts));

        ObjectNode run = root.putObject("run");
        run.put("id", r.runId);
        run.put("profile", r.profile.id());
        run.put("state", r.state);
        run.put("stateDetail", r.stateDetail);
        run.put("started", r.started == null ? null : r.started.toString());
        run.put("finished", r.finished == null ? null : r.finished.toString());
        run.put("durationMillis", r.started == null || r.finished == null ? null
                : r.finished.toEpochMilli() - r.started.toEpochMilli());
        run.put("tags", r.tags);
        run.put("scenarioList", r.scenarioList);
        run.put("selectionComplete", r.selectionComplete);
        run.put("selected", r.selectedCount);
        run.put("lab", r.lab);
        run.set("command", JSON.valueToTree(r.command));
        run.set("settings", JSON.valueToTree(r.settings));

        ObjectNode provider = root.putObject("provider");
        provider.put("name", r.providerName);
        provider.put("version", r.providerVersion);
        provider.put("vendor", r.providerVendor);
        provider.put("description", r.providerDescription);
        provider.set("capabilities", JSON.valueToTree(r.capabilities));
        provider.set("settings", JSON.valueToTree(r.providerSettings));
        provider.put("class", r.providerClass);
        provider.put("codeSource", r.providerCodeSource);
        provider.set("adapterInfo", r.adapterInfo);
        provider.set("artifacts", JSON.valueToTree(r.providerArtifacts));
        ObjectNode identity = provider.putObject("identity");
        new TreeMap<>(r.identity).forEach(identity::put);

        ObjectNode env = root.putObject("environment");
        env.set("suite", r.environment);
        env.set("cli", r.hostEnvironment);

        ObjectNode pf = root.putObject("preflight");
        pf.put("status", r.preflightOk ? "ok" : "failed");
        ArrayNode checks = pf.putArray("checks");
        r.hostChecks.forEach(c -> {
            ObjectNode n = checks.addObject();
            n.put("where", "cli");
            c.forEach(n::put);
        });
        if (r.preflight != null) {
            r.preflight.path("checks").forEach(c -> {
                ObjectNode n = checks.addObject();
                n.put("where", "suite");
                c.fields().forEachRemaining(e -> n.set(e.getKey(), e.getValue()));
            });
            pf.set("addresses", r.preflight.get("addresses"));
            pf.set("labConditions", r.preflight.get("labConditions"));
        }

        ObjectNode verdict = root.putObject("verdict");
        verdict.put("profile", r.profile.id());
        verdict.put("status", r.status);
        verdict.put("exitCode", r.exitCode);
        verdict.put("exitReason", r.exitReason);
        if (r.certification != null) {
            ObjectNode c = verdict.putObject("certification");
            c.put("status", r.certification.status());
            c.set("reasons", JSON.valueToTree(r.certification.reasons()));
            c.set("excused", JSON.valueToTree(r.certification.excused()));
        }
        // the waivers a certificate rests on, one entry per waiver (status certified-with-waivers)
        ArrayNode used = verdict.putArray("waiversUsed");
        for (Judgement.WaiverUsed u : Judgement.used(r.waivers)) {
            ObjectNode n = waiver(u.waiver());
            n.set("scenarios", JSON.valueToTree(u.scenarios()));
            used.add(n);
        }

        ObjectNode counts = root.putObject("counts");
        Map<String, Integer> cnt = new TreeMap<>();
        for (Verdict v : Verdict.values()) {
            cnt.put(v.wire(), 0);
        }
        r.results.forEach(x -> cnt.merge(x.verdict().wire(), 1, Integer::sum));
        for (Verdict v : Verdict.values()) {
            counts.put(v.wire(), cnt.get(v.wire()));
        }
        counts.put("total", r.results.size());

        ObjectNode clauses = root.putObject("clauses");
        if (r.certification != null) {
            for (Certification.ClauseStatus c : r.certification.clauses().values()) {
                ObjectNode n = clauses.putObject(c.id());
                n.put("level", c.level());
                n.put("source", c.source());
                n.put("verdict", c.verdict() == null ? "not-selected" : c.verdict().wire());
                n.put("ok", c.ok());
                n.set("scenarios", JSON.valueToTree(c.scenarios()));
            }
        }

        ArrayNode scenarios = root.putArray("scenarios");
        for (ScenarioResult s : r.results) {
            ObjectNode n = scenarios.addObject();
            n.put("id", s.id());
            n.put("feature", s.feature());
            n.put("line", s.line());
            n.put("name", s.name());
            n.set("clauses", JSON.valueToTree(s.clauses()));
            n.put("verdict", s.verdict().wire());
            n.put("rawVerdict", s.rawVerdict().wire());
            n.put("reasonCode", s.reasonCode());
            n.put("reason", s.reason());
            n.put("durationMillis", s.durationMillis());
            n.put("waiver", s.waiverId());
            n.set("conditions", LabConditionUse.toJson(s.conditions()));
        }

        ObjectNode waivers = root.putObject("waivers");
        waivers.put("evaluatedOn", r.judgedOn == null ? null : r.judgedOn.toString());
        ArrayNode wf = waivers.putArray("files");
        r.waiverFiles.forEach((p, h) -> {
            ObjectNode n = wf.addObject();
            n.put("file", p);
            n.put("sha256", h);
            n.put("bundled", r.waiverEntries.get(p));
        });
        WaiverEngine.Outcome w = r.waivers;
        waivers.set("applied", uses(w == null ? List.of() : w.applied(Waiver.VENDOR)));
        waivers.set("kitKnownDefects", uses(w == null ? List.of() : w.applied(Waiver.KIT_DEFECT)));
        waivers.set("expired", uses(w == null ? List.of() : w.expired()));
        ArrayNode unused = waivers.putArray("unused");
        if (w != null) {
            w.unused().forEach(x -> unused.add(waiver(x)));
        }

        ObjectNode findings = root.putObject("findings");
        findings.put("probed", r.probesRan);
        ArrayNode fl = findings.putArray("items");
        for (Finding f : r.findings) {
            fl.add(JSON.valueToTree(f));
        }

        if (r.regression != null) {
            Regression.Result g = r.regression;
            ObjectNode reg = root.putObject("regression");
            reg.put("status", g.status());
            ObjectNode b = reg.putObject("baseline");
            b.put("file", g.baseline().path());
            b.put("sha256", g.baseline().sha256());
            b.put("provider", g.baseline().providerName());
            b.put("providerVersion", g.baseline().providerVersion());
            b.put("kitVersion", g.baseline().kitVersion());
            b.put("started", g.baseline().started());
            reg.set("newFailures", JSON.valueToTree(g.newFailures()));
            reg.set("newPasses", JSON.valueToTree(g.newPasses()));
            reg.set("changed", JSON.valueToTree(g.changed()));
            reg.set("added", JSON.valueToTree(g.added()));
            reg.set("removed", JSON.valueToTree(g.removed()));
            reg.put("unchanged", g.unchanged());
        } else {
            root.putNull("regression");
        }

        // the kit's own power, measured with seeded defects: totals per inner provider, not the rows
        ArrayNode km = root.putArray("killMatrices");
        for (JsonNode m : r.killMatrices) {
            ObjectNode k = km.addObject();
            k.put("inner", m.path("inner").path("name").asText());
            k.put("innerVersion", m.path("inner").path("version").asText());
            k.put("through", m.path("inner").path("through").asText("in-process"));
            k.put("kitVersion", m.path("kitVersion").asText());
            k.put("line", m.path("line").asText());
            k.put("ok", m.path("ok").asBoolean());
            k.set("totals", m.path("totals"));
            ArrayNode nt = k.putArray("notTriggered");
            ArrayNode sv = k.putArray("survived");
            for (JsonNode d : m.path("defects")) {
                if (d.path("status").asText().equals("not-triggered")) {
                    nt.add(d.path("id").asText());
                } else if (d.path("status").asText().equals("survived")) {
                    sv.add(d.path("id").asText());
                }
            }
        }

        ObjectNode outputs = root.putObject("outputs");
        r.outputs.forEach(outputs::put);
        return root;
    }

    static ObjectNode waiver(Waiver w) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", w.id());
        n.put("kind", w.kind());
        n.put("scenario", w.scenario());
        n.put("clause", w.clause());
        n.put("provider", w.provider());
        n.put("versions", w.versions().toString());
        n.put("reason", w.reason());
        n.put("issue", w.issue().toString());
        n.put("expires", w.expires().toString());
        n.put("file", w.source());
        return n;
    }

    private static ArrayNode uses(List<WaiverEngine.Use> uses) {
        ArrayNode a = JSON.createArrayNode();
        for (WaiverEngine.Use u : uses) {
            ObjectNode n = waiver(u.waiver());
            n.put("appliedTo", u.scenarioId());
            n.put("scenarioName", u.scenarioName());
            n.put("originalVerdict", u.originalVerdict().wire());
            n.put("originalReason", u.originalReason());
            a.add(n);
        }
        return a;
    }

    public static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }
}
