package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.bundle.Bundle;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.exec.Outcomes;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.report.AllureSupport;
import org.ndkkit.cli.report.JunitReport;
import org.ndkkit.cli.report.MarkdownReport;
import org.ndkkit.cli.spec.Spec;
import picocli.CommandLine;

/**
 * The lab conditions each scenario used (from the steps' attachment, through the progress log) and
 * the testbed's identity facts (from the preflight): in summary.json, summary.md and the JUnit XML,
 * and held by verify against the bundled progress log and preflight.json, and against the facts an
 * authority requires.
 */
class ConditionsAndIdentityTest {
    static final Instant FINISHED = Instant.parse("2030-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private static Spec.Scenario scenarioOf(String clause) {
        return JudgingTest.SPEC.scenarios().stream()
                .filter(s -> s.clauses().contains(clause)).findFirst().orElseThrow();
    }

    private static JsonNode entry(JsonNode summary, String id) {
        for (JsonNode s : summary.path("scenarios")) {
            if (s.path("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no scenario " + id);
    }

    // ------------------------------------------------------------------ from the progress log to the reports

    @Test
    void aScenarioFinishedEventsConditionsBecomeTheResultsAndNoneIsEmpty() throws Exception {
        List<Spec.Scenario> sel = JudgingTest.SPEC.scenarios().subList(0, 2);
        List<JsonNode> events = List.of(
                SampleRun.JSON.readTree("{\"event\":\"scenario-finished\",\"id\":\"" + sel.get(0).id() + "\",\"verdict\":\"passed\","
                        + "\"durationMillis\":4,\"conditions\":[{\"condition\":\"resource-exhaustion\",\"host\":\"LOCAL\","
                        + "\"method\":\"injected\",\"detail\":\"rdma_create_id fails with ENOMEM\",\"extra\":1},"
                        + "{\"condition\":\"ephemeral-ports-exhausted\",\"address\":\"198.18.0.1\",\"method\":\"real-limit\"}]}"),
                SampleRun.JSON.readTree("{\"event\":\"scenario-finished\",\"id\":\"" + sel.get(1).id()
                        + "\",\"verdict\":\"passed\",\"durationMillis\":4}"));
        List<ScenarioResult> rs = Outcomes.assemble(sel, events, new Outcomes.RunState(true, null, false, false, false, null, 0, 60));
        assertThat(rs.get(0).conditions()).containsExactly(
                new LabConditionUse("resource-exhaustion", "LOCAL", null, "injected", "rdma_create_id fails with ENOMEM"),
                new LabConditionUse("ephemeral-ports-exhausted", null, "198.18.0.1", "real-limit", null));
        assertThat(rs.get(1).conditions()).isEmpty();
        // a waiver keeps what the scenario used
        assertThat(rs.get(0).withVerdict(Verdict.WAIVED, "waived", "W-1").conditions()).isEqualTo(rs.get(0).conditions());
    }

    @Test
    void summaryJsonCarriesEachScenariosConditionsAndTheProvidersIdentity() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        ObjectNode s = run.summary();
        JsonNode exhausted = entry(s, scenarioOf(SampleRun.EXHAUSTION_CLAUSE).id());
        assertThat(exhausted.path("conditions").toString()).isEqualTo("[{\"condition\":\"resource-exhaustion\",\"host\":\"LOCAL\","
                + "\"method\":\"injected\",\"detail\":\"rdma_create_id and rdma_connect on the LOCAL adapter fail with ENOMEM\"}]");
        assertThat(entry(s, scenarioOf(SampleRun.PORTS_CLAUSE).id()).path("conditions").toString())
                .isEqualTo("[{\"condition\":\"ephemeral-ports-exhausted\",\"address\":\"198.18.0.1\",\"method\":\"real-limit\","
                        + "\"detail\":\"every port of 49152-65535 on 198.18.0.1 is bound\"}]");
        assertThat(entry(s, scenarioOf("CSE-SUCCESS").id()).path("conditions").toString()).isEqualTo("[]");
        // sorted by key, every fact a string
        List<String> keys = new ArrayList<>();
        s.path("provider").path("identity").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("driver", "kernel", "local.device", "local.firmware", "peer.device");
        assertThat(s.path("provider").path("identity").path("local.firmware").asText()).isEqualTo("2.1.7");

        run.record.identity.clear();
        assertThat(run.summary().path("provider").path("identity").isObject()).isTrue();
        assertThat(run.summary().path("provider").path("identity")).isEmpty();
    }

    @Test
    void summaryMdSaysHowEachConditionWasProducedAndListsTheIdentity() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        String md = MarkdownReport.render(run.record);
        Spec.Scenario ex = scenarioOf(SampleRun.EXHAUSTION_CLAUSE);
        assertThat(md).contains("**Identity** (what the testbed says is under test):", "| local.firmware | 2.1.7 |",
                "| driver | rdma_rxe |", "## How lab conditions were produced",
                "3 scenario(s) used a lab condition (2 injected, 1 real-limit;",
                "| `" + ex.id() + "` " + ex.name() + " | passed | resource-exhaustion | LOCAL | injected | rdma_create_id and "
                        + "rdma_connect on the LOCAL adapter fail with ENOMEM |",
                "| ephemeral-ports-exhausted | 198.18.0.1 | real-limit |");

        run.record.identity.clear();
        run.record.results = JudgingTest.allPassed();
        String none = MarkdownReport.render(run.record);
        assertThat(none).contains("| Identity | the provider declares none |").doesNotContain("**Identity**",
                "How lab conditions were produced");
    }

