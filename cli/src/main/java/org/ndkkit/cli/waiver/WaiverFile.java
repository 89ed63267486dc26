package org.ndkkit.cli.waiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a waiver file, YAML or JSON (JSON when the name ends in {@code .json}), either a list of
 * entries or an object with a {@code waivers} list:
 *
 * <pre>
 * waivers:
 *   - id: ACME-17                          # optional; default FILE#N
 *     clause: PD-CALLER-LIMIT              # or  scenario: private-data.feature:31  (id or exact name)
 *     provider: acme-ndk                   # provider name, or "*"
 *     versions: "[2.0,2.3)"                # Maven-style range, a single version, or "*"
 *     reason: firmware 2.1 truncates private data at 48 bytes
 *     issue: https://bugs.example.com/ACME-17
 *     expires: 2027-03-31                  # last day it applies (UTC)
 * </pre>
 *
 * Every field but {@code id} is required; an unknown field is an error, so a typo never silently
 * widens or narrows a waiver.
 */
public final class WaiverFile {
    private static final Set<String> FIELDS = Set.of("id", "scenario", "clause", "provider", "versions", "reason",
            "issue", "expires");

    private WaiverFile() {
    }

    public static List<Waiver> load(Path file, String kind) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.getFileName().toString(), kind);
        }
    }

    public static List<Waiver> parse(InputStream in, String name, String kind) throws IOException {
        ObjectMapper m = name.toLowerCase().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root = m.readTree(in);
        JsonNode list = root == null || root.isMissingNode() || root.isNull() ? null
                : root.isArray() ? root : root.get("waivers");
        if (root != null && root.isObject()) {
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("waivers") && !f.equals("description")) {
                    throw new IllegalArgumentException(name + ": unknown top-level field '" + f + "' (expected waivers)");
                }
            }
        }
        List<Waiver> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(name + ": 'waivers' must be a list");
        }
        Set<String> ids = new HashSet<>();
        int n = 0;
        for (JsonNode e : list) {
            n++;
            String where = name + " entry " + n;
            if (!e.isObject()) {
                throw new IllegalArgumentException(where + ": must be a mapping");
            }
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw new IllegalArgumentException(where + ": unknown field '" + f + "' (allowed: " + FIELDS + ")");
                }
            }
            String id = text(e, "id");
            if (id == null) {
                id = name + "#" + n;
            }
            if (!ids.add(id)) {
                throw new IllegalArgumentException(where + ": duplicate id '" + id + "'");
            }
            where = name + " waiver " + id;
            String scenario = text(e, "scenario");
            String clause = text(e, "clause");
            if ((scenario == null) == (clause == null)) {
                throw new IllegalArgumentException(where + ": give exactly one of 'scenario' and 'clause'");
            }
            String provider = required(e, "provider", where);
            if (!provider.equals("*") && !provider.matches("[a-z0-9][a-z0-9._-]*")) {
                throw new IllegalArgumentException(where + ": provider '" + provider + "' is not a provider name (or \"*\")");
            }
            VersionRange versions;
            try {
                versions = VersionRange.parse(required(e, "versions", where));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
            }
            String reason = required(e, "reason", where);
            URI issue;
            try {
                issue = new URI(required(e, "issue", where));
            } catch (URISyntaxException ex) {
                throw new IllegalArgumentException(where + ": issue is not a URL: " + ex.getMessage(), ex);
            }
            if (issue.getScheme() == null || !(issue.getScheme().equals("https") || issue.getScheme().equals("http"))
                    || issue.getHost() == null) {
                throw new IllegalArgumentException(where + ": issue must be an http(s) URL, got '" + issue + "'");
            }
            LocalDate expires;
            try {
                expires = LocalDate.parse(required(e, "expires", where));
            } catch (DateTimeParseException ex) {
                throw new IllegalArgumentException(where + ": expires must be a date YYYY-MM-DD, got '" + text(e, "expires") + "'", ex);
            }
            out.add(new Waiver(id, kind, scenario, clause, provider, versions, reason, issue, expires, name));
        }
        return out;
    }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText().trim();
    }

    private static String required(JsonNode n, String f, String where) {
        String v = text(n, f);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(where + ": '" + f + "' is required");
        }
        return v;
    }
}
