package org.ndkkit.specsite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The verdicts of runs, read from their summary.json: the suite's own
 * ({@code ndk-conformance-summary/1}, written by every suite run) and ndk-cli's
 * ({@code ndk-conformance-summary/2}, which adds the spec hash, the run's state and more). A run
 * that is asked for but absent is kept, with no verdicts, so the matrix says "no run" for it.
 */
final class Results {
    static final String NO_RUN = "no run";

    /** The order in which a clause's verdict is the worst of its scenarios', as ndk-cli judges it. */
    static final List<String> SEVERITY = List.of("failed", "timeout", "environment-error", "not-reached", "unsupported",
            "waived", "not-run", "passed");

    /** A scenario's verdict in one run, with the name it ran under. */
    record Verdict(String name, String verdict, String reason) {
    }

    /**
     * One run. {@code specHash} is null where the summary does not record it (schema 1);
     * {@code state} is ndk-cli's run state (complete, in-progress, stopped) or null.
     */
    record Run(Path file, String label, String schema, String provider, String providerVersion, String settings,
               String when, String specHash, String state, Map<String, Integer> counts, Map<String, Verdict> scenarios) {
        boolean present() {
            return schema != null;
        }

        /**
         * The verdict of a scenario of the current spec, or "no run". An id ({@code file:line}) only
         * counts when the name matches too: a run of an older spec may have another scenario on that line.
         */
        String verdictOf(String id, String name) {
            Verdict v = scenarios.get(id);
            return v != null && v.name().equals(name) ? v.verdict() : NO_RUN;
        }

        String reasonOf(String id, String name) {
            Verdict v = scenarios.get(id);
            return v != null && v.name().equals(name) ? v.reason() : null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Results() {
    }

    /**
     * The summary.json files named by {@code paths}: a file is taken as it is (present or not); a
     * folder is searched for summary.json, leaving out the copies ndk-cli keeps of the suite's own
     * summary ({@code raw/}) and the kill matrix's seeded-defect runs ({@code runs/}), which judge
     * deliberately broken providers, not a provider.
     */
    static List<Path> discover(List<Path> paths) {
        Set<Path> out = new TreeSet<>();
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.getFileName().toString().equals("summary.json"))
                            .filter(f -> !inSkippedFolder(p.relativize(f)))
                            .forEach(f -> out.add(f.toAbsolutePath().normalize()));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot search " + p + ": " + e.getMessage(), e);
                }
            } else {
                files.add(p.toAbsolutePath().normalize());
            }
        }
        List<Path> all = new ArrayList<>(files);
        out.stream().filter(f -> !files.contains(f)).forEach(all::add);
        return all;
    }

    private static boolean inSkippedFolder(Path relative) {
        for (Path part : relative) {
            if (part.toString().equals("raw") || part.toString().equals("runs")) {
                return true;
            }
        }
        return false;
    }

    /** Reads one summary.json; a missing file is a run with no verdicts. {@code base} shortens the label. */
    static Run read(Path file, Path base) {
        String where = shortName(file, base);
        if (!Files.isRegularFile(file)) {
            return new Run(file, where, null, null, null, null, null, null, null, Map.of(), Map.of());
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String schema = root.path("schema").asText("");
        if (!schema.startsWith("ndk-conformance-summary/")) {
            throw new IllegalStateException(file + " is not a conformance summary (schema '" + schema + "')");
        }
        JsonNode provider = root.path("provider");
        boolean cli = root.has("run");
        Map<String, String> settings = new LinkedHashMap<>();
        provider.path("settings").fields().forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        StringBuilder s = new StringBuilder();
        settings.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        if (cli && root.path("run").path("lab").asBoolean(false)) {
            s.append(s.length() == 0 ? "" : ", ").append("in the lab");
        }
        if (cli && !root.path("run").path("tags").isNull() && root.path("run").has("tags")) {
            s.append(s.length() == 0 ? "" : ", ").append("tags ").append(root.path("run").path("tags").asText());
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        root.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        Map<String, Verdict> scenarios = new LinkedHashMap<>();
        for (JsonNode sc : root.path("scenarios")) {
            scenarios.put(sc.path("id").asText(), new Verdict(sc.path("name").asText(), sc.path("verdict").asText(),
                    sc.path("reason").isNull() ? null : sc.path("reason").asText(null)));
        }
        String when = cli ? root.path("run").path("finished").asText(root.path("run").path("started").asText(null))
                : root.path("finished").asText(root.path("started").asText(null));
        String hash = cli ? root.path("kit").path("spec").path("sha256").asText(null) : null;
        String state = cli ? root.path("run").path("state").asText(null) : null;
        return new Run(file, where, schema, provider.path("name").asText("?"), provider.path("version").asText(null),
                s.toString(), when, hash, state, counts, scenarios);
    }

    /** The run's folder relative to {@code base}, the way a reader finds it again. */
    static String shortName(Path file, Path base) {
        Path dir = file.getParent() == null ? file : file.getParent();
        if (base != null) {
            Path b = base.toAbsolutePath().normalize();
            if (dir.toAbsolutePath().normalize().startsWith(b)) {
                return b.relativize(dir.toAbsolutePath().normalize()).toString();
            }
        }
        return dir.toString();
    }

    /** The worst of some verdicts (ignoring "no run"), or "no run" when none ran. */
    static String worst(List<String> verdicts) {
        String worst = null;
        for (String v : verdicts) {
            if (v.equals(NO_RUN)) {
                continue;
            }
            int rank = SEVERITY.indexOf(v) < 0 ? 0 : SEVERITY.indexOf(v);
            if (worst == null || rank < (SEVERITY.indexOf(worst) < 0 ? 0 : SEVERITY.indexOf(worst))) {
                worst = v;
            }
        }
        return worst == null ? NO_RUN : worst;
    }
}
