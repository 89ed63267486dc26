package org.ndkkit.cli.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.cli.Hashes;

/**
 * The vendor's signing key, with the JDK's own crypto: a PEM file with an unencrypted PKCS#8
 * {@code PRIVATE KEY} (as {@code openssl genpkey} writes it; RSA, EC or Ed25519) and, for EC and
 * Ed25519, the {@code PUBLIC KEY} in the same or in a {@code .pub.pem} file next to it; or a
 * PKCS#12 keystore ({@code .p12}/{@code .pfx}) with its password.
 */
public final class Keys {
    /** A private key with its public half (null when it could not be found) and the signature algorithm. */
    public record SigningKey(PrivateKey privateKey, PublicKey publicKey, String algorithm) {
    }

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private Keys() {
    }

    public static SigningKey load(Path file, char[] password) throws IOException, GeneralSecurityException {
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                ks.load(in, password);
            }
            for (Enumeration<String> e = ks.aliases(); e.hasMoreElements(); ) {
                String alias = e.nextElement();
                if (ks.isKeyEntry(alias)) {
                    Key k = ks.getKey(alias, password);
                    Certificate c = ks.getCertificate(alias);
                    if (k instanceof PrivateKey pk) {
                        return new SigningKey(pk, c == null ? null : c.getPublicKey(), algorithm(pk.getAlgorithm()));
                    }
                }
            }
            throw new GeneralSecurityException(file + ": no private key entry");
        }
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        PrivateKey priv = null;
        PublicKey pub = null;
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> priv = privateKey(der);
                case "PUBLIC KEY" -> pub = publicKey(der);
                case "ENCRYPTED PRIVATE KEY" -> throw new GeneralSecurityException(
                        file + ": encrypted PEM keys are not supported; use a PKCS#12 file (.p12) with a password");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new GeneralSecurityException(file + ": '" + m.group(1)
                        + "' is a legacy format; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
                default -> {
                }
            }
        }
        if (priv == null) {
            throw new GeneralSecurityException(file + ": no PRIVATE KEY block");
        }
        if (pub == null) {
            Path side = file.resolveSibling(file.getFileName().toString().replaceFirst("(\\.key)?(\\.pem)?$", "") + ".pub.pem");
            if (Files.isRegularFile(side)) {
                pub = readPublicKey(side);
            } else if (priv instanceof RSAPrivateCrtKey rsa) {
                pub = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
        }
        return new SigningKey(priv, pub, algorithm(priv.getAlgorithm()));
    }

    static PrivateKey privateKey(byte[] der) throws GeneralSecurityException {
        for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("unsupported private key (RSA, EC and Ed25519 are)");
    }

    static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("unsupported public key (RSA, EC and Ed25519 are)");
    }

    public static PublicKey readPublicKey(Path file) throws IOException, GeneralSecurityException {
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            if (m.group(1).equals("PUBLIC KEY")) {
                return publicKey(Base64.getMimeDecoder().decode(m.group(2)));
            }
        }
        throw new GeneralSecurityException(file + ": no PUBLIC KEY block");
    }

    /** The signature algorithm for a key algorithm: SHA256withRSA, SHA256withECDSA or Ed25519. */
    public static String algorithm(String keyAlgorithm) throws GeneralSecurityException {
        return switch (keyAlgorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("cannot sign with a " + keyAlgorithm + " key");
        };
    }

    public static String toPem(PublicKey k) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(k.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    public static String toPem(PrivateKey k) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(k.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }

    /** SHA-256 of the key's SubjectPublicKeyInfo, hex: how reports name a key. */
    public static String fingerprint(PublicKey k) {
        return Hashes.sha256(k.getEncoded());
    }
}
