package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.bundle.Keys;
import org.ndkkit.cli.eval.Certification;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.report.MarkdownReport;

/**
 * Statuses and exit codes of judged runs, and verify judging a bundle again: a summary.json changed
 * and signed again with the vendor's own key is rejected, naming the field that no longer follows
 * from the bundle's evidence.
 */
class RejudgeTest {
    static final Instant FINISHED = Instant.parse("2030-06-01T12:00:00Z");

    @TempDir
    Path dir;
    KeyPair kp;
    Keys.SigningKey key;

    @BeforeEach
    void key() throws Exception {
        kp = KeyPairGenerator.getInstance("EC").generateKeyPair();
        Path keyFile = dir.resolve("vendor.key.pem");
        Files.writeString(keyFile, Keys.toPem(kp.getPrivate()) + Keys.toPem(kp.getPublic()));
        key = Keys.load(keyFile, null);
    }

    // ------------------------------------------------------------------ statuses and exit codes

    @Test
    void aRunThatNeededAWaiverIsCertifiedWithWaiversAndExitsThreeListingTheWaiver() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        assertThat(run.record.status).isEqualTo(Certification.CERTIFIED_WITH_WAIVERS);
        assertThat(run.record.exitCode).isEqualTo(3).isEqualTo(ExitCodes.CERTIFIED_WITH_WAIVERS);
        JsonNode used = run.summary().path("verdict").path("waiversUsed");
        assertThat(used).hasSize(1);
        assertThat(used.get(0).path("id").asText()).isEqualTo("ACME-17");
        assertThat(used.get(0).path("clause").asText()).isEqualTo(SampleRun.FAILING_CLAUSE);
        assertThat(used.get(0).path("reason").asText()).isEqualTo("firmware 2.1 answers late");
        assertThat(used.get(0).path("expires").asText()).isEqualTo("2030-12-31");
        assertThat(run.summary().path("waivers").path("evaluatedOn").asText()).isEqualTo("2030-06-01");
        assertThat(MarkdownReport.render(run.record)).contains("**Result: CERTIFIED-WITH-WAIVERS**", "**Waivers used**",
                "ACME-17 (vendor-waiver, clause " + SampleRun.FAILING_CLAUSE + ", expires 2030-12-31");
    }

    @Test
    void theSameRunWithTheWaiverExpiredAtTheRunDateIsNotCertified() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-05-31");
        assertThat(run.record.status).isEqualTo(Certification.NOT_CERTIFIED);
        assertThat(run.record.exitCode).isEqualTo(1);
        assertThat(run.summary().path("verdict").path("waiversUsed")).isEmpty();
    }

    @Test
    void withoutAnyWaiverUsedTheRunIsPlainCertifiedAndExitsZero() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        run.record.results = JudgingTest.allPassed();
        RunCommand.judge(run.record, List.of(), List.of(), null);
        assertThat(run.record.status).isEqualTo(Certification.CERTIFIED);
        assertThat(run.record.exitCode).isZero();
    }

    @Test
    void aRunNarrowedByTagsIsIncompleteAndExitsFourEvenWithAWaiverUsed() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        run.record.selectionComplete = false;
        run.record.results = JudgingTest.allPassed().subList(0, 3);
        RunCommand.judge(run.record, List.of(), List.of(), null);
        assertThat(run.record.status).isEqualTo(Certification.INCOMPLETE);
        assertThat(run.record.exitCode).isEqualTo(4).isEqualTo(ExitCodes.INCOMPLETE);

        List<org.ndkkit.cli.model.ScenarioResult> failedOne = JudgingTest.with(JudgingTest.allPassed(),
                JudgingTest.indexOfClause(SampleRun.FAILING_CLAUSE), Verdict.FAILED, null);
        run.record.results = failedOne;
        RunCommand.judge(run.record, org.ndkkit.cli.waiver.WaiverFile.parse(new java.io.ByteArrayInputStream(run.waiverBytes),
                SampleRun.WAIVER_FILE, org.ndkkit.cli.waiver.Waiver.VENDOR), List.of(), null);
        assertThat(run.record.status).isEqualTo(Certification.INCOMPLETE);
        assertThat(run.record.exitCode).isEqualTo(4);
        assertThat(run.record.results).anyMatch(r -> r.verdict() == Verdict.WAIVED);
    }

    @Test
    void exitCodesOfTheCertificationStatuses() {
        assertThat(ExitCodes.forCertification("certified")).isZero();
        assertThat(ExitCodes.forCertification("not-certified")).isEqualTo(1);
        assertThat(ExitCodes.forCertification("environment-error")).isEqualTo(2);
        assertThat(ExitCodes.forCertification("certified-with-waivers")).isEqualTo(3);
        assertThat(ExitCodes.forCertification("incomplete")).isEqualTo(4);
    }

    // ------------------------------------------------------------------ verify judges again

    @Test
    void anUntamperedSignedBundleVerifiesWithEveryRejudgingCheck() throws Exception {
        new SampleRun(FINISHED, "2030-12-31").writeBundle(dir.resolve("b"), key);
        BundleVerifier.Report r = BundleVerifier.verify(dir.resolve("b"), kp.getPublic(), true, null);
        assertThat(r.ok()).as(r.checks().toString()).isTrue();
        assertThat(r.checks()).extracting(BundleVerifier.Check::name)
                .contains("signature", "manifest", "inputs", "evidence", "waivers", "judgement");
    }

    @Test
    void aRunWhoseWaiverHadExpiredVerifiesAsTheNotCertifiedItIs() throws Exception {
        new SampleRun(FINISHED, "2030-05-31").writeBundle(dir.resolve("b"), key);
        BundleVerifier.Report r = BundleVerifier.verify(dir.resolve("b"), kp.getPublic(), true, null);
        assertThat(r.ok()).as(r.checks().toString()).isTrue();
    }

    @Test
    void aStatusChangedAndSignedAgainWithTheSameKeyIsRejectedNamingTheField() throws Exception {
        BundleVerifier.Report r = tampered(s -> {
            ((ObjectNode) s.path("verdict")).put("status", "certified").put("exitCode", 0);
        });
        assertSignedButRejected(r, "judgement",
                "summary.json: verdict.status is \"certified\" but the bundled results give \"certified-with-waivers\"",
                "summary.json: verdict.exitCode is 0 but the bundled results give 3");
    }

    @Test
    void aVerdictChangedWithItsCountsAndSignedAgainIsRejectedNamingTheScenario() throws Exception {
        String[] id = new String[1];
        BundleVerifier.Report r = tampered(s -> {
            id[0] = unwaive(s, false);
            ObjectNode counts = (ObjectNode) s.path("counts");
            counts.put("passed", counts.path("passed").asInt() + 1).put("waived", counts.path("waived").asInt() - 1);
        });
        assertSignedButRejected(r, "judgement",
                "summary.json: scenarios[" + id[0] + "].verdict is \"passed\" but the bundled results give \"waived\"",
                "summary.json: counts.passed is ");
        // the consistency check alone (counts against scenarios) is satisfied: only judging again catches it
        assertThat(check(r, "summary").ok()).isTrue();
    }

    @Test
    void aRawVerdictRewrittenToPassedContradictsTheProgressLog() throws Exception {
        String[] id = new String[1];
        BundleVerifier.Report r = tampered(s -> id[0] = unwaive(s, true));
        assertSignedButRejected(r, "evidence", "summary.json: scenarios[" + id[0]
                + "].rawVerdict is \"passed\" but evidence/progress.ndjson records \"failed\"");
    }

    @Test
    void aWaiverExpiredAtTheRunDateIsRejected() throws Exception {
        // the waiver runs to 2030-12-31; the summary now claims the run was on 2031-01-15
        BundleVerifier.Report r = tampered(s -> {
            ((ObjectNode) s.path("run")).put("started", "2031-01-15T09:00:00Z").put("finished", "2031-01-15T09:01:00Z");
            ((ObjectNode) s.path("waivers")).put("evaluatedOn", "2031-01-15");
        });
        assertSignedButRejected(r, "waivers", "waiver ACME-17 expired on 2030-12-31, before the run date 2031-01-15");
        assertThat(check(r, "judgement").detail()).contains("summary.json: verdict.status is \"certified-with-waivers\" but "
                + "the bundled results give \"not-certified\"");
    }

    @Test
    void aWaiverRecordedOnAScenarioOutsideItsScopeIsRejected() throws Exception {
        String[] id = new String[1];
        BundleVerifier.Report r = tampered(s -> {
            for (JsonNode x : s.path("scenarios")) {
                if (x.path("verdict").asText().equals("passed")) {
                    id[0] = x.path("id").asText();
                    ((ObjectNode) x).put("verdict", "waived").put("waiver", "ACME-17");
                    break;
                }
            }
            ObjectNode counts = (ObjectNode) s.path("counts");
            counts.put("passed", counts.path("passed").asInt() - 1).put("waived", counts.path("waived").asInt() + 1);
        });
        assertSignedButRejected(r, "waivers", "waiver ACME-17 covers clause " + SampleRun.FAILING_CLAUSE
                + ", which does not match scenario " + id[0]);
    }

    @Test
    void aChangedClauseStandingIsRejectedNamingTheClause() throws Exception {
        BundleVerifier.Report r = tampered(s -> ((ObjectNode) s.path("clauses").path(SampleRun.FAILING_CLAUSE)).put("ok", false));
        assertSignedButRejected(r, "judgement",
                "summary.json: clauses." + SampleRun.FAILING_CLAUSE + ".ok is false but the bundled results give true");
    }

    @Test
    void aWaiverFileChangedInTheBundleNoLongerMatchesItsRecordedHash() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        org.ndkkit.cli.bundle.Bundle b = run.bundle();
        b.add("waivers/" + SampleRun.WAIVER_FILE, new String(run.waiverBytes, java.nio.charset.StandardCharsets.UTF_8)
                .replace("2030-12-31", "2099-12-31").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.write(dir.resolve("w"), FINISHED, key);
        BundleVerifier.Report r = BundleVerifier.verify(dir.resolve("w"), kp.getPublic(), true, null);
        assertSignedButRejected(r, "inputs", "waivers.files[0]: waivers/" + SampleRun.WAIVER_FILE + " has SHA-256 ");
    }

    // ------------------------------------------------------------------ helpers

    /** The sample run's bundle with summary.json changed, manifest rebuilt and signed again with the same key. */
    private BundleVerifier.Report tampered(Consumer<ObjectNode> change) throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        ObjectNode s = run.summary();
        change.accept(s);
        run.writeBundle(dir.resolve("t"), SampleRun.JSON.writeValueAsBytes(s), key);
        return BundleVerifier.verify(dir.resolve("t"), kp.getPublic(), true, null);
    }

    /** Turns the waived scenario into passed (its raw verdict too when {@code raw}); returns its id. */
    private static String unwaive(ObjectNode s, boolean raw) {
        for (JsonNode x : s.path("scenarios")) {
            if (x.path("verdict").asText().equals("waived")) {
                ObjectNode sc = ((ObjectNode) x).put("verdict", "passed").putNull("waiver");
                if (raw) {
                    sc.put("rawVerdict", "passed");
                }
                return sc.path("id").asText();
            }
        }
        throw new AssertionError("the sample run has no waived scenario");
    }

    private static BundleVerifier.Check check(BundleVerifier.Report r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + r.checks()));
    }

    private static void assertSignedButRejected(BundleVerifier.Report r, String failing, String... details) {
        assertThat(r.ok()).as(r.checks().toString()).isFalse();
        for (String c : List.of("sha256", "signature", "manifest")) {
            assertThat(check(r, c).ok()).as(c + ": " + check(r, c).detail()).isTrue();
        }
        BundleVerifier.Check f = check(r, failing);
        assertThat(f.ok()).as(f.toString()).isFalse();
        assertThat(f.detail()).contains(details);
    }
}
