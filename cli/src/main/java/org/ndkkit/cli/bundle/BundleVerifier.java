package org.ndkkit.cli.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.ndkkit.cli.Hashes;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.report.Artifacts;
import org.ndkkit.cli.report.SummaryJson;
import org.ndkkit.cli.spec.Spec;

/**
 * Checks a certification bundle: the zip's SHA-256 against its {@code .sha256} file; the signature
 * (when there is one, or when a public key is required); every entry against
 * {@code MANIFEST.sha256}, with no entry missing or extra; summary.json's schema and its internal
 * consistency (counts against scenarios); the verdict judged again from the bundle's own inputs
 * ({@link Rejudge}: every field of summary.json that disagrees is named); the spec files in the
 * bundle against the hashes in summary.json; what was tested ({@link IdentityCheck}: the artifacts
 * by hash, the provider's identity facts against the bundled preflight.json, and those an authority
 * requires); and, when asked, the spec against this kit's own.
 */
public final class BundleVerifier {
    /** One check's outcome. */
    public record Check(String name, boolean ok, String detail) {
    }

    /** The verification. */
    public record Report(Path bundle, List<Check> checks) {
        public boolean ok() {
            return checks.stream().allMatch(Check::ok);
        }
    }

    private BundleVerifier() {
    }

    /** {@code target}: the bundle zip, or the folder holding it. */
    public static Report verify(Path target, PublicKey trusted, boolean requireSignature, Spec kitSpec) throws IOException {
        return verify(target, trusted, requireSignature, kitSpec, null);
    }

    /**
     * As above, and who stands behind the bundle ({@link CounterSignature#check}): with
     * {@code trustDir} (pinned authority keys) only a counter-signature by one of them passes.
     */
    public static Report verify(Path target, PublicKey trusted, boolean requireSignature, Spec kitSpec, Path trustDir)
            throws IOException {
        return verify(target, trusted, requireSignature, kitSpec, trustDir, List.of());
    }

    /**
     * As above, and the provider's jars or folders ({@code providerPath}, may be empty) must be
     * the ones the run recorded, by content.
     */
    public static Report verify(Path target, PublicKey trusted, boolean requireSignature, Spec kitSpec, Path trustDir,
                                List<Path> providerPath) throws IOException {
        return verify(target, trusted, requireSignature, kitSpec, trustDir, providerPath, Map.of());
    }

