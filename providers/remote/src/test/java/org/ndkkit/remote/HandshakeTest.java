package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;
import org.ndkkit.wire.v1.CallbackReturn;
import org.ndkkit.wire.v1.WireVersion;

/**
 * Opening a testbed through {@code remote} against something that is not (or not quite) an
 * ndk.wire.v1 agent: each ends as {@link TestbedUnavailableException} (an environment error, never
 * a product verdict), naming what was found at the address, within the handshake's bound.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HandshakeTest {

    private static TestbedOptions options(String target, String... keyValues) {
        Map<String, String> s = new HashMap<>();
        s.put("local", target);
        for (int i = 0; i < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        return new TestbedOptions(Duration.ofSeconds(1), s);
    }

    private static Throwable openFails(TestbedOptions o) {
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(() -> new RemoteProvider().openTestbed(o).close());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the handshake's bound").isLessThan(Duration.ofSeconds(5));
        return t;
    }

    @Test
    void anAgentOfAnotherMajorVersionIsUnavailableNamingBoth() throws Exception {
        try (FakeAgent fake = new FakeAgent()) {
            fake.version = WireVersion.newBuilder().setMajor(2).setMinor(1).build();
            Throwable t = openFails(options(fake.target()));
            assertThat(t).isInstanceOf(TestbedUnavailableException.class)
                    .hasMessageContaining(fake.target()).hasMessageContaining("ndk.wire.v2.1")
                    .hasMessageContaining("ndk.wire.v1.4");
            assertThat(fake.invokes).as("no call after a failed handshake").isEmpty();
        }
    }

    @Test
    void aSkeletonProvidersTestbedIsNotImplementedRatherThanUnavailable() throws Exception {
        try (FakeAgent fake = new FakeAgent()) {
            fake.notImplemented = "implement ExampleTestbed.open";
            Throwable t = openFails(options(fake.target()));
            assertThat(t).isInstanceOf(org.ndkkit.spi.TestbedNotImplementedException.class)
                    .hasMessageContaining(fake.target()).hasMessageContaining("implement ExampleTestbed.open");
        }
    }

    @Test
    void aGrpcServerWithoutTheServiceDoesNotSpeakTheProtocol() throws Exception {
        Server empty = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).build().start();
        try {
            String target = "127.0.0.1:" + empty.getPort();
            Throwable t = openFails(options(target));
            assertThat(t).isInstanceOf(TestbedUnavailableException.class)
                    .hasMessageContaining(target).hasMessageContaining("does not speak ndk.wire.v1");
        } finally {
            empty.shutdownNow();
            empty.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClosedPortCannotBeReached() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String target = "127.0.0.1:" + port;
        Throwable t = openFails(options(target));
        assertThat(t).isInstanceOf(TestbedUnavailableException.class)
                .hasMessageContaining("cannot reach").hasMessageContaining(target);
    }

    @Test
    void anAgentThatNeverAnswersHelloIsUnavailableWithinTheBound() throws Exception {
        try (FakeAgent fake = new FakeAgent()) {
            fake.helloHangs = true;
            Throwable t = openFails(options(fake.target(), "hello-timeout-ms", "500", "open-timeout-ms", "500"));
            assertThat(t).isInstanceOf(TestbedUnavailableException.class)
                    .hasMessageContaining(fake.target()).hasMessageContaining("did not answer hello within 500 ms");
        }
    }

    @Test
    void badSettingsAreUnavailableBeforeAnyConnection() {
        assertThat(catchThrowable(() -> new RemoteProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(1),
                Map.of())))).isInstanceOf(TestbedUnavailableException.class).hasMessageContaining("local=HOST:PORT");
        assertThat(openFails(options("127.0.0.1"))).isInstanceOf(TestbedUnavailableException.class)
                .hasMessageContaining("expected HOST:PORT");
        assertThat(openFails(options("127.0.0.1:1", "rpc-timeout-ms", "-5")))
                .isInstanceOf(TestbedUnavailableException.class).hasMessageContaining("rpc-timeout-ms");
    }

    /** The good case, for contrast: the same fake at version 1 opens, and the report names what was reached. */
    @Test
    void aV1AgentOpensAndIsNamed() throws Exception {
        try (FakeAgent fake = new FakeAgent()) {
            RemoteProvider p = new RemoteProvider();
            Testbed tb = p.openTestbed(options(fake.target(), "some-provider-setting", "x"));
            try {
                assertThat(p.identity().description()).contains("fake 0.0.1").contains(fake.target())
                        .contains("ndk.wire.v1.0");
                // what v1.1 added: a v1.0 agent is never sent a lift, and its missing delay reads as none
                var lift = tb.lift(org.ndkkit.spi.LabCondition.SILENT_HOST);
                assertThat(lift.isAvailable()).isFalse();
                assertThat(lift.reasonCode()).isEqualTo("cannot-lift-condition");
                assertThat(lift.detail()).contains("ndk.wire.v1.0");
                assertThat(tb.fourTupleReleaseDelay()).isZero();
                // what v1.2 added: a v1.0 agent declares no testbed identity; the kit still names the agent
                assertThat(tb.identity()).containsEntry("agent.wire", "ndk.wire.v1.0")
                        .allSatisfy((k, v) -> assertThat(k).startsWith("agent."));
                assertThat(p.capabilities()).doesNotContain(ProviderCapability.NDKPI_2_1);
                assertThat(tb.addresses(Host.LOCAL)).hasSize(1);
                assertThat(tb.addresses(Host.PEER).get(0).getHostAddress()).isEqualTo("198.18.1.1");
                assertThat(tb.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
                assertThat(tb.adapter(Host.LOCAL)).isNotSameAs(tb.adapter(Host.PEER));
                // the callback stream's first message attached it to the session
                assertThat(fake.awaitStream()).as("the callback stream attached").isTrue();
                assertThat(fake.attaches).containsExactly(CallbackReturn.newBuilder().setSession(FakeAgent.SESSION)
                        .setSeq(0).build());
            } finally {
                tb.close();
            }
            assertThat(fake.goodbyes.get()).isEqualTo(1);
            assertThat(fake.attaches).as("one stream, attached once").hasSize(1);
            assertThat(fake.returns).as("no callback, so no return").isEmpty();
        }
    }
}
