package org.ndkkit.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ndkkit.cli.eval.Judgement;
import org.ndkkit.cli.eval.Regression;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;

/** The human-readable summary ({@code summary.md}) that travels in the bundle next to summary.json. */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    public static String render(RunRecord r) {
        StringBuilder b = new StringBuilder();
        b.append("# NDK conformance: ").append(r.providerName).append(' ').append(nz(r.providerVersion)).append("\n\n");
        b.append("**Result: ").append(r.status.toUpperCase()).append("** (profile ").append(r.profile.id())
                .append(", exit code ").append(r.exitCode).append(")");
        if (r.exitReason != null) {
            b.append(" - ").append(r.exitReason);
        }
        b.append("\n\n");
        List<Judgement.WaiverUsed> used = Judgement.used(r.waivers);
        if (!used.isEmpty()) {
            b.append("**Waivers used** (judged on ").append(r.judgedOn).append("): ")
                    .append(esc(String.join("; ", used.stream().map(Judgement::describe).toList()))).append("\n\n");
        }
        b.append("| | |\n|---|---|\n");
        row(b, "Provider", r.providerName + " " + nz(r.providerVersion) + " (" + nz(r.providerVendor) + ")");
        row(b, "Description", nz(r.providerDescription));
        row(b, "Capabilities", String.join(", ", r.capabilities));
        if (r.identity.isEmpty()) {
            row(b, "Identity", "the provider declares none");
        }
        row(b, "Kit", r.kitVersion + ", spec sha256 `" + r.spec.specHash() + "`");
        row(b, "Run", r.runId + ", " + r.started + " to " + r.finished + " (" + r.state + ")");
        String selection = r.tags == null && r.scenarioList == null ? "the whole spec"
                : r.tags == null ? "the case list " + r.scenarioList
                : r.scenarioList == null ? "tags `" + r.tags + "`"
                : "tags `" + r.tags + "` in the case list " + r.scenarioList;
        row(b, "Selection", selection + ": " + r.selectedCount
                + " of " + r.spec.scenarios().size() + " scenarios");
        if (r.settings.get("seed") != null) {
            row(b, "Seed", r.settings.get("seed") + " (every drawn input comes from it: `--seed " + r.settings.get("seed")
                    + "` repeats them)");
        }
        if (r.environment != null) {
            row(b, "Environment", r.environment.path("os").asText() + " (" + r.environment.path("kernel").asText()
                    + "), Java " + r.environment.path("java").asText()
                    + (r.lab ? ", SoftRoCE lab" : ""));
        }
        b.append('\n');
        if (!r.identity.isEmpty()) {
            b.append("**Identity** (what the testbed says is under test):\n\n| fact | value |\n|---|---|\n");
            new TreeMap<>(r.identity).forEach((k, v) -> b.append("| ").append(esc(k)).append(" | ").append(esc(v)).append(" |\n"));
            b.append('\n');
        }

        Map<String, Integer> counts = new TreeMap<>();
        r.results.forEach(x -> counts.merge(x.verdict().wire(), 1, Integer::sum));
        b.append("## Verdicts\n\n| verdict | scenarios |\n|---|---|\n");
        for (Verdict v : Verdict.values()) {
            if (counts.containsKey(v.wire())) {
                b.append("| ").append(v.wire()).append(" | ").append(counts.get(v.wire())).append(" |\n");
            }
        }
        b.append("| total | ").append(r.results.size()).append(" |\n\n");

        if (r.certification != null && !r.certification.reasons().isEmpty()) {
            b.append("## Why\n\n");
            r.certification.reasons().forEach(x -> b.append("- ").append(x).append('\n'));
            b.append('\n');
        }
        if (r.certification != null && !r.certification.excused().isEmpty()) {
            b.append("## Unsupported, allowed\n\n");
            r.certification.excused().forEach(x -> b.append("- ").append(x).append('\n'));
            b.append('\n');
        }

        List<ScenarioResult> notPassed = r.results.stream().filter(x -> x.verdict() != Verdict.PASSED).toList();
        if (!notPassed.isEmpty()) {
            b.append("## Scenarios that did not pass\n\n| scenario | verdict | clauses | reason |\n|---|---|---|---|\n");
            for (ScenarioResult s : notPassed) {
                b.append("| `").append(s.id()).append("` ").append(esc(s.name())).append(" | ").append(s.verdict().wire())
                        .append(s.reasonCode() == null ? "" : " (" + s.reasonCode() + ")").append(" | ")
                        .append(String.join(", ", s.clauses())).append(" | ").append(esc(firstLine(s.reason()))).append(" |\n");
            }
            b.append('\n');
        }

        conditions(b, r.results);

        WaiverEngine.Outcome w = r.waivers;
        if (w != null) {
            waivers(b, "Vendor waivers applied", w.applied(Waiver.VENDOR));
            waivers(b, "Known defects of the kit applied", w.applied(Waiver.KIT_DEFECT));
            waivers(b, "Expired waivers (the verdict stands)", w.expired());
            if (!w.unused().isEmpty()) {
                b.append("## Waivers that covered nothing in this run\n\n");
                w.unused().forEach(x -> b.append("- ").append(x.id()).append(" (").append(x.kind()).append(", ")
                        .append(x.scope()).append(", ").append(x.issue()).append(")\n"));
                b.append('\n');
            }
        }

        b.append("## Declared versus observed\n\n");
        if (!r.probesRan) {
            b.append("Not probed in this run.\n\n");
        } else {
            b.append("| probe | severity | declared | observed | finding |\n|---|---|---|---|---|\n");
            for (Finding f : r.findings) {
                b.append("| ").append(f.id()).append(" | ").append(f.severity()).append(" | ").append(esc(nz(f.declared())))
                        .append(" | ").append(esc(nz(f.observed()))).append(" | ").append(esc(f.detail())).append(" |\n");
            }
            b.append('\n');
        }

        if (r.regression != null) {
            Regression.Result g = r.regression;
            b.append("## Regression against ").append(g.baseline().path()).append("\n\n");
            b.append("Baseline: ").append(nz(g.baseline().providerName())).append(' ').append(nz(g.baseline().providerVersion()))
                    .append(", kit ").append(nz(g.baseline().kitVersion())).append(", started ").append(nz(g.baseline().started()))
                    .append(". Unchanged: ").append(g.unchanged()).append(".\n\n");
            changes(b, "New failures", g.newFailures());
            changes(b, "New passes", g.newPasses());
            changes(b, "Other changed verdicts", g.changed());
            changes(b, "Added scenarios", g.added());
            changes(b, "Removed scenarios", g.removed());
        }

        if (!r.killMatrices.isEmpty()) {
            b.append("## What the kit catches (seeded defects)\n\n| inner provider | defects | triggered | caught | survived | not triggered |\n|---|---|---|---|---|---|\n");
            for (JsonNode m : r.killMatrices) {
                JsonNode t = m.path("totals");
                b.append("| ").append(m.path("inner").path("name").asText()).append(' ').append(m.path("inner").path("version").asText())
                        .append(m.path("inner").path("through").asText("").startsWith("ndk.wire") ? " (through ndk.wire)" : "")
                        .append(" | ").append(t.path("defects").asLong()).append(" | ").append(t.path("triggered").asLong())
                        .append(" | ").append(t.path("caught").asLong()).append(" | ").append(t.path("survived").asLong())
                        .append(" | ").append(t.path("notTriggered").asLong()).append(" |\n");
            }
            b.append('\n');
        }

        b.append("## Clauses\n\n| clause | level | verdict | scenarios |\n|---|---|---|---|\n");
        if (r.certification != null) {
            r.certification.clauses().values().forEach(c -> b.append("| ").append(c.id()).append(" | ").append(c.level())
                    .append(" | ").append(c.verdict() == null ? "not selected" : c.verdict().wire())
                    .append(c.ok() ? "" : " ✗").append(" | ").append(c.scenarios().size()).append(" |\n"));
        }
        b.append('\n');
        b.append("## Preflight\n\n");
        r.hostChecks.forEach(c -> b.append("- cli ").append(c.get("name")).append(": ").append(c.get("status"))
                .append(" - ").append(c.get("detail")).append('\n'));
        if (r.preflight != null) {
            r.preflight.path("checks").forEach(c -> b.append("- suite ").append(c.path("name").asText()).append(": ")
                    .append(c.path("status").asText()).append(" - ").append(c.path("detail").asText()).append('\n'));
        }
        b.append("\nSpec files (SHA-256):\n\n");
        r.spec.fileHashes().forEach((n, h) -> b.append("- `").append(h).append("` ").append(n).append('\n'));
        return b.toString();
    }

    /** Which scenarios used a lab condition, and whether the testbed produced it for real or injected it. */
    private static void conditions(StringBuilder b, List<ScenarioResult> results) {
        List<ScenarioResult> used = results.stream().filter(x -> !x.conditions().isEmpty()).toList();
        if (used.isEmpty()) {
            return;
        }
        Map<String, Integer> methods = new TreeMap<>();
        used.forEach(x -> x.conditions().forEach(c -> methods.merge(method(c), 1, Integer::sum)));
        b.append("## How lab conditions were produced\n\n").append(used.size()).append(" scenario(s) used a lab condition (")
                .append(String.join(", ", methods.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()))
                .append("; `real-limit`: the device or system really ran out, `injected`: the provider's allocations were "
                        + "failed on purpose, `undeclared`: the testbed did not say).\n\n")
                .append("| scenario | verdict | condition | where | method | how |\n|---|---|---|---|---|---|\n");
        for (ScenarioResult s : used) {
            for (LabConditionUse c : s.conditions()) {
                b.append("| `").append(s.id()).append("` ").append(esc(s.name())).append(" | ").append(s.verdict().wire())
                        .append(" | ").append(esc(c.condition())).append(" | ").append(esc(c.where())).append(" | ")
                        .append(method(c)).append(" | ").append(esc(nz(c.detail()))).append(" |\n");
            }
        }
        b.append('\n');
    }

    private static String method(LabConditionUse c) {
        return c.method() == null ? "undeclared" : c.method();
    }

    private static void waivers(StringBuilder b, String title, List<WaiverEngine.Use> uses) {
        if (uses.isEmpty()) {
            return;
        }
        b.append("## ").append(title).append("\n\n| waiver | scenario | was | scope | provider | reason | issue | expires |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (WaiverEngine.Use u : uses) {
            Waiver w = u.waiver();
            b.append("| ").append(w.id()).append(" | `").append(u.scenarioId()).append("` | ").append(u.originalVerdict().wire())
                    .append(" | ").append(w.scope()).append(" | ").append(w.provider()).append(' ').append(w.versions())
                    .append(" | ").append(esc(w.reason())).append(" | ").append(w.issue()).append(" | ").append(w.expires())
                    .append(" |\n");
        }
        b.append('\n');
    }

    private static void changes(StringBuilder b, String title, List<Regression.Change> cs) {
        b.append("### ").append(title).append(" (").append(cs.size()).append(")\n\n");
        for (Regression.Change c : cs) {
            b.append("- `").append(c.id()).append("` ").append(esc(c.name())).append(": ")
                    .append(c.baseline() == null ? "(absent)" : c.baseline().wire()).append(" → ")
                    .append(c.current() == null ? "(absent)" : c.current().wire()).append('\n');
        }
        b.append('\n');
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(esc(v)).append(" |\n");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
