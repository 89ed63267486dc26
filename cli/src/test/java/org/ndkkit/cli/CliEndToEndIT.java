package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.ndkkit.cli.bundle.Keys;
import org.ndkkit.cli.spec.Spec;
import org.w3c.dom.Document;

/**
 * The CLI end to end, as a user runs it: the packaged {@code target/ndk-cli.jar} as a separate
 * process, against the simulated provider and the test providers in {@code target/test-classes}
 * ({@code lying}: declares 8 bytes more MaxCallerData than it takes; {@code faulty}: crashes, hangs
 * or has no testbed). The whole spec runs once (the certification run); every other run selects
 * two or three scenarios with --tags.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path JAR = Path.of(System.getProperty("ndk.cli.jar", "target/ndk-cli.jar")).toAbsolutePath();
    static final Path TEST_CLASSES = Path.of(System.getProperty("ndk.cli.test-classes", "target/test-classes")).toAbsolutePath();
    static final Path OUT = Path.of(System.getProperty("ndk.cli.it-out", "target/it")).toAbsolutePath();
    static final Path EVIDENCE = OUT.getParent().resolve("failsafe-reports");
    /** The scenario of PD-CALLER-LIMIT, which the lying provider fails, and two that it passes. */
    static final String FEW = "@clause:PD-CALLER-LIMIT or @clause:CSE-SUCCESS";

    record Run(int exit, String output, Path out, long millis) {
        JsonNode summary() throws IOException {
            return JSON.readTree(out.resolve("summary.json").toFile());
        }

        JsonNode scenario(String clause) throws IOException {
            for (JsonNode s : summary().path("scenarios")) {
                if (s.path("clauses").toString().equals("[\"" + clause + "\"]")) {
                    return s;
                }
            }
            throw new AssertionError("no scenario with only clause " + clause);
        }
    }

    @BeforeAll
    static void clean() throws IOException {
        if (Files.exists(OUT)) {
            try (Stream<Path> s = Files.walk(OUT)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(OUT);
        Files.createDirectories(EVIDENCE);
    }

    static Run cli(String name, String... args) throws Exception {
        Path out = OUT.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(Arrays.asList(args));
        if (args.length > 0 && args[0].equals("run")) {
            cmd.addAll(List.of("--out", out.toString(), "--provider-path", TEST_CLASSES.toString()));
        }
        Files.createDirectories(OUT);
        Path log = OUT.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CI", "true");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + ": the CLI did not finish within 300 s");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String output = Files.readString(log);
        System.out.println("== " + name + " (exit " + p.exitValue() + ", " + ms + " ms): " + String.join(" ", args));
        return new Run(p.exitValue(), output, out, ms);
    }

    // ------------------------------------------------------------------ certification, reports, bundle

    static Run certification;
    static Path publicKey;

    private static final List<String> NETWORK_CLAUSES = List.of("NET-IMPAIRED-CONNECT-ENDS", "NET-LINK-DOWN-CONNECT",
            "NET-PEER-STOPPED", "NET-PEER-PROVIDER-KILLED", "NET-MANY-CONNECTIONS");

    /** The scenarios that need two machines and a link (network-faults.feature). */
    private static int networkScenarios(Spec spec) {
        return (int) spec.scenarios().stream().filter(x -> x.id().startsWith("network-faults.feature:")).count();
    }

    @Test
    @Order(1)
    void certificationOnTheSimulatedProviderProducesEveryReportAndASignedBundle() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("EC").generateKeyPair();
        Path key = OUT.resolve("vendor.key.pem");
        Files.writeString(key, Keys.toPem(kp.getPrivate()) + Keys.toPem(kp.getPublic()));
        publicKey = OUT.resolve("vendor.pub.pem");
        Files.writeString(publicKey, Keys.toPem(kp.getPublic()));

        // a kill matrix in the shape defects/ writes (ndk-kill-matrix/2), reduced to what the CLI reads
        Path matrix = OUT.resolve("kill-matrix.json");
        Files.writeString(matrix, "{\"schema\":\"ndk-kill-matrix/2\",\"kitVersion\":\"0.1.0\","
                + "\"inner\":{\"name\":\"simulated\",\"version\":\"0.1.0\"},\"line\":\"kill matrix: 1 of 2 triggered defects caught\","
                + "\"ok\":false,\"totals\":{\"defects\":3,\"triggered\":2,\"caught\":1,\"survived\":1,\"notTriggered\":1},"
                + "\"defects\":[{\"id\":\"a\",\"status\":\"caught\"},{\"id\":\"b\",\"status\":\"survived\"},"
                + "{\"id\":\"c\",\"status\":\"not-triggered\"}]}");
        // The simulated provider runs both hosts in one process: there is no link for the
        // network-fault scenarios to disturb, so they are unsupported there, waived here by clause.
        Path oneMachine = OUT.resolve("one-machine-waivers.yaml");
        StringBuilder w = new StringBuilder("waivers:\n");
        for (String c : NETWORK_CLAUSES) {
            w.append("  - clause: ").append(c).append("\n    provider: simulated\n    versions: \"*\"\n")
                    .append("    reason: one process, no link between the hosts\n")
                    .append("    issue: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint\n")
                    .append("    expires: 2099-12-31\n");
        }
        Files.writeString(oneMachine, w.toString());
        Run r = cli("certification", "run", "--provider", "simulated", "--profile", "certification", "--sign-key", key.toString(),
                "--kill-matrix", matrix.toString(), "--waivers", oneMachine.toString());
        certification = r;
        // the network-fault scenarios are waived: a certificate that rests on waivers says so (exit 3)
        assertThat(r.exit()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("CERTIFIED-WITH-WAIVERS (exit 3)", "waiver     used ");
        Path out = r.out();
        for (String f : List.of("summary.json", "summary.md", "junit/TEST-ndk-conformance.xml", "allure-report/index.html",
                "bundle/ndk-conformance-bundle.zip", "bundle/ndk-conformance-bundle.zip.sha256",
                "bundle/ndk-conformance-bundle.zip.sig", "bundle/ndk-conformance-bundle.zip.pub.pem",
                "cucumber/messages.ndjson", "cucumber/cucumber-junit.xml", "raw/progress.ndjson")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }

        Spec spec = Spec.load(getClass().getClassLoader());
        JsonNode s = r.summary();
        assertThat(s.path("schema").asText()).isEqualTo("ndk-conformance-summary/2");
        assertThat(s.path("verdict").path("status").asText()).isEqualTo("certified-with-waivers");
        assertThat(s.path("verdict").path("exitCode").asInt()).isEqualTo(3);
        assertThat(s.path("verdict").path("waiversUsed")).hasSize(NETWORK_CLAUSES.size());
        assertThat(Files.readString(r.out().resolve("summary.md"))).contains("**Result: CERTIFIED-WITH-WAIVERS**",
                "**Waivers used**");
        assertThat(s.path("run").path("state").asText()).isEqualTo("complete");
        assertThat(s.path("run").path("selectionComplete").asBoolean()).isTrue();
        assertThat(s.path("counts").path("passed").asInt()).isEqualTo(spec.scenarios().size() - networkScenarios(spec));
        assertThat(s.path("counts").path("waived").asInt()).isEqualTo(networkScenarios(spec));
        List<String> ids = new ArrayList<>();
        s.path("scenarios").forEach(x -> ids.add(x.path("id").asText()));
        assertThat(ids).containsExactlyElementsOf(spec.scenarios().stream().map(Spec.Scenario::id).toList());
        assertThat(JSON.convertValue(s.path("kit").path("spec").path("files"), java.util.Map.class))
                .isEqualTo(spec.fileHashes());
        assertThat(s.path("provider").path("name").asText()).isEqualTo("simulated");
        assertThat(s.path("provider").path("adapterInfo").path("local").path("maxCallerData").asInt()).isEqualTo(56);
        assertThat(s.path("clauses")).hasSize(spec.catalogue().clauses().size());
        assertThat(s.path("environment").path("suite").path("java").asText()).isNotEmpty();
        assertThat(s.path("preflight").path("status").asText()).isEqualTo("ok");
        // what the testbed says is under test, as its preflight recorded it (whatever the simulated provider declares)
        JsonNode preflight = JSON.readTree(out.resolve("raw/preflight.json").toFile());
        assertThat(s.path("provider").path("identity").isObject()).isTrue();
        assertThat(s.path("provider").path("identity")).isEqualTo(preflight.path("identity"));
        assertThat(s.path("preflight").path("checks").findValuesAsText("name")).contains("identity");
        // each scenario's lab conditions are those its scenario-finished event carried
        java.util.Map<String, JsonNode> logged = new java.util.HashMap<>();
        for (String line : Files.readAllLines(out.resolve("raw/progress.ndjson"))) {
            JsonNode e = JSON.readTree(line);
            if (e.path("event").asText().equals("scenario-finished")) {
                logged.put(e.path("id").asText(), e.path("conditions"));
            }
        }
        for (JsonNode x : s.path("scenarios")) {
            assertThat(org.ndkkit.cli.model.LabConditionUse.listOf(x.path("conditions"))).as(x.path("id").asText())
                    .isEqualTo(org.ndkkit.cli.model.LabConditionUse.listOf(logged.get(x.path("id").asText())));
        }
        JsonNode km = s.path("killMatrices").get(0);
        assertThat(km.path("line").asText()).isEqualTo("kill matrix: 1 of 2 triggered defects caught");
        assertThat(km.path("survived").toString()).isEqualTo("[\"b\"]");
        assertThat(km.path("notTriggered").toString()).isEqualTo("[\"c\"]");
        assertThat(Files.readString(out.resolve("summary.md"))).contains("| simulated 0.1.0 | 3 | 2 | 1 | 1 | 1 |");
        try (ZipFile z = new ZipFile(out.resolve("bundle/ndk-conformance-bundle.zip").toFile())) {
            assertThat(z.stream().map(ZipEntry::getName).toList()).anyMatch(n -> n.endsWith("evidence/kill-matrix-simulated.json"));
        }
        List<String> probes = new ArrayList<>();
        s.path("findings").path("items").forEach(f -> probes.add(f.path("id").asText() + "=" + f.path("severity").asText()));
        assertThat(probes).contains("max-caller-data=ok", "read-limit-maxima=ok", "ipv6=ok");
        // the suite's own verdicts agree with the CLI's
        JsonNode own = JSON.readTree(out.resolve("raw/kit/summary.json").toFile());
        assertThat(own.path("counts").path("passed").asInt()).isEqualTo(spec.scenarios().size() - networkScenarios(spec));

        Document junit = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(out.resolve("junit/TEST-ndk-conformance.xml").toFile());
        assertThat(junit.getElementsByTagName("testcase").getLength()).isEqualTo(spec.scenarios().size());
        assertThat(junit.getElementsByTagName("failure").getLength()).isZero();

        // Allure results: every scenario linked to its clause and NDKPI page, with its SPI call trace attached
        int linked = 0;
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            for (Path f : files.filter(p -> p.toString().endsWith("-result.json")).toList()) {
                JsonNode n = JSON.readTree(f.toFile());
                assertThat(n.path("links").toString()).contains("\"type\":\"clause\"", "\"type\":\"ndkpi\"",
                        "https://learn.microsoft.com/windows");
                linked++;
            }
        }
        assertThat(linked).isEqualTo(spec.scenarios().size());
        try (Stream<Path> files = Files.list(out.resolve("allure-results"))) {
            long traces = files.filter(p -> p.toString().endsWith("-container.json")).filter(p -> {
                try {
                    return Files.readString(p).contains("SPI call trace");
                } catch (IOException e) {
                    return false;
                }
            }).count();
            assertThat(traces).isEqualTo(spec.scenarios().size());
        }
    }

    @Test
    @Order(2)
    void verifyAcceptsTheIntactBundleAndRejectsOneWithASingleChangedByte() throws Exception {
        Path bundleDir = certification.out().resolve("bundle");
        Run ok = cli("verify-intact", "verify", bundleDir.toString(), "--public-key", publicKey.toString(),
                "--require-kit-spec");
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("bundle OK", "valid SHA256withECDSA signature by the trusted key");

        Path copy = OUT.resolve("tampered-bundle");
        Files.createDirectories(copy);
        try (Stream<Path> s = Files.list(bundleDir)) {
            for (Path p : s.toList()) {
                Files.copy(p, copy.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path zip = copy.resolve("ndk-conformance-bundle.zip");
        byte[] b = Files.readAllBytes(zip);
        b[b.length / 3] ^= 0x20;
        Files.write(zip, b);
        Run bad = cli("verify-tampered", "verify", zip.toString());
        assertThat(bad.exit()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("bundle REJECTED", "FAIL  sha256");

        // an authority pinning a fact the run did not record
        Run pinned = cli("verify-require-identity", "verify", bundleDir.toString(), "--require-identity",
                "ndk-test.no-such-fact=1");
        assertThat(pinned.exit()).as(pinned.output()).isEqualTo(1);
        assertThat(pinned.output()).contains("ok    identity-facts", "FAIL  require-identity ndk-test.no-such-fact is not "
                + "recorded (provider.identity has no such fact), required \"1\"", "bundle REJECTED");

        Run unknown = cli("verify-missing", "verify", OUT.resolve("no-such-bundle.zip").toString());
        assertThat(unknown.exit()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void verifyJudgesAgainAndRejectsAStatusChangedAndSignedAgainWithTheSameKey() throws Exception {
        Path zip = certification.out().resolve("bundle/ndk-conformance-bundle.zip");
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (var z = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (var e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                entries.put(e.getName().substring(org.ndkkit.cli.bundle.Bundle.ROOT.length()), z.readAllBytes());
            }
        }
        entries.remove(org.ndkkit.cli.bundle.Bundle.MANIFEST);
        ObjectNode summary = (ObjectNode) JSON.readTree(entries.get("summary.json"));
        ((ObjectNode) summary.path("verdict")).put("status", "certified").put("exitCode", 0);
        entries.put("summary.json", JSON.writeValueAsBytes(summary));
        org.ndkkit.cli.bundle.Bundle b = new org.ndkkit.cli.bundle.Bundle();
        entries.forEach(b::add);
        Path dir = OUT.resolve("re-signed-bundle");
        b.write(dir, java.time.Instant.now(), Keys.load(OUT.resolve("vendor.key.pem"), null));
        Run bad = cli("verify-re-signed", "verify", dir.toString(), "--public-key", publicKey.toString());
        assertThat(bad.exit()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("bundle REJECTED", "valid SHA256withECDSA signature by the trusted key",
                "FAIL  judgement",
                "summary.json: verdict.status is \"certified\" but the bundled results give \"certified-with-waivers\"");
    }

    @Test
    @Order(2)
    void anAuthorityKeyMadeByOpensslCounterSignsTheCertificationAndOnlyItsPinnedKeyIsTrusted() throws Exception {
        Path dir = OUT.resolve("countersigned-bundle");
        Path trust = Files.createDirectories(OUT.resolve("authorities"));
        Path elsewhere = Files.createDirectories(OUT.resolve("other-authorities"));
        Path key = OUT.resolve("authority.key.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl("pkey", "-in", key.toString(), "-pubout", "-out", trust.resolve("ndk-test-authority.pub.pem").toString());
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", OUT.resolve("other.key.pem").toString());
        openssl("pkey", "-in", OUT.resolve("other.key.pem").toString(), "-pubout", "-out",
                elsewhere.resolve("other.pub.pem").toString());
        copyTree(certification.out().resolve("bundle"), dir);

        Run self = cli("verify-trust-self-attested", "verify", dir.toString(), "--trust", trust.toString());
        assertThat(self.exit()).as(self.output()).isEqualTo(1);
        assertThat(self.output()).contains("FAIL  attestation self-attested: signed by the vendor's own key only");

        // the binaries that were tested: the kit's jars and the provider's class folder, by SHA-256
        JsonNode summary = JSON.readTree(certification.out().resolve("summary.json").toFile());
        assertThat(summary.path("kit").path("artifacts").findValuesAsText("name")).contains("ndk-cli.jar", "ndk-spi-1.3.0.jar");
        assertThat(summary.path("provider").path("artifacts").findValuesAsText("kind")).containsExactly("folder");
        Run identity = cli("verify-provider-path", "verify", dir.toString(), "--provider-path", TEST_CLASSES.toString(),
                "--require-kit-spec");
        assertThat(identity.exit()).as(identity.output()).isZero();
        assertThat(identity.output()).contains("ok    identity", "match", "ok    kit-jars");

        Run signed = cli("countersign", "countersign", dir.toString(), "--key", key.toString());
        assertThat(signed.exit()).as(signed.output()).isZero();
        Run trusted = cli("verify-trust", "verify", dir.toString(), "--public-key", publicKey.toString(), "--trust", trust.toString());
        assertThat(trusted.exit()).as(trusted.output()).isZero();
        assertThat(trusted.output()).contains("ok    attestation counter-signed by ndk-test-authority", "bundle OK");
        Run untrusted = cli("verify-trust-other", "verify", dir.toString(), "--trust", elsewhere.toString());
        assertThat(untrusted.exit()).as(untrusted.output()).isEqualTo(1);
        assertThat(untrusted.output()).contains("FAIL  attestation untrusted signature");

        // openssl checks the counter-signature as the README says: the zip's bytes, then the vendor's signature
        Path zip = dir.resolve("ndk-conformance-bundle.zip");
        Path message = OUT.resolve("countersigned-message.bin");
        Files.write(message, concat(Files.readAllBytes(zip), Files.readAllBytes(dir.resolve("ndk-conformance-bundle.zip.sig"))));
        assertThat(openssl("dgst", "-sha256", "-verify", trust.resolve("ndk-test-authority.pub.pem").toString(),
                "-signature", dir.resolve("ndk-conformance-bundle.zip.countersig").toString(), message.toString()))
                .contains("Verified OK");
    }

    private static String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl " + String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    @Order(3)
    void theAllureReportShowsTheRunsScenariosInHeadlessChromium() throws Exception {
        java.util.Optional<Path> found = Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of)
                .filter(Files::isExecutable).findFirst();
        if (found.isEmpty() && !Boolean.getBoolean("ndk.require-chromium")) {
            org.junit.jupiter.api.Assumptions.abort("needs headless Chromium (cli/setup installs it as root on Debian)");
        }
        Path chromium = found.orElseThrow(() -> new AssertionError("headless Chromium is missing: run cli/setup (the cli "
                        + "build runs it in pre-integration-test unless -Dndk.cli.setup.skip=true)"));
        // run alone (the hidden build runs again only the tests that skipped), it makes a small run of its own
        Run run = certification != null ? certification : cli("chromium-report", "run", "-p", "simulated", "--tags", FEW);
        Path report = run.out().resolve("allure-report/index.html");
        String url = report.toUri() + "#suites";
        Path profile = Files.createDirectories(OUT.resolve("chromium-profile"));
        List<String> flags = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--virtual-time-budget=15000", "--window-size=1600,1000");
        Path dom = OUT.resolve("allure-suites-dom.html");
        chromium(chromium, flags, List.of("--dump-dom", url), dom);
        Matcher m = Pattern.compile("class=\"node node__leaf\".*?<div class=\"node__name\">\\s*(.*?)\\s*</div>", Pattern.DOTALL)
                .matcher(Files.readString(dom));
        List<String> shown = new ArrayList<>();
        while (m.find()) {
            shown.add(m.group(1).replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", "\""));
        }
        List<String> expected = new ArrayList<>();
        run.summary().path("scenarios").forEach(x -> expected.add(x.path("name").asText()));
        assertThat(shown).containsExactlyInAnyOrderElementsOf(expected);

        // one scenario's page: its suite expanded, its clause and NDKPI links, its SPI call trace
        Matcher leaf = Pattern.compile("<a class=\"node node__leaf\" href=\"(#suites/[^\"]+)\"").matcher(Files.readString(dom));
        assertThat(leaf.find()).isTrue();
        String page = report.toUri() + leaf.group(1);
        Path pageDom = OUT.resolve("allure-scenario-dom.html");
        chromium(chromium, flags, List.of("--dump-dom", page), pageDom);
        assertThat(Files.readString(pageDom)).contains("clause ", "NDKPI: ", "https://learn.microsoft.com/windows",
                "SPI call trace");

        for (String[] s : new String[][] {{"allure-report-suites.png", url}, {"allure-report-scenario.png", page}}) {
            Path shot = EVIDENCE.resolve(s[0]);
            chromium(chromium, flags, List.of("--screenshot=" + shot, s[1]), OUT.resolve("chromium-screenshot.log"));
            assertThat(shot).isRegularFile();
            assertThat(Files.size(shot)).isGreaterThan(10_000);
            byte[] png = Files.readAllBytes(shot);
            assertThat(Arrays.copyOf(png, 4)).containsExactly(0x89, 'P', 'N', 'G');
            System.out.println("screenshot of the Allure report: " + shot);
        }
    }

    static void chromium(Path chromium, List<String> flags, List<String> what, Path output) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(chromium.toString());
        cmd.addAll(flags);
        cmd.addAll(what);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(output.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 90 s");
        }
        assertThat(p.exitValue()).as("chromium exit").isZero();
    }

    // ------------------------------------------------------------------ waivers

    static Run lyingFailed;

    @Test
    @Order(10)
    void aWaiverChangesOneVerdictAndItsExpiryChangesItBack() throws Exception {
        Run plain = cli("lying-plain", "run", "-p", "lying", "--tags", FEW, "--timeout-ms", "1000", "--no-report");
        lyingFailed = plain;
        assertThat(plain.exit()).as(plain.output()).isEqualTo(1);
        assertThat(plain.scenario("PD-CALLER-LIMIT").path("verdict").asText()).isEqualTo("failed");
        assertThat(plain.summary().path("verdict").path("status").asText()).isEqualTo("not-certified");
        // the kit's own finding: declared MaxCallerData 64, but 64 bytes are refused
        JsonNode finding = null;
        for (JsonNode f : plain.summary().path("findings").path("items")) {
            if (f.path("id").asText().equals("max-caller-data")) {
                finding = f;
            }
        }
        assertThat(finding).isNotNull();
        assertThat(finding.path("severity").asText()).isEqualTo("error");
        assertThat(finding.path("declared").asText()).isEqualTo("64");

        Path live = OUT.resolve("waivers-live.yaml");
        Files.writeString(live, """
                waivers:
                  - id: LYING-7
                    clause: PD-CALLER-LIMIT
                    provider: lying
                    versions: "[2.0,3.0)"
                    reason: adapter info overstates MaxCallerData; fixed in 3.0
                    issue: https://bugs.example.com/LYING-7
                    expires: 2999-12-31
                """);
        Run waived = cli("lying-waived", "run", "-p", "lying", "--tags", FEW, "--timeout-ms", "1000", "--no-report", "--no-probes",
                "--waivers", live.toString());
        // narrowed by --tags and without failures: incomplete, never a certification (exit 4)
        assertThat(waived.exit()).as(waived.output()).isEqualTo(4);
        assertThat(waived.summary().path("verdict").path("status").asText()).isEqualTo("incomplete");
        JsonNode w = waived.scenario("PD-CALLER-LIMIT");
        assertThat(w.path("verdict").asText()).isEqualTo("waived");
        assertThat(w.path("rawVerdict").asText()).isEqualTo("failed");
        assertThat(w.path("waiver").asText()).isEqualTo("LYING-7");
        JsonNode applied = waived.summary().path("waivers").path("applied");
        assertThat(applied).hasSize(1);
        assertThat(applied.get(0).path("issue").asText()).isEqualTo("https://bugs.example.com/LYING-7");
        assertThat(waived.summary().path("waivers").path("kitKnownDefects")).isEmpty();
        assertThat(waived.summary().path("counts").path("waived").asInt()).isEqualTo(1);
        assertThat(waived.summary().path("counts").path("failed").asInt()).isZero();
        assertThat(Files.readString(waived.out().resolve("summary.md"))).contains("Vendor waivers applied", "LYING-7");

        Path expired = OUT.resolve("waivers-expired.json");
        Files.writeString(expired, """
                {"waivers": [{"id": "LYING-7", "clause": "PD-CALLER-LIMIT", "provider": "lying",
                  "versions": "[2.0,3.0)", "reason": "adapter info overstates MaxCallerData",
                  "issue": "https://bugs.example.com/LYING-7", "expires": "2020-01-31"}]}
                """);
        Run back = cli("lying-expired", "run", "-p", "lying", "--tags", FEW, "--timeout-ms", "1000", "--no-report", "--no-probes",
                "--waivers", expired.toString());
        assertThat(back.exit()).as(back.output()).isEqualTo(1);
        assertThat(back.scenario("PD-CALLER-LIMIT").path("verdict").asText()).isEqualTo("failed");
        assertThat(back.scenario("PD-CALLER-LIMIT").path("reason").asText()).startsWith("waiver LYING-7 expired on 2020-01-31");
        assertThat(back.summary().path("waivers").path("expired")).hasSize(1);
        assertThat(back.summary().path("waivers").path("applied")).isEmpty();
        assertThat(back.output()).contains("expired    waiver LYING-7");
        // both bundles judge again to what they record: the live waiver, and the expired one
        for (Run x : List.of(waived, back)) {
            Run v = cli("verify-" + x.out().getFileName(), "verify", x.out().resolve("bundle").toString());
            assertThat(v.exit()).as(v.output()).isZero();
            assertThat(v.output()).contains("ok    judgement", "ok    waivers");
        }
    }

    @Test
    @Order(11)
    void kitKnownDefectsAreKeptApartFromVendorWaivers() throws Exception {
        Path kit = OUT.resolve("kit-defects.yaml");
        Files.writeString(kit, """
                - {id: KIT-1, clause: PD-CALLER-LIMIT, provider: "*", versions: "*", reason: the kit's check is wrong,
                   issue: "https://kit.example/issues/1", expires: 2999-01-01}
                """);
        Run r = cli("lying-kit-defect", "run", "-p", "lying", "--tags", "@clause:PD-CALLER-LIMIT", "--timeout-ms", "1000", "--no-report",
                "--no-probes", "--known-defects", kit.toString());
        assertThat(r.exit()).as(r.output()).isEqualTo(4);
        assertThat(r.summary().path("waivers").path("kitKnownDefects")).hasSize(1);
        assertThat(r.summary().path("waivers").path("applied")).isEmpty();
        assertThat(r.summary().path("kit").path("knownDefects").path("sha256").asText()).isEqualTo(Hashes.sha256(kit));
    }

    // ------------------------------------------------------------------ regression

    @Test
    @Order(20)
    void aRegressionRunAgainstADoctoredBaselineReportsTheDifference() throws Exception {
        JsonNode base = lyingFailed.summary().deepCopy();
        String failing = null;
        String passing = null;
        for (JsonNode s : base.path("scenarios")) {
            if (s.path("verdict").asText().equals("failed")) {
                failing = s.path("id").asText();
                ((ObjectNode) s).put("verdict", "passed");
            } else if (passing == null) {
                passing = s.path("id").asText();
                ((ObjectNode) s).put("verdict", "failed");
            }
        }
        Path doctored = OUT.resolve("baseline-doctored.json");
        JSON.writeValue(doctored.toFile(), base);
        Run r = cli("regression-new-failure", "run", "-p", "lying", "--profile", "regression", "--baseline",
                doctored.toString(), "--tags", FEW, "--timeout-ms", "1000", "--no-report", "--no-probes");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        JsonNode reg = r.summary().path("regression");
        assertThat(reg.path("status").asText()).isEqualTo("regressions");
        assertThat(reg.path("newFailures")).hasSize(1);
        assertThat(reg.path("newFailures").get(0).path("id").asText()).isEqualTo(failing);
        assertThat(reg.path("newPasses")).hasSize(1);
        assertThat(reg.path("newPasses").get(0).path("id").asText()).isEqualTo(passing);
        assertThat(reg.path("baseline").path("sha256").asText()).isEqualTo(Hashes.sha256(doctored));
        assertThat(r.output()).contains("new failure  " + failing, "new pass     " + passing);

        // the same, with the failing scenario failing in the baseline too: only a new pass, exit 0
        for (JsonNode s : base.path("scenarios")) {
            if (s.path("id").asText().equals(failing)) {
                ((ObjectNode) s).put("verdict", "failed");
            }
        }
        JSON.writeValue(doctored.toFile(), base);
        Run clean = cli("regression-new-pass", "run", "-p", "lying", "--profile", "regression", "--baseline",
                doctored.toString(), "--tags", FEW, "--timeout-ms", "1000", "--no-report", "--no-probes");
        assertThat(clean.exit()).as(clean.output()).isZero();
        assertThat(clean.summary().path("regression").path("status").asText()).isEqualTo("no-regressions");
        assertThat(clean.summary().path("regression").path("newPasses")).hasSize(1);
    }

    @Test
    @Order(21)
    void theRunSeedIsRecordedAndTheSameSeedDrawsTheSameInputs() throws Exception {
        // the read-limit scenario that draws all four limits from their whole ranges
        String drawing = "@clause:LIM-INBOUND-CAP and @clause:LIM-OUTBOUND-PEER";
        Run a = cli("seed-hex", "run", "-p", "simulated", "--tags", drawing, "--seed", "0x2a", "--no-report", "--no-probes");
        Run b = cli("seed-dec", "run", "-p", "simulated", "--tags", drawing, "--seed", "42", "--no-report", "--no-probes");
        Run c = cli("seed-drawn", "run", "-p", "simulated", "--tags", drawing, "--no-report", "--no-probes");
        for (Run r : List.of(a, b, c)) {
            assertThat(r.exit()).as(r.output()).isEqualTo(4);
        }
        assertThat(a.summary().path("run").path("settings").path("seed").asText()).isEqualTo("42");
        assertThat(a.output()).contains("run seed 42 (given)");
        assertThat(Files.readString(a.out().resolve("summary.md"))).contains("`--seed 42`");
        JsonNode ka = JSON.readTree(a.out().resolve("raw/kit/summary.json").toFile()).path("seed");
        JsonNode kb = JSON.readTree(b.out().resolve("raw/kit/summary.json").toFile()).path("seed");
        assertThat(ka.path("run").asLong()).as("the suite drew from the CLI's seed").isEqualTo(42);
        assertThat(ka.path("draws").size()).as("the selection draws").isPositive();
        assertThat(kb.path("draws")).as("the same seed, the same draws").isEqualTo(ka.path("draws"));
        // without --seed the CLI draws one, records it and says how to repeat it
        String drawn = c.summary().path("run").path("settings").path("seed").asText();
        assertThat(c.output()).contains("run seed " + drawn + " (drawn; repeat this run's inputs with --seed " + drawn + ")");
        assertThat(JSON.readTree(c.out().resolve("raw/kit/summary.json").toFile()).path("seed").path("run").asLong())
                .isEqualTo(Long.parseLong(drawn));
    }

    // ------------------------------------------------------------------ crashes, hangs, environment

    @Test
    @Order(30)
    void aCrashLeavesWhatRanAndNamesWhatWasNotReached() throws Exception {
        Run r = cli("crash", "run", "-p", "faulty", "-s", "fault=crash", "-s", "fault-after=3", "--tags", FEW,
                "--no-report", "--no-probes", "--max-restarts", "0");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        List<String> verdicts = verdictCodes(r);
        assertThat(verdicts).containsExactly("passed:null", "failed:crashed", "not-reached:run-stopped");
        assertThat(r.summary().path("run").path("state").asText()).isEqualTo("stopped");
        assertThat(Files.readString(r.out().resolve("junit/TEST-ndk-conformance.xml"))).contains("type=\"not-reached\"");
        assertThat(r.out().resolve("bundle/ndk-conformance-bundle.zip")).isRegularFile();
    }

    @Test
    @Order(30)
    void aNativeFaultFailsItsScenarioAndTheRunResumesWithTheRest() throws Exception {
        Run r = cli("segv", "run", "-p", "faulty", "-s", "fault=segv", "-s", "fault-after=3", "--tags", FEW,
                "--no-report", "--no-probes");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        List<String> verdicts = verdictCodes(r);
        // the second scenario took the third connector and the fault; a fresh process ran the third
        assertThat(verdicts).as(r.output()).containsExactly("passed:null", "failed:crashed", "passed:null");
        JsonNode crashed = r.summary().path("scenarios").get(1);
        assertThat(crashed.path("reason").asText()).contains("exit 134").contains("SIGSEGV").contains("hs_err_");
        assertThat(r.summary().toString()).contains("suite-process-crashes");
        // the resumed suite draws from the run's one seed (the crashed one wrote no summary)
        long seed = Long.parseLong(r.summary().path("run").path("settings").path("seed").asText());
        assertThat(JSON.readTree(r.out().resolve("raw/kit-2/summary.json").toFile()).path("seed").path("run").asLong())
                .isEqualTo(seed);
        try (ZipFile z = new ZipFile(r.out().resolve("bundle/ndk-conformance-bundle.zip").toFile())) {
            assertThat(z.stream().map(ZipEntry::getName).toList())
                    .anyMatch(n -> n.endsWith("evidence/progress-2.ndjson"))
                    .anyMatch(n -> n.matches(".*evidence/hs_err_\\d+\\.log"));
        }
    }

    @Test
    @Order(30)
    void aProviderThatCrashesBehindItsAgentFailsItsScenarioAndTheRunResumesWithANewTestbed() throws Exception {
        Run r = cli("remote-crash", "run", "-p", "faulty", "-s", "fault=remote-crash", "-s", "fault-after=3", "--tags", FEW,
                "--no-report", "--no-probes");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        List<String> verdicts = verdictCodes(r);
        // the second scenario took the third connector and the crash; the suite process ended after its
        // verdict, and a fresh one (a new testbed) ran the third
        assertThat(verdicts).as(r.output()).containsExactly("passed:null", "failed:crashed", "passed:null");
        JsonNode crashed = r.summary().path("scenarios").get(1);
        assertThat(crashed.path("reason").asText()).as("its own reason, once").isEqualTo("the provider crashed: signal 11 "
                + "(SIGSEGV) in call 3 (create_connector) of session 1, as the agent at 127.0.0.1:7400 reports");
        assertThat(r.summary().toString()).contains("suite-process-crashes").contains("attempt 1 in " + crashed.path("id").asText());
        try (ZipFile z = new ZipFile(r.out().resolve("bundle/ndk-conformance-bundle.zip").toFile())) {
            assertThat(z.stream().map(ZipEntry::getName).toList()).anyMatch(n -> n.endsWith("evidence/progress-2.ndjson"));
        }
        // --max-restarts bounds it as it bounds a crash of the suite process
        Run none = cli("remote-crash-0", "run", "-p", "faulty", "-s", "fault=remote-crash", "-s", "fault-after=3", "--tags",
                FEW, "--no-report", "--no-probes", "--max-restarts", "0");
        assertThat(none.exit()).as(none.output()).isEqualTo(1);
        verdicts.clear();
        none.summary().path("scenarios").forEach(s -> verdicts.add(s.path("verdict").asText() + ":" + s.path("reasonCode").asText()));
        assertThat(verdicts).containsExactly("passed:null", "failed:crashed", "not-reached:run-stopped");
    }

    @Test
    @Order(31)
    void aHangIsATimeoutAndTheRestIsNotReached() throws Exception {
        Run r = cli("hang", "run", "-p", "faulty", "-s", "fault=hang", "-s", "fault-after=3", "--tags", FEW,
                "--stall-timeout", "3", "--no-report", "--no-probes");
        assertThat(r.exit()).as(r.output()).isEqualTo(1);
        List<String> verdicts = verdictCodes(r);
        assertThat(verdicts).containsExactly("passed:null", "timeout:hung", "not-reached:run-stopped");
        assertThat(r.millis()).isLessThan(60_000);
    }

    @Test
    @Order(32)
    void anEnvironmentProblemIsAnEnvironmentErrorNeverAProductFailure() throws Exception {
        Run r = cli("no-testbed", "run", "-p", "faulty", "-s", "fault=no-testbed", "--tags", FEW, "--timeout-ms", "1000", "--no-report");
        assertThat(r.exit()).as(r.output()).isEqualTo(2);
        JsonNode s = r.summary();
        assertThat(s.path("verdict").path("status").asText()).isEqualTo("environment-error");
        assertThat(s.path("counts").path("environment-error").asInt()).isEqualTo(3);
        assertThat(s.path("counts").path("failed").asInt()).isZero();
        assertThat(s.path("preflight").path("status").asText()).isEqualTo("failed");
        assertThat(s.path("preflight").toString()).contains("testbed-opens", "no RDMA device");

        Run missing = cli("no-provider", "run", "-p", "no-such-provider", "--no-report");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.output()).contains("no provider named 'no-such-provider'");
    }

    @Test
    @Order(40)
    void theLabPathWrapsTheSuiteInTheLabRunner() throws Exception {
        // a stand-in for lab/run with the same command line: it runs the command after "--" here
        Path fake = OUT.resolve("fake-lab-run");
        Files.writeString(fake, """
                #!/usr/bin/env bash
                out=
                while [ $# -gt 0 ]; do
                  case $1 in
                    --out) out=$2; shift 2 ;;
                    --timeout) shift 2 ;;
                    -q) shift ;;
                    --) shift; break ;;
                    *) echo "fake lab/run: unexpected $1" >&2; exit 2 ;;
                  esac
                done
                echo "mode=fake" > "$out/lab.properties"
                # like lab/run: the caller's NDK_LAB_* never reach the guest (the lab sets its own)
                for v in $(compgen -e | grep '^NDK_LAB'); do unset "$v"; done
                export NDK_LAB=1 NDK_LAB_OUT="$out"
                exec "$@"
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = cli("lab", "run", "-p", "simulated", "--lab", "always", "--lab-run", fake.toString(), "--tags",
                "@clause:CSE-PENDING", "--no-report", "--no-probes", "--lab-also", "echo extra ran in \"$NDK_LAB_OUT\"; exit 3");
        assertThat(r.exit()).as(r.output()).isEqualTo(4);
        // the extra command ran in the same "boot", after the suite; its failure is logged, not judged
        assertThat(Files.readString(r.out().resolve("raw/lab-also.log")))
                .contains("extra ran in " + r.out().resolve("raw")).contains("lab-also: exit 3");
        JsonNode s = r.summary();
        assertThat(s.path("run").path("lab").asBoolean()).isTrue();
        assertThat(s.path("run").path("settings").path("timeoutMs").asInt()).isEqualTo(20000);
        assertThat(s.path("environment").path("suite").path("lab").path("NDK_LAB").asText()).isEqualTo("1");
        assertThat(Files.readString(r.out().resolve("raw/suite-command.txt"))).startsWith(fake.toString());
        assertThat(r.out().resolve("raw/lab.properties")).isRegularFile();
    }

    // ------------------------------------------------------------------ the command line itself

    @Test
    @Order(50)
    void helpListsAndUsageErrors() throws Exception {
        Run help = cli("help", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.output()).contains("Commands:", "run", "list", "verify", "Exit codes:", "DIR/allure-report/index.html");
        Run runHelp = cli("run-help", "run", "--help");
        assertThat(runHelp.output()).contains("--provider", "--profile", "--tags", "--waivers", "--baseline", "--out",
                "--setting", "--timeout-ms", "--sign-key");

        Run providers = cli("list-providers", "list", "providers", "--provider-path", TEST_CLASSES.toString());
        assertThat(providers.exit()).isZero();
        assertThat(providers.output()).contains("simulated", "reference", "lying", "faulty");
        assertThat(cli("list-profiles", "list", "profiles").output()).contains("certification", "regression");
        Run clauses = cli("list-clauses", "list", "clauses");
        assertThat(clauses.output()).contains("CSE-SUCCESS", "mandatory", "provider-defined");

        assertThat(cli("bad-option", "run", "--provider", "simulated", "--frobnicate").exit()).isEqualTo(2);
        assertThat(cli("no-provider-option", "run").exit()).isEqualTo(2);
        Run noBaseline = cli("no-baseline", "run", "-p", "simulated", "--profile", "regression");
        assertThat(noBaseline.exit()).isEqualTo(2);
        assertThat(noBaseline.output()).contains("needs --baseline");
        Run badSeed = cli("bad-seed", "run", "-p", "simulated", "--seed", "forty-two");
        assertThat(badSeed.exit()).isEqualTo(2);
        assertThat(badSeed.output()).contains("--seed must be a 64-bit number");
        Run badTags = cli("bad-tags", "run", "-p", "simulated", "--tags", "@a and (");
        assertThat(badTags.exit()).isEqualTo(2);
        assertThat(badTags.output()).contains("invalid tag expression");
        Path badWaiver = OUT.resolve("bad-waiver.yaml");
        Files.writeString(badWaiver, "- {clause: CSE-SUCCESS, provider: simulated, versions: '*', reason: r}\n",
                StandardCharsets.UTF_8);
        Run bw = cli("bad-waiver", "run", "-p", "simulated", "--waivers", badWaiver.toString());
        assertThat(bw.exit()).isEqualTo(2);
        assertThat(bw.output()).contains("'issue' is required");
        Run badMatrix = cli("bad-kill-matrix", "run", "-p", "simulated", "--kill-matrix", badWaiver.toString());
        assertThat(badMatrix.exit()).isEqualTo(2);
        assertThat(badMatrix.output()).contains("--kill-matrix");
        Run badKey = cli("bad-sign-key", "run", "-p", "simulated", "--sign-key", badWaiver.toString());
        assertThat(badKey.exit()).isEqualTo(2);
        assertThat(badKey.output()).contains("--sign-key", "no PRIVATE KEY block");
    }

    /** Each scenario's "verdict:reasonCode", in the summary's order. */
    private static List<String> verdictCodes(Run r) throws IOException {
        List<String> out = new ArrayList<>();
        r.summary().path("scenarios").forEach(s -> out.add(s.path("verdict").asText() + ":" + s.path("reasonCode").asText()));
        return out;
    }
}
