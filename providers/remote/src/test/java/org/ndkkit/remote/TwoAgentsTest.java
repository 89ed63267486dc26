package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ndkkit.agent.AgentServer;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LinkFault;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.ProviderUnreachableException;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * {@code local} and {@code peer} on two agents (the test machine and the support machine): each
 * host's adapter, addresses and conditions come from its own agent, the leak check's counts from
 * both, and closing the testbed ends both sessions.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TwoAgentsTest {

    @Test
    void eachHostIsServedByItsOwnAgent() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (AgentServer a = AgentServer.start(Providers.byName("simulated"), Map.of(), any, false);
             AgentServer b = AgentServer.start(Providers.byName("simulated"), Map.of(), any, false)) {
            String ta = "127.0.0.1:" + a.port();
            String tb = "127.0.0.1:" + b.port();
            RemoteProvider p = new RemoteProvider();
            Testbed t = p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("local", ta, "peer", tb)));
            try {
                assertThat(a.currentTestbed()).as("a session on the local agent").isNotNull();
                assertThat(b.currentTestbed()).as("a session on the peer agent").isNotNull();
                assertThat(((RemoteHandle) t.adapter(Host.LOCAL)).link().target).isEqualTo(ta);
                assertThat(((RemoteHandle) t.adapter(Host.PEER)).link().target).isEqualTo(tb);
                assertThat(t.addresses(Host.LOCAL)).isEqualTo(a.currentTestbed().addresses(Host.LOCAL));
                assertThat(t.addresses(Host.PEER)).isEqualTo(b.currentTestbed().addresses(Host.PEER));
                assertThat(t.adapter(Host.PEER).queryAdapterInfo())
                        .isEqualTo(b.currentTestbed().adapter(Host.PEER).queryAdapterInfo());
                assertThat(p.identity().description()).contains(ta).contains("peer").contains(tb);
                // v1.2: each machine's identity facts under its own host, and how exhaustion is produced
                assertThat(t.identity()).containsEntry("local.device", "none (simulated in process)")
                        .containsEntry("peer.driver", "none (simulated)").containsKey("local.agent.provider-sha256")
                        .containsEntry("peer.agent.wire", "ndk.wire.v1.4").doesNotContainKey("device");
                try (var e = t.exhaustResources(Host.PEER).get()) {
                    assertThat(e.method()).isEqualTo(org.ndkkit.spi.ExhaustionMethod.INJECTED);
                    assertThat(e.description()).contains("PEER adapter");
                }
                // both agents' counts, summed: each simulated testbed counts its own two adapters' objects
                Map<String, Long> one = a.currentTestbed().resourceCounts().get();
                Map<String, Long> sum = t.resourceCounts().get();
                one.forEach((k, v) -> assertThat(sum.get(k)).as(k).isEqualTo(v + b.currentTestbed().resourceCounts().get()
                        .getOrDefault(k, 0L)));
            } finally {
                t.close();
            }
            assertThat(a.currentTestbed()).as("the local agent's session ended").isNull();
            assertThat(b.currentTestbed()).as("the peer agent's session ended").isNull();
        }
    }

    @TempDir
    Path dir;

    /**
     * killPeerProvider: from the kill on, the old peer session's objects fail as unreachable; once the
     * fault heals, adapter(PEER) is a new session's and works. (The link control here kills nothing:
     * the agent outlives the "kill", so the re-open also shows that an ending session is waited for.)
     */
    @Test
    void aKilledPeerProviderIsServedByANewSessionOnceItRestarts() throws Exception {
        Path control = dir.resolve("link-control");
        Files.writeString(control, "#!/bin/sh\necho \"$@\" >> " + dir.resolve("calls") + "\n");
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rwx------"));
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (AgentServer a = AgentServer.start(Providers.byName("simulated"), Map.of(), any, false);
             AgentServer b = AgentServer.start(Providers.byName("simulated"), Map.of(), any, false)) {
            Testbed t = new RemoteProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of(
                    "local", "127.0.0.1:" + a.port(), "peer", "127.0.0.1:" + b.port(), "link-control", control.toString())));
            try {
                NdkAdapter before = t.adapter(Host.PEER);
                LinkFault kill = t.link().get().killPeerProvider().get();
                assertThatThrownBy(before::queryAdapterInfo).isInstanceOf(ProviderUnreachableException.class)
                        .hasMessageContaining("killed");
                kill.close();
                NdkAdapter after = t.adapter(Host.PEER);
                assertThat(after).isNotSameAs(before);
                assertThat(after.queryAdapterInfo()).isEqualTo(b.currentTestbed().adapter(Host.PEER).queryAdapterInfo());
                assertThat(t.adapter(Host.LOCAL).queryAdapterInfo()).isNotNull();
                assertThat(Files.readAllLines(dir.resolve("calls"))).containsExactly("kill-peer-provider",
                        "restart-peer-provider");
            } finally {
                t.close();
            }
            assertThat(b.currentTestbed()).as("the new peer session ended with the testbed").isNull();
        }
    }
}
