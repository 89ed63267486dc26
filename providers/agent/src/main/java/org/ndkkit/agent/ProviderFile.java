package org.ndkkit.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The file the agent loaded its provider from, by name and SHA-256: the kit's report can hash only
 * the files on its own machine, and with an agent the provider lives on the machine under test.
 */
final class ProviderFile {
    private ProviderFile() {
    }

    /** {@code agent.provider-file} and, for a jar, {@code agent.provider-sha256}. */
    static Map<String, String> facts(Class<?> providerClass) {
        Map<String, String> out = new TreeMap<>();
        try {
            CodeSource cs = providerClass.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) {
                out.put("agent.provider-file", "unknown (no code source)");
                return out;
            }
            Path p = Path.of(cs.getLocation().toURI());
            out.put("agent.provider-file", String.valueOf(p.getFileName()));
            if (Files.isRegularFile(p)) {
                out.put("agent.provider-sha256", sha256(p));
            } else {
                out.put("agent.provider-sha256", "not hashed (a class folder, not a jar)");
            }
        } catch (IOException | RuntimeException | URISyntaxException e) {
            out.put("agent.provider-file", "unknown (" + e + ")");
        }
        return out;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
