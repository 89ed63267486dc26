package org.ndkkit.cli.spec;

import io.cucumber.gherkin.GherkinParser;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.Examples;
import io.cucumber.messages.types.Feature;
import io.cucumber.messages.types.FeatureChild;
import io.cucumber.messages.types.GherkinDocument;
import io.cucumber.messages.types.Pickle;
import io.cucumber.messages.types.PickleTag;
import io.cucumber.messages.types.RuleChild;
import io.cucumber.messages.types.TableRow;
import io.cucumber.tagexpressions.Expression;
import io.cucumber.tagexpressions.TagExpressionParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ndkkit.cli.Hashes;
import org.ndkkit.kit.ClauseCatalogue;

/**
 * The spec as the suite will run it: every feature file and the clause catalogue, read from the
 * class path ({@code ndk/features/} in the features jar), with their SHA-256, and every runnable
 * scenario (one per example row) with the id the suite gives it ({@code <file>:<line>}), its tags
 * and clauses. Selecting with a tag expression here gives exactly the list the suite runs, so a
 * scenario that never reports a verdict can be named.
 */
public final class Spec {
    public static final String DIR = "ndk/features";

    /** One runnable scenario. */
    public record Scenario(String id, String feature, String featureName, int line, String name, List<String> tags,
                           List<String> clauses) {
    }

    private final Map<String, byte[]> files;
    private final List<Scenario> scenarios;
    private final ClauseCatalogue catalogue;

    private Spec(Map<String, byte[]> files, List<Scenario> scenarios, ClauseCatalogue catalogue) {
        this.files = files;
        this.scenarios = List.copyOf(scenarios);
        this.catalogue = catalogue;
    }

    /** The spec on the class path of {@code loader}. */
    public static Spec load(ClassLoader loader) {
        URL marker = loader.getResource(DIR + "/clauses.yaml");
        if (marker == null) {
            throw new IllegalStateException(DIR + "/clauses.yaml is not on the class path (the ndk-features jar is missing)");
        }
        Map<String, byte[]> files = new TreeMap<>();
        try {
            URI uri = marker.toURI();
            if (uri.getScheme().equals("jar")) {
                String s = uri.toString();
                Path jar = Path.of(URI.create(s.substring("jar:".length(), s.indexOf("!/"))));
                try (FileSystem fs = FileSystems.newFileSystem(jar)) {
                    readDir(fs.getPath("/" + DIR), files);
                }
            } else {
                readDir(Path.of(uri).getParent(), files);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spec: " + e.getMessage(), e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return fromFiles(files);
    }

    private static void readDir(Path dir, Map<String, byte[]> into) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".feature") || n.equals("clauses.yaml")) {
                    into.put(n, Files.readAllBytes(p));
                }
            }
        }
    }

    /** The spec made of these files (name to content): every {@code *.feature} and {@code clauses.yaml}. */
    public static Spec fromFiles(Map<String, byte[]> files) {
        byte[] clauses = files.get("clauses.yaml");
        if (clauses == null) {
            throw new IllegalStateException("the spec has no clauses.yaml");
        }
        ClauseCatalogue catalogue;
        try {
            catalogue = ClauseCatalogue.parse(new ByteArrayInputStream(clauses));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Scenario> out = new ArrayList<>();
        GherkinParser parser = GherkinParser.builder().includeSource(false).includeGherkinDocument(true)
                .includePickles(true).build();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            if (!f.getKey().endsWith(".feature")) {
                continue;
            }
            Map<String, Integer> lines = new HashMap<>();
            List<Pickle> pickles = new ArrayList<>();
            String[] featureName = {f.getKey()};
            for (Envelope e : parser.parse("classpath:" + DIR + "/" + f.getKey(), f.getValue()).toList()) {
                e.getParseError().ifPresent(err -> {
                    throw new IllegalStateException(f.getKey() + ": " + err.getMessage());
                });
                e.getGherkinDocument().flatMap(GherkinDocument::getFeature).ifPresent(feat -> {
                    index(feat, lines);
                    featureName[0] = feat.getName();
                });
                e.getPickle().ifPresent(pickles::add);
            }
            for (Pickle p : pickles) {
                List<String> ast = p.getAstNodeIds();
                Integer line = lines.get(ast.get(ast.size() - 1));
                if (line == null) {
                    throw new IllegalStateException(f.getKey() + ": no location for scenario '" + p.getName() + "'");
                }
                List<String> tags = p.getTags().stream().map(PickleTag::getName).toList();
                List<String> cl = tags.stream().filter(t -> t.startsWith("@clause:"))
                        .map(t -> t.substring("@clause:".length())).sorted().toList();
                out.add(new Scenario(f.getKey() + ":" + line, f.getKey(), featureName[0], line, p.getName(), tags, cl));
            }
        }
        out.sort((a, b) -> a.feature().equals(b.feature()) ? Integer.compare(a.line(), b.line())
                : a.feature().compareTo(b.feature()));
        return new Spec(files, out, catalogue);
    }

    private static void index(Feature feature, Map<String, Integer> lines) {
        for (FeatureChild c : feature.getChildren()) {
            c.getScenario().ifPresent(s -> index(s, lines));
            c.getRule().ifPresent(r -> {
                for (RuleChild rc : r.getChildren()) {
                    rc.getScenario().ifPresent(s -> index(s, lines));
                }
            });
        }
    }

    private static void index(io.cucumber.messages.types.Scenario s, Map<String, Integer> lines) {
        lines.put(s.getId(), s.getLocation().getLine().intValue());
        for (Examples ex : s.getExamples()) {
            for (TableRow row : ex.getTableBody()) {
                lines.put(row.getId(), row.getLocation().getLine().intValue());
            }
        }
    }

    /** Checks a Cucumber tag expression; throws IllegalArgumentException naming the problem. */
    public static Expression parseTags(String expression) {
        try {
            return TagExpressionParser.parse(expression);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid tag expression '" + expression + "': " + e.getMessage(), e);
        }
    }

    /** The scenarios a tag expression selects (all of them for null or blank). */
    public List<Scenario> select(String tagExpression) {
        if (tagExpression == null || tagExpression.isBlank()) {
            return scenarios;
        }
        Expression e = parseTags(tagExpression);
        return scenarios.stream().filter(s -> e.evaluate(s.tags())).toList();
    }

    public List<Scenario> scenarios() {
        return scenarios;
    }

    public ClauseCatalogue catalogue() {
        return catalogue;
    }

    /** File name to SHA-256 (hex) of every feature file and of clauses.yaml, sorted by name. */
    public Map<String, String> fileHashes() {
        Map<String, String> m = new LinkedHashMap<>();
        files.forEach((n, b) -> m.put(n, Hashes.sha256(b)));
        return m;
    }

    /** One hash over the whole spec: SHA-256 of the lines {@code <sha256>  <name>} in name order. */
    public String specHash() {
        StringBuilder b = new StringBuilder();
        fileHashes().forEach((n, h) -> b.append(h).append("  ").append(n).append('\n'));
        return Hashes.sha256(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
