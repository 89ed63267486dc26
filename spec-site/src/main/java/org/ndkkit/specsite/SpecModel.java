package org.ndkkit.specsite;

import io.cucumber.gherkin.GherkinParser;
import io.cucumber.messages.types.Background;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.Examples;
import io.cucumber.messages.types.FeatureChild;
import io.cucumber.messages.types.GherkinDocument;
import io.cucumber.messages.types.Pickle;
import io.cucumber.messages.types.PickleTag;
import io.cucumber.messages.types.RuleChild;
import io.cucumber.messages.types.TableCell;
import io.cucumber.messages.types.TableRow;
import io.cucumber.messages.types.Tag;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ndkkit.kit.ClauseCatalogue;
import org.ndkkit.kit.SpecIndex;

/**
 * The spec as people read it: each feature file as Cucumber's own parser sees it (rules,
 * background, scenarios, outlines with their examples), the clause catalogue, and every runnable
 * scenario with the id the suite reports it under ({@code <file>:<line>}, the example row's line
 * for an outline row), so the rendered text and the verdicts point at the same thing.
 */
final class SpecModel {

    /** A step as written; {@code table} is empty when it has no data table, {@code docString} null when it has none. */
    record Step(String keyword, String text, List<List<String>> table, String docString) {
    }

    /** One example row: one runnable scenario of an outline. */
    record Row(int line, String id, List<String> cells) {
    }

    record ExamplesBlock(String keyword, String name, List<String> tags, List<String> header, List<Row> rows) {
    }

    /** A scenario or an outline as written, with the rule it stands under (null at the feature's top level). */
    record Scenario(String feature, int line, String keyword, String name, String description, String rule,
                    List<String> tags, List<String> clauses, List<Step> steps, List<ExamplesBlock> examples) {
        String id() {
            return feature + ":" + line;
        }

        boolean isOutline() {
            return !examples.isEmpty();
        }
    }

    record RuleBlock(String keyword, String name, String description, List<Scenario> scenarios) {
    }

    record Feature(String file, String keyword, String name, String description, List<String> tags,
                   List<Step> background, List<RuleBlock> blocks) {
        List<Scenario> scenarios() {
            return blocks.stream().flatMap(b -> b.scenarios().stream()).toList();
        }

        /** The NDKPI functions a feature is about ({@code @function:NdkAccept}). */
        List<String> functions() {
            return tags.stream().filter(t -> t.startsWith("@function:")).map(t -> t.substring("@function:".length())).toList();
        }
    }

    /** What the suite runs and reports: one per scenario, one per example row of an outline. */
    record Runnable(String id, String name, List<String> clauses, List<String> steps, Scenario scenario) {
        String feature() {
            return scenario.feature();
        }
    }

    private final Map<String, byte[]> files;
    private final ClauseCatalogue catalogue;
    private final List<Feature> features;
    private final List<Runnable> runnables;

    private SpecModel(Map<String, byte[]> files, ClauseCatalogue catalogue, List<Feature> features, List<Runnable> runnables) {
        this.files = new TreeMap<>(files);
        this.catalogue = catalogue;
        this.features = List.copyOf(features);
        this.runnables = List.copyOf(runnables);
    }

