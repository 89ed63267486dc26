package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.LinkFault;
import org.ndkkit.spi.LinkImpairment;

/** The link-control command's contract: verbs and arguments, exit 3 as unavailable, bounds, heal once. */
class LinkControlCommandTest {
    @TempDir
    Path dir;

    private Path script(String body) throws IOException {
        Path p = dir.resolve("link-control");
        Files.writeString(p, "#!/bin/sh\necho \"$@\" >> " + dir.resolve("calls") + "\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"));
    }

    @Test
    void faultIsMadeAndHealedOnceWithTheContractsArguments() throws IOException {
        var link = new LinkControlCommand(script("echo 'tc netem here'").toString(), 10_000);
        Availability<LinkFault> f = link.impair(new LinkImpairment(2.5, Duration.ofMillis(40), Duration.ofMillis(5), 10));
        assertThat(f.isAvailable()).isTrue();
        assertThat(f.get().toString()).contains("2.5% loss").contains("tc netem here");
        f.get().close();
        f.get().close();
        assertThat(calls()).containsExactly("impair 2.500 40 5 10", "heal");
    }

    @Test
    void eachFaultHasItsHealingVerb() throws IOException {
        var link = new LinkControlCommand(script("exit 0").toString(), 10_000);
        link.cut().get().close();
        link.pausePeer().get().close();
        link.killPeerProvider().get().close();
        assertThat(calls()).containsExactly("cut", "restore", "pause-peer", "resume-peer", "kill-peer-provider",
                "restart-peer-provider");
    }

    @Test
    void exitThreeIsAFaultTheLabCannotMake() throws IOException {
        var link = new LinkControlCommand(script("echo 'no netem in this lab'; exit 3").toString(), 10_000);
        Availability<LinkFault> f = link.cut();
        assertThat(f.isAvailable()).isFalse();
        assertThat(f.reasonCode()).isEqualTo("link-fault-unavailable");
        assertThat(f.detail()).contains("no netem in this lab");
    }

    @Test
    void anyOtherExitIsABrokenLabWithItsOutput() throws IOException {
        var link = new LinkControlCommand(script("echo 'monitor: no such device' >&2; exit 1").toString(), 10_000);
        assertThatThrownBy(link::pausePeer).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exit 1").hasMessageContaining("no such device");
    }

    @Test
    void aCommandThatHangsIsCutOffAtTheBound() throws IOException {
        var link = new LinkControlCommand(script("sleep 30").toString(), 300);
        long t0 = System.nanoTime();
        assertThatThrownBy(link::cut).isInstanceOf(IllegalStateException.class).hasMessageContaining("did not end within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theSettingMustNameAnExecutable() {
        assertThatThrownBy(() -> RemoteSettings.of(Map.of("local", "127.0.0.1:1", "link-control", dir.resolve("none").toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an executable file");
    }
}
