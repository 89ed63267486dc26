package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.compare.CallOutcomes;
import picocli.CommandLine;

/** {@code ndk-cli compare}: two runs' SPI call traces, call by call, from small synthetic Cucumber messages. */
class CompareTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ fixtures

    /** A trace line as the kit writes it. */
    static String line(int n, String kind, String text) {
        return String.format("%5d  + %8.3f ms  %-8s [%s] %s", n, 10.0 + n * 7.31, kind,
                kind.equals("callback") ? "ndk-remote-callback-" + (n % 3 + 1) : "main", text);
    }

    /** Trace lines from "call ...", "callback ..." and "note ..." items, numbered. */
    static String trace(String... items) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < items.length; i++) {
            int sp = items[i].indexOf(' ');
            b.append(line(i + 1, items[i].substring(0, sp), items[i].substring(sp + 1))).append('\n');
        }
        return b.toString();
    }

    /** The trace of a plain connect and close, with this close of C1 and these ports. */
    static String connectTrace(int sePort, int lPort, String... closeC1) {
        List<String> l = new ArrayList<>(List.of(
                "call NdkCreateListener(L) -> STATUS_SUCCESS (0x00000000)",
                "call NdkListen(L, 198.18.1.1:0) -> STATUS_SUCCESS (0x00000000)",
                "note NdkGetListenerLocalAddress(L) = 198.18.1.1:" + lPort,
                "call NdkCreateSharedEndpoint(SE, 198.18.0.1:0) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCreateConnector(C1) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCreateQp(C1) -> STATUS_SUCCESS (0x00000000)",
                "call NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:" + sePort + " -> 198.18.1.1:" + lPort
                        + ", in 128, out 128, 0 bytes) -> STATUS_PENDING (0x00000103)",
                "callback connect event on L",
                "call NdkAccept(P1, in 128, out 128, 0 bytes) -> STATUS_PENDING (0x00000103)",
                "callback NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:" + sePort + " -> 198.18.1.1:" + lPort
                        + ", in 128, out 128, 0 bytes) completion(context=ctx#" + (sePort % 97) + ", STATUS_SUCCESS (0x00000000))",
                "note NdkConnectWithSharedEndpoint of C1: STATUS_SUCCESS (0x00000000) through the completion as expected"));
        l.addAll(List.of(closeC1));
        l.add("call NdkCloseObject(QP-C1) -> STATUS_SUCCESS (0x00000000)");
        l.add("note leak check: every resource count back at its value before the scenario");
        return trace(l.toArray(String[]::new));
    }

    static final String[] CLOSE_PENDING = {"call NdkCloseObject(C1) -> STATUS_PENDING (0x00000103)",
        "callback NdkCloseObject(C1) completion(context=ctx#18)"};
    static final String[] CLOSE_INLINE = {"call NdkCloseObject(C1) -> STATUS_SUCCESS (0x00000000)"};

    record Sc(String feature, int line, String name, String verdict, String reasonCode, String trace) {
    }

    /** A run's output folder: cucumber/messages.ndjson (Gherkin documents, pickles, test cases, traces) and summary.json. */
    static final class Run {
        final List<Sc> scenarios = new ArrayList<>();
        boolean summary = true;

        Run add(String feature, int line, String name, String verdict, String trace) {
            scenarios.add(new Sc(feature, line, name, verdict, verdict.equals("unsupported") ? "no-ipv6" : null, trace));
            return this;
        }

        List<String> messages() {
            List<String> out = new ArrayList<>();
            Map<String, List<Sc>> byFeature = new LinkedHashMap<>();
            scenarios.forEach(s -> byFeature.computeIfAbsent(s.feature(), k -> new ArrayList<>()).add(s));
            out.add("{\"meta\":{\"protocolVersion\":\"27.0.0\"}}");
            Map<Sc, String> astIds = new LinkedHashMap<>();
            for (Map.Entry<String, List<Sc>> f : byFeature.entrySet()) {
                ObjectNode doc = JSON.createObjectNode();
                ObjectNode g = doc.putObject("gherkinDocument");
                g.put("uri", "classpath:ndk/features/" + f.getKey());
                ObjectNode feature = g.putObject("feature");
                feature.putObject("location").put("line", 1).put("column", 1);
                ArrayNode children = feature.putArray("children");
                for (Sc s : f.getValue()) {
                    String id = UUID.randomUUID().toString();
                    astIds.put(s, id);
                    ObjectNode sc = children.addObject().putObject("scenario");
                    sc.put("id", id).put("name", s.name());
                    sc.putObject("location").put("line", s.line()).put("column", 3);
                }
                out.add(doc.toString());
            }
            List<String[]> started = new ArrayList<>();
            for (Sc s : scenarios) {
                String pickle = UUID.randomUUID().toString();
                String testCase = UUID.randomUUID().toString();
                ObjectNode p = JSON.createObjectNode();
                p.putObject("pickle").put("id", pickle).put("uri", "classpath:ndk/features/" + s.feature())
                        .put("name", s.name()).putArray("astNodeIds").add(astIds.get(s));
                out.add(p.toString());
                started.add(new String[] {testCase, pickle});
            }
            for (String[] t : started) {
                ObjectNode tc = JSON.createObjectNode();
                tc.putObject("testCase").put("id", t[0]).put("pickleId", t[1]);
                out.add(tc.toString());
            }
            for (int i = 0; i < scenarios.size(); i++) {
                String tcs = UUID.randomUUID().toString();
                ObjectNode st = JSON.createObjectNode();
                st.putObject("testCaseStarted").put("id", tcs).put("testCaseId", started.get(i)[0]).put("attempt", 0);
                out.add(st.toString());
                out.add("{\"testStepStarted\":{\"testCaseStartedId\":\"" + tcs + "\"}}");
                if (scenarios.get(i).trace() != null) {
                    ObjectNode a = JSON.createObjectNode();
                    a.putObject("attachment").put("body", scenarios.get(i).trace()).put("contentEncoding", "IDENTITY")
                            .put("fileName", RunDataNames.TRACE).put("mediaType", "text/plain").put("testCaseStartedId", tcs);
                    out.add(a.toString());
                }
            }
            out.add("{\"testRunFinished\":{\"success\":true}}");
            return out;
        }

        byte[] summary() {
            ObjectNode s = JSON.createObjectNode();
            s.put("schema", "test");
            s.putObject("provider").put("name", "test").put("version", "1.0").put("description", "a test provider");
            ArrayNode a = s.putArray("scenarios");
            for (Sc x : scenarios) {
                a.addObject().put("id", x.feature() + ":" + x.line()).put("feature", x.feature()).put("line", x.line())
                        .put("name", x.name()).put("verdict", x.verdict()).put("rawVerdict", x.verdict())
                        .put("reasonCode", x.reasonCode());
            }
            return s.toString().getBytes(StandardCharsets.UTF_8);
        }

        Path write(Path dir) throws IOException {
            Files.createDirectories(dir.resolve("cucumber"));
            Files.write(dir.resolve("cucumber/messages.ndjson"), messages());
            if (summary) {
                Files.write(dir.resolve("summary.json"), summary());
            }
            return dir;
        }

        Path writeBundle(Path zip, boolean withMessages) throws IOException {
            Files.createDirectories(zip.getParent());
            try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o)) {
                z.putNextEntry(new ZipEntry("ndk-conformance-bundle/summary.json"));
                z.write(summary());
                if (withMessages) {
                    z.putNextEntry(new ZipEntry("ndk-conformance-bundle/evidence/cucumber-messages.ndjson"));
                    z.write(String.join("\n", messages()).getBytes(StandardCharsets.UTF_8));
                }
            }
            return zip;
        }
    }

    /** The attachment's file name, from the class that reads it. */
    static final class RunDataNames {
        static final String TRACE = org.ndkkit.cli.compare.RunData.TRACE;
    }

    static final String F = "completion-contract.feature";

    static Run base(String... closeC1) {
        return new Run()
                .add(F, 22, "A pending connect completes exactly once", "passed", connectTrace(52504, 52490, closeC1))
                .add(F, 29, "A failed connect follows the completion rule", "passed", trace(
                        "call NdkCreateConnector(C1) -> STATUS_SUCCESS (0x00000000)",
                        "call NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:52511 -> sockaddr{bytes=0200cd22c61201010000000000000000,"
                                + " length=0}, in 128, out 128, 0 bytes) -> STATUS_INVALID_PARAMETER (0xC000000D)",
                        "call NdkCloseObject(C1) -> STATUS_SUCCESS (0x00000000)"));
    }

    record Result(int exit, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = NdkCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    Result compare(Run a, Run b, String... more) throws IOException {
        Path pa = a.write(dir.resolve("a"));
        Path pb = b.write(dir.resolve("b"));
        List<String> args = new ArrayList<>(List.of("compare", pa.toString(), pb.toString()));
        args.addAll(List.of(more));
        Result r = cli(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        return r;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void identicalRunsHaveNoDifferences() throws IOException {
        Result r = compare(base(CLOSE_PENDING), base(CLOSE_PENDING));
        assertThat(r.out()).contains("2 scenarios in A, 2 in B; 2 compared call by call, 0 of them differ")
                .contains("No differences.");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aCloseThatPendsInOneAndCompletesInlineInTheOtherIsADifference() throws IOException {
        Result r = compare(base(CLOSE_PENDING), base(CLOSE_INLINE), "--name-a", "java", "--name-b", "c");
        assertThat(r.out())
                .contains("1 of them differ")
                .contains("   1  NdkCloseObject(connector): java [inline STATUS_PENDING, completion] | c [inline STATUS_SUCCESS]")
                .contains("e.g. completion-contract.feature:22")
                .contains("completion-contract.feature:22  A pending connect completes exactly once")
                .contains("    NdkCloseObject(C1): java [inline STATUS_PENDING, completion] | c [inline STATUS_SUCCESS]")
                .doesNotContain("completion-contract.feature:29  ");
    }

    @Test
    void aDifferentStatusIsADifference() throws IOException {
        Run b = base(CLOSE_PENDING);
        b.scenarios.set(1, new Sc(F, 29, "A failed connect follows the completion rule", "passed", null, trace(
                "call NdkCreateConnector(C1) -> STATUS_SUCCESS (0x00000000)",
                "call NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:60001 -> sockaddr{bytes=0200abcdc61201010000000000000000,"
                        + " length=0}, in 128, out 128, 0 bytes) -> STATUS_INVALID_HANDLE (0xC0000008)",
                "call NdkCloseObject(C1) -> STATUS_SUCCESS (0x00000000)")));
        Result r = compare(base(CLOSE_PENDING), b);
        assertThat(r.out())
                .contains("NdkConnectWithSharedEndpoint(connector): A [inline STATUS_INVALID_PARAMETER] | B [inline STATUS_INVALID_HANDLE]")
                .contains("NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:P -> sockaddr{bytes=0200PPPPc61201010000000000000000,"
                        + " length=0}, in 128, out 128, 0 bytes): A [inline STATUS_INVALID_PARAMETER] | B [inline STATUS_INVALID_HANDLE]");
    }

    @Test
    void theOrderOfCallsAndCallbacksDoesNotCount() throws IOException {
        Run b = base(CLOSE_PENDING[1], CLOSE_PENDING[0]); // the completion before the call returned
        String t = b.scenarios.get(0).trace();
        List<String> lines = new ArrayList<>(List.of(t.split("\n")));
        java.util.Collections.reverse(lines);
        b.scenarios.set(0, new Sc(F, 22, "A pending connect completes exactly once", "passed", null, String.join("\n", lines)));
        Result r = compare(base(CLOSE_PENDING), b);
        assertThat(r.out()).contains("No differences.");
    }

    @Test
    void portsAndContextsDoNotCount() throws IOException {
        Run b = new Run()
                .add(F, 22, "A pending connect completes exactly once", "passed", connectTrace(61234, 49999, CLOSE_PENDING))
                .add(F, 29, "A failed connect follows the completion rule", "passed", trace(
                        "call NdkCreateConnector(C1) -> STATUS_SUCCESS (0x00000000)",
                        "call NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:49152 -> sockaddr{bytes=0200f11cc61201010000000000000000,"
                                + " length=0}, in 128, out 128, 0 bytes) -> STATUS_INVALID_PARAMETER (0xC000000D)",
                        "call NdkCloseObject(C1) -> STATUS_SUCCESS (0x00000000)"));
        Result r = compare(base(CLOSE_PENDING), b);
        assertThat(r.out()).contains("No differences.");
    }

    @Test
    void aScenarioInOnlyOneRunIsListedNotCompared() throws IOException {
        Run b = base(CLOSE_PENDING).add("read-limits.feature", 41, "A limit above the maximum is capped", "passed",
                trace("call NdkCreateConnector(C1) -> STATUS_SUCCESS (0x00000000)"));
        Result r = compare(base(CLOSE_PENDING), b);
        assertThat(r.out()).contains("2 scenarios in A, 3 in B; 2 compared call by call, 0 of them differ; 0 only in A, 1 only in B")
                .contains("Only in B (1):\n  read-limits.feature:41  A limit above the maximum is capped")
                .doesNotContain("Only in A");
    }

    @Test
    void aVerdictDifferenceIsListedAndStillComparedCallByCall() throws IOException {
        Run b = base(CLOSE_INLINE);
        Sc s = b.scenarios.get(0);
        b.scenarios.set(0, new Sc(s.feature(), s.line(), s.name(), "failed", null, s.trace()));
        Result r = compare(base(CLOSE_PENDING), b);
        assertThat(r.out()).contains("1 verdicts differ")
                .contains("Verdicts differ (1):\n  completion-contract.feature:22  A pending connect completes exactly once: A passed | B failed\n")
                .contains("completion-contract.feature:22  A pending connect completes exactly once  (A passed, B failed)")
                .contains("NdkCloseObject(C1): A [inline STATUS_PENDING, completion] | B [inline STATUS_SUCCESS]");
    }

    @Test
    void aScenarioUnsupportedInOneRunIsListedAsSuchNotAsMissingCalls() throws IOException {
        Run b = base(CLOSE_PENDING);
        b.scenarios.set(0, new Sc(F, 22, "A pending connect completes exactly once", "unsupported", "no-ipv6",
                trace("call NdkCreateListener(L) -> STATUS_SUCCESS (0x00000000)")));
        Result r = compare(base(CLOSE_PENDING), b);
        assertThat(r.out())
                .contains("1 compared call by call, 0 of them differ")
                .contains("A pending connect completes exactly once: A passed | B unsupported [no-ipv6];"
                        + " not compared call by call (unsupported in B)")
                .doesNotContain("(none)");
    }

    @Test
    void outlineExamplesWithOneNameMatchByOccurrenceEvenWhenTheirLinesMoved() throws IOException {
        String name = "A connect to an unreachable host fails";
        Run a = new Run().add("network-faults.feature", 40, name, "passed", trace(CLOSE_INLINE))
                .add("network-faults.feature", 41, name, "passed", trace(CLOSE_INLINE));
        Run b = new Run().add("network-faults.feature", 43, name, "passed", trace(CLOSE_INLINE))
                .add("network-faults.feature", 44, name, "passed", trace(CLOSE_PENDING));
        Result r = compare(a, b);
        assertThat(r.out()).contains("2 compared call by call, 1 of them differ; 0 only in A, 0 only in B")
                .contains("network-faults.feature:41 / network-faults.feature:44  " + name);
    }

    @Test
    void objectsOnlyOneTraceHasAreNamedNotListedCallByCall() throws IOException {
        Run a = base(CLOSE_PENDING);
        a.scenarios.set(1, new Sc(F, 29, "A failed connect follows the completion rule", "passed", null, trace(
                "call NdkCreateConnector(C1) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCreateConnector(R10) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCreateQp(R10) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCreateConnector(R2) -> STATUS_SUCCESS (0x00000000)",
                "call NdkConnectWithSharedEndpoint(C1 via SE 198.18.0.1:52511 -> sockaddr{bytes=0200cd22c61201010000000000000000,"
                        + " length=0}, in 128, out 128, 0 bytes) -> STATUS_INVALID_PARAMETER (0xC000000D)",
                "call NdkCloseObject(C1) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCloseObject(QP-R10) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCloseObject(R2) -> STATUS_PENDING (0x00000103)")));
        Result r = compare(a, base(CLOSE_PENDING));
        assertThat(r.out()).contains("   1  objects only A's trace has: QP, connector (the runs took different paths)")
                .contains("completion-contract.feature:29  A failed connect follows the completion rule\n"
                        + "    objects only A's trace has: QP-R10, R2, R10\n")
                .doesNotContain("NdkCreateConnector(R2)");
    }

    @Test
    void jsonHoldsTheSameAsTheText() throws IOException {
        Path json = dir.resolve("out/diff.json");
        compare(base(CLOSE_PENDING), base(CLOSE_INLINE), "--json", json.toString());
        JsonNode j = JSON.readTree(json.toFile());
        assertThat(j.path("counts").path("compared").asInt()).isEqualTo(2);
        assertThat(j.path("counts").path("differing").asInt()).isEqualTo(1);
        assertThat(j.path("kinds").get(0).path("call").asText()).isEqualTo("NdkCloseObject(connector)");
        assertThat(j.path("kinds").get(0).path("a").toString()).isEqualTo("[\"inline STATUS_PENDING\",\"completion\"]");
        assertThat(j.path("kinds").get(0).path("examples").get(0).asText()).isEqualTo("completion-contract.feature:22");
        assertThat(j.path("scenarios").get(0).path("differences").get(0).path("call").asText()).isEqualTo("NdkCloseObject(C1)");
    }

    @Test
    void aBundleWithTracesIsReadLikeARunFolder() throws IOException {
        Path zip = base(CLOSE_INLINE).writeBundle(dir.resolve("b/bundle/ndk-conformance-bundle.zip"), true);
        Path a = base(CLOSE_PENDING).write(dir.resolve("a"));
        for (String b : new String[] {zip.toString(), zip.getParent().toString()}) {
            Result r = cli("compare", a.toString(), b);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("NdkCloseObject(connector): A [inline STATUS_PENDING, completion] | B [inline STATUS_SUCCESS]")
                    .contains("B: " + zip + "  (test 1.0: a test provider)");
        }
    }

    @Test
    void verdictsComeFromTheProgressLogWithoutSummaryJson() throws IOException {
        Run b = base(CLOSE_PENDING);
        b.summary = false;
        Path pb = b.write(dir.resolve("b"));
        Files.createDirectories(pb.resolve("raw"));
        Files.writeString(pb.resolve("raw/progress.ndjson"),
                "{\"event\":\"scenario-finished\",\"id\":\"completion-contract.feature:22\",\"name\":\"x\",\"verdict\":\"failed\"}\n"
                        + "{\"event\":\"scenario-finished\",\"id\":\"completion-contract.feature:29\",\"name\":\"y\",\"verdict\":\"passed\"}\n");
        Result r = cli("compare", base(CLOSE_PENDING).write(dir.resolve("a")).toString(), pb.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("A pending connect completes exactly once: A passed | B failed");
    }

    @Test
    void inputsThatCannotBeReadExitTwoWithOneLine() throws IOException {
        Path good = base(CLOSE_PENDING).write(dir.resolve("good"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken.resolve("cucumber"));
        Files.writeString(broken.resolve("cucumber/messages.ndjson"), "{\"meta\":{}}\n{\"pickle\": {not json\n");
        Path noTraces = dir.resolve("notraces");
        Files.createDirectories(noTraces.resolve("cucumber"));
        Files.writeString(noTraces.resolve("cucumber/messages.ndjson"), "{\"meta\":{}}\n");
        Path bundle = base(CLOSE_PENDING).writeBundle(dir.resolve("nb/ndk-conformance-bundle.zip"), false);
        Path notZip = Files.writeString(dir.resolve("x.zip"), "not a zip");
        Map<Path, String> cases = new LinkedHashMap<>();
        cases.put(dir.resolve("missing"), "does not exist");
        cases.put(empty, "is neither the output folder of 'ndk-cli run'");
        cases.put(broken, "line 2 of the Cucumber messages is not JSON");
        cases.put(noTraces, "no scenario in it has an SPI call trace");
        cases.put(bundle, "the bundle holds no SPI call traces");
        cases.put(notZip, "is neither a run folder nor a bundle zip");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            Result r = cli("compare", good.toString(), c.getKey().toString());
            assertThat(r.exit()).as(c.getKey() + ": " + r.err()).isEqualTo(ExitCodes.ENVIRONMENT_OR_USAGE);
            assertThat(r.err()).startsWith("ndk-cli compare: ").contains(c.getValue());
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(cli("compare", good.toString()).exit()).isEqualTo(ExitCodes.ENVIRONMENT_OR_USAGE);
        assertThat(cli("compare", good.toString(), good.toString(), "--name-a", "X", "--name-b", "X").exit())
                .isEqualTo(ExitCodes.ENVIRONMENT_OR_USAGE);
    }

    @Test
    void objectsAreGroupedByTheirKind() {
        CallOutcomes t = CallOutcomes.parse(trace(
                "call NdkCreateConnector(C2) -> STATUS_SUCCESS (0x00000000)",
                "callback connect event on BL3",
                "call NdkAccept(PN4) -> STATUS_PENDING (0x00000103)",
                "call NdkReject(RL, no private data) -> STATUS_SUCCESS (0x00000000)",
                "call NdkCreateSharedEndpoint(BSE3, 198.18.0.1:0) -> STATUS_SUCCESS (0x00000000)",
                "callback disconnect event on P1",
                "call NdkControlConnectEvents(L, pause)"));
        Map<String, String> kinds = new LinkedHashMap<>();
        t.outcomes().keySet().forEach(c -> kinds.put(c.display(), CallOutcomes.kindLabel(c, t)));
        assertThat(kinds).containsEntry("NdkCreateConnector(C2)", "NdkCreateConnector(connector)")
                .containsEntry("events on BL3", "events on listener")
                .containsEntry("NdkAccept(PN4)", "NdkAccept(incoming connector)")
                .containsEntry("NdkReject(RL, no private data)", "NdkReject(incoming connector)")
                .containsEntry("NdkCreateSharedEndpoint(BSE3, 198.18.0.1:P)", "NdkCreateSharedEndpoint(shared endpoint)")
                .containsEntry("events on P1", "events on incoming connector")
                .containsEntry("NdkControlConnectEvents(L, pause)", "NdkControlConnectEvents(listener)");
        assertThat(t.outcomes().values()).anyMatch(o -> o.equals(List.of("returned")));
        for (String[] x : new String[][] {{"QP-P1", "QP"}, {"PD-PEER", "PD"}, {"CQ-LOCAL", "CQ"}, {"X-QP", "QP"}, {"X-C", "connector"},
            {"X-L", "listener"}, {"SE2", "shared endpoint"}, {"incoming#1", "incoming connector"}, {"BL1", "listener"},
            {"C3", "connector"}, {"QP-peer-for-C1", "QP"}}) {
            assertThat(CallOutcomes.kindOf(new CallOutcomes.Call("NdkCloseObject", x[0], x[0]))).as(x[0]).isEqualTo(x[1]);
        }
    }
}
