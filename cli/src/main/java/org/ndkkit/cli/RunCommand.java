package org.ndkkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.ndkkit.cli.bundle.Bundle;
import org.ndkkit.cli.bundle.Keys;
import org.ndkkit.cli.eval.Certification;
import org.ndkkit.cli.eval.Judgement;
import org.ndkkit.cli.eval.Profile;
import org.ndkkit.cli.eval.Regression;
import org.ndkkit.cli.exec.CrashReport;
import org.ndkkit.cli.exec.Outcomes;
import org.ndkkit.cli.exec.ProgressView;
import org.ndkkit.cli.exec.SuiteProcess;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.report.AllureSupport;
import org.ndkkit.cli.report.Artifacts;
import org.ndkkit.cli.report.JunitReport;
import org.ndkkit.cli.report.MarkdownReport;
import org.ndkkit.cli.report.RunRecord;
import org.ndkkit.cli.report.SummaryJson;
import org.ndkkit.cli.spec.CaseList;
import org.ndkkit.cli.spec.Spec;
import org.ndkkit.cli.suite.Facts;
import org.ndkkit.cli.suite.Preflight;
import org.ndkkit.cli.suite.ProgressLog;
import org.ndkkit.cli.suite.SuiteMain;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;
import org.ndkkit.cli.waiver.WaiverFile;
import org.ndkkit.kit.KitConfig;
import org.ndkkit.kit.KitVersion;
import org.ndkkit.spi.NdkProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ndk-cli run}: one certification or regression run, with every report and the bundle. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the spec against a provider and judges the result by a profile.",
            "",
            "First a preflight checks, where the suite will run, that the provider loads, its testbed opens, "
                + "both adapters answer, the hosts' addresses are usable and which lab conditions exist; a problem "
                + "there is an environment error (exit 2), never a product failure. Then the selected scenarios run "
                + "in a separate JVM (for the 'reference' provider: inside the SoftRoCE lab through lab/run), each "
                + "verdict recorded as it happens, so that a crash or a hang still leaves what ran and names what "
                + "was not reached. Then the kit probes what the provider declares against what it does "
                + "(MaxCallerData at the boundary, read-limit maxima, IPv6), applies the kit's known defects and "
                + "your waivers, judges by the profile, and writes the reports and the certification bundle.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  ndk-cli run -p simulated --out results/sim",
            "  ndk-cli run -p simulated -s completion-path=inline --tags 'not @lifetime'",
            "  ndk-cli run -p acme --provider-path acme.jar --waivers waivers.yaml \\",
            "      --sign-key vendor.pem",
            "  ndk-cli run -p acme --profile regression \\",
            "      --baseline results/last-week/summary.json",
            "  ndk-cli run -p reference --out $PWD/results/ref   # in the SoftRoCE lab",
            "",
            "Verdicts: passed, failed, unsupported (with a reason code), waived, timeout, not-reached, environment-error.",
            "",
            "Exit codes, certification profile: 0 certified (no waiver used), 1 not certified, 2 environment or "
                + "usage error, 3 certified with waivers (a waiver or kit known defect covered a scenario), "
                + "4 incomplete (a --tags run without failures: never a certification).",
            "Exit codes, regression profile: 0 no new failures, 1 new failures, 2 environment or usage error."})
