package org.ndkkit.kit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.Result;
import io.cucumber.plugin.event.Status;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.PickleStepTestStep;
import io.cucumber.plugin.event.TestCaseFinished;
import io.cucumber.plugin.event.TestStepFinished;
import io.cucumber.plugin.event.TestRunFinished;
import io.cucumber.plugin.event.TestRunStarted;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.ProviderIdentity;

/**
 * Cucumber plugin that gives every scenario the kit's verdict, prints one line per scenario, and
 * writes {@code summary.json} into the run's output folder.
 *
 * <p>Verdicts: {@code passed}; {@code failed}; {@code unsupported} (the provider or its testbed
 * could not produce what the scenario needs; never counted as passed); {@code timeout} (a bounded
 * wait ran out); {@code environment-error} (the provider could not be opened, or the transport to
 * it failed); {@code not-reached} (the scenario was skipped for another reason). A provider that
 * crashed behind its transport ({@link org.ndkkit.spi.ProviderCrashedException}) is {@code failed}
 * with reason code {@value #CRASHED} ({@link #reasonCode}).
 */
public final class SummaryPlugin implements ConcurrentEventListener {

    /** One scenario's verdict. */
    public record ScenarioResult(String id, String name, String feature, int line, List<String> clauses, String verdict,
                                 String reason, long durationMillis) {
    }

