package org.ndkkit.specsite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ndkkit.spi.NtStatus;

/**
 * The module's own text, kept as data beside the code (resources of this package): the parameter
 * tables of the NDKPI pages ({@code functions.yaml}), the ambiguity register
 * ({@code ambiguities.yaml}) and the adapter pairs of the read-limit examples
 * ({@code read-limits.yaml}).
 */
final class SiteData {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One NDKPI page: parameters are [name, type, direction, meaning], returns [status, when]. */
    record Page(String key, String title, String typedef, String kind, String summary, String calling,
                List<List<String>> parameters, List<List<String>> returns) {
        boolean documents(String status) {
            return returns.stream().anyMatch(r -> r.get(0).equals(status));
        }
    }

    /** One register entry; {@code clauses} are the not-found clauses it claims. */
    record Entry(String id, String title, String detail, List<String> pages, List<String> clauses,
                 List<String> related, String notChecked) {
    }

    /** Read-limit maxima of one host's adapter. */
    record Maxima(long inbound, long outbound) {
    }

    record AdapterPair(String name, String description, Maxima local, Maxima peer) {
    }

    private SiteData() {
    }

    static JsonNode read(String resource) {
        try (InputStream in = SiteData.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The pages of functions.yaml in its order; checked against the catalogue's sources. */
    static Map<String, Page> pages(JsonNode root, Set<String> sources) {
        Map<String, Page> out = new LinkedHashMap<>();
        root.path("pages").fields().forEachRemaining(e -> {
            JsonNode n = e.getValue();
            Page p = new Page(e.getKey(), text(n, "title"), text(n, "typedef"), text(n, "kind"), text(n, "summary"),
                    text(n, "calling"), rows(n.path("parameters"), 4, e.getKey()), rows(n.path("returns"), 2, e.getKey()));
            p.returns().forEach(r -> NtStatus.named(r.get(0)));
            out.put(e.getKey(), p);
        });
        List<String> problems = new ArrayList<>();
        sources.stream().filter(s -> !out.containsKey(s))
                .forEach(s -> problems.add("source '" + s + "' of clauses.yaml has no entry in functions.yaml"));
        out.keySet().stream().filter(k -> !sources.contains(k))
                .forEach(k -> problems.add("functions.yaml has '" + k + "', which is not a source of clauses.yaml"));
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
        return out;
    }

    static List<Entry> entries(JsonNode root) {
        List<Entry> out = new ArrayList<>();
        root.path("entries").fields().forEachRemaining(e -> {
            JsonNode n = e.getValue();
            out.add(new Entry(e.getKey(), text(n, "title"), text(n, "detail"), list(n.path("pages")), list(n.path("clauses")),
                    list(n.path("related")), text(n, "notChecked")));
        });
        return out;
    }

    static List<AdapterPair> pairs(JsonNode root) {
        List<AdapterPair> out = new ArrayList<>();
        root.path("pairs").fields().forEachRemaining(e -> out.add(new AdapterPair(e.getKey(), text(e.getValue(), "description"),
                maxima(e.getValue().path("local")), maxima(e.getValue().path("peer")))));
        return out;
    }

    private static Maxima maxima(JsonNode n) {
        return new Maxima(n.path("MaxInboundReadLimit").asLong(), n.path("MaxOutboundReadLimit").asLong());
    }

    private static List<List<String>> rows(JsonNode n, int width, String where) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode row : n) {
            List<String> r = list(row);
            if (r.size() != width) {
                throw new IllegalStateException("functions.yaml, " + where + ": " + r + " must have " + width + " items");
            }
            out.add(r);
        }
        return out;
    }

    private static List<String> list(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
