package org.ndkkit.cli.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.ndkkit.cli.report.Artifacts;

/**
 * What was tested, by content ({@code kit.artifacts}, {@code provider.artifacts} in summary.json):
 * recorded and well formed; the provider's jars, when the verifier has them, the same bytes; the
 * kit's jars against the verifying kit's own (a note, as for the spec, unless the kit is required).
 */
final class IdentityCheck {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

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