    private static final boolean DRY_RUN = Boolean.getBoolean("cucumber.execution.dry-run");
    /** The reason code of a scenario during which the provider crashed. */
    public static final String CRASHED = "crashed";
    /** How the reason of such a scenario begins; the transport's words follow. */
    public static final String CRASHED_REASON = "the provider crashed: ";
    private final List<ScenarioResult> results = new ArrayList<>();
    /** What each scenario drew from the run seed, by scenario id. */
    private final Map<String, List<String>> draws = new TreeMap<>();
    private final PrintStream out = System.out;
    private Instant started = Instant.now();

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestRunStarted.class, e -> started = e.getInstant());
        publisher.registerHandlerFor(TestStepFinished.class, this::stepFinished);
        publisher.registerHandlerFor(TestCaseFinished.class, this::finished);
        publisher.registerHandlerFor(TestRunFinished.class, this::runFinished);
    }

    /** The first step of each scenario that did not pass, so an undefined step is named in the reason. */
    private final Map<java.util.UUID, String> firstBadStep = new java.util.concurrent.ConcurrentHashMap<>();

    private void stepFinished(TestStepFinished e) {
        if (e.getResult().getStatus() != Status.PASSED && e.getTestStep() instanceof PickleStepTestStep step) {
            firstBadStep.putIfAbsent(e.getTestCase().getId(), step.getStep().getKeyword() + step.getStep().getText());
        }
    }

    private synchronized void finished(TestCaseFinished e) {
        TestCase tc = e.getTestCase();
        Result r = e.getResult();
        List<String> clauses = tc.getTags().stream().filter(t -> t.startsWith("@clause:"))
                .map(t -> t.substring("@clause:".length())).sorted().toList();
        String[] verdict = DRY_RUN ? new String[] {"not-run", "dry run: steps were matched, not executed"} : verdict(r);
        org.ndkkit.spi.ProviderCrashedException crash = crashed(r.getError());
        Session open = Session.peek();
        if (crash != null && open != null) {
            open.providerCrashed(crash); // its testbed is gone: a later scenario cannot run on it
        }
        String badStep = firstBadStep.remove(tc.getId());
        if (verdict[0].equals("failed") && badStep != null && verdict[1].startsWith("step ")) {
            verdict[1] = verdict[1] + ": " + badStep.trim();
        }
        String feature = Path.of(tc.getUri().getSchemeSpecificPart()).getFileName().toString();
        int line = tc.getLocation().getLine();
        ScenarioResult sr = new ScenarioResult(feature + ":" + line, tc.getName(), feature, line, clauses, verdict[0],
                verdict[1], r.getDuration().toMillis());
        results.add(sr);
        List<String> drawn = Draws.take(tc.getId().toString());
        if (!drawn.isEmpty()) {
            draws.put(sr.id(), drawn);
        }
        out.printf("  %-17s %-40s %s%n", sr.verdict(), String.join(",", clauses), sr.name()
                + (sr.reason() != null && !sr.verdict().equals("failed") ? "  (" + sr.reason() + ")" : ""));
    }

    /** {verdict, reason} for a Cucumber result. */
    public static String[] verdict(Result r) {
        Throwable t = r.getError();
        String msg = t == null || t.getMessage() == null ? "" : t.getMessage();
        Status s = r.getStatus();
        if (s == Status.PASSED) {
            return new String[] {"passed", null};
        }
        org.ndkkit.spi.ProviderCrashedException crash = crashed(t);
        if (crash != null) {
            // The transport's far end says the provider crashed the process serving it: a product failure.
            return new String[] {"failed", CRASHED_REASON + firstLine(crash.getMessage())};
        }
        org.ndkkit.spi.ProviderUnreachableException lost = unreachable(t);
        if (lost != null) {
            // The transport to the provider failed: not the provider's verdict to take.
            return new String[] {lost.timedOut() ? "timeout" : "environment-error", firstLine(lost.getMessage())};
        }
        if (t instanceof Unsupported u) {
            return new String[] {"unsupported", u.reasonCode() + ": " + msg.substring(msg.indexOf("]: ") + 3)};
        }
        if (msg.startsWith(EnvironmentError.PREFIX)) {
            return new String[] {"environment-error", msg.substring(EnvironmentError.PREFIX.length())};
        }
        if (s == Status.SKIPPED) {
            return new String[] {"not-reached", msg.isEmpty() ? "skipped" : firstLine(msg)};
        }
        if (msg.startsWith(KitTimeout.PREFIX)) {
            return new String[] {"timeout", firstLine(msg.substring(KitTimeout.PREFIX.length()))};
        }
        if (s == Status.UNDEFINED || s == Status.AMBIGUOUS || s == Status.PENDING) {
            return new String[] {"failed", "step " + s.name().toLowerCase() + (msg.isEmpty() ? "" : ": " + firstLine(msg))};
        }
        return new String[] {"failed", firstLine(msg)};
    }

    /**
     * The reason code the kit gives a result beyond its verdict: {@value #CRASHED} when the
     * provider crashed behind its transport, else null (the CLI derives the others).
     */
    public static String reasonCode(Result r) {
        return r.getStatus() != Status.PASSED && crashed(r.getError()) != null ? CRASHED : null;
    }

    /** The provider's crash behind an error, if that is what it is. */
    public static org.ndkkit.spi.ProviderCrashedException crashed(Throwable t) {
        for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
            if (t instanceof org.ndkkit.spi.ProviderCrashedException c) {
                return c;
            }
        }
        return null;
    }

    /** The transport failure behind an error, if that is what it is. */
    private static org.ndkkit.spi.ProviderUnreachableException unreachable(Throwable t) {
        for (int depth = 0; t != null && depth < 10; t = t.getCause(), depth++) {
            if (t instanceof org.ndkkit.spi.ProviderUnreachableException p) {
                return p;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private synchronized void runFinished(TestRunFinished e) {
        KitConfig config = KitConfig.fromSystemProperties();
        Map<String, Integer> counts = new TreeMap<>();
        for (String v : List.of("passed", "failed", "unsupported", "timeout", "not-reached", "environment-error", "not-run")) {
            counts.put(v, 0);
        }
        results.forEach(r -> counts.merge(r.verdict(), 1, Integer::sum));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("schema", "ndk-conformance-summary/1");
        root.put("kitVersion", KitVersion.get());
        root.put("dryRun", DRY_RUN);
        root.put("started", started.toString());
        root.put("finished", e.getInstant().toString());
        root.put("durationMillis", e.getInstant().toEpochMilli() - started.toEpochMilli());
        ObjectNode seed = root.putObject("seed");
        seed.put("run", config.runSeed());
        seed.put("origin", config.seedOrigin());
        seed.put("provider", config.testbedSettings().get(KitConfig.PROVIDER_SEED));
        seed.put("reproduce", "-Dndk.seed=" + config.runSeed());
        ObjectNode drawsNode = seed.putObject("draws");
        draws.forEach((id, lines) -> {
            ArrayNode a = drawsNode.putArray(id);
            lines.forEach(a::add);
        });
        ObjectNode provider = root.putObject("provider");
        provider.put("name", config.providerName());
        config.providerSettings().forEach((k, v) -> provider.with("settings").put(k, v));
        Session session = Session.peek();
        if (session != null) {
            ProviderIdentity id = session.provider().identity();
            provider.put("version", id.version());
            provider.put("vendor", id.vendor());
            provider.put("description", id.description());
            ArrayNode caps = provider.putArray("capabilities");
            session.provider().capabilities().forEach(c -> caps.add(c.name()));
            ObjectNode adapters = provider.putObject("adapterInfo");
            adapters.set("local", AdapterInfoJson.of(json, session.info(Host.LOCAL)));
            adapters.set("peer", AdapterInfoJson.of(json, session.info(Host.PEER)));
        }
        ObjectNode c = root.putObject("counts");
        counts.forEach(c::put);
        c.put("total", results.size());
        ObjectNode clauses = root.putObject("clauses");
        Map<String, List<ScenarioResult>> byClause = new TreeMap<>();
        for (ScenarioResult r : results) {
            r.clauses().forEach(cl -> byClause.computeIfAbsent(cl, k -> new ArrayList<>()).add(r));
        }
        byClause.forEach((id, rs) -> {
            ObjectNode n = clauses.putObject(id);
            n.put("verdict", clauseVerdict(rs));
            ArrayNode ids = n.putArray("scenarios");
            rs.forEach(r -> ids.add(r.id()));
        });
        ArrayNode scenarios = root.putArray("scenarios");
        results.stream().sorted((a, b) -> a.id().compareTo(b.id())).forEach(r -> scenarios.add(json.valueToTree(r)));
        Path dir = config.outDir();
        try {
            Files.createDirectories(dir);
            json.writeValue(dir.resolve("summary.json").toFile(), root);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot write " + dir.resolve("summary.json") + ": " + ex.getMessage(), ex);
        }
        out.println("conformance " + config.providerName() + config.providerSettings() + ": " + results.size() + " scenarios, "
                + counts + " -> " + dir.resolve("summary.json") + "; run seed " + config.runSeed() + " (" + config.seedOrigin()
                + "; repeat with -Dndk.seed=" + config.runSeed() + ")");
    }

    /** A clause's verdict: the worst of its scenarios' (failed > timeout > environment-error > not-reached > unsupported > passed). */
    static String clauseVerdict(List<ScenarioResult> rs) {
        List<String> order = List.of("failed", "timeout", "environment-error", "not-reached", "unsupported", "passed");
        return rs.stream().map(ScenarioResult::verdict).min((a, b) -> order.indexOf(a) - order.indexOf(b)).orElse("passed");
    }
}
