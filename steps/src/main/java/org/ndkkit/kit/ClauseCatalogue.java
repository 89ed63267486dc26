package org.ndkkit.kit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The clause catalogue ({@code features/clauses.yaml}): every rule the features check. */
public final class ClauseCatalogue {
    /** Where the catalogue sits on the class path (the features jar). */
    public static final String RESOURCE = "ndk/features/clauses.yaml";

    /** One clause. */
    public record Clause(String id, String rule, String sourceKey, String sourceUrl, String level, String reading,
                         String ambiguity) {
    }

    private final Map<String, Clause> clauses;
    private final Map<String, String> sources;

    private ClauseCatalogue(Map<String, Clause> clauses, Map<String, String> sources) {
        this.clauses = Collections.unmodifiableMap(clauses);
        this.sources = Collections.unmodifiableMap(sources);
    }

    public static ClauseCatalogue load() {
        try (InputStream in = ClauseCatalogue.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path");
            }
            return parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    public static ClauseCatalogue parse(InputStream yaml) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        JsonNode sources = root.path("sources");
        Map<String, Clause> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("clauses").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode c = e.getValue();
            String id = e.getKey();
            String sourceKey = text(c, "source");
            String level = text(c, "level");
            if (!id.matches("[A-Z]+(-[A-Z0-9]+)+")) {
                throw new IllegalStateException("clause id '" + id + "' must be upper-case words joined by '-' (no dots)");
            }
            if (text(c, "rule") == null || sourceKey == null || level == null) {
                throw new IllegalStateException("clause " + id + " needs rule, source and level");
            }
            if (!sources.has(sourceKey)) {
                throw new IllegalStateException("clause " + id + " names unknown source '" + sourceKey + "'");
            }
            if (!level.equals("mandatory") && !level.equals("provider-defined")) {
                throw new IllegalStateException("clause " + id + " has level '" + level + "'; use mandatory or provider-defined");
            }
            out.put(id, new Clause(id, text(c, "rule"), sourceKey, sources.get(sourceKey).asText(), level,
                    text(c, "reading"), text(c, "ambiguity")));
        }
        Map<String, String> pages = new LinkedHashMap<>();
        sources.fields().forEachRemaining(e -> pages.put(e.getKey(), e.getValue().asText()));
        return new ClauseCatalogue(out, pages);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public Map<String, Clause> clauses() {
        return clauses;
    }

    /** Every source page by key, in catalogue order, including pages no clause cites yet. */
    public Map<String, String> sources() {
        return sources;
    }

    public Clause get(String id) {
        return clauses.get(id);
    }
}
