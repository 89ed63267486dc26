package org.ndkkit.cli.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.ndkkit.cli.Hashes;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;

/**
 * Compares a run with a baseline run. Scenarios are matched by feature file, name and, for
 * repeated names (outline rows), their order within the feature, so a baseline from a kit whose
 * feature lines moved still matches; a renamed scenario shows as removed plus added.
 */
public final class Regression {
    public static final String NO_REGRESSIONS = "no-regressions";
    public static final String REGRESSIONS = "regressions";

    /** A baseline: where it came from and its scenarios' verdicts. */
    public record Baseline(String path, String sha256, String providerName, String providerVersion, String kitVersion,
                           String started, List<Entry> scenarios) {
    }

    /** One scenario in a baseline. */
    public record Entry(String id, String feature, String name, Verdict verdict) {
    }

    /** One difference. */
    public record Change(String id, String name, Verdict baseline, Verdict current, String reason) {
    }

    /** The comparison. */
    public record Result(String status, Baseline baseline, List<Change> newFailures, List<Change> newPasses,
                         List<Change> changed, List<Change> added, List<Change> removed, int unchanged) {
    }

    private Regression() {
    }

    /** Reads a baseline: a summary.json (this CLI's or the suite's own) or a certification bundle (.zip). */
    public static Baseline load(Path file) throws IOException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /** A baseline from its bytes ({@code file}: where it came from; a name ending in .zip is a bundle). */
    public static Baseline parse(String file, byte[] bytes) throws IOException {
        JsonNode root = null;
        ObjectMapper json = new ObjectMapper();
        if (file.endsWith(".zip")) {
            try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
                for (ZipEntry e; (e = z.getNextEntry()) != null && root == null; ) {
                    if (e.getName().endsWith("summary.json")) {
                        root = json.readTree(z.readAllBytes());
                    }
                }
            }
            if (root == null) {
                throw new IllegalArgumentException(file + ": the bundle has no summary.json");
            }
        } else {
            root = json.readTree(bytes);
        }
        JsonNode sc = root.path("scenarios");
        if (!sc.isArray()) {
            throw new IllegalArgumentException(file + ": not a result file (no 'scenarios' list)");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode s : sc) {
            String id = s.path("id").asText(null);
            String verdict = s.path("verdict").asText(null);
            if (id == null || verdict == null) {
                throw new IllegalArgumentException(file + ": a scenario without id or verdict");
            }
            String feature = s.path("feature").asText(id.contains(":") ? id.substring(0, id.lastIndexOf(':')) : "");
            try {
                entries.add(new Entry(id, feature, s.path("name").asText(id), Verdict.of(verdict)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": scenario " + id + ": " + e.getMessage(), e);
            }
        }
        JsonNode p = root.path("provider");
        String kit = root.path("kit").path("version").asText(root.path("kitVersion").asText(null));
        String started = root.path("run").path("started").asText(root.path("started").asText(null));
        return new Baseline(file, Hashes.sha256(bytes), p.path("name").asText(null),
                p.path("version").asText(null), kit, started, entries);
    }

    public static Result compare(Baseline baseline, List<ScenarioResult> current) {
        Map<String, Entry> base = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Entry e : baseline.scenarios()) {
            base.put(key(e.feature(), e.name(), seen), e);
        }
        seen.clear();
        List<Change> newFailures = new ArrayList<>();
        List<Change> newPasses = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<Change> added = new ArrayList<>();
        int unchanged = 0;
        for (ScenarioResult r : current) {
            Entry b = base.remove(key(r.feature(), r.name(), seen));
            Verdict now = r.verdict();
            if (b == null) {
                Change c = new Change(r.id(), r.name(), null, now, r.reason());
                added.add(c);
                if (now.isBad()) {
                    newFailures.add(c);
                }
                continue;
            }
            Verdict was = b.verdict();
            if (was == now) {
                unchanged++;
                continue;
            }
            Change c = new Change(r.id(), r.name(), was, now, r.reason());
            if (now.isBad() && !was.isBad() || was == Verdict.PASSED && now == Verdict.UNSUPPORTED) {
                newFailures.add(c);
            } else if (now == Verdict.PASSED) {
                newPasses.add(c);
            } else {
                changed.add(c);
            }
        }
        List<Change> removed = base.values().stream().map(e -> new Change(e.id(), e.name(), e.verdict(), null, null)).toList();
        return new Result(newFailures.isEmpty() ? NO_REGRESSIONS : REGRESSIONS, baseline, newFailures, newPasses, changed,
                added, removed, unchanged);
    }

    private static String key(String feature, String name, Map<String, Integer> seen) {
        String k = feature + "\u0000" + name;
        int n = seen.merge(k, 1, Integer::sum);
        return k + "\u0000" + n;
    }
}
