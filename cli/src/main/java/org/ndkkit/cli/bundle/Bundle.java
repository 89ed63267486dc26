package org.ndkkit.cli.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.ndkkit.cli.Hashes;

/**
 * The certification bundle: one zip with the summary, the human-readable summary, the JUnit XML,
 * the evidence (Cucumber messages with every scenario's SPI call trace, preflight, probes, the
 * progress log), the spec it ran (feature files and clause catalogue), the waivers it applied, and
 * {@code MANIFEST.sha256} listing the SHA-256 of every other entry. Next to it:
 * {@code <bundle>.sha256} (the whole zip's hash, {@code sha256sum -c} format) and, when signed,
 * {@code <bundle>.sig} (the signature of the zip's bytes, raw, as {@code openssl dgst -sign}
 * writes it) and {@code <bundle>.pub.pem} (the signer's public key).
 */
public final class Bundle {
    public static final String NAME = "ndk-conformance-bundle.zip";
    public static final String MANIFEST = "MANIFEST.sha256";
    public static final String ROOT = "ndk-conformance-bundle/";

    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    /** Adds an entry (path inside the bundle, relative to its root folder). */
    public Bundle add(String path, byte[] content) {
        if (path.contains("..") || path.startsWith("/") || path.equals(MANIFEST)) {
            throw new IllegalArgumentException("bad bundle path " + path);
        }
        entries.put(path, content);
        return this;
    }

    public Bundle add(String path, Path file) throws IOException {
        return Files.isRegularFile(file) ? add(path, Files.readAllBytes(file)) : this;
    }

    /** The manifest: {@code <sha256>  <path>} per entry, in the order they were added. */
    public String manifest() {
        StringBuilder b = new StringBuilder();
        entries.forEach((p, c) -> b.append(Hashes.sha256(c)).append("  ").append(p).append('\n'));
        return b.toString();
    }

    /** What was written. */
    public record Written(Path zip, String sha256, Path sha256File, Path signature, Path publicKey, String keyFingerprint) {
    }

    public Written write(Path dir, Instant time, Keys.SigningKey key) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long t = time.toEpochMilli();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.setComment("NDK conformance certification bundle; verify with: ndk-cli verify " + NAME);
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                put(z, ROOT + e.getKey(), e.getValue(), t);
            }
            put(z, ROOT + MANIFEST, manifest().getBytes(StandardCharsets.UTF_8), t);
        }
        byte[] zip = bytes.toByteArray();
        Path zipFile = dir.resolve(NAME);
        Files.write(zipFile, zip);
        String hash = Hashes.sha256(zip);
        Path shaFile = dir.resolve(NAME + ".sha256");
        Files.writeString(shaFile, hash + "  " + NAME + "\n", StandardCharsets.US_ASCII);
        Path sig = dir.resolve(NAME + ".sig");
        Path pub = dir.resolve(NAME + ".pub.pem");
        Files.deleteIfExists(sig);
        Files.deleteIfExists(pub);
        if (key == null) {
            return new Written(zipFile, hash, shaFile, null, null, null);
        }
        Signature s = Signature.getInstance(key.algorithm());
        s.initSign(key.privateKey());
        s.update(zip);
        Files.write(sig, s.sign());
        String fp = null;
        if (key.publicKey() != null) {
            Signature check = Signature.getInstance(key.algorithm());
            check.initVerify(key.publicKey());
            check.update(zip);
            if (!check.verify(Files.readAllBytes(sig))) {
                throw new GeneralSecurityException("the public key given does not belong to the signing key");
            }
            Files.writeString(pub, Keys.toPem(key.publicKey()), StandardCharsets.US_ASCII);
            fp = Keys.fingerprint(key.publicKey());
        }
        return new Written(zipFile, hash, shaFile, sig, key.publicKey() == null ? null : pub, fp);
    }

    private static void put(ZipOutputStream z, String name, byte[] content, long time) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(time);
        z.putNextEntry(e);
        z.write(content);
        z.closeEntry();
    }
}
