package org.ndkkit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.ndkkit.cli.bundle.Bundle;
import org.ndkkit.cli.bundle.Keys;
import org.ndkkit.cli.eval.Profile;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.report.Artifacts;
import org.ndkkit.cli.report.RunRecord;
import org.ndkkit.cli.report.SummaryJson;
import org.ndkkit.cli.spec.Spec;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverFile;

/**
 * A certification run made by hand and judged by the CLI's own judging (no suite process): every
 * scenario of the spec passed except the one of {@link #FAILING_CLAUSE}, which failed and which a
 * vendor waiver covers until {@code expires}. Its testbed declares {@link #IDENTITY}, and three
 * scenarios used lab conditions ({@link #conditionsOf}). Its bundle holds what a real run's does for
 * judging: summary.json, the spec, the waiver file, the kit's known defects, the progress log and
 * the preflight.
 */
final class SampleRun {
    static final String FAILING_CLAUSE = "CSE-REFUSED-NO-LISTENER";
    static final String WAIVER_FILE = "vendor-waivers.yaml";
    /** A scenario whose local adapter's resources are exhausted (injected), and one whose ephemeral ports are (really). */
    static final String EXHAUSTION_CLAUSE = "CSE-INSUFFICIENT-RESOURCES";
    static final String PORTS_CLAUSE = "SE-TOO-MANY-ADDRESSES";
    /** What the sample's testbed says is under test. */
    static final java.util.Map<String, String> IDENTITY = java.util.Map.of("local.device", "rxe0", "local.firmware", "2.1.7",
            "peer.device", "rxe0", "driver", "rdma_rxe", "kernel", "6.1.0-28-amd64");
    static final ObjectMapper JSON = new ObjectMapper();

    final Spec spec = JudgingTest.SPEC;
    final RunRecord record = new RunRecord();
    final byte[] waiverBytes;
    final byte[] kitDefects;
    /** Whether the bundle holds the suite's preflight.json (a run that stopped before its preflight has none). */
    boolean withPreflight = true;

    /** {@code finished}: when the run finished (its date is the run date); {@code expires}: the waiver's last day. */
    SampleRun(Instant finished, String expires) throws IOException {
        waiverBytes = ("waivers:\n  - id: ACME-17\n    clause: " + FAILING_CLAUSE + "\n    provider: acme\n"
                + "    versions: \"[2.0,3.0)\"\n    reason: firmware 2.1 answers late\n"
                + "    issue: https://bugs.example.com/ACME-17\n    expires: " + expires + "\n").getBytes(StandardCharsets.UTF_8);
        try (InputStream in = RunCommand.class.getResourceAsStream("kit-known-defects.yaml")) {
            kitDefects = in.readAllBytes();
        }
        RunRecord r = record;
        r.runId = "sample";
        r.kitVersion = "0.1.0";
        r.cliVersion = "0.1.0";
        r.started = finished.minusSeconds(60);
        r.finished = finished;
        r.profile = Profile.CERTIFICATION;
        r.selectionComplete = true;
        r.selectedCount = spec.scenarios().size();
        r.state = "complete";
        r.providerName = "acme";
        r.providerVersion = "2.1";
        r.capabilities = List.of("IPV4", "IPV6", "NDKPI_2_1");
        r.spec = spec;
        r.knownDefectsName = "kit-known-defects.yaml";
        r.knownDefectsSha256 = Hashes.sha256(kitDefects);
        r.kitArtifacts = List.of(new Artifacts.Artifact("ndk-cli.jar", "jar", Hashes.sha256(kitDefects)));
        r.providerArtifacts = List.of(new Artifacts.Artifact("acme-provider.jar", "jar", Hashes.sha256(waiverBytes)));
        r.waiverFiles.put("/vendor/" + WAIVER_FILE, Hashes.sha256(waiverBytes));
        r.waiverEntries.put("/vendor/" + WAIVER_FILE, "waivers/" + WAIVER_FILE);
        r.identity.putAll(IDENTITY);
        List<ScenarioResult> raw = new ArrayList<>();
        for (Spec.Scenario s : spec.scenarios()) {
            Verdict v = s.clauses().contains(FAILING_CLAUSE) ? Verdict.FAILED : Verdict.PASSED;
            raw.add(new ScenarioResult(s.id(), s.feature(), s.line(), s.name(), s.clauses(), v, v, null,
                    v == Verdict.PASSED ? null : "no NDK_REFUSED within 5000 ms", 3, null, conditionsOf(s.clauses())));
        }
        r.results = raw;
        RunCommand.judge(r, WaiverFile.parse(new ByteArrayInputStream(waiverBytes), WAIVER_FILE, Waiver.VENDOR),
                WaiverFile.parse(new ByteArrayInputStream(kitDefects), r.knownDefectsName, Waiver.KIT_DEFECT), null);
    }