    /**
     * As above, and every fact in {@code requiredIdentity} (may be empty) must be recorded in
     * {@code provider.identity} with that value ({@code --require-identity KEY=VALUE}).
     */
    public static Report verify(Path target, PublicKey trusted, boolean requireSignature, Spec kitSpec, Path trustDir,
                                List<Path> providerPath, Map<String, String> requiredIdentity) throws IOException {
        Path zip = Files.isDirectory(target) ? target.resolve(Bundle.NAME) : target;
        List<Check> checks = new ArrayList<>();
        if (!Files.isRegularFile(zip)) {
            checks.add(new Check("bundle", false, zip + " does not exist"));
            return new Report(zip, checks);
        }
        byte[] bytes = Files.readAllBytes(zip);
        String hash = Hashes.sha256(bytes);

        Path sha = zip.resolveSibling(zip.getFileName() + ".sha256");
        if (Files.isRegularFile(sha)) {
            String want = Files.readString(sha, StandardCharsets.US_ASCII).trim().split("\\s+")[0].toLowerCase();
            checks.add(new Check("sha256", want.equals(hash), want.equals(hash) ? "the bundle's SHA-256 is " + hash
                    : "the bundle's SHA-256 is " + hash + " but " + sha.getFileName() + " says " + want));
        } else {
            checks.add(new Check("sha256", false, sha.getFileName() + " is missing: nothing records the bundle's hash"));
        }

        Path sig = zip.resolveSibling(zip.getFileName() + ".sig");
        Path pub = zip.resolveSibling(zip.getFileName() + ".pub.pem");
        if (Files.isRegularFile(sig)) {
            try {
                PublicKey key = trusted;
                String whose = "the trusted key";
                if (key == null) {
                    if (!Files.isRegularFile(pub)) {
                        throw new GeneralSecurityException("no public key: give --public-key or keep " + pub.getFileName());
                    }
                    key = Keys.readPublicKey(pub);
                    whose = "the key shipped with it (not pinned: pass --public-key to pin the vendor's key)";
                }
                Signature s = Signature.getInstance(Keys.algorithm(key.getAlgorithm()));
                s.initVerify(key);
                s.update(bytes);
                boolean good = s.verify(Files.readAllBytes(sig));
                checks.add(new Check("signature", good, (good ? "valid " : "INVALID ") + s.getAlgorithm() + " signature by "
                        + whose + ", key SHA-256 " + Keys.fingerprint(key)));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                checks.add(new Check("signature", false, "cannot check the signature: " + e.getMessage()));
            }
        } else if (requireSignature || trusted != null || trustDir != null) {
            checks.add(new Check("signature", false, sig.getFileName() + " is missing, but a signature is required"));
        }
        checks.add(CounterSignature.check(zip, trustDir));

        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.startsWith(Bundle.ROOT) || name.contains("..")) {
                    checks.add(new Check("entries", false, "unexpected entry " + name));
                    continue;
                }
                if (entries.put(name.substring(Bundle.ROOT.length()), z.readAllBytes()) != null) {
                    checks.add(new Check("entries", false, "duplicate entry " + name));
                }
            }
        } catch (IOException | RuntimeException e) {
            checks.add(new Check("zip", false, "not a readable zip: " + e.getMessage()));
            return new Report(zip, checks);
        }
        byte[] manifest = entries.remove(Bundle.MANIFEST);
        if (manifest == null) {
            checks.add(new Check("manifest", false, Bundle.MANIFEST + " is missing"));
            return new Report(zip, checks);
        }
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : new String(manifest, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                int sp = line.indexOf("  ");
                listed.put(line.substring(sp + 2), line.substring(0, sp));
            }
        }
        List<String> bad = new ArrayList<>();
        listed.forEach((p, h) -> {
            byte[] c = entries.get(p);
            if (c == null) {
                bad.add(p + " is listed but missing");
            } else if (!Hashes.sha256(c).equals(h)) {
                bad.add(p + " does not match its SHA-256");
            }
        });
        entries.keySet().stream().filter(p -> !listed.containsKey(p)).forEach(p -> bad.add(p + " is not in the manifest"));
        checks.add(new Check("manifest", bad.isEmpty(), bad.isEmpty() ? listed.size() + " entries match " + Bundle.MANIFEST
                : String.join("; ", bad)));

        byte[] summaryBytes = entries.get("summary.json");
        if (summaryBytes == null) {
            checks.add(new Check("summary", false, "summary.json is missing"));
            return new Report(zip, checks);
        }
        JsonNode s;
        try (InputStream in = new ByteArrayInputStream(summaryBytes)) {
            s = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            checks.add(new Check("summary", false, "summary.json does not parse: " + e.getMessage()));
            return new Report(zip, checks);
        }
        checks.add(summaryCheck(s));
        // the recorded verdict must follow from the bundle's own inputs, judged by the same code
        checks.addAll(Rejudge.check(s, entries));

        Map<String, String> recorded = new TreeMap<>();
        s.path("kit").path("spec").path("files").fields().forEachRemaining(e -> recorded.put(e.getKey(), e.getValue().asText()));
        Map<String, String> shipped = new TreeMap<>();
        entries.forEach((p, c) -> {
            if (p.startsWith("spec/")) {
                shipped.put(p.substring("spec/".length()), Hashes.sha256(c));
            }
        });
        checks.add(new Check("spec", !recorded.isEmpty() && recorded.equals(shipped), recorded.equals(shipped)
                ? recorded.size() + " spec files match the hashes in summary.json"
                : "the spec files in the bundle do not match summary.json's hashes"));
        if (kitSpec != null) {
            Map<String, String> mine = new TreeMap<>(kitSpec.fileHashes());
            boolean same = mine.equals(recorded);
            List<String> diff = new ArrayList<>();
            mine.forEach((n, h) -> {
                if (!h.equals(recorded.get(n))) {
                    diff.add(n);
                }
            });
            recorded.keySet().stream().filter(n -> !mine.containsKey(n)).forEach(diff::add);
            checks.add(new Check("kit-spec", same, same ? "the run used exactly this kit's spec (" + kitSpec.specHash() + ")"
                    : "the run's spec differs from this kit's in: " + String.join(", ", diff)));
            checks.add(IdentityCheck.kitJars(s, Artifacts.ofClassPath(
                    System.getProperty("ndk.cli.classpath", System.getProperty("java.class.path")))));
        }
        checks.add(IdentityCheck.recorded(s, providerPath.isEmpty() ? null : Artifacts.of(providerPath)));
        checks.add(IdentityCheck.facts(s, entries));
        if (!requiredIdentity.isEmpty()) {
            checks.add(IdentityCheck.required(s, requiredIdentity));
        }
        return new Report(zip, checks);
    }

    static Check summaryCheck(JsonNode s) {
        List<String> problems = new ArrayList<>();
        if (!SummaryJson.SCHEMA.equals(s.path("schema").asText())) {
            problems.add("schema is '" + s.path("schema").asText() + "', expected " + SummaryJson.SCHEMA);
        }
        for (String f : List.of("kit", "run", "provider", "environment", "preflight", "verdict", "counts", "clauses",
                "scenarios", "waivers", "findings")) {
            if (!s.has(f)) {
                problems.add("no '" + f + "'");
            }
        }
        Map<String, Integer> counted = new HashMap<>();
        int n = 0;
        for (JsonNode sc : s.path("scenarios")) {
            n++;
            try {
                counted.merge(Verdict.of(sc.path("verdict").asText()).wire(), 1, Integer::sum);
            } catch (IllegalArgumentException e) {
                problems.add("scenario " + sc.path("id").asText() + ": " + e.getMessage());
            }
        }
        if (s.path("counts").path("total").asInt(-1) != n) {
            problems.add("counts.total " + s.path("counts").path("total").asInt(-1) + " but " + n + " scenarios");
        }
        for (Verdict v : Verdict.values()) {
            int c = s.path("counts").path(v.wire()).asInt(-1);
            if (c != counted.getOrDefault(v.wire(), 0)) {
                problems.add("counts." + v.wire() + " is " + c + " but " + counted.getOrDefault(v.wire(), 0) + " scenarios have it");
            }
        }
        return new Check("summary", problems.isEmpty(), problems.isEmpty()
                ? "summary.json: " + s.path("provider").path("name").asText() + " " + s.path("provider").path("version").asText()
                + ", " + s.path("verdict").path("status").asText() + ", " + n + " scenarios"
                : String.join("; ", problems));
    }
}
