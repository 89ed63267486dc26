package org.ndkkit.cli.suite;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathResource;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.discovery.FilePosition;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.kit.KitConfig;
import org.ndkkit.kit.Session;

/**
 * The suite process the CLI starts (directly, or inside the SoftRoCE lab through {@code lab/run}):
 * records the environment, runs the preflight, runs the selected scenarios through the JUnit
 * Platform with the kit's, Cucumber's and Allure's plugins, then the declared-versus-observed
 * probes. Settings come from system properties as for {@link org.ndkkit.kit.ConformanceMain}.
 *
 * <pre>
 * java -Dndk.provider=NAME ... org.ndkkit.cli.suite.SuiteMain --raw DIR [--tags EXPR] [--no-probes]
 *     [--scenarios FILE --attempt N]
 * </pre>
 *
 * {@code --scenarios} names the scenarios to run, one id ({@code file.feature:line}) per line: the
 * CLI resumes a run whose suite process died with the scenarios that have no verdict yet, as
 * attempt N, whose files get the suffix {@code -N} ({@code progress-2.ndjson}, {@code cucumber-2/}).
 *
 * Writes into DIR: {@code progress.ndjson} (incrementally), {@code environment.json},
 * {@code preflight.json}, {@code probes.json}, {@code probes-trace.txt}, {@code kit/summary.json}
 * (the suite's own), {@code cucumber/} (JUnit XML, messages, HTML) and {@code allure-results/}.
 * Exit: 0 no scenario failed, 1 one did, 2 the preflight failed, 3 bad arguments, {@value #PROVIDER_CRASHED}
 * the provider crashed behind its transport (an agent's worker): the scenario it crashed in is
 * failed ({@code crashed}), the progress log says where ({@code provider-crashed}, after that
 * scenario's verdict), and the process ends at once, without the rest, so that the CLI resumes
 * them in a fresh process with a new testbed, as after a crash of this process.
 */
public final class SuiteMain {
    /** The exit code after the provider crashed behind its transport. */
    public static final int PROVIDER_CRASHED = 4;

    private SuiteMain() {
    }

    /**
     * Ends the suite process after the scenario during which the provider crashed behind its
     * transport: every plugin has had that scenario's verdict by the time JUnit reports it finished.
     */
    static final class EndAfterProviderCrash implements TestExecutionListener {
        private final ProgressLog log;

        EndAfterProviderCrash(ProgressLog log) {
            this.log = log;
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            String[] crashed = test.isTest() ? ProgressPlugin.crashedIn() : null;
            if (crashed == null) {
                return;
            }
            log.event("provider-crashed", n -> {
                n.put("id", crashed[0]);
                n.put("reason", crashed[1]);
                n.put("exitCode", PROVIDER_CRASHED);
            });
            System.out.println("the provider crashed in " + crashed[0] + " (" + crashed[1] + "); ending this suite "
                    + "process so that a fresh one resumes with the rest");
            System.out.flush();
            System.exit(PROVIDER_CRASHED);
        }
    }

    public static void main(String[] args) throws IOException {
        Path raw = null;
        String tags = null;
        Path scenarios = null;
        int attempt = 1;
        boolean probes = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--raw" -> raw = Path.of(args[++i]);
                case "--tags" -> tags = args[++i];
                case "--no-probes" -> probes = false;
                case "--scenarios" -> scenarios = Path.of(args[++i]);
                case "--attempt" -> attempt = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("SuiteMain: unknown argument " + args[i]);
                    System.exit(3);
                }
            }
        }
        if (raw == null) {
            System.err.println("SuiteMain: --raw DIR is required");
            System.exit(3);
        }
        Files.createDirectories(raw);
        // A resumed run (after the previous suite process died) writes beside the first one's files.
        String suffix = attempt == 1 ? "" : "-" + attempt;
        System.setProperty(ProgressLog.PROPERTY, raw.resolve("progress" + suffix + ".ndjson").toString());
        ProgressLog log = ProgressLog.get();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        log.event("suite-started", n -> n.put("pid", ProcessHandle.current().pid()));
        json.writeValue(raw.resolve("environment.json").toFile(), Facts.collect());

        KitConfig config = KitConfig.fromSystemProperties();
        ObjectNode pf = Preflight.run(config);
        json.writeValue(raw.resolve("preflight.json").toFile(), pf);
        String status = pf.path("status").asText();
        log.event("preflight", n -> n.put("status", status));
        if (!Preflight.suiteRuns(status)) {
            log.event("run-finished", n -> n.put("exitCode", 2));
            System.out.println("preflight failed; see " + raw.resolve("preflight.json"));
            System.exit(2);
        }

        String cuc = raw.resolve("cucumber" + suffix).toAbsolutePath().toString();
        Map<String, String> params = new HashMap<>();
        params.put("cucumber.glue", "org.ndkkit.steps");
        params.put("cucumber.publish.quiet", "true");
        params.put("cucumber.junit-platform.naming-strategy", "long");
        params.put("cucumber.plugin", String.join(", ", List.of(
                "org.ndkkit.kit.SummaryPlugin",
                "org.ndkkit.cli.suite.ProgressPlugin",
                "io.qameta.allure.cucumber7jvm.AllureCucumber7Jvm",
                "org.ndkkit.cli.suite.AllureLinksPlugin",
                "junit:" + cuc + "/cucumber-junit.xml",
                "message:" + cuc + "/messages.ndjson",
                "html:" + cuc + "/cucumber-report.html")));
        if (tags != null && !tags.isBlank()) {
            params.put("cucumber.filter.tags", tags);
        }
        List<DiscoverySelector> selectors = new ArrayList<>();
        if (scenarios == null) {
            selectors.add(selectPackage("ndk.features"));
        } else {
            // ids are "file.feature:line"; Cucumber selects one scenario (or outline row) by position
            for (String id : Files.readAllLines(scenarios, StandardCharsets.UTF_8)) {
                int colon = id.lastIndexOf(':');
                if (!id.isBlank() && colon > 0) {
                    selectors.add(selectClasspathResource("ndk/features/" + id.substring(0, colon).trim(),
                            FilePosition.from(Integer.parseInt(id.substring(colon + 1).trim()))));
                }
            }
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors).configurationParameters(params).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener, new EndAfterProviderCrash(log));
        long failed = listener.getSummary().getTotalFailureCount();
        log.event("suite-finished", n -> n.put("failures", failed));

        if (probes && Session.peek() != null) {
            log.event("probes-started", n -> { });
            Probes p = new Probes(Session.peek());
            List<Finding> findings = p.run();
            json.writeValue(raw.resolve("probes.json").toFile(), findings);
            Files.writeString(raw.resolve("probes-trace.txt"), p.traces(), StandardCharsets.UTF_8);
            log.event("probes-finished", n -> n.put("findings", findings.size()));
        }
        int code = failed == 0 ? 0 : 1;
        log.event("run-finished", n -> n.put("exitCode", code));
        System.out.flush();
        System.exit(code);
    }
}
