package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.cli.bundle.BundleVerifier;
import org.ndkkit.cli.report.Artifacts;

/** The binaries that were tested, by SHA-256 in summary.json, and verify holding a provider to them. */
class IdentityTest {
    static final Instant FINISHED = Instant.parse("2030-06-01T12:00:00Z");

    @TempDir
    Path dir;

    private static BundleVerifier.Check identity(BundleVerifier.Report r) {
        return r.checks().stream().filter(c -> c.name().equals("identity")).findFirst().orElseThrow();
    }

    @Test
    void theProviderJarThatWasTestedVerifiesAndAnyOtherBytesDoNot() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        run.writeBundle(dir.resolve("b"), null);
        Path same = Files.createDirectories(dir.resolve("same")).resolve("acme-provider.jar");
        Files.write(same, run.waiverBytes); // the bytes SampleRun records as the provider jar
        BundleVerifier.Check ok = identity(BundleVerifier.verify(dir.resolve("b"), null, false, null, null, List.of(same)));
        assertThat(ok.ok()).as(ok.detail()).isTrue();
        assertThat(ok.detail()).contains("1 kit and 1 provider artifact(s)", "the 1 given with --provider-path match");

        Path other = Files.createDirectories(dir.resolve("other")).resolve("acme-provider.jar");
        Files.writeString(other, "a rebuilt provider");
        BundleVerifier.Check bad = identity(BundleVerifier.verify(dir.resolve("b"), null, false, null, null, List.of(other)));
        assertThat(bad.ok()).isFalse();
        assertThat(bad.detail()).contains("acme-provider.jar is not the provider that was tested", Artifacts.of(List.of(other)).get(0).sha256());

        Path unknown = dir.resolve("extra.jar");
        Files.writeString(unknown, "x");
        assertThat(identity(BundleVerifier.verify(dir.resolve("b"), null, false, null, null, List.of(unknown))).detail())
                .contains("provider.artifacts has no extra.jar");
    }

    @Test
    void aSummaryWithoutTheKitsArtifactsDoesNotVerify() throws Exception {
        SampleRun run = new SampleRun(FINISHED, "2030-12-31");
        ObjectNode s = run.summary();
        ((ObjectNode) s.path("kit")).remove("artifacts");
        run.writeBundle(dir.resolve("b"), SampleRun.JSON.writeValueAsBytes(s), null);
        BundleVerifier.Check c = identity(BundleVerifier.verify(dir.resolve("b"), null, false, null));
        assertThat(c.ok()).isFalse();
        assertThat(c.detail()).contains("summary.json has no kit.artifacts");
    }

    @Test
    void aFolderHashesByItsFilesAndTheirPaths() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/org"));
        Files.writeString(a.resolve("P.class"), "p");
        String before = Artifacts.of(List.of(dir.resolve("a"))).get(0).sha256();
        Files.move(a.resolve("P.class"), a.resolve("Q.class"));
        String renamed = Artifacts.of(List.of(dir.resolve("a"))).get(0).sha256();
        Files.writeString(a.resolve("Q.class"), "q");
        String changed = Artifacts.of(List.of(dir.resolve("a"))).get(0).sha256();
        assertThat(List.of(before, renamed, changed)).doesNotHaveDuplicates();
        assertThat(Artifacts.of(List.of(dir.resolve("a"))).get(0).kind()).isEqualTo("folder");
    }
}
