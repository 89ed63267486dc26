package org.ndkkit.specsite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ndkkit.kit.ClauseCatalogue;
import org.ndkkit.kit.ClauseCatalogue.Clause;
import org.ndkkit.specsite.SiteData.Entry;

/**
 * The ambiguity register: the entries of ambiguities.yaml joined with the clauses that take a
 * reading on them. Which clauses cover an entry comes from clauses.yaml (a clause's
 * {@code ambiguity}), so the register cannot claim a check the catalogue does not make.
 */
final class Register {
    /** An entry with the clauses that cover it (empty: not checked). */
    record Item(Entry entry, List<Clause> covering) {
    }

    private Register() {
    }

    static List<Item> join(List<Entry> entries, ClauseCatalogue catalogue) {
        Map<String, Item> items = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Entry e : entries) {
            List<Clause> covering = new ArrayList<>();
            for (Clause c : catalogue.clauses().values()) {
                if (e.id().equals(c.ambiguity())) {
                    covering.add(c);
                }
            }
            for (String id : e.clauses()) {
                Clause c = catalogue.get(id);
                if (c == null || !"not-found".equals(c.ambiguity())) {
                    problems.add(e.id() + " claims " + id + ", which is not a clause with 'ambiguity: not-found'");
                } else {
                    covering.add(c);
                }
            }
            for (String id : e.related()) {
                if (catalogue.get(id) == null) {
                    problems.add(e.id() + " relates to " + id + ", which is not a clause");
                }
            }
            if (covering.isEmpty() && (e.notChecked() == null || e.notChecked().isBlank())) {
                problems.add(e.id() + " is covered by no clause and says no reason why (notChecked)");
            }
            items.put(e.id(), new Item(e, covering));
        }
        for (Clause c : catalogue.clauses().values()) {
            if (c.ambiguity() == null) {
                continue;
            }
            long claims = items.values().stream().filter(i -> i.covering().contains(c)).count();
            if (claims != 1) {
                problems.add("clause " + c.id() + " (ambiguity: " + c.ambiguity() + ") is covered by " + claims
                        + " register entries; it needs exactly one");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("ambiguity register:\n  " + String.join("\n  ", problems));
        }
        return List.copyOf(items.values());
    }

    /** The register entry that covers a clause, or null. */
    static String entryOf(List<Item> items, String clause) {
        for (Item i : items) {
            if (i.covering().stream().anyMatch(c -> c.id().equals(clause))) {
                return i.entry().id();
            }
        }
        return null;
    }
}
