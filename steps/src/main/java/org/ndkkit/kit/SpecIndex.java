package org.ndkkit.kit;

import io.cucumber.gherkin.GherkinParser;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.Pickle;
import io.cucumber.messages.types.PickleTag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Every scenario of the spec (one entry per example row) with the clauses it is tagged with, and
 * the cross-check against the clause catalogue that keeps the two consistent.
 */
public final class SpecIndex {

    /** One runnable scenario. */
    public record Entry(String feature, String name, List<String> clauses) {
    }

    private final List<Entry> entries;

    private SpecIndex(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Parses every {@code *.feature} file in {@code dir}. */
    public static SpecIndex fromDirectory(Path dir) {
        List<Entry> out = new ArrayList<>();
        GherkinParser parser = GherkinParser.builder().includeSource(false).includeGherkinDocument(false)
                .includePickles(true).build();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".feature")).sorted().toList()) {
                List<Envelope> envelopes = parser.parse(f).toList();
                for (Envelope e : envelopes) {
                    e.getParseError().ifPresent(err -> {
                        throw new IllegalStateException(f.getFileName() + ": " + err.getMessage());
                    });
                    Optional<Pickle> p = e.getPickle();
                    p.ifPresent(pickle -> out.add(new Entry(f.getFileName().toString(), pickle.getName(),
                            pickle.getTags().stream().map(PickleTag::getName).filter(t -> t.startsWith("@clause:"))
                                    .map(t -> t.substring("@clause:".length())).sorted().toList())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read features in " + dir, e);
        }
        return new SpecIndex(out);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Scenarios by clause id. */
    public Map<String, List<Entry>> byClause() {
        Map<String, List<Entry>> m = new TreeMap<>();
        for (Entry e : entries) {
            e.clauses().forEach(c -> m.computeIfAbsent(c, k -> new ArrayList<>()).add(e));
        }
        return m;
    }

    /**
     * The problems that must fail the build: a scenario with no clause, a scenario naming a clause
     * the catalogue does not have, a catalogue clause no scenario checks.
     */
    public List<String> problems(ClauseCatalogue catalogue) {
        List<String> problems = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Entry e : entries) {
            if (e.clauses().isEmpty()) {
                problems.add(e.feature() + ": scenario '" + e.name() + "' has no @clause tag");
            }
            for (String c : e.clauses()) {
                used.add(c);
                if (catalogue.get(c) == null) {
                    problems.add(e.feature() + ": scenario '" + e.name() + "' names clause " + c
                            + ", which is not in the clause catalogue");
                }
            }
        }
        for (String id : catalogue.clauses().keySet()) {
            if (!used.contains(id)) {
                problems.add("clause " + id + " has no scenario");
            }
        }
        return problems;
    }
}