    /**
     * Reads every {@code *.feature} and {@code clauses.yaml} in {@code dir}. Refuses a spec whose
     * features and catalogue disagree, with the same check the build's SpecConsistencyTest makes,
     * so a site is never rendered for a spec the suite would reject.
     */
    static SpecModel load(Path dir) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".feature") || n.equals("clauses.yaml")) {
                    files.put(n, Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spec in " + dir + ": " + e.getMessage(), e);
        }
        SpecModel model = fromFiles(files);
        List<String> problems = SpecIndex.fromDirectory(dir).problems(model.catalogue);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the features and clauses.yaml disagree:\n  " + String.join("\n  ", problems));
        }
        return model;
    }

    /** The spec made of these files (name to content); used directly by the unit tests. */
    static SpecModel fromFiles(Map<String, byte[]> files) {
        byte[] yaml = files.get("clauses.yaml");
        if (yaml == null) {
            throw new IllegalStateException("the spec has no clauses.yaml");
        }
        ClauseCatalogue catalogue;
        try {
            catalogue = ClauseCatalogue.parse(new ByteArrayInputStream(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        GherkinParser parser = GherkinParser.builder().includeSource(false).includeGherkinDocument(true)
                .includePickles(true).build();
        List<Feature> features = new ArrayList<>();
        List<Runnable> runnables = new ArrayList<>();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            if (f.getKey().endsWith(".feature")) {
                parseFeature(parser, f.getKey(), f.getValue(), features, runnables);
            }
        }
        return new SpecModel(files, catalogue, features, runnables);
    }

    private static void parseFeature(GherkinParser parser, String file, byte[] content, List<Feature> features,
                                     List<Runnable> runnables) {
        GherkinDocument doc = null;
        List<Pickle> pickles = new ArrayList<>();
        for (Envelope e : parser.parse(file, content).toList()) {
            if (e.getParseError().isPresent()) {
                throw new IllegalStateException(file + ": " + e.getParseError().get().getMessage());
            }
            if (e.getGherkinDocument().isPresent()) {
                doc = e.getGherkinDocument().get();
            }
            e.getPickle().ifPresent(pickles::add);
        }
        if (doc == null || doc.getFeature().isEmpty()) {
            return;
        }
        io.cucumber.messages.types.Feature feature = doc.getFeature().get();
        // A pickle names the AST nodes it came from: the scenario, and for an outline row the row too.
        Map<String, List<Pickle>> byScenario = new LinkedHashMap<>();
        for (Pickle p : pickles) {
            byScenario.computeIfAbsent(p.getAstNodeIds().get(0), k -> new ArrayList<>()).add(p);
        }
        List<Step> background = new ArrayList<>();
        List<RuleBlock> blocks = new ArrayList<>();
        List<Scenario> topLevel = new ArrayList<>();
        for (FeatureChild c : feature.getChildren()) {
            c.getBackground().ifPresent(b -> background.addAll(steps(b)));
            c.getScenario().ifPresent(s -> topLevel.add(scenario(file, s, null, byScenario, runnables)));
            c.getRule().ifPresent(r -> {
                List<Scenario> inRule = new ArrayList<>();
                for (RuleChild rc : r.getChildren()) {
                    rc.getScenario().ifPresent(s -> inRule.add(scenario(file, s, r.getName(), byScenario, runnables)));
                }
                blocks.add(new RuleBlock(r.getKeyword(), r.getName(), dedent(r.getDescription()), inRule));
            });
        }
        if (!topLevel.isEmpty()) {
            blocks.add(0, new RuleBlock(null, null, "", topLevel));
        }
        features.add(new Feature(file, feature.getKeyword(), feature.getName(), dedent(feature.getDescription()),
                tags(feature.getTags()), background, blocks));
    }

    private static Scenario scenario(String file, io.cucumber.messages.types.Scenario s, String rule,
                                     Map<String, List<Pickle>> byScenario, List<Runnable> runnables) {
        List<ExamplesBlock> examples = new ArrayList<>();
        Map<String, Integer> rowLines = new LinkedHashMap<>();
        for (Examples ex : s.getExamples()) {
            List<Row> rows = new ArrayList<>();
            for (TableRow r : ex.getTableBody()) {
                int line = r.getLocation().getLine().intValue();
                rowLines.put(r.getId(), line);
                rows.add(new Row(line, file + ":" + line, cells(r)));
            }
            examples.add(new ExamplesBlock(ex.getKeyword(), ex.getName(), tags(ex.getTags()),
                    ex.getTableHeader().map(SpecModel::cells).orElse(List.of()), rows));
        }
        int line = s.getLocation().getLine().intValue();
        List<Pickle> pickles = byScenario.getOrDefault(s.getId(), List.of());
        Set<String> clauses = new LinkedHashSet<>();
        pickles.forEach(p -> clauses.addAll(clauses(p)));
        Scenario scenario = new Scenario(file, line, s.getKeyword(), s.getName(), dedent(s.getDescription()), rule,
                tags(s.getTags()), List.copyOf(clauses), steps(s.getSteps()), examples);
        for (Pickle p : pickles) {
            List<String> ast = p.getAstNodeIds();
            int at = ast.size() > 1 ? rowLines.get(ast.get(1)) : line;
            runnables.add(new Runnable(file + ":" + at, p.getName(), clauses(p),
                    p.getSteps().stream().map(io.cucumber.messages.types.PickleStep::getText).toList(), scenario));
        }
        return scenario;
    }

    private static List<String> clauses(Pickle p) {
        return p.getTags().stream().map(PickleTag::getName).filter(t -> t.startsWith("@clause:"))
                .map(t -> t.substring("@clause:".length())).sorted().toList();
    }

    private static List<Step> steps(Background b) {
        return steps(b.getSteps());
    }

    private static List<Step> steps(List<io.cucumber.messages.types.Step> steps) {
        return steps.stream().map(st -> new Step(st.getKeyword().trim(), st.getText(),
                st.getDataTable().map(t -> t.getRows().stream().map(SpecModel::cells).toList()).orElse(List.of()),
                st.getDocString().map(io.cucumber.messages.types.DocString::getContent).orElse(null))).toList();
    }

    private static List<String> cells(TableRow r) {
        return r.getCells().stream().map(TableCell::getValue).toList();
    }

    private static List<String> tags(List<Tag> tags) {
        return tags.stream().map(Tag::getName).toList();
    }

    /** Gherkin keeps a description's indentation; drop what all its lines share. */
    static String dedent(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        List<String> lines = text.lines().toList();
        int common = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l.isBlank() ? "" : l.substring(common).stripTrailing()).append('\n');
        }
        return b.toString().strip();
    }

    ClauseCatalogue catalogue() {
        return catalogue;
    }

    List<Feature> features() {
        return features;
    }

    List<Runnable> runnables() {
        return runnables;
    }

    /** Runnable scenarios per clause, every clause of the catalogue in catalogue order. */
    Map<String, List<Runnable>> runnablesByClause() {
        Map<String, List<Runnable>> m = new LinkedHashMap<>();
        catalogue.clauses().keySet().forEach(c -> m.put(c, new ArrayList<>()));
        runnables.forEach(r -> r.clauses().forEach(c -> m.computeIfAbsent(c, k -> new ArrayList<>()).add(r)));
        return m;
    }

    /** Scenarios as written (an outline once) per clause. */
    Map<String, List<Scenario>> scenariosByClause() {
        Map<String, List<Scenario>> m = new LinkedHashMap<>();
        runnablesByClause().forEach((c, rs) -> m.put(c, rs.stream().map(Runnable::scenario).distinct().toList()));
        return m;
    }

    /** File name to SHA-256 (lower-case hex) of every feature file and of clauses.yaml, in name order. */
    Map<String, String> fileHashes() {
        Map<String, String> m = new LinkedHashMap<>();
        files.forEach((n, b) -> m.put(n, sha256(b)));
        return m;
    }

    /**
     * One hash over the whole spec, made as ndk-cli makes {@code kit.spec.sha256} in summary.json
     * (SHA-256 of the lines {@code <sha256>  <name>} in name order), so the site can tell whether a
     * run judged this very spec.
     */
    String specHash() {
        StringBuilder b = new StringBuilder();
        fileHashes().forEach((n, h) -> b.append(h).append("  ").append(n).append('\n'));
        return sha256(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
