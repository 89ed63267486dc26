package org.ndkkit.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ndkkit.cli.bundle.Bundle;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.bundle.CounterSignature;
import org.ndkkit.cli.bundle.Keys;
import org.ndkkit.cli.spec.Spec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ndk-cli countersign BUNDLE --key K}: an authority vouches for a vendor's signed bundle. */
@Command(name = "countersign", mixinStandardHelpOptions = true,
        description = {"An authority counter-signs a vendor's signed bundle: it first verifies the bundle as 'verify "
            + "--require-signature' does (hashes, the vendor's signature, the verdict judged again), then signs the "
            + "zip's bytes followed by the vendor's signature and writes BUNDLE.countersig and "
            + "BUNDLE.countersig.pub.pem. Anyone who pins the authority's key then gets 'counter-signed by' from "
            + "'ndk-cli verify --trust DIR'.",
            "",
            "Exit 0 when counter-signed, 1 when the bundle does not verify (nothing is signed), 2 on a usage error."},
        footerHeading = "%nExamples:%n",
        footer = {"  ndk-cli countersign results/acme/bundle --key authority.key.pem",
            "  ndk-cli verify results/acme/bundle --trust authorities/",
            "",
            "With openssl instead (RSA or EC key):",
            "  cat ndk-conformance-bundle.zip ndk-conformance-bundle.zip.sig | openssl dgst -sha256 \\",
            "      -sign authority.key.pem -out ndk-conformance-bundle.zip.countersig"})
public final class CountersignCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = "the bundle zip, or the folder holding it (DIR/bundle)")
    Path bundle;

    @Option(names = "--key", required = true, paramLabel = "FILE",
            description = "the authority's private key: PEM (PKCS#8, RSA, EC or Ed25519) or PKCS#12 (.p12)")
    Path key;

    @Option(names = "--key-password-env", paramLabel = "VAR",
            description = "environment variable holding the PKCS#12 password (default NDK_SIGN_KEY_PASSWORD)")
    String keyPasswordEnv = "NDK_SIGN_KEY_PASSWORD";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path zip = Files.isDirectory(bundle) ? bundle.resolve(Bundle.NAME) : bundle;
        if (!Files.isRegularFile(zip)) {
            throw new NdkCli.UsageException(zip + " does not exist");
        }
        Keys.SigningKey authority;
        try {
            String pw = System.getenv(keyPasswordEnv);
            authority = Keys.load(key, pw == null ? null : pw.toCharArray());
        } catch (Exception e) {
            throw new NdkCli.UsageException("--key " + key + ": " + e.getMessage(), e);
        }
        BundleVerifier.Report r = BundleVerifier.verify(zip, null, true, Spec.load(getClass().getClassLoader()));
        // the kit-spec check is a note (a bundle from another kit version is still a bundle);
        // an earlier counter-signature is replaced, so its check does not count either
        boolean ok = r.checks().stream().allMatch(c -> c.ok() || VerifyCommand.KIT_NOTES.contains(c.name())
                || c.name().equals("attestation"));
        if (!ok) {
            out.println("countersign: " + zip + " does not verify; nothing signed:");
            r.checks().stream().filter(c -> !c.ok() && !VerifyCommand.KIT_NOTES.contains(c.name()))
                    .forEach(c -> out.printf("  FAIL  %-10s %s%n", c.name(), c.detail()));
            out.flush();
            return ExitCodes.FAILURES;
        }
        Path sig = CounterSignature.sign(zip, authority);
        out.println("countersign: " + sig + " (" + authority.algorithm()
                + (authority.publicKey() == null ? "" : ", authority key SHA-256 " + Keys.fingerprint(authority.publicKey())) + ")");
        out.flush();
        return ExitCodes.OK;
    }
}
