package org.ndkkit.cli.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.cli.Hashes;
import org.ndkkit.cli.eval.Certification;
import org.ndkkit.cli.eval.Judgement;
import org.ndkkit.cli.eval.Profile;
import org.ndkkit.cli.eval.Regression;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.spec.Spec;
import org.ndkkit.cli.suite.Preflight;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;
import org.ndkkit.cli.waiver.WaiverFile;

/**
 * Judges a bundle again: from the bundled scenario results (their raw verdicts), the bundled
 * waiver files and kit known defects, the bundled clause catalogue and feature files, the bundled
 * probe findings and baseline, and the run's date, it recomputes every scenario's final verdict,
 * every clause's standing, the counts and the status with {@link Judgement} (the code the run
 * judged with), and names every field of summary.json that disagrees. A signature only says who
 * wrote a bundle; this says its verdict follows from its own evidence.
 *
 * <p>Four checks: {@code inputs} (every input the judging needs is in the bundle, with the hash
 * summary.json recorded), {@code evidence} (raw verdicts and the lab conditions each scenario used
 * against the suite's progress logs, findings against probes.json, preflight and capabilities
 * against preflight.json), {@code waivers} (every waived scenario's waiver exists, covers that
 * scenario and provider, and had not expired on the run date) and {@code judgement} (the recorded
 * verdicts, counts, clauses, status and exit code against the recomputed ones).
 */
public final class Rejudge {
    /** Lenient as the run was when it read the suite's files (RunCommand). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Pattern PROGRESS = Pattern.compile("evidence/progress(?:-(\\d+))?\\.ndjson");
    /** Enough disagreements to see what was changed without flooding the console. */
    private static final int MAX_LISTED = 25;

    private final JsonNode s;
    private final Map<String, byte[]> entries;
    private final List<String> inputProblems = new ArrayList<>();
    private final Set<String> evidenceProblems = new LinkedHashSet<>();
    private final Set<String> waiverProblems = new LinkedHashSet<>();
    private final Set<String> disagreements = new LinkedHashSet<>();

    private Rejudge(JsonNode summary, Map<String, byte[]> entries) {
        this.s = summary;
        this.entries = entries;
    }

    /** The checks for one bundle: {@code summary} is its summary.json, {@code entries} every other entry by path. */
    public static List<BundleVerifier.Check> check(JsonNode summary, Map<String, byte[]> entries) {
        return new Rejudge(summary, entries).run();
    }

    private List<BundleVerifier.Check> run() {
        Spec spec = spec();
        LocalDate day = runDate();
        List<Waiver> kitDefects = kitDefects();
        List<Waiver> vendor = vendorWaivers();
        Profile profile = profile();
        Regression.Baseline baseline = profile == Profile.REGRESSION ? baseline() : null;
        List<BundleVerifier.Check> checks = new ArrayList<>();
        boolean canJudge = spec != null && day != null && kitDefects != null && vendor != null && profile != null
                && (profile != Profile.REGRESSION || baseline != null);
        checks.add(check("inputs", inputProblems, "the bundle holds every input of the judging: spec, "
                + (vendor == null ? 0 : vendor.size()) + " vendor waiver(s), " + (kitDefects == null ? 0 : kitDefects.size())
                + " kit known defect(s)" + (baseline == null ? "" : ", the baseline") + ", run date " + day));
        if (!canJudge) {
            checks.add(new BundleVerifier.Check("judgement", false, "cannot judge the bundle again: its inputs are incomplete"));
            return checks;
        }
        List<ScenarioResult> raw = rawResults(spec);
        crossCheckProgress(raw);
        List<Finding> findings = findings();
        boolean preflightOk = preflightOk();
        Set<String> capabilities = capabilities();
        boolean complete = selectionComplete(spec, raw);
        List<Waiver> all = new ArrayList<>(kitDefects);
        all.addAll(vendor);
        checkWaiverUses(all, raw, day);

        Judgement j = Judgement.of(raw, new Judgement.Inputs(kitDefects, vendor, text(s.path("provider").path("name")),
                text(s.path("provider").path("version")), day, spec.catalogue(), capabilities, complete, preflightOk, findings,
                profile, baseline));
        compare(j);
        checks.add(check("evidence", evidenceProblems, "the raw verdicts, lab conditions, findings and preflight agree "
                + "with the suite's own evidence in the bundle"));
        checks.add(check("waivers", waiverProblems, "every waiver used covers its scenario and provider and was in force on "
                + day));
        checks.add(check("judgement", disagreements, "judged again from the bundle: " + j.status() + " (exit " + j.exitCode()
                + "), " + j.waivers().results().size() + " scenarios, as summary.json records"));
        return checks;
    }