    @Test
    void theJunitXmlHasAPropertyPerCondition() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        Path xml = dir.resolve("junit.xml");
        JunitReport.write(run.record, xml);
        String x = Files.readString(xml);
        assertThat(x).contains("<property name=\"labCondition\" value=\"resource-exhaustion on LOCAL, injected: rdma_create_id "
                + "and rdma_connect on the LOCAL adapter fail with ENOMEM\"/>",
                "<property name=\"labCondition\" value=\"ephemeral-ports-exhausted on 198.18.0.1, real-limit: every port of "
                        + "49152-65535 on 198.18.0.1 is bound\"/>");
        assertThat(x.split("name=\"labCondition\"", -1)).hasSize(4);
    }

    @Test
    void allureGetsALabelPerConditionAndTheIdentityInItsEnvironment() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        Spec.Scenario ex = scenarioOf(SampleRun.EXHAUSTION_CLAUSE);
        Path results = Files.createDirectories(dir.resolve("allure-results"));
        ObjectNode result = SampleRun.JSON.createObjectNode().put("uuid", "u1").put("name", ex.name());
        result.putArray("labels").addObject().put("name", AllureSupport.SCENARIO_LABEL).put("value", ex.id());
        SampleRun.JSON.writeValue(results.resolve("u1-result.json").toFile(), result);
        Map<String, Spec.Scenario> byId = new java.util.LinkedHashMap<>();
        JudgingTest.SPEC.scenarios().forEach(x -> byId.put(x.id(), x));
        AllureSupport.enrich(results, run.record, byId);
        JsonNode labels = SampleRun.JSON.readTree(results.resolve("u1-result.json").toFile()).path("labels");
        assertThat(labels.toString()).contains("{\"name\":\"labCondition\",\"value\":\"resource-exhaustion (injected)\"}");
        assertThat(Files.readString(results.resolve("environment.properties"))).contains("identity.local.firmware=2.1.7\n",
                "identity.driver=rdma_rxe\n");
    }

    // ------------------------------------------------------------------ verify: conditions against the progress log

    @Test
    void anUntamperedBundleAgreesOnConditionsAndIdentity() throws Exception {
        new SampleRun(FINISHED, "2030-12-31").writeBundle(dir.resolve("b"), null);
        BundleVerifier.Report r = BundleVerifier.verify(dir.resolve("b"), null, false, null);
        assertThat(r.ok()).as(r.checks().toString()).isTrue();
        assertThat(check(r, "evidence").detail()).contains("lab conditions");
        assertThat(check(r, "identity-facts").detail()).isEqualTo("provider.identity: 5 fact(s), as evidence/preflight.json "
                + "records them");
    }

    @Test
    void aConditionsMethodRewrittenInSummaryJsonContradictsTheProgressLog() throws Exception {
        String id = scenarioOf(SampleRun.EXHAUSTION_CLAUSE).id();
        BundleVerifier.Report r = tampered(s -> ((ObjectNode) entry(s, id).path("conditions").get(0)).put("method", "real-limit"));
        assertRejected(r, "evidence", "summary.json: scenarios[" + id + "].conditions is [resource-exhaustion on LOCAL, "
                + "real-limit: rdma_create_id and rdma_connect on the LOCAL adapter fail with ENOMEM] but "
                + "evidence/progress.ndjson records [resource-exhaustion on LOCAL, injected: rdma_create_id");
    }

    @Test
    void conditionsLeftOutOfSummaryJsonOrAddedToItAreRejectedNamingTheScenario() throws Exception {
        String ports = scenarioOf(SampleRun.PORTS_CLAUSE).id();
        BundleVerifier.Report removed = tampered(s -> ((ArrayNode) entry(s, ports).path("conditions")).removeAll());
        assertRejected(removed, "evidence", "summary.json: scenarios[" + ports + "].conditions is none but "
                + "evidence/progress.ndjson records [ephemeral-ports-exhausted on 198.18.0.1, real-limit");

        String plain = scenarioOf("CSE-SUCCESS").id();
        BundleVerifier.Report added = tampered(s -> ((ArrayNode) entry(s, plain).path("conditions")).addObject()
                .put("condition", "resource-exhaustion").put("host", "PEER").put("method", "real-limit"));
        assertRejected(added, "evidence", "summary.json: scenarios[" + plain + "].conditions is [resource-exhaustion on PEER, "
                + "real-limit] but evidence/progress.ndjson records none");
    }

    @Test
    void conditionsForAScenarioNoProgressLogReportedAreRejected() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        String id = scenarioOf(SampleRun.EXHAUSTION_CLAUSE).id();
        Bundle b = run.bundle();
        // the suite's log without that scenario's verdict (as when the process died during it)
        String log = new String(run.progressLog(), java.nio.charset.StandardCharsets.UTF_8);
        b.add("evidence/progress.ndjson", String.join("\n", log.lines().filter(l -> !l.contains("\"" + id + "\"")).toList())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.write(dir.resolve("c"), FINISHED, null);
        BundleVerifier.Report r = BundleVerifier.verify(dir.resolve("c"), null, false, null);
        assertRejected(r, "evidence", "summary.json: scenarios[" + id + "].conditions is [resource-exhaustion on LOCAL, "
                + "injected: rdma_create_id and rdma_connect on the LOCAL adapter fail with ENOMEM] but no progress log in the "
                + "bundle records a verdict for it");
    }

    // ------------------------------------------------------------------ verify: identity against preflight.json

    @Test
    void anIdentityFactChangedAddedOrDroppedInSummaryJsonIsRejectedNamingTheKey() throws Exception {
        BundleVerifier.Report changed = tampered(s -> identity(s).put("local.firmware", "2.2.0"));
        assertRejected(changed, "identity-facts", "summary.json: provider.identity.local.firmware is \"2.2.0\" but "
                + "evidence/preflight.json records \"2.1.7\"");
        BundleVerifier.Report added = tampered(s -> identity(s).put("peer.firmware", "2.1.7"));
        assertRejected(added, "identity-facts", "summary.json: provider.identity.peer.firmware is \"2.1.7\" but "
                + "evidence/preflight.json has no such fact");
        BundleVerifier.Report dropped = tampered(s -> identity(s).remove("driver"));
        assertRejected(dropped, "identity-facts", "summary.json: provider.identity has no driver but evidence/preflight.json "
                + "records \"rdma_rxe\"");
    }

    @Test
    void identityFactsWithoutThePreflightTheyComeFromAreRejected() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        run.withPreflight = false;
        run.writeBundle(dir.resolve("np"), null);
        BundleVerifier.Report r = BundleVerifier.verify(dir.resolve("np"), null, false, null);
        assertRejected(r, "identity-facts", "summary.json: provider.identity records 5 fact(s) but the bundle has no "
                + "evidence/preflight.json, where they come from");

        // a testbed that declared nothing, and no preflight in the bundle: nothing claimed, nothing to hold it to
        run.record.identity.clear();
        run.writeBundle(dir.resolve("ne"), null);
        BundleVerifier.Check c = check(BundleVerifier.verify(dir.resolve("ne"), null, false, null), "identity-facts");
        assertThat(c.ok()).as(c.detail()).isTrue();
        assertThat(c.detail()).isEqualTo("no identity recorded (the bundle has no evidence/preflight.json)");
    }

    // ------------------------------------------------------------------ verify --require-identity

    @Test
    void requiredFactsHoldOrFailNamingTheKey() throws Exception {
        new SampleRun(FINISHED, "2030-12-31").writeBundle(dir.resolve("b"), null);
        BundleVerifier.Report ok = BundleVerifier.verify(dir.resolve("b"), null, false, null, null, List.of(),
                Map.of("local.firmware", "2.1.7", "driver", "rdma_rxe"));
        assertThat(ok.ok()).as(ok.checks().toString()).isTrue();
        assertThat(check(ok, "require-identity").detail()).isEqualTo("driver = \"rdma_rxe\", local.firmware = \"2.1.7\" as required");

        BundleVerifier.Report bad = BundleVerifier.verify(dir.resolve("b"), null, false, null, null, List.of(),
                Map.of("local.firmware", "2.1.8", "peer.firmware", "2.1.7"));
        assertThat(bad.ok()).isFalse();
        assertThat(check(bad, "require-identity").detail()).isEqualTo("local.firmware is \"2.1.7\", required \"2.1.8\"; "
                + "peer.firmware is not recorded (provider.identity has no such fact), required \"2.1.7\"");
        // without the option there is no such check
        assertThat(BundleVerifier.verify(dir.resolve("b"), null, false, null).checks())
                .extracting(BundleVerifier.Check::name).doesNotContain("require-identity");
    }

    @Test
    void verifyRequireIdentityOnTheCommandLine() throws Exception {
        new SampleRun(FINISHED, "2030-12-31").writeBundle(dir.resolve("b"), null);
        String[] held = cli("verify", dir.resolve("b").toString(), "--require-identity", "local.firmware=2.1.7");
        assertThat(held[0]).as(held[1]).isEqualTo("0");
        assertThat(held[1]).contains("ok    require-identity local.firmware = \"2.1.7\" as required", "bundle OK");
        String[] differs = cli("verify", dir.resolve("b").toString(), "--require-identity", "local.firmware=2.1.8",
                "--require-identity", "kernel=6.1.0-28-amd64");
        assertThat(differs[0]).as(differs[1]).isEqualTo("1");
        assertThat(differs[1]).contains("FAIL  require-identity local.firmware is \"2.1.7\", required \"2.1.8\"",
                "bundle REJECTED").doesNotContain("kernel is");
        String[] usage = cli("verify", dir.resolve("b").toString(), "--require-identity", "=2.1.7");
        assertThat(usage[0]).as(usage[1]).isEqualTo("2");
        assertThat(cli("verify", "--help")[1]).contains("--require-identity=KEY=VALUE", "identity-facts");
    }

    // ------------------------------------------------------------------ helpers

    private static ObjectNode identity(ObjectNode summary) {
        return (ObjectNode) summary.path("provider").path("identity");
    }

    private static String[] cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = NdkCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int exit = cl.execute(args);
        return new String[] {Integer.toString(exit), out.toString()};
    }

    /** The sample run's bundle with summary.json changed (manifest rebuilt, as a vendor re-signing it would). */
    private BundleVerifier.Report tampered(Consumer<ObjectNode> change) throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        ObjectNode s = run.summary();
        change.accept(s);
        Path out = Files.createTempDirectory(dir, "t");
        run.writeBundle(out, SampleRun.JSON.writeValueAsBytes(s), null);
        return BundleVerifier.verify(out, null, false, null);
    }

    private static BundleVerifier.Check check(BundleVerifier.Report r, String name) {
        return r.checks().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no check " + name + " in " + r.checks()));
    }

    private static void assertRejected(BundleVerifier.Report r, String failing, String... details) {
        assertThat(r.ok()).as(r.checks().toString()).isFalse();
        assertThat(check(r, "manifest").ok()).isTrue();
        BundleVerifier.Check f = check(r, failing);
        assertThat(f.ok()).as(f.toString()).isFalse();
        assertThat(f.detail()).contains(details);
    }
}
