package org.ndkkit.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.bundle.Keys;
import org.ndkkit.cli.spec.Spec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ndk-cli verify BUNDLE}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks a certification bundle: its SHA-256 (BUNDLE.sha256), its signature when signed "
            + "(BUNDLE.sig, with --public-key or the BUNDLE.pub.pem beside it), every entry against its "
            + "MANIFEST.sha256, summary.json's schema and counts, and the spec files against summary.json. "
            + "Then it judges the run again from what the bundle holds (the scenarios' raw verdicts, the waiver "
            + "files and kit known defects, the clause catalogue, the probe findings, the baseline), with the run's "
            + "date for waiver expiry and the same rules as 'run', and rejects the bundle when any verdict, clause, "
            + "count, waiver use or the status in summary.json disagrees, naming the field.",
            "",
            "What was tested (checks 'identity', 'identity-facts'): the kit's and the provider's jars by SHA-256, and "
                + "the facts the provider's testbed declared about what is under test (provider.identity: device, "
                + "firmware, driver, ...), which must be those the suite's preflight recorded (evidence/preflight.json). "
                + "With --require-identity KEY=VALUE (check 'require-identity') each such fact must be recorded with "
                + "that value: an authority pins, say, the firmware it certified.",
            "",
            "Who stands behind it (check 'attestation'): self-attested (the vendor's own signature only), "
                + "counter-signed by an authority (with --trust DIR: one of the keys pinned there), or untrusted "
                + "signature (a counter-signature no pinned key verifies).",
            "",
            "Exit 0 when every check passes, 1 when one fails (the bundle is rejected), 2 on a usage error."},
        footerHeading = "%nExamples:%n",
        footer = {"  ndk-cli verify results/acme/bundle",
            "  ndk-cli verify ndk-conformance-bundle.zip --public-key acme.pub.pem \\",
            "      --require-kit-spec",
            "  ndk-cli verify results/acme/bundle --trust authorities/",
            "  ndk-cli verify results/acme/bundle --require-identity local.firmware=2.1.7 \\",
            "      --require-identity driver-version=5.4.0",
            "",
            "Without the CLI, in DIR/bundle:",
            "  sha256sum -c ndk-conformance-bundle.zip.sha256",
            "  openssl dgst -sha256 -verify acme.pub.pem \\",
            "      -signature ndk-conformance-bundle.zip.sig ndk-conformance-bundle.zip",
            "  cat ndk-conformance-bundle.zip ndk-conformance-bundle.zip.sig | openssl dgst -sha256 \\",
            "      -verify authority.pub.pem -signature ndk-conformance-bundle.zip.countersig"})
public final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = "the bundle zip, or the folder holding it (DIR/bundle)")
    Path bundle;

    @Option(names = "--public-key", paramLabel = "PEM", description = "the vendor's public key; the signature must verify with it")
    Path publicKey;

    @Option(names = "--require-signature", description = "reject an unsigned bundle")
    boolean requireSignature;

    @Option(names = "--require-kit-spec", description = "reject a bundle whose spec or jars differ from this kit's own")
    boolean requireKitSpec;

    @Option(names = "--provider-path", paramLabel = "JAR|DIR", description = "the provider's jars or class folders: "
            + "each must be recorded in the bundle with the same SHA-256 (the binaries that were tested)")
    List<Path> providerPath = new ArrayList<>();

    /** Checks about this kit rather than the run: notes unless --require-kit-spec. */
    static final Set<String> KIT_NOTES = Set.of("kit-spec", "kit-jars");

    @Option(names = "--trust", paramLabel = "DIR", description = "pinned authorities (*.pem: PUBLIC KEY or CERTIFICATE): "
            + "the bundle must be counter-signed by one of them ('ndk-cli countersign'); without it, verify says whether "
            + "the bundle is self-attested or counter-signed, and fails only on a counter-signature that does not verify")
    Path trust;

    @Option(names = "--require-identity", paramLabel = "KEY=VALUE", description = "a fact the provider's testbed must have "
            + "declared with exactly this value (provider.identity in summary.json, e.g. local.firmware=2.1.7); "
            + "fails naming the key when it is missing or differs (repeatable)")
    Map<String, String> requiredIdentity = new LinkedHashMap<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.exists(bundle)) {
            throw new NdkCli.UsageException(bundle + " does not exist");
        }
        PublicKey key = null;
        if (publicKey != null) {
            try {
                key = Keys.readPublicKey(publicKey);
            } catch (Exception e) {
                throw new NdkCli.UsageException("--public-key " + publicKey + ": " + e.getMessage(), e);
            }
        }
        Spec kit = Spec.load(getClass().getClassLoader());
        if (trust != null && !Files.isDirectory(trust)) {
            throw new NdkCli.UsageException("--trust " + trust + " is not a folder");
        }
        for (Path p : providerPath) {
            if (!Files.exists(p)) {
                throw new NdkCli.UsageException("--provider-path " + p + " does not exist");
            }
        }
        for (String k : requiredIdentity.keySet()) {
            if (k.isBlank()) {
                throw new NdkCli.UsageException("--require-identity needs KEY=VALUE with a key, e.g. local.firmware=2.1.7");
            }
        }
        BundleVerifier.Report r = BundleVerifier.verify(bundle, key, requireSignature, kit, trust, providerPath,
                requiredIdentity);
        out.println("verifying " + r.bundle());
        for (BundleVerifier.Check c : r.checks()) {
            boolean counts = requireKitSpec || !KIT_NOTES.contains(c.name());
            out.printf("  %-5s %-10s %s%n", c.ok() ? "ok" : counts ? "FAIL" : "note", c.name(), c.detail());
        }
        boolean ok = r.checks().stream().allMatch(c -> c.ok() || (!requireKitSpec && KIT_NOTES.contains(c.name())));
        out.println(ok ? "bundle OK" : "bundle REJECTED");
        out.flush();
        return ok ? ExitCodes.OK : ExitCodes.FAILURES;
    }
}
