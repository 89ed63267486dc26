package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.cli.bundle.Bundle;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.bundle.Keys;

/** Writing, signing and verifying bundles; every check that can reject one. */
class BundleTest {
    @TempDir
    Path dir;

    /** A judged run's bundle: every check, re-judging included, accepts it as written. */
    static Bundle sample() throws java.io.IOException {
        return new SampleRun(Instant.parse("2026-03-02T10:00:00Z"), "2099-12-31").bundle();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA", "EC", "Ed25519"})
    void signedBundleVerifiesAndASingleChangedByteIsRejected(String alg) throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance(alg).generateKeyPair();
        Path keyFile = dir.resolve("vendor.key.pem");
        Files.writeString(keyFile, Keys.toPem(kp.getPrivate()) + Keys.toPem(kp.getPublic()));
        Keys.SigningKey key = Keys.load(keyFile, null);
        Bundle.Written w = sample().write(dir.resolve("bundle"), Instant.now(), key);
        assertThat(w.signature()).exists();
        assertThat(Files.readString(w.sha256File())).startsWith(w.sha256() + "  " + Bundle.NAME);

        BundleVerifier.Report ok = BundleVerifier.verify(dir.resolve("bundle"), kp.getPublic(), true, null);
        assertThat(ok.ok()).as(ok.checks().toString()).isTrue();

        byte[] zip = Files.readAllBytes(w.zip());
        for (int at : new int[] {10, zip.length / 2, zip.length - 5}) {
            byte[] bad = zip.clone();
            bad[at] ^= 0x01;
            Files.write(w.zip(), bad);
            BundleVerifier.Report r = BundleVerifier.verify(w.zip(), kp.getPublic(), true, null);
            assertThat(r.ok()).as("byte " + at).isFalse();
            assertThat(r.checks()).filteredOn(c -> c.name().equals("sha256")).allMatch(c -> !c.ok());
        }
        Files.write(w.zip(), zip);
        KeyPair other = KeyPairGenerator.getInstance(alg).generateKeyPair();
        assertThat(BundleVerifier.verify(w.zip(), other.getPublic(), true, null).ok()).isFalse();
    }

    @Test
    void rsaPublicKeyIsDerivedAndUnsignedBundlesNeedTheirHashFile() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path keyFile = dir.resolve("k.pem");
        Files.writeString(keyFile, Keys.toPem(kp.getPrivate()));
        assertThat(Keys.load(keyFile, null).publicKey()).isEqualTo(kp.getPublic());

        Bundle.Written w = sample().write(dir.resolve("u"), Instant.now(), null);
        assertThat(BundleVerifier.verify(w.zip(), null, false, null).ok()).isTrue();
        assertThat(BundleVerifier.verify(w.zip(), null, true, null).ok()).isFalse();
        Files.delete(w.sha256File());
        assertThat(BundleVerifier.verify(w.zip(), null, false, null).ok()).isFalse();
    }

    @Test
    void aRewrittenEntryWithARecomputedZipHashIsStillCaughtByTheManifest() throws Exception {
        Bundle.Written w = sample().write(dir.resolve("m"), Instant.now(), null);
        // rebuild the zip with a changed summary but the old manifest, and a matching .sha256
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (var z = new java.util.zip.ZipInputStream(Files.newInputStream(w.zip()))) {
            for (var e = z.getNextEntry(); e != null; e = z.getNextEntry()) {
                entries.put(e.getName(), z.readAllBytes());
            }
        }
        entries.put(Bundle.ROOT + "summary.json", new String(entries.get(Bundle.ROOT + "summary.json"), StandardCharsets.UTF_8)
                .replace("certified-with-waivers", "CERTIFIED").getBytes(StandardCharsets.UTF_8));
        try (var z = new java.util.zip.ZipOutputStream(Files.newOutputStream(w.zip()))) {
            for (var e : entries.entrySet()) {
                z.putNextEntry(new java.util.zip.ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        Files.writeString(w.sha256File(), Hashes.sha256(w.zip()) + "  " + Bundle.NAME + "\n");
        BundleVerifier.Report r = BundleVerifier.verify(w.zip(), null, false, null);
        assertThat(r.ok()).isFalse();
        assertThat(r.checks()).filteredOn(c -> c.name().equals("manifest")).singleElement()
                .satisfies(c -> assertThat(c.detail()).contains("summary.json does not match"));
    }
}
