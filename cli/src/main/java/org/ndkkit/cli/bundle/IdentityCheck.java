package org.ndkkit.cli.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.ndkkit.cli.report.Artifacts;
import org.ndkkit.cli.suite.Preflight;

/**
 * What was tested, by content ({@code kit.artifacts}, {@code provider.artifacts} in summary.json):
 * recorded and well formed; the provider's jars, when the verifier has them, the same bytes; the
 * kit's jars against the verifying kit's own (a note, as for the spec, unless the kit is required).
 * And by what the testbed said ({@code provider.identity}): the facts summary.json records are the
 * ones the suite's preflight recorded, and, when an authority pins some, they have the pinned values.
 */
final class IdentityCheck {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String PREFLIGHT = "evidence/preflight.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IdentityCheck() {
    }

    /** {@code identity}: both lists recorded and well formed; with {@code provider}, each of its entries recorded with its hash. */
    static BundleVerifier.Check recorded(JsonNode summary, List<Artifacts.Artifact> provider) {
        List<String> problems = new ArrayList<>();
        Map<String, String> kit = artifacts(summary.path("kit").path("artifacts"), "kit.artifacts", problems);
        Map<String, String> recorded = artifacts(summary.path("provider").path("artifacts"), "provider.artifacts", problems);
        if (kit.isEmpty() && problems.isEmpty()) {
            problems.add("kit.artifacts is empty: nothing says which kit judged the run");
        }
        if (provider != null) {
            for (Artifacts.Artifact a : provider) {
                String want = recorded.get(a.name());
                if (want == null) {
                    problems.add("provider.artifacts has no " + a.name() + " (given with --provider-path)");
                } else if (!want.equals(a.sha256())) {
                    problems.add(a.name() + " is not the provider that was tested: SHA-256 " + a.sha256()
                            + ", the run recorded " + want);
                }
            }
        }
        return new BundleVerifier.Check("identity", problems.isEmpty(), problems.isEmpty()
                ? kit.size() + " kit and " + recorded.size() + " provider artifact(s) recorded by SHA-256"
                        + (provider == null ? "" : "; the " + provider.size() + " given with --provider-path match")
                : String.join("; ", problems));
    }

    /** {@code kit-jars}: the run's kit jars against this kit's, by name and hash. */
    static BundleVerifier.Check kitJars(JsonNode summary, List<Artifacts.Artifact> own) {
        Map<String, String> recorded = artifacts(summary.path("kit").path("artifacts"), "kit.artifacts", new ArrayList<>());
        List<String> differ = new ArrayList<>();
        for (Artifacts.Artifact a : own) {
            if ("jar".equals(a.kind()) && recorded.containsKey(a.name()) && !recorded.get(a.name()).equals(a.sha256())) {
                differ.add(a.name());
            }
        }
        long jars = own.stream().filter(a -> "jar".equals(a.kind())).count();
        long missing = own.stream().filter(a -> "jar".equals(a.kind()) && !recorded.containsKey(a.name())).count();
        boolean same = differ.isEmpty() && missing == 0;
        return new BundleVerifier.Check("kit-jars", same, same ? "the run used exactly this kit's " + jars + " jars"
                : "the run's kit differs from this one: " + differ.size() + " jar(s) with other bytes"
                        + (differ.isEmpty() ? "" : " (" + String.join(", ", differ) + ")") + ", " + missing + " not in the run");
    }

    /**
     * {@code identity-facts}: {@code provider.identity} in summary.json against the {@code identity}
     * the suite's preflight recorded (evidence/preflight.json), key by key. Facts recorded without
     * the preflight.json they come from are a failure too.
     */
    static BundleVerifier.Check facts(JsonNode summary, Map<String, byte[]> entries) {
        String name = "identity-facts";
        JsonNode node = summary.path("provider").path("identity");
        if (!node.isMissingNode() && !node.isObject()) {
            return new BundleVerifier.Check(name, false, "summary.json: provider.identity is not an object");
        }
        Map<String, String> recorded = new TreeMap<>();
        node.fields().forEachRemaining(e -> recorded.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        byte[] pf = entries.get(PREFLIGHT);
        if (pf == null) {
            return new BundleVerifier.Check(name, recorded.isEmpty(), recorded.isEmpty()
                    ? "no identity recorded (the bundle has no " + PREFLIGHT + ")"
                    : "summary.json: provider.identity records " + recorded.size() + " fact(s) but the bundle has no "
                            + PREFLIGHT + ", where they come from");
        }
        Map<String, String> shipped;
        try {
            shipped = Preflight.identityOf(JSON.readTree(pf));
        } catch (IOException e) {
            return new BundleVerifier.Check(name, false, PREFLIGHT + " does not parse: " + e.getMessage());
        }
        List<String> problems = new ArrayList<>();
        SortedSet<String> keys = new TreeSet<>(recorded.keySet());
        keys.addAll(shipped.keySet());
        for (String k : keys) {
            if (!recorded.containsKey(k)) {
                problems.add("summary.json: provider.identity has no " + k + " but " + PREFLIGHT + " records " + show(shipped.get(k)));
            } else if (!shipped.containsKey(k)) {
                problems.add("summary.json: provider.identity." + k + " is " + show(recorded.get(k)) + " but " + PREFLIGHT
                        + " has no such fact");
            } else if (!Objects.equals(recorded.get(k), shipped.get(k))) {
                problems.add("summary.json: provider.identity." + k + " is " + show(recorded.get(k)) + " but " + PREFLIGHT
                        + " records " + show(shipped.get(k)));
            }
        }
        return new BundleVerifier.Check(name, problems.isEmpty(), !problems.isEmpty() ? String.join("; ", problems)
                : shipped.isEmpty() ? "the provider declared no identity (" + PREFLIGHT + " records none, nor does summary.json)"
                : "provider.identity: " + shipped.size() + " fact(s), as " + PREFLIGHT + " records them");
    }

    /** {@code require-identity}: every {@code --require-identity KEY=VALUE} is recorded in provider.identity with that value. */
    static BundleVerifier.Check required(JsonNode summary, Map<String, String> required) {
        JsonNode identity = summary.path("provider").path("identity");
        List<String> problems = new ArrayList<>();
        List<String> held = new ArrayList<>();
        new TreeMap<>(required).forEach((k, want) -> {
            JsonNode v = identity.get(k);
            if (v == null || v.isNull()) {
                problems.add(k + " is not recorded (provider.identity has no such fact), required " + show(want));
            } else if (!v.asText().equals(want)) {
                problems.add(k + " is " + show(v.asText()) + ", required " + show(want));
            } else {
                held.add(k + " = " + show(want));
            }
        });
        return new BundleVerifier.Check("require-identity", problems.isEmpty(), problems.isEmpty()
                ? String.join(", ", held) + " as required" : String.join("; ", problems));
    }

    private static String show(String v) {
        return v == null ? "null" : "\"" + v + "\"";
    }

    private static Map<String, String> artifacts(JsonNode list, String field, List<String> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!list.isArray()) {
            problems.add("summary.json has no " + field);
            return out;
        }
        for (JsonNode a : list) {
            String name = a.path("name").asText("");
            String sha = a.path("sha256").asText("");
            if (name.isEmpty() || !SHA256.matcher(sha).matches()) {
                problems.add(field + ": malformed entry " + a);
            } else {
                out.put(name, sha);
            }
        }
        return out;
    }
}
