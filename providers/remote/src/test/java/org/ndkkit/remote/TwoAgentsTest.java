package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.agent.AgentServer;
import org.ndkkit.spi.Host;
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
}