public final class RunCommand implements Callable<Integer> {
    @Option(names = {"-p", "--provider"}, required = true, paramLabel = "NAME",
            description = "the provider to run against (see 'ndk-cli list providers')")
    String provider;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "certification",
            description = "certification (default) or regression (needs --baseline)")
    String profileName;

    @Option(names = {"-t", "--tags"}, paramLabel = "EXPR",
            description = "Cucumber tag expression selecting scenarios, e.g. '@clause:CSE-SUCCESS or @function:NdkReject'")
    String tags;

    @Option(names = "--scenarios", paramLabel = "FILE",
            description = "a case list: run only the scenarios it names, one id (file.feature:line, as 'ndk-cli list "
                    + "scenarios' and summary.json give them) at the start of each line; # starts a comment; with "
                    + "--tags, those of them the expression selects")
    Path scenarioList;

    @Option(names = "--waivers", paramLabel = "FILE", description = "vendor waiver file, YAML or JSON (repeatable)")
    List<Path> waiverFiles = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "regression: the baseline, a summary.json or certification bundle of an earlier run")
    Path baseline;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "output folder (default: ndk-results/<provider>-<profile>)")
    Path out;

    @Option(names = {"-s", "--setting"}, paramLabel = "KEY=VALUE",
            description = "provider setting, passed through as ndk.provider.KEY (repeatable), e.g. completion-path=inline")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--timeout-ms", paramLabel = "MS",
            description = "bound on every wait for a callback (default 5000; 20000 in the lab)")
    Long timeoutMs;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS",
            description = "the provider's connect timeout for a silent host (default 1500; 3000 in the lab)")
    Long connectTimeoutMs;

    @Option(names = "--settle-ms", paramLabel = "MS", description = "how long to watch for stray callbacks (default 100)")
    Long settleMs;

    @Option(names = "--seed", paramLabel = "N",
            description = "the run seed (decimal or 0x-hex, 64 bits): every input a scenario draws comes from it, and "
                    + "the provider gets it as its setting seed (default: drawn once per run; the report records it, "
                    + "so --seed N repeats a run's draws)")
    String seed;

    @Option(names = "--stall-timeout", paramLabel = "SECONDS",
            description = "stop the run when nothing progresses this long; the running scenario becomes 'timeout' "
                    + "(default: from the timeouts, at least 60)")
    Long stallSeconds;

    @Option(names = "--run-timeout", paramLabel = "SECONDS", description = "stop the whole run after this long (default: none)")
    Long runSeconds;

    @Option(names = "--kill-matrix", paramLabel = "FILE",
            description = "a kill-matrix.json of the seeded defects (defects/, or defects/lab-kill-matrix.sh) to include "
                    + "in the summary, the report and the bundle, as evidence of what this kit catches (repeatable)")
    List<Path> killMatrices = new ArrayList<>();

    @Option(names = "--lab-also", paramLabel = "COMMAND",
            description = "in the lab, run this shell command in the same VM boot after the suite (for example a "
                    + "benchmark); its output goes to raw/lab-also.log and does not change the verdicts; in the VM it can "
                    + "write only under the run's raw/ folder")
    String labAlso;

    @Option(names = "--max-restarts", paramLabel = "N", defaultValue = "3",
            description = "when the suite process dies (for example a native fault in the provider), or the provider "
                    + "crashes behind an agent, fail the scenario it was running as 'crashed' and resume with the rest in "
                    + "a fresh process, at most N times (default: ${DEFAULT-VALUE})")
    int maxRestarts;

    @Option(names = "--provider-path", paramLabel = "JAR|DIR", description = "jars or class folders holding the provider (repeatable)")
    List<Path> providerPath = new ArrayList<>();

    @Option(names = "--lab", paramLabel = "MODE", defaultValue = "auto",
            description = "run the suite in the SoftRoCE lab: auto (for 'reference'), always, never")
    String labMode;

    @Option(names = "--lab-run", paramLabel = "PATH", description = "the lab's runner (default: lab/run of this kit)")
    Path labRun;

    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "sign the bundle: PEM PKCS#8 private key (RSA, EC, Ed25519) or PKCS#12 keystore")
    Path signKey;

    @Option(names = "--sign-key-password-env", paramLabel = "VAR",
            description = "environment variable holding the PKCS#12 password (default NDK_SIGN_KEY_PASSWORD)")
    String signKeyPasswordEnv = "NDK_SIGN_KEY_PASSWORD";

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a live line on a terminal, quiet when CI is set), line, log, quiet")
    ProgressView.Mode progress;

    @Option(names = "--no-probes", description = "skip the declared-versus-observed probes")
    boolean noProbes;

    @Option(names = "--no-report", description = "skip the Allure HTML report")
    boolean noReport;

    @Option(names = "--jvm-arg", paramLabel = "ARG", description = "extra option for the suite's JVM (repeatable)")
    List<String> jvmArgs = new ArrayList<>();

    @Option(names = "--known-defects", paramLabel = "FILE", hidden = true,
            description = "replace the kit's known-defects list (for testing the kit)")
    Path knownDefects;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintWriter outw;
    private final ObjectMapper json = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public Integer call() throws Exception {
        outw = spec.commandLine().getOut();
        RunRecord r = new RunRecord();
        r.runId = UUID.randomUUID().toString();
        r.kitVersion = KitVersion.get();
        r.cliVersion = CliInfo.version();
        r.started = Instant.now();
        r.providerName = provider;
        r.command = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        r.command.add(0, "ndk-cli");

        // ------------------------------------------------------------ usage: everything the user gave
        Profile profile;
        try {
            profile = Profile.of(profileName);
        } catch (IllegalArgumentException e) {
            throw new NdkCli.UsageException(e.getMessage());
        }
        r.profile = profile;
        if (profile == Profile.REGRESSION && baseline == null) {
            throw new NdkCli.UsageException("the regression profile needs --baseline FILE (a summary.json or bundle of an earlier run)");
        }
        if (!List.of("auto", "always", "never").contains(labMode)) {
            throw new NdkCli.UsageException("--lab must be auto, always or never");
        }
        ProviderPath pp = new ProviderPath(providerPath);
        r.kitArtifacts = Artifacts.ofClassPath(System.getProperty("ndk.cli.classpath", System.getProperty("java.class.path")));
        r.providerArtifacts = Artifacts.of(providerPath);
        Spec specFiles = Spec.load(getClass().getClassLoader());
        r.spec = specFiles;
        List<Spec.Scenario> byTags;
        try {
            byTags = specFiles.select(tags);
        } catch (IllegalArgumentException e) {
            throw new NdkCli.UsageException(e.getMessage(), e);
        }
        if (byTags.isEmpty()) {
            throw new NdkCli.UsageException("--tags '" + tags + "' selects no scenario (see 'ndk-cli list scenarios --tags ...')");
        }
        List<Spec.Scenario> selected = scenarioList == null ? byTags : listed(byTags, specFiles, r);
        r.tags = tags == null || tags.isBlank() ? null : tags;
        r.selectedCount = selected.size();
        r.selectionComplete = selected.size() == specFiles.scenarios().size();

        List<Waiver> vendor = new ArrayList<>();
        for (Path w : waiverFiles) {
            try {
                vendor.addAll(WaiverFile.load(w, Waiver.VENDOR));
                r.waiverFiles.put(w.toString(), Hashes.sha256(w));
            } catch (IOException | IllegalArgumentException e) {
                throw new NdkCli.UsageException("--waivers " + w + ": " + e.getMessage(), e);
            }
        }
        List<Waiver> kitDefects;
        byte[] kitDefectsBytes;
        try {
            if (knownDefects != null) {
                kitDefectsBytes = Files.readAllBytes(knownDefects);
                r.knownDefectsName = knownDefects.getFileName().toString();
            } else {
                try (InputStream in = RunCommand.class.getResourceAsStream("kit-known-defects.yaml")) {
                    kitDefectsBytes = in.readAllBytes();
                }
                r.knownDefectsName = "kit-known-defects.yaml";
            }
            kitDefects = WaiverFile.parse(new java.io.ByteArrayInputStream(kitDefectsBytes), r.knownDefectsName, Waiver.KIT_DEFECT);
            r.knownDefectsSha256 = Hashes.sha256(kitDefectsBytes);
        } catch (IOException | IllegalArgumentException e) {
            throw new NdkCli.UsageException("known defects: " + e.getMessage(), e);
        }
        // every waiver file travels in the bundle under its own entry, so verify can judge again with it
        Set<String> entryNames = new HashSet<>(Set.of("waivers/" + r.knownDefectsName));
        for (Path w : waiverFiles) {
            String name = "waivers/" + w.getFileName();
            for (int k = 2; !entryNames.add(name); k++) {
                name = "waivers/" + k + "-" + w.getFileName();
            }
            r.waiverEntries.put(w.toString(), name);
        }
        Regression.Baseline base = null;
        if (baseline != null) {
            try {
                base = Regression.load(baseline);
            } catch (IOException | IllegalArgumentException e) {
                throw new NdkCli.UsageException("--baseline " + baseline + ": " + e.getMessage(), e);
            }
        }
        for (String k : settings.keySet()) {
            if (!k.matches("[A-Za-z0-9._-]+")) {
                throw new NdkCli.UsageException("--setting " + k + ": keys are letters, digits, '.', '_' and '-'");
            }
        }

        Keys.SigningKey signingKey = null;
        if (signKey != null) {
            try {
                String pw = System.getenv(signKeyPasswordEnv);
                signingKey = Keys.load(signKey, pw == null ? null : pw.toCharArray());
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new NdkCli.UsageException("--sign-key " + signKey + ": " + e.getMessage(), e);
            }
        }

        boolean lab = labMode.equals("always") || (labMode.equals("auto") && provider.equals("reference"));
        r.lab = lab;
        long tMs = timeoutMs != null ? timeoutMs : lab ? 20000 : 5000;
        long cMs = connectTimeoutMs != null ? connectTimeoutMs : lab ? 3000 : 1500;
        long sMs = settleMs != null ? settleMs : 100;
        if (tMs <= 0 || cMs <= 0 || sMs <= 0) {
            throw new NdkCli.UsageException("timeouts must be positive");
        }
        long stall = stallSeconds != null ? stallSeconds : Math.max(60, 6 * (tMs + cMs) / 1000) + (lab ? 60 : 0);
        r.settings.put("timeoutMs", tMs);
        r.settings.put("connectTimeoutMs", cMs);
        r.settings.put("settleMs", sMs);
        r.settings.put("stallTimeoutSeconds", stall);
        r.settings.put("runTimeoutSeconds", runSeconds);
        // one seed for every attempt of the run: a resumed suite draws what the crashed one would have
        runSeed = seed == null ? new java.security.SecureRandom().nextLong() : parseSeed(seed);
        r.settings.put("seed", Long.toString(runSeed));
        for (Path km : killMatrices) {
            try {
                JsonNode m = json.readTree(km.toFile());
                if (!m.path("schema").asText().startsWith("ndk-kill-matrix/")) {
                    throw new IOException("not a kill matrix (schema " + m.path("schema").asText("missing") + ")");
                }
                r.killMatrices.add(m);
            } catch (IOException e) {
                outw.println("ndk-cli: --kill-matrix " + km + ": " + e.getMessage());
                return ExitCodes.ENVIRONMENT_OR_USAGE;
            }
        }
        r.settings.put("probes", !noProbes);
        r.providerSettings.putAll(settings);

        Path outDir = (out != null ? out : Path.of("ndk-results", provider + "-" + profile.id())).toAbsolutePath().normalize();
        r.outDir = outDir;
        Path raw = outDir.resolve("raw");

        // ------------------------------------------------------------ host preflight
        r.hostEnvironment = Facts.collect();
        NdkProvider hostProvider = null;
        try {
            hostProvider = pp.providers().stream().filter(p -> p.identity().name().equals(provider)).findFirst().orElse(null);
            if (hostProvider == null) {
                r.hostCheck("provider-found", "error", "no provider named '" + provider + "' on the class path; available: "
                        + String.join(", ", pp.providers().stream().map(p -> p.identity().name()).sorted().toList())
                        + " (add one with --provider-path)");
            } else {
                r.hostCheck("provider-found", "ok", provider + " " + hostProvider.identity().version() + " ("
                        + hostProvider.getClass().getName() + ")");
                fillProvider(r, hostProvider);
            }
        } catch (java.util.ServiceConfigurationError | RuntimeException | LinkageError e) {
            r.hostCheck("provider-found", "error", "a provider on the class path failed to load: " + e.getMessage());
        }
        try {
            prepare(outDir);
            r.hostCheck("output-folder", "ok", outDir.toString());
        } catch (IOException e) {
            r.hostCheck("output-folder", "error", "cannot use " + outDir + ": " + e.getMessage());
        }
        Path labRunner = null;
        if (lab) {
            labRunner = labRun != null ? labRun : findLabRun();
            if (labRunner == null || !Files.isExecutable(labRunner)) {
                r.hostCheck("lab", "error", "the SoftRoCE lab runner was not found" + (labRunner == null ? "" : " at " + labRunner)
                        + "; give --lab-run PATH");
            } else {
                r.hostCheck("lab", "ok", "the suite runs in the SoftRoCE lab through " + labRunner);
            }
        }
        Path allureHome = AllureSupport.home();
        if (!noReport) {
            r.hostCheck("allure-commandline", allureHome == null ? "warning" : "ok", allureHome == null
                    ? "not found; the HTML report will be missing (build cli/ with Maven, or set -Dndk.allure.home)"
                    : allureHome.toString());
        }

        Map<String, Spec.Scenario> specById = new LinkedHashMap<>();
        selected.forEach(s -> specById.put(s.id(), s));
        ProgressView view = new ProgressView(progress, System.out, selected.size());
        outw.println("ndk-cli: " + profile.id() + " run of " + provider + (r.providerVersion == null ? "" : " " + r.providerVersion)
                + ": " + selected.size() + " of " + specFiles.scenarios().size() + " scenarios" + (lab ? ", in the SoftRoCE lab" : "")
                + " -> " + outDir);
        outw.println("ndk-cli: run seed " + runSeed + (seed == null ? " (drawn; repeat this run's inputs with --seed " + runSeed + ")"
                : " (given)"));
        outw.flush();

        final Regression.Baseline baseFinal = base;
        List<JsonNode> events = new ArrayList<>();
        List<String> crashes = new ArrayList<>();
        SuiteProcess.Ended ended = null;
        if (r.preflightOk) {
            Files.createDirectories(raw);
            writeSelection(raw.resolve("selection.json"), selected, r);
            // A suite process that dies (a native fault in the provider, or the emulator under the
            // lab) does not lose the run: its scenario is failed as crashed, and a fresh process
            // resumes with the scenarios that have no verdict yet, up to --max-restarts times.
            long deadline = runSeconds == null ? Long.MAX_VALUE : System.nanoTime() + runSeconds * 1_000_000_000L;
            Set<String> verdicts = new HashSet<>();
            for (int attempt = 1; ; attempt++) {
                String suffix = attempt == 1 ? "" : "-" + attempt;
                List<String> cmd = suiteCommand(pp, raw, suffix, tMs, cMs, sMs);
                cmd.add(1, "-XX:ErrorFile=" + raw.resolve("hs_err_%p.log"));
                if (attempt == 1 && scenarioList != null) {
                    Path listed = raw.resolve("scenarios.txt");
                    Files.write(listed, selected.stream().map(Spec.Scenario::id).toList(), StandardCharsets.UTF_8);
                    cmd.addAll(List.of("--scenarios", listed.toString()));
                }
                if (attempt > 1) {
                    Path rest = raw.resolve("resume" + suffix + ".txt");
                    Files.write(rest, selected.stream().map(Spec.Scenario::id).filter(id -> !verdicts.contains(id)).toList(),
                            StandardCharsets.UTF_8);
                    cmd.addAll(List.of("--scenarios", rest.toString(), "--attempt", Integer.toString(attempt)));
                }
                long left = (deadline - System.nanoTime()) / 1_000_000_000L;
                if (lab) {
                    // Under QEMU's multi-threaded TCG the guest JVM's C2-compiled code crashed now and
                    // then (SIGSEGV in pure Java code, 3 of ~20 runs); C1 only ran clean at similar speed.
                    cmd.add(1, "-XX:TieredStopAtLevel=1");
                    List<String> wrapped = new ArrayList<>(List.of(labRunner.toString(), "--out", raw.toString(), "--timeout",
                            Long.toString(runSeconds != null ? Math.max(1, left) : 3600), "-q", "--"));
                    if (labAlso != null && attempt == 1) {
                        // the suite's exit code stays the command's; the extra command only logs
                        wrapped.addAll(List.of("/bin/bash", "-c", "\"$@\"; rc=$?; /bin/bash -c \"$NDK_ALSO_CMD\" >\"$NDK_ALSO_LOG\" 2>&1"
                                + " || echo \"lab-also: exit $?\" >>\"$NDK_ALSO_LOG\"; exit $rc", "ndk-suite"));
                    }
                    wrapped.addAll(cmd);
                    cmd = wrapped;
                }
                Files.writeString(raw.resolve("suite-command" + suffix + ".txt"), String.join("\n", cmd) + "\n",
                        StandardCharsets.UTF_8);
                view.phase((attempt == 1 ? "starting the suite" : "resuming the suite (attempt " + attempt + ")")
                        + (lab ? " in the SoftRoCE lab" : "") + " ...");
                long started = System.currentTimeMillis();
                Map<String, String> env = labAlso == null ? Map.of()
                        : Map.of("NDK_ALSO_CMD", labAlso, "NDK_ALSO_LOG", raw.resolve("lab-also.log").toString());
                ended = SuiteProcess.run(cmd, env, raw.resolve("progress" + suffix + ".ndjson"),
                        raw.resolve("suite" + suffix + ".log"), Duration.ofSeconds(stall),
                        runSeconds == null ? null : Duration.ofSeconds(Math.max(1, left)), e -> {
                            events.add(e);
                            view.event(e);
                            if (e.path("event").asText().equals("scenario-finished")) {
                                verdicts.add(e.path("id").asText());
                                provisional(r, selected, events, outDir, vendor, kitDefects, baseFinal);
                            }
                        });
                boolean finishedNow = ended.events().stream().anyMatch(e -> e.path("event").asText().equals("suite-finished"));
                boolean preflightFailed = ended.events().stream().anyMatch(e -> e.path("event").asText().equals("preflight")
                        && !Preflight.suiteRuns(e.path("status").asText()));
                if (finishedNow || ended.stopped() || preflightFailed || (lab && (ended.exitCode() == 124 || ended.exitCode() == 125))) {
                    break;
                }
                // The provider crashed behind its transport (an agent's worker): the suite recorded that
                // scenario's verdict (failed, crashed, the agent's words) and ended itself to resume afresh.
                JsonNode providerCrash = ended.events().stream().filter(e -> e.path("event").asText().equals("provider-crashed"))
                        .findFirst().orElse(null);
                String crash = providerCrash != null ? null : CrashReport.find(raw, started).map(CrashReport::summarize).orElse(null);
                String how = providerCrash != null
                        ? providerCrash.path("reason").asText("the provider crashed") + "; the suite process ended (exit "
                        + ended.exitCode() + ") to resume with a new testbed"
                        : "the suite process died (exit " + ended.exitCode() + ")" + (crash == null ? "" : ": " + crash);
                if (ended.lastStarted() != null) {
                    ObjectNode f = json.createObjectNode().put("event", "scenario-finished").put("id", ended.lastStarted())
                            .put("verdict", "failed").put("code", "crashed").put("reason", how + ", during this scenario")
                            .put("durationMillis", 0);
                    events.add(f);
                    verdicts.add(ended.lastStarted());
                }
                String in = providerCrash != null ? providerCrash.path("id").asText() : ended.lastStarted();
                crashes.add("attempt " + attempt + (in == null ? " (no scenario running)" : " in " + in) + ": " + how);
                boolean more = selected.stream().anyMatch(sc -> !verdicts.contains(sc.id()));
                if (!more || attempt > maxRestarts || System.nanoTime() >= deadline) {
                    break;
                }
            }
            if (!crashes.isEmpty()) {
                r.hostCheck("suite-process-crashes", "warning", crashes.size() + " crash(es), resumed after each while"
                        + " restarts were left: " + String.join("; ", crashes));
            }
            view.end();
        }

        // ------------------------------------------------------------ what happened
        JsonNode preflight = readJson(raw.resolve("preflight.json"));
        r.preflight = preflight;
        r.environment = readJson(raw.resolve("environment.json"));
        if (preflight != null) {
            JsonNode p = preflight.path("provider");
            if (p.has("version")) {
                r.providerVersion = p.path("version").asText();
                r.providerVendor = p.path("vendor").asText(null);
                r.providerDescription = p.path("description").asText(null);
                r.providerClass = p.path("class").asText(null);
                r.providerCodeSource = p.path("codeSource").asText(null);
                r.capabilities = new ArrayList<>();
                p.path("capabilities").forEach(c -> r.capabilities.add(c.asText()));
            }
            r.adapterInfo = preflight.get("adapterInfo");
            r.identity = Preflight.identityOf(preflight);
            // a provider skeleton (not-implemented) is not an environment error: its scenarios say unsupported
            if (!Preflight.suiteRuns(preflight.path("status").asText())) {
                r.preflightOk = false;
            }
        }
        String envError = null;
        if (!r.preflightOk) {
            envError = "preflight failed: " + firstError(r);
        } else if (ended != null && ended.exitCode() == 125 && lab) {
            envError = "the SoftRoCE lab failed (lab/run exit 125); see " + raw.resolve("lab-console.log");
            r.hostCheck("lab-run", "error", envError);
        } else if (ended != null && preflight == null && !ended.stopped()) {
            envError = "the suite process ended (exit " + ended.exitCode() + ") before its preflight"
                    + (crashes.isEmpty() ? "" : " (" + crashes.get(crashes.size() - 1) + ")") + "; see " + raw.resolve("suite.log");
            r.hostCheck("suite-process", "error", envError);
        } else if (ended != null && preflight == null && ended.stalled()) {
            envError = "the suite process made no progress for " + stall + " s before its preflight finished";
            r.hostCheck("suite-process", "error", envError);
        }
        boolean finished = ended != null && events.stream().anyMatch(e -> e.path("event").asText().equals("suite-finished"));
        Outcomes.RunState state = new Outcomes.RunState(finished, envError, ended != null && ended.stalled(),
                ended != null && (ended.runTimedOut() || (lab && ended.exitCode() == 124)), ended != null && ended.interrupted(),
                ended == null ? null : ended.lastStarted(), ended == null ? null : ended.exitCode(), stall);
        r.results = Outcomes.assemble(selected, events, state);
        r.state = envError != null ? "stopped" : finished ? "complete" : "stopped";
        r.stateDetail = envError != null ? envError : finished ? null : stopDetail(ended, stall);
        r.finished = Instant.now();

        Path probes = raw.resolve("probes.json");
        if (Files.isRegularFile(probes)) {
            r.probesRan = true;
            r.findings = List.of(json.readValue(probes.toFile(), Finding[].class));
        }
        judge(r, vendor, kitDefects, base);

        // ------------------------------------------------------------ reports
        Path cucumber = outDir.resolve("cucumber");
        moveIfPresent(raw.resolve("cucumber"), cucumber);
        for (int a = 2; Files.isDirectory(raw.resolve("cucumber-" + a)); a++) {
            moveIfPresent(raw.resolve("cucumber-" + a), cucumber.resolve("attempt-" + a));
        }
        Path allureResults = outDir.resolve("allure-results");
        moveIfPresent(raw.resolve("allure-results"), allureResults);
        Path junitDir = outDir.resolve("junit");
        Files.createDirectories(junitDir);
        r.outputs.put("summary", "summary.json");
        r.outputs.put("summaryText", "summary.md");
        r.outputs.put("junit", "junit/TEST-ndk-conformance.xml");
        r.outputs.put("cucumberMessages", "cucumber/messages.ndjson");
        r.outputs.put("allureResults", "allure-results/");
        JunitReport.write(r, junitDir.resolve("TEST-ndk-conformance.xml"));
        String reportProblem = null;
        long allureMs = 0;
        if (!noReport) {
            view.phase("writing the Allure report ...");
            long t0 = System.nanoTime();
            AllureSupport.enrich(allureResults, r, specById);
            reportProblem = AllureSupport.generate(allureHome, allureResults, outDir.resolve("allure-report"),
                    raw.resolve("allure-generate.log"));
            allureMs = (System.nanoTime() - t0) / 1_000_000;
            view.end();
            if (reportProblem == null) {
                r.outputs.put("allureReport", "allure-report/index.html");
            } else {
                r.hostCheck("allure-report", "warning", reportProblem);
            }
        }
        r.settings.put("allureReportMillis", allureMs);
        Files.writeString(outDir.resolve("summary.md"), MarkdownReport.render(r), StandardCharsets.UTF_8);
        r.outputs.put("bundle", "bundle/" + Bundle.NAME);
        SummaryJson.write(r, outDir.resolve("summary.json"));
        Files.writeString(outDir.resolve("summary.md"), MarkdownReport.render(r), StandardCharsets.UTF_8);

        // ------------------------------------------------------------ bundle
        Bundle.Written written = null;
        try {
            written = bundle(r, outDir, raw, cucumber, vendor, kitDefectsBytes, signingKey);
        } catch (java.security.GeneralSecurityException e) {
            outw.println("ndk-cli: cannot sign the bundle with " + signKey + ": " + e.getMessage());
            r.exitCode = ExitCodes.ENVIRONMENT_OR_USAGE;
        }

        printSummary(r, outDir, written, reportProblem);
        return r.exitCode;
    }

    // ------------------------------------------------------------------ judging

    static void judge(RunRecord r, List<Waiver> vendor, List<Waiver> kitDefects, Regression.Baseline base) {
        // Waivers are judged as of the day the run finished (UTC), recorded in summary.json, so that
        // verify can judge the bundle again and get the same answer on any later day.
        r.judgedOn = LocalDate.ofInstant(r.finished, ZoneOffset.UTC);
        Judgement j = Judgement.of(r.results, new Judgement.Inputs(kitDefects, vendor, r.providerName, r.providerVersion,
                r.judgedOn, r.spec.catalogue(), new HashSet<>(r.capabilities), r.selectionComplete, r.preflightOk,
                r.findings, r.profile, base));
        r.waivers = j.waivers();
        r.results = j.waivers().results();
        r.certification = j.certification();
        r.regression = j.regression();
        r.status = j.status();
        r.exitCode = j.exitCode();
        if (r.status.equals(Certification.ENVIRONMENT_ERROR)) {
            r.exitReason = "the environment could not host the run (not a product failure): "
                    + (r.stateDetail != null ? r.stateDetail : firstError(r));
        } else if (r.profile == Profile.REGRESSION) {
            r.exitReason = r.regression.newFailures().size() + " new failure(s), " + r.regression.newPasses().size()
                    + " new pass(es), " + r.regression.changed().size() + " other change(s)";
        } else if (r.status.equals(Certification.CERTIFIED_WITH_WAIVERS)) {
            List<Judgement.WaiverUsed> used = Judgement.used(r.waivers);
            r.exitReason = "certified only with " + used.size() + " waiver(s): "
                    + String.join(", ", used.stream().map(u -> u.waiver().id()).toList());
        } else {
            r.exitReason = r.certification.reasons().isEmpty() ? null : r.certification.reasons().size() + " reason(s); first: "
                    + r.certification.reasons().get(0);
        }
    }

    /** The summary as it stands while the suite still runs: what ran, and the rest not yet reached. */
    private void provisional(RunRecord r, List<Spec.Scenario> selected, List<JsonNode> events, Path outDir,
                             List<Waiver> vendor, List<Waiver> kitDefects, Regression.Baseline base) {
        try {
            RunRecord p = new RunRecord();
            p.runId = r.runId;
            p.kitVersion = r.kitVersion;
            p.cliVersion = r.cliVersion;
            p.started = r.started;
            p.profile = r.profile;
            p.tags = r.tags;
            p.scenarioList = r.scenarioList;
            p.selectionComplete = r.selectionComplete;
            p.selectedCount = r.selectedCount;
            p.command = r.command;
            p.settings = r.settings;
            p.lab = r.lab;
            p.providerName = r.providerName;
            p.providerVersion = r.providerVersion;
            p.providerVendor = r.providerVendor;
            p.providerDescription = r.providerDescription;
            p.capabilities = r.capabilities;
            p.providerSettings = r.providerSettings;
            p.spec = r.spec;
            p.knownDefectsName = r.knownDefectsName;
            p.knownDefectsSha256 = r.knownDefectsSha256;
            p.waiverFiles = r.waiverFiles;
            p.waiverEntries = r.waiverEntries;
            p.hostChecks = r.hostChecks;
            p.hostEnvironment = r.hostEnvironment;
            p.preflight = readJson(outDir.resolve("raw/preflight.json"));
            p.identity = Preflight.identityOf(p.preflight);
            p.environment = readJson(outDir.resolve("raw/environment.json"));
            p.state = "in-progress";
            p.stateDetail = "the suite is running; scenarios without a verdict yet are listed as not-reached";
            p.results = Outcomes.assemble(selected, events, new Outcomes.RunState(false, null, false, false, false, null,
                    null, 0));
            p.finished = Instant.now();
            judge(p, vendor, kitDefects, base);
            SummaryJson.write(p, outDir.resolve("summary.json"));
        } catch (IOException | RuntimeException e) {
            // the final summary is written anyway; a provisional one is a convenience
        }
    }

    // ------------------------------------------------------------------ the suite process

    private long runSeed;

    /** A seed as the kit reads {@code ndk.seed}; a bad one is a usage error. */
    static long parseSeed(String v) {
        try {
            return KitConfig.parseSeed(v);
        } catch (IllegalArgumentException e) {
            throw new NdkCli.UsageException("--seed must be a 64-bit number (decimal or 0x-hex), got '" + v + "'");
        }
    }

    /** The suite process's command; {@code suffix} ("" or "-N") keeps a resumed attempt's kit output apart. */
    private List<String> suiteCommand(ProviderPath pp, Path raw, String suffix, long tMs, long cMs, long sMs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dndk.provider=" + provider);
        cmd.add("-Dndk.out=" + raw.resolve("kit" + suffix));
        cmd.add("-Dndk.timeout.ms=" + tMs);
        cmd.add("-Dndk.connect-timeout.ms=" + cMs);
        cmd.add("-Dndk.settle.ms=" + sMs);
        cmd.add("-Dndk.seed=" + runSeed);
        settings.forEach((k, v) -> cmd.add("-Dndk.provider." + k + "=" + v));
        cmd.add("-Dallure.results.directory=" + raw.resolve("allure-results"));
        cmd.add("-D" + ProgressLog.PROPERTY + "=" + raw.resolve("progress.ndjson"));
        cmd.add("-cp");
        cmd.add(pp.classPath());
        cmd.add(SuiteMain.class.getName());
        cmd.add("--raw");
        cmd.add(raw.toString());
        if (tags != null && !tags.isBlank()) {
            cmd.add("--tags");
            cmd.add(tags);
        }
        if (noProbes) {
            cmd.add("--no-probes");
        }
        return cmd;
    }

    private static Path findLabRun() {
        try {
            Path self = Path.of(RunCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = self.getParent(); p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("lab/run"))) {
                    return p.resolve("lab/run");
                }
            }
        } catch (Exception ignored) {
            // fall back to the current folder
        }
        Path here = Path.of("lab/run").toAbsolutePath();
        return Files.isExecutable(here) ? here : null;
    }

    /** Clears what an earlier run left in the output folder (only the CLI's own files). */
    private static void prepare(Path outDir) throws IOException {
        Files.createDirectories(outDir);
        for (String p : List.of("summary.json", "summary.md", "junit", "allure-results", "allure-report", "bundle", "raw",
                "cucumber")) {
            deleteTree(outDir.resolve(p));
        }
        Path probe = outDir.resolve(".ndk-cli-write-test");
        Files.writeString(probe, "ok");
        Files.delete(probe);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    private static void moveIfPresent(Path from, Path to) throws IOException {
        if (Files.exists(from)) {
            deleteTree(to);
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code --scenarios}: those of {@code byTags} the case list names. */
    private List<Spec.Scenario> listed(List<Spec.Scenario> byTags, Spec specFiles, RunRecord r) {
        Set<String> listed;
        try {
            listed = CaseList.read(scenarioList, specFiles);
        } catch (IllegalArgumentException e) {
            throw new NdkCli.UsageException(e.getMessage(), e);
        }
        List<Spec.Scenario> selected = byTags.stream().filter(sc -> listed.contains(sc.id())).toList();
        if (selected.isEmpty()) {
            throw new NdkCli.UsageException("--scenarios " + scenarioList + " with --tags '" + tags + "' selects no scenario");
        }
        r.scenarioList = scenarioList + " (" + listed.size() + " ids)";
        return selected;
    }

    private void writeSelection(Path file, List<Spec.Scenario> selected, RunRecord r) throws IOException {
        ObjectNode n = json.createObjectNode();
        n.put("tags", r.tags);
        n.put("scenarioList", r.scenarioList);
        n.put("complete", r.selectionComplete);
        n.set("scenarios", json.valueToTree(selected.stream().map(Spec.Scenario::id).toList()));
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), n);
    }

    private JsonNode readJson(Path p) {
        try {
            return Files.isRegularFile(p) ? json.readTree(p.toFile()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void fillProvider(RunRecord r, NdkProvider p) {
        r.providerVersion = p.identity().version();
        r.providerVendor = p.identity().vendor();
        r.providerDescription = p.identity().description();
        r.providerClass = p.getClass().getName();
        r.capabilities = p.capabilities().stream().map(Enum::name).sorted().toList();
        var src = p.getClass().getProtectionDomain().getCodeSource();
        r.providerCodeSource = src == null || src.getLocation() == null ? null : src.getLocation().toString();
    }

    private static String firstError(RunRecord r) {
        for (Map<String, String> c : r.hostChecks) {
            if (c.get("status").equals("error")) {
                return c.get("name") + ": " + c.get("detail");
            }
        }
        if (r.preflight != null) {
            for (JsonNode c : r.preflight.path("checks")) {
                if (c.path("status").asText().equals("error")) {
                    return c.path("name").asText() + ": " + c.path("detail").asText();
                }
            }
        }
        for (ScenarioResult s : r.results) {
            if (s.verdict() == Verdict.ENVIRONMENT_ERROR) {
                return s.reason();
            }
        }
        return "unknown";
    }

    private static String stopDetail(SuiteProcess.Ended e, long stall) {
        if (e == null) {
            return "the suite did not run";
        }
        if (e.stalled()) {
            return "stopped: no progress for " + stall + " s" + (e.lastStarted() == null ? "" : " (in " + e.lastStarted() + ")");
        }
        if (e.runTimedOut() || e.exitCode() == 124) {
            return "stopped: the run's time limit ran out";
        }
        if (e.interrupted()) {
            return "stopped: interrupted";
        }
        return "the suite process ended (exit " + e.exitCode() + ") before it finished";
    }

    // ------------------------------------------------------------------ bundle and console

    private Bundle.Written bundle(RunRecord r, Path outDir, Path raw, Path cucumber, List<Waiver> vendor, byte[] kitDefects,
                                  Keys.SigningKey key) throws IOException, java.security.GeneralSecurityException {
        Bundle b = new Bundle();
        b.add("summary.json", outDir.resolve("summary.json"));
        b.add("summary.md", outDir.resolve("summary.md"));
        b.add("junit/TEST-ndk-conformance.xml", outDir.resolve("junit/TEST-ndk-conformance.xml"));
        b.add("evidence/environment.json", raw.resolve("environment.json"));
        b.add("evidence/preflight.json", raw.resolve("preflight.json"));
        b.add("evidence/probes.json", raw.resolve("probes.json"));
        b.add("evidence/probes-trace.txt", raw.resolve("probes-trace.txt"));
        b.add("evidence/progress.ndjson", raw.resolve("progress.ndjson"));
        b.add("evidence/suite-summary.json", raw.resolve("kit/summary.json"));
        b.add("evidence/cucumber-messages.ndjson", cucumber.resolve("messages.ndjson"));
        b.add("evidence/lab.properties", raw.resolve("lab.properties"));
        b.add("evidence/lab-timings.properties", raw.resolve("lab-timings.properties"));
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < killMatrices.size(); i++) {
            JsonNode inner = r.killMatrices.get(i).path("inner");
            // the same inner provider in-process and through the wire: two files
            String base = "kill-matrix-" + inner.path("name").asText("provider")
                    + (inner.path("through").asText("").startsWith("ndk.wire") ? "-wire" : "");
            String name = base;
            for (int k = 2; !names.add(name); k++) {
                name = base + "-" + k;
            }
            b.add("evidence/" + name + ".json", killMatrices.get(i));
        }
        // a resumed run: each later attempt's progress log and the fatal-error logs of the crashes
        try (Stream<Path> files = Files.isDirectory(raw) ? Files.list(raw) : Stream.empty()) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("progress-\\d+\\.ndjson|hs_err_.*\\.log"))
                    .sorted().toList()) {
                b.add("evidence/" + f.getFileName(), f);
            }
        }
        for (Path w : waiverFiles) {
            b.add(r.waiverEntries.get(w.toString()), w);
        }
        b.add("waivers/" + r.knownDefectsName, kitDefects);
        if (baseline != null && Files.isRegularFile(baseline)) {
            b.add("baseline/" + baseline.getFileName(), baseline);
        }
        Spec s = r.spec;
        for (String name : s.fileHashes().keySet()) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(Spec.DIR + "/" + name)) {
                if (in != null) {
                    b.add("spec/" + name, in.readAllBytes());
                }
            }
        }
        return b.write(outDir.resolve("bundle"), r.finished, key);
    }

    private void printSummary(RunRecord r, Path outDir, Bundle.Written w, String reportProblem) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Verdict v : Verdict.values()) {
            long n = r.results.stream().filter(x -> x.verdict() == v).count();
            if (n > 0) {
                counts.put(v.wire(), (int) n);
            }
        }
        PrintWriter o = outw;
        o.println();
        o.println("NDK conformance - " + r.providerName + " " + (r.providerVersion == null ? "" : r.providerVersion)
                + (r.providerVendor == null ? "" : " (" + r.providerVendor + ")") + ", profile " + r.profile.id());
        o.println("  identity   " + (r.identity.isEmpty() ? "the testbed declares none"
                : r.identity.size() + " fact(s) declared by the testbed (summary.md lists them)"));
        long withConditions = r.results.stream().filter(s -> !s.conditions().isEmpty()).count();
        if (withConditions > 0) {
            Map<String, Long> methods = new java.util.TreeMap<>();
            r.results.forEach(s -> s.conditions().forEach(c -> methods.merge(c.method() == null ? "undeclared" : c.method(), 1L,
                    Long::sum)));
            o.println("  conditions " + withConditions + " scenario(s) used a lab condition, produced: " + String.join(", ",
                    methods.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).toList()));
        }
        o.println("  scenarios  " + r.results.size() + ": " + counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .reduce((a, b) -> a + ", " + b).orElse("none"));
        List<ScenarioResult> notPassed = r.results.stream().filter(s -> s.verdict() != Verdict.PASSED).toList();
        int shown = 0;
        for (ScenarioResult s : notPassed) {
            if (++shown > 20) {
                o.println("    ... and " + (notPassed.size() - 20) + " more (see summary.md)");
                break;
            }
            String reason = s.reason() == null ? "" : s.reason();
            int nl = reason.indexOf('\n');
            o.printf("    %-17s %s  %s%n", s.verdict().wire(), s.id(), nl < 0 ? reason : reason.substring(0, nl));
        }
        if (r.waivers != null) {
            r.waivers.applied().forEach(u -> o.println("  waived     " + u.scenarioId() + " by " + u.waiver().id() + " ("
                    + u.waiver().kind() + ", until " + u.waiver().expires() + ", " + u.waiver().issue() + ")"));
            r.waivers.expired().forEach(u -> o.println("  expired    waiver " + u.waiver().id() + " (" + u.waiver().expires()
                    + ") no longer covers " + u.scenarioId()));
        }
        for (Finding f : r.findings) {
            if (!f.severity().equals(Finding.OK)) {
                o.println("  finding    " + f.severity() + " " + f.id() + ": " + f.detail());
            }
        }
        if (r.regression != null) {
            Regression.Result g = r.regression;
            o.println("  regression against " + g.baseline().path() + ": " + g.newFailures().size() + " new failure(s), "
                    + g.newPasses().size() + " new pass(es), " + g.changed().size() + " changed, " + g.added().size()
                    + " added, " + g.removed().size() + " removed");
            g.newFailures().forEach(c -> o.println("    new failure  " + c.id() + ": " + (c.baseline() == null ? "(new)" : c.baseline().wire())
                    + " -> " + c.current().wire()));
            g.newPasses().forEach(c -> o.println("    new pass     " + c.id() + ": " + c.baseline().wire() + " -> passed"));
            g.changed().forEach(c -> o.println("    changed      " + c.id() + ": " + c.baseline().wire() + " -> " + c.current().wire()));
        }
        if (!r.preflightOk || r.hostChecks.stream().anyMatch(c -> !c.get("status").equals("ok"))) {
            r.hostChecks.stream().filter(c -> !c.get("status").equals("ok"))
                    .forEach(c -> o.println("  preflight  " + c.get("status") + " " + c.get("name") + ": " + c.get("detail")));
            if (r.preflight != null) {
                r.preflight.path("checks").forEach(c -> {
                    if (!c.path("status").asText().equals("ok")) {
                        o.println("  preflight  " + c.path("status").asText() + " " + c.path("name").asText() + ": "
                                + c.path("detail").asText());
                    }
                });
            }
        }
        for (Judgement.WaiverUsed u : Judgement.used(r.waivers)) {
            o.println("  waiver     used " + Judgement.describe(u));
        }
        o.println("  result     " + r.status.toUpperCase() + " (exit " + r.exitCode + ")"
                + (r.status.equals(Certification.INCOMPLETE) ? ": a partial selection is never a certification"
                : r.status.equals(Certification.CERTIFIED_WITH_WAIVERS) ? ": only with the waivers used above" : ""));
        o.println("  summary    " + outDir.resolve("summary.json") + " (and summary.md)");
        o.println("  junit      " + outDir.resolve("junit/TEST-ndk-conformance.xml"));
        o.println("  report     " + (noReport ? "skipped (--no-report)" : reportProblem == null
                ? outDir.resolve("allure-report/index.html") : "not written: " + reportProblem));
        if (w != null) {
            o.println("  bundle     " + w.zip() + " (sha256 " + w.sha256() + ")");
            if (w.signature() != null) {
                o.println("  signed     " + w.signature() + (w.keyFingerprint() == null ? "" : ", key sha256 " + w.keyFingerprint()));
            }
        }
        o.flush();
    }
}