    /** The lab conditions the sample's scenarios used: resource exhaustion injected, ephemeral ports really taken. */
    static List<LabConditionUse> conditionsOf(List<String> clauses) {
        if (clauses.contains(EXHAUSTION_CLAUSE) || clauses.contains("SE-INSUFFICIENT-RESOURCES")) {
            return List.of(new LabConditionUse("resource-exhaustion", "LOCAL", null, "injected",
                    "rdma_create_id and rdma_connect on the LOCAL adapter fail with ENOMEM"));
        }
        if (clauses.contains(PORTS_CLAUSE)) {
            return List.of(new LabConditionUse("ephemeral-ports-exhausted", null, "198.18.0.1", "real-limit",
                    "every port of 49152-65535 on 198.18.0.1 is bound"));
        }
        return List.of();
    }

    /** The suite's preflight.json, as far as verify reads it: its status and the testbed's identity. */
    byte[] preflight() throws IOException {
        ObjectNode pf = JSON.createObjectNode();
        pf.putArray("checks");
        pf.set("identity", JSON.valueToTree(new java.util.TreeMap<>(record.identity)));
        pf.put("status", "ok");
        return JSON.writeValueAsBytes(pf);
    }

    ObjectNode summary() {
        return SummaryJson.build(record);
    }

    /** The suite's progress log: one scenario-finished event per scenario, with its raw verdict. */
    byte[] progressLog() throws IOException {
        StringBuilder b = new StringBuilder();
        for (ScenarioResult s : record.results) {
            ObjectNode e = JSON.createObjectNode().put("event", "scenario-finished").put("id", s.id())
                    .put("verdict", s.rawVerdict().wire()).put("reason", s.reason()).put("durationMillis", 3);
            if (!s.conditions().isEmpty()) {
                e.set("conditions", LabConditionUse.toJson(s.conditions()));
            }
            b.append(JSON.writeValueAsString(e)).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The bundle with this summary.json (as given, so a test can change it), signed with {@code key} when given. */
    Bundle.Written writeBundle(Path dir, byte[] summaryJson, Keys.SigningKey key) throws IOException, GeneralSecurityException {
        return bundle(summaryJson).write(dir, record.finished, key);
    }

    /** The bundle's entries, with this summary.json. */
    Bundle bundle(byte[] summaryJson) throws IOException {
        Bundle b = new Bundle();
        b.add("summary.json", summaryJson);
        b.add("evidence/progress.ndjson", progressLog());
        if (withPreflight) {
            b.add("evidence/preflight.json", preflight());
        }
        b.add("waivers/" + WAIVER_FILE, waiverBytes);
        b.add("waivers/" + record.knownDefectsName, kitDefects);
        for (String name : spec.fileHashes().keySet()) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(Spec.DIR + "/" + name)) {
                b.add("spec/" + name, in.readAllBytes());
            }
        }
        return b;
    }

    Bundle bundle() throws IOException {
        return bundle(JSON.writeValueAsBytes(summary()));
    }

    Bundle.Written writeBundle(Path dir, Keys.SigningKey key) throws IOException, GeneralSecurityException {
        return writeBundle(dir, JSON.writeValueAsBytes(summary()), key);
    }
}
