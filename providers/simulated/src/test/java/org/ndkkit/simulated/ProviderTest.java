package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.AdapterFlags;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.RdmaTechnology;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/** Identity, settings, adapter info and the testbed's fixed addresses. */
class ProviderTest {

    @Test
    void identityAndCapabilities() {
        NdkProvider p = Providers.byName("simulated");
        assertThat(p).isInstanceOf(SimulatedProvider.class);
        assertThat(p.identity().version()).isEqualTo("0.1.0");
        assertThat(p.identity().vendor()).isEqualTo("ndkkit");
        assertThat(p.capabilities()).containsExactlyInAnyOrder(ProviderCapability.IPV4, ProviderCapability.IPV6);
    }

    @Test
    void adapterInfoHasEveryField() {
        try (Lab lab = Lab.open(Map.of())) {
            assertThat(lab.local.queryAdapterInfo().maxInboundReadLimit()).isEqualTo(16);
            assertThat(lab.local.queryAdapterInfo().maxOutboundReadLimit()).isEqualTo(8);
            assertThat(lab.peer.queryAdapterInfo().maxInboundReadLimit()).isEqualTo(32);
            assertThat(lab.peer.queryAdapterInfo().maxOutboundReadLimit()).isEqualTo(32);
            for (AdapterInfo i : new AdapterInfo[] {lab.local.queryAdapterInfo(), lab.peer.queryAdapterInfo()}) {
                assertThat(i.versionMajor()).isEqualTo(1);
                assertThat(i.versionMinor()).isEqualTo(2);
                assertThat(i.vendorId()).isEqualTo(0x1AB);
                assertThat(i.deviceId()).isEqualTo(1);
                assertThat(i.maxCallerData()).isEqualTo(56);
                assertThat(i.maxCalleeData()).isEqualTo(148);
                assertThat(i.maxCqDepth()).isEqualTo(4096);
                assertThat(i.maxReceiveQueueDepth()).isEqualTo(1024);
                assertThat(i.maxInitiatorQueueDepth()).isEqualTo(1024);
                assertThat(i.maxReceiveRequestSge()).isEqualTo(4);
                assertThat(i.maxInitiatorRequestSge()).isEqualTo(4);
                assertThat(i.maxReadRequestSge()).isEqualTo(4);
                assertThat(i.maxInlineDataSize()).isEqualTo(64);
                assertThat(i.frmrPageCount()).isEqualTo(16);
                assertThat(i.maxSrqDepth()).isZero();
                assertThat(i.maxRegistrationSize()).isPositive();
                assertThat(i.maxTransferLength()).isPositive();
                assertThat(i.has(AdapterFlags.LOOPBACK_CONNECTIONS_SUPPORTED)).isTrue();
                assertThat(i.rdmaTechnology()).isEqualTo(RdmaTechnology.ROCE_V2);
            }
        }
    }

    @Test
    void settingsOverrideTheConnectionMaxima() {
        try (Lab lab = Lab.open(Map.of("max-inbound-read-limit", "3", "max-outbound-read-limit", "0x4",
                "peer-max-inbound-read-limit", "3", "peer-max-outbound-read-limit", "4",
                "max-caller-data", "0", "max-callee-data", "4294967295"))) {
            for (AdapterInfo i : new AdapterInfo[] {lab.local.queryAdapterInfo(), lab.peer.queryAdapterInfo()}) {
                assertThat(i.maxInboundReadLimit()).isEqualTo(3);
                assertThat(i.maxOutboundReadLimit()).isEqualTo(4);
                assertThat(i.maxCallerData()).isZero();
                assertThat(Integer.toUnsignedLong(i.maxCalleeData())).isEqualTo(0xFFFF_FFFFL);
            }
        }
    }

    @Test
    void badSettingsAreRejectedWithTheAllowedValues() {
        SimulatedProvider p = new SimulatedProvider();
        assertThatThrownBy(() -> p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("completion-path", "sync"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inline, pending, pending-in-call");
        assertThatThrownBy(() -> p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("backlog", "many"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backlog");
        assertThatThrownBy(() -> p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("max-caller-data", "-1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-caller-data");
    }

    @Test
    void theLabsAddressesAndConditions() throws Exception {
        try (Testbed t = new SimulatedProvider().openTestbed(new TestbedOptions(Duration.ofMillis(1234), Map.of()))) {
            assertThat(t.addresses(Host.LOCAL)).extracting(a -> a.getHostAddress())
                    .containsExactly("198.18.0.1", "198.18.0.2", "2001:2:0:0:0:0:0:1");
            assertThat(t.addresses(Host.PEER)).extracting(a -> a.getHostAddress())
                    .containsExactly("198.18.1.1", "198.18.1.2", "198.18.1.3", "2001:2:0:0:0:0:1:1");
            assertThat(t.address(LabCondition.NO_LISTENER).get()).isEqualTo(SockAddr.of("198.18.1.3", 4));
            assertThat(t.address(LabCondition.NETWORK_UNREACHABLE).get()).isEqualTo(SockAddr.of("198.19.255.1", 7000));
            assertThat(t.address(LabCondition.HOST_UNREACHABLE).get()).isEqualTo(SockAddr.of("198.18.2.1", 7000));
            assertThat(t.address(LabCondition.SILENT_HOST).get()).isEqualTo(SockAddr.of("198.18.1.77", 7000));
            assertThat(t.address(LabCondition.FOREIGN_LOCAL_ADDRESS).get()).isEqualTo(SockAddr.of("198.18.3.1", 0));
            assertThat(t.connectTimeout()).isEqualTo(Duration.ofMillis(1234));
            assertThat(t.listenerBacklog().get()).isEqualTo(4);
            assertThat(t.adapter(Host.LOCAL)).isSameAs(t.adapter(Host.LOCAL)).isNotSameAs(t.adapter(Host.PEER));
            assertThat(t.exhaustResources(Host.PEER).isAvailable()).isTrue();
        }
    }

    @Test
    void closingTheTestbedStopsItsThread() throws Exception {
        Testbed t = new SimulatedProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of()));
        java.util.concurrent.atomic.AtomicReference<Thread> eventThread = new java.util.concurrent.atomic.AtomicReference<>();
        assertThat(t.adapter(Host.LOCAL).createPd((c, s, o) -> eventThread.set(Thread.currentThread()), null).status())
                .isEqualTo(org.ndkkit.spi.NtStatus.PENDING);
        assertThat(((SimTestbed) t).awaitQuiet(Lab.WAIT)).isTrue();
        assertThat(eventThread.get().getName()).isEqualTo(EventQueue.THREAD_NAME);
        t.close();
        t.close(); // idempotent
        eventThread.get().join(2000);
        assertThat(eventThread.get().isAlive()).isFalse();
    }
}
