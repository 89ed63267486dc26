package org.ndkkit.cli.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.ndkkit.cli.bundle.Bundle;

/**
 * One run as {@code compare} reads it: every scenario that ran, with its verdict and the outcomes
 * of its SPI call trace. From an output folder of {@code ndk-cli run} ({@code cucumber/messages.ndjson},
 * verdicts from {@code summary.json}, else {@code raw/progress.ndjson}) or from its certification
 * bundle ({@code evidence/cucumber-messages.ndjson}, {@code summary.json}, {@code evidence/progress.ndjson}).
 * The Cucumber messages are read a line at a time; only the traces' outcomes are kept.
 */
public final class RunData {
    public static final String TRACE = "SPI call trace";
    static final String BUNDLE_MESSAGES = "evidence/cucumber-messages.ndjson";
    static final String BUNDLE_PROGRESS = "evidence/progress.ndjson";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The message types read; the others (steps, sources, hooks) are skipped before parsing. */
    private static final Set<String> WANTED = Set.of("gherkinDocument", "pickle", "testCase", "testCaseStarted", "attachment");

    /** An input compare cannot read: one line for the user. */
    public static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        public BadInput(String message) {
            super(message);
        }
    }

    /**
     * A scenario: the feature file's name, the scenario's name and which of the scenarios with that
     * name in that file it is (1, 2, ... for an outline's examples); its id in the run's summary.json
     * ({@code feature:line}); its final and raw verdict and reason code (null when the run records none);
     * its trace's outcomes (null when it has no trace).
     */
    public record Scenario(String feature, String name, int occurrence, String id, int order,
                           String verdict, String rawVerdict, String reasonCode, CallOutcomes trace) {
        /** How scenarios are matched across runs (ids are lines, which move when a feature file is edited). */
        public String key() {
            return key(feature, name, occurrence);
        }

        static String key(String feature, String name, int occurrence) {
            return feature + " " + name + (occurrence > 1 ? " #" + occurrence : "");
        }
    }

    private record Verdict(String id, String feature, String name, String verdict, String raw, String reason) {
    }

    private final String source;
    private final String provider;
    private final Map<String, Scenario> scenarios;

    private RunData(String source, String provider, Map<String, Scenario> scenarios) {
        this.source = source;
        this.provider = provider;
        this.scenarios = scenarios;
    }

    /** What was read: the folder, or the bundle zip. */
    public String source() {
        return source;
    }

    /** The provider as summary.json names it ({@code name version: description}), or null. */
    public String provider() {
        return provider;
    }

    /** By {@link Scenario#key()}, in the run's order. */
    public Map<String, Scenario> scenarios() {
        return scenarios;
    }

    /** Reads a run folder, a bundle folder ({@code DIR/bundle}) or a bundle zip. */
    public static RunData load(Path path) throws BadInput {
        if (!Files.exists(path)) {
            throw new BadInput(path + " does not exist");
        }
        try {
            if (Files.isDirectory(path)) {
                Path messages = path.resolve("cucumber/messages.ndjson");
                if (Files.isRegularFile(messages)) {
                    Path progress = path.resolve("raw/progress.ndjson");
                    JsonNode summary = readJson(path.resolve("summary.json"), path);
                    List<Verdict> verdicts = summary != null ? fromSummary(summary)
                            : Files.isRegularFile(progress) ? fromProgress(Files.newInputStream(progress), path) : null;
                    try (InputStream in = Files.newInputStream(messages)) {
                        return read(path.toString(), in, verdicts, summary);
                    }
                }
                for (Path zip : List.of(path.resolve(Bundle.NAME), path.resolve("bundle").resolve(Bundle.NAME))) {
                    if (Files.isRegularFile(zip)) {
                        return loadZip(zip);
                    }
                }
                throw new BadInput(path + " is neither the output folder of 'ndk-cli run' (no cucumber/messages.ndjson)"
                        + " nor a bundle folder (no " + Bundle.NAME + ")");
            }
            return loadZip(path);
        } catch (IOException | UncheckedIOException e) {
            throw new BadInput(path + " cannot be read: " + e.getMessage());
        }
    }

    private static RunData loadZip(Path zip) throws BadInput, IOException {
        ZipFile z;
        try {
            z = new ZipFile(zip.toFile());
        } catch (IOException e) {
            throw new BadInput(zip + " is neither a run folder nor a bundle zip (" + e.getMessage() + ")");
        }
        try (z) {
            ZipEntry messages = entry(z, BUNDLE_MESSAGES);
            if (messages == null) {
                throw new BadInput(zip + ": the bundle holds no SPI call traces (no " + BUNDLE_MESSAGES
                        + " in it); compare the run's output folder instead");
            }
            ZipEntry summaryEntry = entry(z, "summary.json");
            JsonNode summary = null;
            if (summaryEntry != null) {
                try (InputStream in = z.getInputStream(summaryEntry)) {
                    summary = JSON.readTree(in);
                } catch (JsonProcessingException e) {
                    throw new BadInput(zip + ": summary.json does not parse: " + e.getOriginalMessage());
                }
            }
            ZipEntry progress = entry(z, BUNDLE_PROGRESS);
            List<Verdict> verdicts = summary != null ? fromSummary(summary)
                    : progress != null ? fromProgress(z.getInputStream(progress), zip) : null;
            try (InputStream in = z.getInputStream(messages)) {
                return read(zip.toString(), in, verdicts, summary);
            }
        }
    }

    private static ZipEntry entry(ZipFile z, String path) {
        ZipEntry e = z.getEntry(Bundle.ROOT + path);
        return e != null ? e : z.getEntry(path);
    }

    private static JsonNode readJson(Path file, Path run) throws BadInput, IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadInput(run + ": " + file.getFileName() + " does not parse: " + e.getOriginalMessage());
        }
    }

    private static List<Verdict> fromSummary(JsonNode summary) {
        List<Verdict> vs = new ArrayList<>();
        for (JsonNode s : summary.path("scenarios")) {
            String id = s.path("id").asText("");
            vs.add(new Verdict(id, s.path("feature").asText(id.replaceFirst(":\\d+$", "")), s.path("name").asText(""),
                    text(s, "verdict"), text(s, "rawVerdict"), text(s, "reasonCode")));
        }
        return vs;
    }

    /** The suite's progress log: the last {@code scenario-finished} of each id (a resumed run repeats some). */
    private static List<Verdict> fromProgress(InputStream in, Path run) throws IOException, BadInput {
        Map<String, Verdict> by = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.contains("scenario-finished")) {
                    continue;
                }
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (JsonProcessingException x) {
                    continue; // the last line of a crashed suite may be cut short
                }
                if (e.path("event").asText().equals("scenario-finished")) {
                    String id = e.path("id").asText("");
                    String v = text(e, "verdict");
                    by.put(id, new Verdict(id, id.replaceFirst(":\\d+$", ""), e.path("name").asText(""), v, v,
                            text(e, "reasonCode")));
                }
            }
        }
        return new ArrayList<>(by.values());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private record Pickle(String feature, String name, int occurrence, String id, int order) {
    }

    private static RunData read(String source, InputStream in, List<Verdict> verdicts, JsonNode summary)
            throws IOException, BadInput {
        Map<String, Integer> lines = new HashMap<>();
        Map<String, Pickle> pickles = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        Map<String, String> testCases = new HashMap<>();
        Map<String, String> started = new HashMap<>();
        Map<String, CallOutcomes> traces = new HashMap<>();
        List<Pickle> order = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                String type = type(line);
                if (type == null || !WANTED.contains(type) && !type.isEmpty()) {
                    continue;
                }
                JsonNode env;
                try {
                    env = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new BadInput(source + ": line " + lineNo + " of the Cucumber messages is not JSON ("
                            + e.getOriginalMessage() + ")");
                }
                if (env == null || !env.isObject()) {
                    continue;
                }
                if (env.has("gherkinDocument")) {
                    collectLines(env.get("gherkinDocument"), lines);
                } else if (env.has("pickle")) {
                    JsonNode p = env.get("pickle");
                    String uri = p.path("uri").asText("");
                    String feature = uri.substring(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf(':')) + 1);
                    String name = p.path("name").asText("");
                    int occurrence = seen.merge(feature + "\n" + name, 1, Integer::sum);
                    JsonNode ast = p.path("astNodeIds");
                    Integer at = p.path("location").has("line") ? Integer.valueOf(p.path("location").path("line").asInt())
                            : ast.size() > 0 ? lines.get(ast.get(ast.size() - 1).asText()) : null;
                    Pickle k = new Pickle(feature, name, occurrence, at == null ? null : feature + ":" + at, order.size());
                    pickles.put(p.path("id").asText(), k);
                    order.add(k);
                } else if (env.has("testCase")) {
                    testCases.put(env.get("testCase").path("id").asText(), env.get("testCase").path("pickleId").asText());
                } else if (env.has("testCaseStarted")) {
                    JsonNode s = env.get("testCaseStarted");
                    started.put(s.path("id").asText(), s.path("testCaseId").asText());
                } else if (env.has("attachment")) {
                    JsonNode a = env.get("attachment");
                    if (!TRACE.equals(a.path("fileName").asText())) {
                        continue;
                    }
                    Pickle p = pickles.get(testCases.get(started.get(a.path("testCaseStartedId").asText())));
                    if (p == null) {
                        throw new BadInput(source + ": line " + lineNo + " of the Cucumber messages: an SPI call trace"
                                + " of a test case that no pickle names");
                    }
                    String body = a.path("body").asText("");
                    if ("BASE64".equals(a.path("contentEncoding").asText())) {
                        body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
                    }
                    traces.put(p.feature() + "\n" + p.name() + "\n" + p.occurrence(), CallOutcomes.parse(body)); // a retry: the last
                }
            }
        }
        if (lineNo == 0) {
            throw new BadInput(source + ": the Cucumber messages are empty");
        }
        if (traces.isEmpty()) {
            throw new BadInput(source + ": no scenario in it has an SPI call trace");
        }
        // verdicts: by id (feature:line), else by feature, name and occurrence
        Map<String, Verdict> byId = new HashMap<>();
        Map<String, Verdict> byName = new HashMap<>();
        Map<String, Integer> vSeen = new HashMap<>();
        for (Verdict v : verdicts == null ? List.<Verdict>of() : verdicts) {
            byId.put(v.id(), v);
            int n = vSeen.merge(v.feature() + "\n" + v.name(), 1, Integer::sum);
            byName.put(v.feature() + "\n" + v.name() + "\n" + n, v);
        }
        Map<String, Scenario> out = new LinkedHashMap<>();
        Set<Verdict> used = new java.util.HashSet<>();
        for (Pickle p : order) {
            String k = p.feature() + "\n" + p.name() + "\n" + p.occurrence();
            Verdict v = p.id() != null && byId.containsKey(p.id()) ? byId.get(p.id()) : byName.get(k);
            CallOutcomes t = traces.get(k);
            if (v == null && t == null) {
                continue; // not selected
            }
            if (v != null) {
                used.add(v);
            }
            String id = v != null && !v.id().isEmpty() ? v.id() : p.id() != null ? p.id() : p.feature();
            Scenario s = new Scenario(p.feature(), p.name(), p.occurrence(), id, out.size(),
                    v == null ? null : v.verdict(), v == null ? null : v.raw(), v == null ? null : v.reason(), t);
            out.put(s.key(), s);
        }
        // recorded verdicts of scenarios the messages do not have (a run cut short): no trace
        Map<String, Integer> extraSeen = new HashMap<>();
        for (Verdict v : verdicts == null ? List.<Verdict>of() : verdicts) {
            int n = extraSeen.merge(v.feature() + "\n" + v.name(), 1, Integer::sum);
            if (!used.contains(v) && !out.containsKey(Scenario.key(v.feature(), v.name(), n))) {
                Scenario s = new Scenario(v.feature(), v.name(), n, v.id(), out.size(), v.verdict(), v.raw(), v.reason(), null);
                out.put(s.key(), s);
            }
        }
        return new RunData(source, provider(summary), out);
    }

    /** The envelope's message type from the line's start ({@code {"pickle":...}}); "" when it cannot tell, null for a blank line. */
    private static String type(String line) {
        if (line.isBlank()) {
            return null;
        }
        if (line.startsWith("{\"")) {
            int end = line.indexOf('"', 2);
            if (end > 2 && end + 1 < line.length() && line.charAt(end + 1) == ':') {
                return line.substring(2, end);
            }
        }
        return "";
    }

    /** Every node of a Gherkin document with an id and a location: its line. */
    private static void collectLines(JsonNode n, Map<String, Integer> lines) {
        if (n.isObject()) {
            if (n.has("id") && n.path("location").has("line")) {
                lines.put(n.get("id").asText(), n.path("location").path("line").asInt());
            }
            for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
                collectLines(it.next(), lines);
            }
        } else if (n.isArray()) {
            n.forEach(c -> collectLines(c, lines));
        }
    }

    private static String provider(JsonNode summary) {
        if (summary == null || !summary.path("provider").isObject()) {
            return null;
        }
        JsonNode p = summary.get("provider");
        String s = (p.path("name").asText("") + " " + p.path("version").asText("")).strip();
        String d = p.path("description").asText("");
        int semi = d.indexOf(';');
        return d.isEmpty() ? s : s + ": " + (semi > 0 ? d.substring(0, semi) : d);
    }
}
