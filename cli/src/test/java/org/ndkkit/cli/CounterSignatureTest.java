package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.bundle.Bundle;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.bundle.CounterSignature;
import org.ndkkit.cli.bundle.Keys;
import picocli.CommandLine;

/**
 * An authority's counter-signature on a vendor's signed bundle: verify says self-attested,
 * counter-signed by a pinned authority, or untrusted signature, and a bundle changed after it was
 * counter-signed (even if the vendor signs it again) is no longer counter-signed.
 */
class CounterSignatureTest {
    static final Instant FINISHED = Instant.parse("2030-06-01T12:00:00Z");

    @TempDir
    Path dir;
    Keys.SigningKey vendor;
    Path authorityKey;
    Path trust;
    Path otherTrust;

    @BeforeEach
    void keys() throws Exception {
        vendor = key("vendor", KeyPairGenerator.getInstance("EC").generateKeyPair());
        KeyPair authority = KeyPairGenerator.getInstance("EC").generateKeyPair();
        key("authority", authority);
        authorityKey = dir.resolve("authority.key.pem");
        trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve("ndk-lab-authority.pub.pem"), Keys.toPem(authority.getPublic()));
        otherTrust = Files.createDirectories(dir.resolve("other-trust"));
        Files.writeString(otherTrust.resolve("someone-else.pub.pem"),
                Keys.toPem(KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic()));
    }

    private Keys.SigningKey key(String name, KeyPair kp) throws Exception {
        Path f = dir.resolve(name + ".key.pem");
        Files.writeString(f, Keys.toPem(kp.getPrivate()) + Keys.toPem(kp.getPublic()));
        return Keys.load(f, null);
    }

    private Path vendorBundle(String name) throws Exception {
        Path b = dir.resolve(name);
        new SampleRun(FINISHED, "2030-12-31").writeBundle(b, vendor);
        return b;
    }

    private record Run(int exit, String out) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = NdkCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int exit = cl.execute(args);
        return new Run(exit, out.toString());
    }

    private static BundleVerifier.Check attestation(BundleVerifier.Report r) {
        return r.checks().stream().filter(c -> c.name().equals("attestation")).findFirst().orElseThrow();
    }

    @Test
    void aVendorSignedBundleIsSelfAttestedAndFailsWhenAnAuthorityIsRequired() throws Exception {
        Path b = vendorBundle("b");
        BundleVerifier.Check plain = attestation(BundleVerifier.verify(b, null, true, null));
        assertThat(plain.ok()).isTrue();
        assertThat(plain.detail()).startsWith(CounterSignature.SELF_ATTESTED + ": signed by the vendor's own key only");
        Run r = cli("verify", b.toString(), "--trust", trust.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  attestation self-attested").contains("--trust asks for one");
    }

    @Test
    void aCounterSignedBundleVerifiesAsCounterSignedByThePinnedAuthority() throws Exception {
        Path b = vendorBundle("b");
        Run signed = cli("countersign", b.toString(), "--key", authorityKey.toString());
        assertThat(signed.exit()).as(signed.out()).isZero();
        assertThat(b.resolve(Bundle.NAME + CounterSignature.SUFFIX)).isRegularFile();
        Run r = cli("verify", b.toString(), "--trust", trust.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("ok    attestation counter-signed by ndk-lab-authority (pinned in " + trust);
        Run unpinned = cli("verify", b.toString());
        assertThat(unpinned.exit()).as(unpinned.out()).isZero();
        assertThat(unpinned.out()).contains("counter-signed by the key shipped with it").contains("not pinned");
    }

    @Test
    void aCounterSignatureByAnAuthorityThatIsNotPinnedIsAnUntrustedSignature() throws Exception {
        Path b = vendorBundle("b");
        assertThat(cli("countersign", b.toString(), "--key", authorityKey.toString()).exit()).isZero();
        Run r = cli("verify", b.toString(), "--trust", otherTrust.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("FAIL  attestation " + CounterSignature.UNTRUSTED)
                .contains("none of the 1 authority key(s) pinned");
    }

    @Test
    void aBundleChangedAndSignedAgainByTheVendorAfterTheCounterSignatureIsNoLongerCounterSigned() throws Exception {
        Path b = vendorBundle("b");
        assertThat(cli("countersign", b.toString(), "--key", authorityKey.toString()).exit()).isZero();
        // the vendor rebuilds the bundle from a later run and signs it again: the manifest, hashes and
        // the vendor's signature are all consistent, but the authority never saw these bytes
        new SampleRun(FINISHED.plusSeconds(60), "2030-12-31").writeBundle(b, vendor);
        BundleVerifier.Report r = BundleVerifier.verify(b, vendor.publicKey(), true, null, trust);
        assertThat(r.checks()).filteredOn(c -> !c.ok()).extracting(BundleVerifier.Check::name).containsExactly("attestation");
        assertThat(attestation(r).detail()).startsWith(CounterSignature.UNTRUSTED);
        BundleVerifier.Check unpinned = attestation(BundleVerifier.verify(b, vendor.publicKey(), true, null));
        assertThat(unpinned.ok()).isFalse();
        assertThat(unpinned.detail()).contains("changed after it was counter-signed");
    }

    @Test
    void anUnsignedOrBrokenBundleIsNotCounterSigned() throws Exception {
        Path unsigned = dir.resolve("u");
        new SampleRun(FINISHED, "2030-12-31").writeBundle(unsigned, null);
        Run r = cli("countersign", unsigned.toString(), "--key", authorityKey.toString());
        assertThat(r.exit()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("does not verify; nothing signed").contains("FAIL  signature");
        assertThat(unsigned.resolve(Bundle.NAME + CounterSignature.SUFFIX)).doesNotExist();
        assertThat(cli("countersign", dir.resolve("nowhere").toString(), "--key", authorityKey.toString()).exit()).isEqualTo(2);
    }

    @Test
    void anAuthorityPinnedByItsCertificateAndSigningFromAPkcs12KeystoreIsNamedByItsSubject() throws Exception {
        Path p12 = dir.resolve("authority.p12");
        Path cert = Files.createDirectories(dir.resolve("cert-trust")).resolve("authority.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "a", "-keyalg", "EC", "-dname", "CN=NDK Test Authority,O=ndkkit",
                "-validity", "3650", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", "secret1"));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "a", "-keystore", p12.toString(), "-storepass", "secret1",
                "-file", cert.toString()));
        Path b = vendorBundle("b");
        Keys.SigningKey authority = Keys.load(p12, "secret1".toCharArray());
        CounterSignature.sign(b.resolve(Bundle.NAME), authority);
        BundleVerifier.Check a = attestation(BundleVerifier.verify(b, null, true, null, cert.getParent()));
        assertThat(a.ok()).as(a.detail()).isTrue();
        assertThat(a.detail()).startsWith("counter-signed by CN=NDK Test Authority,O=ndkkit");
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
