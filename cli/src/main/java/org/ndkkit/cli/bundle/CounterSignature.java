package org.ndkkit.cli.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * An authority's counter-signature on a vendor's signed bundle: the authority signs the zip's bytes
 * followed by the vendor's signature bytes, so it vouches for this run as this vendor signed it.
 * Next to the bundle: {@code <bundle>.countersig} (the raw signature, as {@code openssl dgst -sign}
 * writes it) and {@code <bundle>.countersig.pub.pem} (the authority's public key, for reading only:
 * trust comes from the keys a verifier pins with {@code --trust DIR}, never from what ships with the
 * bundle). With openssl: {@code cat BUNDLE BUNDLE.sig | openssl dgst -sha256 -verify AUTHORITY.pem
 * -signature BUNDLE.countersig}.
 */
public final class CounterSignature {
    public static final String SUFFIX = ".countersig";

    /** The three answers a verifier gets about who stands behind a bundle. */
    public static final String SELF_ATTESTED = "self-attested";
    public static final String COUNTER_SIGNED = "counter-signed";
    public static final String UNTRUSTED = "untrusted signature";

    private CounterSignature() {
    }

    /** A pinned authority: its name (the file's, without .pem) and key. */
    public record Authority(String name, PublicKey key) {
    }

    /** Signs {@code zip} as it stands with its vendor signature; returns the counter-signature file. */
    public static Path sign(Path zip, Keys.SigningKey authority) throws IOException, GeneralSecurityException {
        Path vendorSig = zip.resolveSibling(zip.getFileName() + ".sig");
        if (!Files.isRegularFile(vendorSig)) {
            throw new GeneralSecurityException(vendorSig.getFileName() + " is missing: only a bundle the vendor signed can be counter-signed");
        }
        byte[] message = message(zip, vendorSig);
        Signature s = Signature.getInstance(authority.algorithm());
        s.initSign(authority.privateKey());
        s.update(message);
        byte[] signature = s.sign();
        if (authority.publicKey() != null && !verifies(authority.publicKey(), message, signature)) {
            throw new GeneralSecurityException("the public key given does not belong to the authority's signing key");
        }
        Path out = zip.resolveSibling(zip.getFileName() + SUFFIX);
        Files.write(out, signature);
        Path pub = zip.resolveSibling(zip.getFileName() + SUFFIX + ".pub.pem");
        if (authority.publicKey() != null) {
            Files.writeString(pub, Keys.toPem(authority.publicKey()), StandardCharsets.US_ASCII);
        } else {
            Files.deleteIfExists(pub);
        }
        return out;
    }

    /**
     * The {@code attestation} check. Without {@code trustDir} it reports and never fails on a missing
     * counter-signature (self-attested); it fails on one that does not verify. With {@code trustDir}
     * it passes only when a key pinned there verifies the counter-signature.
     */
    public static BundleVerifier.Check check(Path zip, Path trustDir) {
        Path vendorSig = zip.resolveSibling(zip.getFileName() + ".sig");
        Path counter = zip.resolveSibling(zip.getFileName() + SUFFIX);
        try {
            List<Authority> pinned = trustDir == null ? List.of() : pinned(trustDir);
            if (!Files.isRegularFile(counter)) {
                String detail = SELF_ATTESTED + ": " + (Files.isRegularFile(vendorSig) ? "signed by the vendor's own key only"
                        : "not signed at all") + ", no counter-signature";
                return trustDir == null ? new BundleVerifier.Check("attestation", true, detail)
                        : new BundleVerifier.Check("attestation", false, detail + ", but --trust asks for one by an authority in " + trustDir);
            }
            if (!Files.isRegularFile(vendorSig)) {
                return new BundleVerifier.Check("attestation", false, counter.getFileName() + " without the vendor's "
                        + vendorSig.getFileName() + ": a counter-signature covers a vendor-signed bundle");
            }
            byte[] message = message(zip, vendorSig);
            byte[] signature = Files.readAllBytes(counter);
            if (trustDir == null) {
                Path pub = zip.resolveSibling(zip.getFileName() + SUFFIX + ".pub.pem");
                if (!Files.isRegularFile(pub)) {
                    return new BundleVerifier.Check("attestation", true, COUNTER_SIGNED
                            + " by an unknown authority (no key ships with it): pass --trust DIR to check it");
                }
                PublicKey k = Keys.readPublicKey(pub);
                boolean good = verifies(k, message, signature);
                return new BundleVerifier.Check("attestation", good, good
                        ? COUNTER_SIGNED + " by the key shipped with it, SHA-256 " + Keys.fingerprint(k)
                                + " (not pinned: pass --trust DIR to check the authority)"
                        : "the counter-signature does not verify with the key shipped with it: the bundle or its "
                                + "vendor signature changed after it was counter-signed");
            }
            for (Authority a : pinned) {
                if (verifies(a.key(), message, signature)) {
                    return new BundleVerifier.Check("attestation", true, COUNTER_SIGNED + " by " + a.name()
                            + " (pinned in " + trustDir + ", key SHA-256 " + Keys.fingerprint(a.key()) + ")");
                }
            }
            return new BundleVerifier.Check("attestation", false, UNTRUSTED + ": the counter-signature verifies with none of the "
                    + pinned.size() + " authority key(s) pinned in " + trustDir
                    + " (signed by another authority, or the bundle changed after it was counter-signed)");
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return new BundleVerifier.Check("attestation", false, "cannot check the counter-signature: " + e.getMessage());
        }
    }

    /** Every public key or X.509 certificate in the *.pem files of {@code dir}. */
    public static List<Authority> pinned(Path dir) throws IOException, GeneralSecurityException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("--trust " + dir + " is not a folder");
        }
        List<Authority> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".pem")).sorted().toList()) {
                String name = f.getFileName().toString().replaceFirst("(\\.pub)?\\.pem$", "");
                String text = Files.readString(f, StandardCharsets.US_ASCII);
                if (text.contains("-----BEGIN CERTIFICATE-----")) {
                    try (InputStream in = Files.newInputStream(f)) {
                        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                        out.add(new Authority(c.getSubjectX500Principal().getName(), c.getPublicKey()));
                    }
                } else if (text.contains("-----BEGIN PUBLIC KEY-----")) {
                    out.add(new Authority(name, Keys.readPublicKey(f)));
                }
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("--trust " + dir + " holds no authority key (*.pem with a PUBLIC KEY or CERTIFICATE)");
        }
        return out;
    }

    private static byte[] message(Path zip, Path vendorSig) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(Files.readAllBytes(zip));
        b.write(Files.readAllBytes(vendorSig));
        return b.toByteArray();
    }

    private static boolean verifies(PublicKey key, byte[] message, byte[] signature) throws GeneralSecurityException {
        Signature s = Signature.getInstance(Keys.algorithm(key.getAlgorithm()));
        s.initVerify(key);
        s.update(message);
        try {
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // a malformed signature (another algorithm's) is simply not this key's
        }
    }
}