    private static BundleVerifier.Check check(String name, java.util.Collection<String> problems, String okDetail) {
        if (problems.isEmpty()) {
            return new BundleVerifier.Check(name, true, okDetail);
        }
        List<String> shown = problems.stream().limit(MAX_LISTED).toList();
        return new BundleVerifier.Check(name, false, String.join("; ", shown)
                + (problems.size() > MAX_LISTED ? "; and " + (problems.size() - MAX_LISTED) + " more" : ""));
    }

    // ------------------------------------------------------------------ inputs

    private Spec spec() {
        Map<String, byte[]> files = new TreeMap<>();
        entries.forEach((p, c) -> {
            if (p.startsWith("spec/")) {
                files.put(p.substring("spec/".length()), c);
            }
        });
        try {
            return Spec.fromFiles(files);
        } catch (RuntimeException e) {
            inputProblems.add("the bundled spec cannot be read: " + e.getMessage());
            return null;
        }
    }

    /** The day the run was judged on: waivers.evaluatedOn, which must be the UTC day run.finished names. */
    private LocalDate runDate() {
        LocalDate finished = null;
        String f = text(s.path("run").path("finished"));
        try {
            finished = f == null ? null : LocalDate.ofInstant(Instant.parse(f), ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            inputProblems.add("summary.json: run.finished \"" + f + "\" is not a time");
        }
        String e = text(s.path("waivers").path("evaluatedOn"));
        if (e == null) {
            // a bundle from before waivers.evaluatedOn: the run judged on the day it finished
            if (finished == null) {
                inputProblems.add("summary.json records no run date (waivers.evaluatedOn, run.finished)");
            }
            return finished;
        }
        try {
            LocalDate on = LocalDate.parse(e);
            if (finished != null && !finished.equals(on)) {
                disagreements.add("summary.json: waivers.evaluatedOn is " + on + " but run.finished (" + f + ") is on " + finished);
            }
            return on;
        } catch (DateTimeParseException x) {
            inputProblems.add("summary.json: waivers.evaluatedOn \"" + e + "\" is not a date");
            return null;
        }
    }

    private List<Waiver> kitDefects() {
        JsonNode kd = s.path("kit").path("knownDefects");
        String name = text(kd.path("file"));
        if (name == null) {
            inputProblems.add("summary.json: kit.knownDefects.file is missing");
            return null;
        }
        return waiverFile("waivers/" + name, name, text(kd.path("sha256")), Waiver.KIT_DEFECT, "kit.knownDefects");
    }

    private List<Waiver> vendorWaivers() {
        List<Waiver> out = new ArrayList<>();
        boolean ok = true;
        int i = 0;
        for (JsonNode f : s.path("waivers").path("files")) {
            String file = text(f.path("file"));
            String name = file == null ? "?" : Path.of(file).getFileName().toString();
            String entry = f.hasNonNull("bundled") ? f.path("bundled").asText() : "waivers/" + name;
            List<Waiver> ws = waiverFile(entry, name, text(f.path("sha256")), Waiver.VENDOR, "waivers.files[" + i + "]");
            if (ws == null) {
                ok = false;
            } else {
                out.addAll(ws);
            }
            i++;
        }
        return ok ? out : null;
    }

    /** A bundled waiver file, parsed under the name the run parsed it with (default ids depend on it). */
    private List<Waiver> waiverFile(String entry, String name, String sha256, String kind, String field) {
        byte[] b = entries.get(entry);
        if (b == null) {
            inputProblems.add(field + ": " + entry + " is not in the bundle");
            return null;
        }
        if (!Hashes.sha256(b).equals(sha256)) {
            inputProblems.add(field + ": " + entry + " has SHA-256 " + Hashes.sha256(b) + " but summary.json records " + sha256);
            return null;
        }
        try {
            return WaiverFile.parse(new ByteArrayInputStream(b), name, kind);
        } catch (IOException | IllegalArgumentException e) {
            inputProblems.add(field + ": " + entry + " does not parse: " + e.getMessage());
            return null;
        }
    }

    private Profile profile() {
        try {
            return Profile.of(s.path("run").path("profile").asText());
        } catch (IllegalArgumentException e) {
            inputProblems.add("summary.json: run.profile: " + e.getMessage());
            return null;
        }
    }

    private Regression.Baseline baseline() {
        JsonNode b = s.path("regression").path("baseline");
        String file = text(b.path("file"));
        if (file == null) {
            inputProblems.add("summary.json: a regression run without regression.baseline.file");
            return null;
        }
        String entry = "baseline/" + Path.of(file).getFileName();
        byte[] bytes = entries.get(entry);
        if (bytes == null) {
            inputProblems.add("regression.baseline: " + entry + " is not in the bundle");
            return null;
        }
        if (!Hashes.sha256(bytes).equals(text(b.path("sha256")))) {
            inputProblems.add("regression.baseline: " + entry + " has SHA-256 " + Hashes.sha256(bytes)
                    + " but summary.json records " + text(b.path("sha256")));
            return null;
        }
        try {
            return Regression.parse(file, bytes);
        } catch (IOException | IllegalArgumentException e) {
            inputProblems.add("regression.baseline: " + entry + " does not parse: " + e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------ the raw results and their evidence

    /**
     * The scenarios as the run had them before waivers: the raw verdict, and the original reason of a
     * scenario a waiver touched (recorded with the waiver's use); clauses from the bundled spec.
     */
    private List<ScenarioResult> rawResults(Spec spec) {
        Map<String, String> originalReasons = new LinkedHashMap<>();
        for (String list : List.of("applied", "kitKnownDefects", "expired")) {
            for (JsonNode u : s.path("waivers").path(list)) {
                originalReasons.putIfAbsent(u.path("appliedTo").asText(), text(u.path("originalReason")));
            }
        }
        Map<String, Spec.Scenario> byId = new LinkedHashMap<>();
        spec.scenarios().forEach(x -> byId.put(x.id(), x));
        List<ScenarioResult> out = new ArrayList<>();
        for (JsonNode n : s.path("scenarios")) {
            String id = n.path("id").asText();
            List<String> clauses = new ArrayList<>();
            n.path("clauses").forEach(c -> clauses.add(c.asText()));
            Spec.Scenario sc = byId.get(id);
            if (sc != null && !sc.clauses().equals(clauses)) {
                disagreements.add("summary.json: scenarios[" + id + "].clauses is " + clauses + " but the bundled spec tags it "
                        + sc.clauses());
            }
            Verdict raw;
            try {
                raw = Verdict.of(n.path("rawVerdict").asText());
            } catch (IllegalArgumentException e) {
                disagreements.add("summary.json: scenarios[" + id + "].rawVerdict: " + e.getMessage());
                continue;
            }
            String reason = originalReasons.containsKey(id) ? originalReasons.get(id) : text(n.path("reason"));
            out.add(new ScenarioResult(id, text(n.path("feature")), n.path("line").asInt(), text(n.path("name")),
                    sc != null ? sc.clauses() : List.copyOf(clauses), raw, raw, text(n.path("reasonCode")), reason,
                    n.path("durationMillis").asLong(), null, LabConditionUse.listOf(n.get("conditions"))));
        }
        return out;
    }

    /**
     * Raw verdicts against the suite's own progress logs: a verdict the suite reported cannot be
     * rewritten. So with the lab conditions each scenario used: summary.json's {@code conditions}
     * must be those of the scenario's {@code scenario-finished} event (none when it has none, or when
     * no log records a verdict for the scenario: only the suite reports conditions).
     */
    private void crossCheckProgress(List<ScenarioResult> raw) {
        Map<Integer, String> logs = new TreeMap<>();
        entries.keySet().forEach(p -> {
            Matcher m = PROGRESS.matcher(p);
            if (m.matches()) {
                logs.put(m.group(1) == null ? 1 : Integer.parseInt(m.group(1)), p);
            }
        });
        Map<String, String> reported = new LinkedHashMap<>();
        Map<String, List<LabConditionUse>> conditions = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        for (String log : logs.values()) {
            for (String line : new String(entries.get(log), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode e = JSON.readTree(line);
                    if (e.path("event").asText().equals("scenario-finished")) {
                        reported.put(e.path("id").asText(), Verdict.of(e.path("verdict").asText()).wire());
                        conditions.put(e.path("id").asText(), LabConditionUse.listOf(e.get("conditions")));
                        where.put(e.path("id").asText(), log);
                    }
                } catch (IOException | IllegalArgumentException e) {
                    // a torn last line (the process died mid-write) is no verdict
                }
            }
        }
        for (ScenarioResult r : raw) {
            String got = reported.get(r.id());
            if (got != null && !got.equals(r.rawVerdict().wire())) {
                evidenceProblems.add("summary.json: scenarios[" + r.id() + "].rawVerdict is \"" + r.rawVerdict() + "\" but "
                        + where.get(r.id()) + " records \"" + got + "\"");
            } else if (got == null && r.rawVerdict() == Verdict.PASSED) {
                evidenceProblems.add("summary.json: scenarios[" + r.id() + "].rawVerdict is \"passed\" but no progress log in "
                        + "the bundle records a verdict for it");
            }
            List<LabConditionUse> logged = conditions.getOrDefault(r.id(), List.of());
            if (!logged.equals(r.conditions())) {
                evidenceProblems.add("summary.json: scenarios[" + r.id() + "].conditions is " + conditionList(r.conditions())
                        + " but " + (got == null ? "no progress log in the bundle records a verdict for it"
                        : where.get(r.id()) + " records " + conditionList(logged)));
            }
        }
    }

    private static String conditionList(List<LabConditionUse> uses) {
        return uses.isEmpty() ? "none" : "[" + String.join("; ", uses.stream().map(LabConditionUse::describe).toList()) + "]";
    }

    /** The findings the run judged with: the bundled probes.json, which summary.json must repeat. */
    private List<Finding> findings() {
        List<Finding> recorded = new ArrayList<>();
        try {
            for (JsonNode f : s.path("findings").path("items")) {
                recorded.add(JSON.treeToValue(f, Finding.class));
            }
        } catch (IOException e) {
            disagreements.add("summary.json: findings.items does not parse: " + e.getMessage());
        }
        byte[] probes = entries.get("evidence/probes.json");
        if (probes == null) {
            if (!recorded.isEmpty()) {
                evidenceProblems.add("summary.json: findings.items lists " + recorded.size()
                        + " finding(s) but the bundle has no evidence/probes.json");
            }
            return recorded;
        }
        try {
            List<Finding> shipped = List.of(JSON.readValue(probes, Finding[].class));
            if (!shipped.equals(recorded)) {
                evidenceProblems.add("summary.json: findings.items differs from evidence/probes.json");
            }
            return shipped;
        } catch (IOException e) {
            evidenceProblems.add("evidence/probes.json does not parse: " + e.getMessage());
            return recorded;
        }
    }

    /** The preflight passed when no check failed and the suite's own preflight.json says ok. */
    private boolean preflightOk() {
        boolean ok = true;
        for (JsonNode c : s.path("preflight").path("checks")) {
            if (c.path("status").asText().equals("error")) {
                ok = false;
            }
        }
        JsonNode pf = evidence("evidence/preflight.json");
        // not-implemented (a provider skeleton) is no environment error: its scenarios are unsupported
        if (pf != null && !Preflight.suiteRuns(pf.path("status").asText())) {
            ok = false;
        }
        String recorded = s.path("preflight").path("status").asText();
        if (!recorded.equals(ok ? "ok" : "failed")) {
            disagreements.add("summary.json: preflight.status is \"" + recorded + "\" but its checks and evidence/preflight.json"
                    + " give \"" + (ok ? "ok" : "failed") + "\"");
        }
        return ok;
    }

    private Set<String> capabilities() {
        Set<String> recorded = new HashSet<>();
        s.path("provider").path("capabilities").forEach(c -> recorded.add(c.asText()));
        JsonNode pf = evidence("evidence/preflight.json");
        if (pf != null && pf.path("provider").has("version")) {
            Set<String> shipped = new HashSet<>();
            pf.path("provider").path("capabilities").forEach(c -> shipped.add(c.asText()));
            if (!shipped.equals(recorded)) {
                evidenceProblems.add("summary.json: provider.capabilities is " + new java.util.TreeSet<>(recorded)
                        + " but evidence/preflight.json records " + new java.util.TreeSet<>(shipped));
            }
            return shipped;
        }
        return recorded;
    }

    /** Complete when every scenario of the bundled spec has a result. */
    private boolean selectionComplete(Spec spec, List<ScenarioResult> raw) {
        Set<String> have = new HashSet<>();
        raw.forEach(r -> have.add(r.id()));
        long covered = spec.scenarios().stream().filter(x -> have.contains(x.id())).count();
        boolean complete = covered == spec.scenarios().size();
        boolean recorded = s.path("run").path("selectionComplete").asBoolean();
        if (recorded != complete) {
            disagreements.add("summary.json: run.selectionComplete is " + recorded + " but the bundled results cover " + covered
                    + " of the bundled spec's " + spec.scenarios().size() + " scenarios");
        }
        return complete;
    }

    private JsonNode evidence(String entry) {
        byte[] b = entries.get(entry);
        try {
            return b == null ? null : JSON.readTree(b);
        } catch (IOException e) {
            evidenceProblems.add(entry + " does not parse: " + e.getMessage());
            return null;
        }
    }

    // ------------------------------------------------------------------ waivers as recorded

    /** Every recorded waived scenario and waiver use: the waiver exists, matches, and was in force on the run date. */
    private void checkWaiverUses(List<Waiver> all, List<ScenarioResult> raw, LocalDate day) {
        Map<String, ScenarioResult> byId = new LinkedHashMap<>();
        raw.forEach(r -> byId.put(r.id(), r));
        for (JsonNode n : s.path("scenarios")) {
            if (n.path("verdict").asText().equals(Verdict.WAIVED.wire())) {
                checkUse(all, text(n.path("waiver")), byId.get(n.path("id").asText()), n.path("id").asText(), day,
                        "scenarios[" + n.path("id").asText() + "].waiver");
            }
        }
        for (String list : List.of("applied", "kitKnownDefects")) {
            int i = 0;
            for (JsonNode u : s.path("waivers").path(list)) {
                String id = u.path("appliedTo").asText();
                checkUse(all, text(u.path("id")), byId.get(id), id, day, "waivers." + list + "[" + i++ + "]");
            }
        }
    }

    private void checkUse(List<Waiver> all, String waiverId, ScenarioResult r, String scenarioId, LocalDate day, String field) {
        if (waiverId == null) {
            waiverProblems.add("summary.json: " + field + ": scenario " + scenarioId + " is waived but names no waiver");
            return;
        }
        List<Waiver> named = all.stream().filter(w -> w.id().equals(waiverId)).toList();
        if (named.isEmpty()) {
            waiverProblems.add("summary.json: " + field + ": waiver " + waiverId + " is in none of the bundled waiver files");
            return;
        }
        if (r == null) {
            waiverProblems.add("summary.json: " + field + ": waiver " + waiverId + " waives " + scenarioId
                    + ", which is not among the run's scenarios");
            return;
        }
        if (!r.rawVerdict().isWaivable()) {
            waiverProblems.add("summary.json: " + field + ": " + scenarioId + " is waived by " + waiverId + " but its raw verdict \""
                    + r.rawVerdict() + "\" cannot be waived");
        }
        String provider = text(s.path("provider").path("name"));
        String version = Objects.requireNonNullElse(text(s.path("provider").path("version")), "");
        for (Waiver w : named) {
            if (w.isExpired(day)) {
                waiverProblems.add("summary.json: " + field + ": waiver " + waiverId + " expired on " + w.expires()
                        + ", before the run date " + day + ", but is recorded as waiving " + scenarioId);
            }
            if (!w.matches(r.id(), r.name() == null ? "" : r.name(), r.clauses())) {
                waiverProblems.add("summary.json: " + field + ": waiver " + waiverId + " covers " + w.scope() + ", which does not"
                        + " match scenario " + scenarioId + " (clauses " + String.join(", ", r.clauses()) + ")");
            }
            if (!w.matchesProvider(provider, version)) {
                waiverProblems.add("summary.json: " + field + ": waiver " + waiverId + " is for provider " + w.provider()
                        + " versions " + w.versions() + ", not " + provider + " " + version);
            }
        }
    }

    // ------------------------------------------------------------------ recorded against recomputed

    private void compare(Judgement j) {
        JsonNode v = s.path("verdict");
        same("verdict.status", text(v.path("status")), j.status());
        same("verdict.exitCode", v.path("exitCode").isNumber() ? v.path("exitCode").asInt() : null, j.exitCode());
        Certification.Result c = j.certification();
        same("verdict.certification.status", text(v.path("certification").path("status")), c.status());
        same("verdict.certification.reasons", strings(v.path("certification").path("reasons")), c.reasons());
        same("verdict.certification.excused", strings(v.path("certification").path("excused")), c.excused());
        if (v.has("waiversUsed")) {
            List<String> ids = new ArrayList<>();
            v.path("waiversUsed").forEach(u -> ids.add(u.path("id").asText()));
            same("verdict.waiversUsed", ids, Judgement.used(j.waivers()).stream().map(u -> u.waiver().id()).toList());
        }

        List<ScenarioResult> results = j.waivers().results();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Verdict x : Verdict.values()) {
            counts.put(x.wire(), 0);
        }
        results.forEach(r -> counts.merge(r.verdict().wire(), 1, Integer::sum));
        counts.forEach((k, n) -> same("counts." + k, intOrNull(s.path("counts").path(k)), n));
        same("counts.total", intOrNull(s.path("counts").path("total")), results.size());

        Map<String, JsonNode> recorded = new LinkedHashMap<>();
        s.path("scenarios").forEach(n -> recorded.put(n.path("id").asText(), n));
        for (ScenarioResult r : results) {
            JsonNode n = recorded.get(r.id());
            String f = "scenarios[" + r.id() + "]";
            same(f + ".verdict", text(n.path("verdict")), r.verdict().wire());
            same(f + ".waiver", text(n.path("waiver")), r.waiverId());
            same(f + ".reason", text(n.path("reason")), r.reason());
        }

        JsonNode clauses = s.path("clauses");
        for (Certification.ClauseStatus cs : c.clauses().values()) {
            JsonNode n = clauses.path(cs.id());
            String f = "clauses." + cs.id();
            if (n.isMissingNode()) {
                disagreements.add("summary.json: " + f + " is missing; the bundled catalogue has it");
                continue;
            }
            same(f + ".verdict", text(n.path("verdict")), cs.verdict() == null ? "not-selected" : cs.verdict().wire());
            same(f + ".ok", n.path("ok").isBoolean() ? n.path("ok").asBoolean() : null, cs.ok());
            same(f + ".level", text(n.path("level")), cs.level());
            same(f + ".scenarios", strings(n.path("scenarios")), cs.scenarios());
        }
        clauses.fieldNames().forEachRemaining(id -> {
            if (!c.clauses().containsKey(id)) {
                disagreements.add("summary.json: clauses." + id + " is not in the bundled catalogue");
            }
        });

        WaiverEngine.Outcome w = j.waivers();
        same("waivers.applied", uses(s.path("waivers").path("applied")), uses(w.applied(Waiver.VENDOR)));
        same("waivers.kitKnownDefects", uses(s.path("waivers").path("kitKnownDefects")), uses(w.applied(Waiver.KIT_DEFECT)));
        same("waivers.expired", uses(s.path("waivers").path("expired")), uses(w.expired()));
        List<String> unused = new ArrayList<>();
        s.path("waivers").path("unused").forEach(u -> unused.add(u.path("id").asText()));
        same("waivers.unused", unused, w.unused().stream().map(Waiver::id).toList());

        Regression.Result g = j.regression();
        if (g != null) {
            JsonNode reg = s.path("regression");
            same("regression.status", text(reg.path("status")), g.status());
            same("regression.newFailures", ids(reg.path("newFailures")), g.newFailures().stream().map(Regression.Change::id).toList());
            same("regression.newPasses", ids(reg.path("newPasses")), g.newPasses().stream().map(Regression.Change::id).toList());
            same("regression.changed", ids(reg.path("changed")), g.changed().stream().map(Regression.Change::id).toList());
            same("regression.added", ids(reg.path("added")), g.added().stream().map(Regression.Change::id).toList());
            same("regression.removed", ids(reg.path("removed")), g.removed().stream().map(Regression.Change::id).toList());
        }
    }

    private void same(String field, Object recorded, Object recomputed) {
        if (!Objects.equals(recorded, recomputed)) {
            disagreements.add("summary.json: " + field + " is " + show(recorded) + " but the bundled results give "
                    + show(recomputed));
        }
    }

    private static String show(Object o) {
        return o instanceof String t ? "\"" + (t.length() > 120 ? t.substring(0, 117) + "..." : t) + "\"" : String.valueOf(o);
    }

    private static List<String> uses(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(u -> out.add(u.path("id").asText() + " on " + u.path("appliedTo").asText()));
        return out;
    }

    private static List<String> uses(List<WaiverEngine.Use> list) {
        return list.stream().map(u -> u.waiver().id() + " on " + u.scenarioId()).toList();
    }

    private static List<String> ids(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(c -> out.add(c.path("id").asText()));
        return out;
    }

    private static List<String> strings(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static Integer intOrNull(JsonNode n) {
        return n.isNumber() ? n.asInt() : null;
    }

    private static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
