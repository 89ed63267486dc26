package org.ndkkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/** The benchmark's split mode on the simulated provider: the acceptor and the active side in one process. */
class PeerAcceptorTest {

    @Test
    void destinationsAreConsecutivePortsOfOneAddress() {
        List<SockAddr> d = PeerAcceptor.destinations("198.18.1.1:20000/3");
        assertThat(d).containsExactly(SockAddr.of("198.18.1.1", 20000), SockAddr.of("198.18.1.1", 20001),
                SockAddr.of("198.18.1.1", 20002));
        assertThat(PeerAcceptor.destinations("[2001:2::1:1]:7000/1")).containsExactly(SockAddr.of("2001:2::1:1", 7000));
    }

    @Test
    void theCpuLineIsPerAcceptedConnectionBusiestThreadFirst() {
        String line = PeerAcceptor.cpuLine(1000, 2_000_000_000L, Map.of("peer-acceptor", 1_200_000_000L,
                "peer-acceptor:user", 300_000_000L, "ndk-reference-local-events", 500_000_000L, "idle", 1_000L));
        assertThat(line).isEqualTo("peer-acceptor-cpu: 2.0 s for 1000 accepts, 2.00 ms per connection;"
                + " peer-acceptor 1.20 (0.30) ndk-reference-local-events 0.50 (0.00)");
        assertThat(PeerAcceptor.cpuLine(0, 5L, Map.of())).contains("no accepts");
    }

    @Test
    void badDestinationsSayWhatIsWrong() {
        assertThatThrownBy(() -> PeerAcceptor.destinations("198.18.1.1:20000")).hasMessageContaining("ADDRESS:PORT/COUNT");
        assertThatThrownBy(() -> PeerAcceptor.destinations("198.18.1.1:x/3")).hasMessageContaining("ADDRESS:PORT/COUNT");
        assertThatThrownBy(() -> PeerAcceptor.destinations("198.18.1.1:65535/2")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> PeerAcceptor.destinations("198.18.1.1:7000/0")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> PeerAcceptor.destinations("support:7000/2")).hasMessageContaining("not an IP address");
    }

    @Test
    void withAPortPerConnectionOneListenerTakesAWholeRound() throws Exception {
        // As the two-host benchmark's active side alone runs against cmtime's one server port.
        try (Testbed tb = Providers.byName("simulated").openTestbed(new TestbedOptions(Duration.ofSeconds(10),
                Map.of("backlog", "64")))) {
            PeerAcceptor acceptor = new PeerAcceptor(tb);
            String spec = acceptor.start(tb.addresses(Host.PEER).get(0), 21100, 1);
            BenchSession session = new BenchSession(tb, PeerAcceptor.destinations(spec), 10_000, 100,
                    BenchSession.CompletionMode.COMPLETER_THREAD, BenchSession.LocalEndpoint.DEDICATED);
            try {
                for (int k = 0; k < 2; k++) {
                    RoundResult r = session.round(10);
                    assertThat(r.error()).as("round %d", k).isNull();
                }
                String summary = acceptor.stop();
                assertThat(acceptor.ok()).as(summary).isTrue();
                assertThat(acceptor.accepted()).isEqualTo(20);
            } finally {
                session.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BenchSession.LocalEndpoint.class)
    void roundsAgainstAnAcceptorElsewhereEstablishEveryConnectionAndCloseEverything(BenchSession.LocalEndpoint local)
            throws Exception {
        try (Testbed tb = Providers.byName("simulated").openTestbed(new TestbedOptions(Duration.ofSeconds(10), Map.of()))) {
            PeerAcceptor acceptor = new PeerAcceptor(tb);
            String spec = acceptor.start(tb.addresses(Host.PEER).get(0), 21000, 8);
            BenchSession session = new BenchSession(tb, PeerAcceptor.destinations(spec), 10_000, 100,
                    BenchSession.CompletionMode.COMPLETER_THREAD, local);
            try {
                for (int k = 0; k < 3; k++) {
                    RoundResult r = session.round(8);
                    assertThat(r.error()).as("round %d", k).isNull();
                    assertThat(r.rate()).isPositive();
                    assertThat(r.latencies()).doesNotContainKey("accept").containsKeys("connect", "complete", "close");
                    assertThat(r.phaseNanos()).doesNotContainKey("accept");
                }
                if (local == BenchSession.LocalEndpoint.SHARED) {
                    assertThatThrownBy(() -> session.round(9)).hasMessageContaining("listens on 8 ports");
                }
                String summary = acceptor.stop();
                assertThat(acceptor.ok()).as(summary).isTrue();
                assertThat(acceptor.accepted()).isEqualTo(24);
                assertThat(summary).contains("disconnect events 24", "closed 48 of 48", "failures 0");
            } finally {
                session.close();
            }
        }
    }
}
