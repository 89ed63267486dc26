package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.UlongRef;

/** A simulated testbed plus helpers that drive NDK calls through whichever path the provider takes. */
final class Lab implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(3);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);

    final SimTestbed testbed;
    final NdkAdapter local;
    final NdkAdapter peer;
    /** Every callback the probes saw, in order. */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private Lab(Map<String, String> settings, Duration connectTimeout) {
        testbed = (SimTestbed) new SimulatedProvider().openTestbed(new TestbedOptions(connectTimeout, settings));
        local = testbed.adapter(Host.LOCAL);
        peer = testbed.adapter(Host.PEER);
    }

    static Lab open(String completionPath) {
        return open(Map.of("completion-path", completionPath));
    }

    static Lab open(Map<String, String> settings) {
        return open(settings, CONNECT_TIMEOUT);
    }

    /** A testbed with these settings whose silent host times a connect out after {@code connectTimeout}. */
    static Lab open(Map<String, String> settings, Duration connectTimeout) {
        Map<String, String> s = new HashMap<>(settings);
        s.putIfAbsent("ephemeral-ports", "lowest"); // the tests name the ports port-0 binds take
        return new Lab(s, connectTimeout);
    }

    /** A testbed whose silent host times a connect out after {@code connectTimeout}. */
    static Lab open(String completionPath, Duration connectTimeout) {
        return open(Map.of("completion-path", completionPath), connectTimeout);
    }

    void quiet() {
        assertThat(testbed.awaitQuiet(WAIT)).as("event queue drained").isTrue();
    }

    /** Creates through either create path and checks the create pattern. */
    <T extends NdkObject> T create(BiFunction<CreateCompletion<T>, Object, Created<T>> call) {
        CreateProbe<T> probe = new CreateProbe<>();
        Created<T> created = call.apply(probe, probe.context);
        if (created.status().equals(NtStatus.SUCCESS)) {
            assertThat(created.object()).isNotNull();
            quiet();
            assertThat(probe.count()).as("no create completion after SUCCESS").isZero();
            return created.object();
        }
        assertThat(created.status()).isEqualTo(NtStatus.PENDING);
        assertThat(created.object()).isNull();
        probe.await();
        assertThat(probe.status()).isEqualTo(NtStatus.SUCCESS);
        assertThat(probe.object()).isNotNull();
        return probe.object();
    }

    /** The final status of a create expected to fail, through either path. */
    <T extends NdkObject> NtStatus createFailure(BiFunction<CreateCompletion<T>, Object, Created<T>> call) {
        CreateProbe<T> probe = new CreateProbe<>();
        Created<T> created = call.apply(probe, probe.context);
        if (!created.status().isPending()) {
            assertThat(created.object()).isNull();
            quiet();
            assertThat(probe.count()).isZero();
            return created.status();
        }
        probe.await();
        assertThat(probe.object()).isNull();
        return probe.status();
    }

    NdkQp qp(NdkAdapter adapter) {
        NdkPd pd = create(adapter::createPd);
        NdkCq cq = create((c, x) -> adapter.createCq(64, c, x));
        return create((c, x) -> pd.createQp(cq, cq, QpParameters.small(), c, x));
    }

    NdkConnector connector(NdkAdapter adapter) {
        return create(adapter::createConnector);
    }

    NdkSharedEndpoint sharedEndpoint(NdkAdapter adapter, SockAddr address) {
        return create((c, x) -> adapter.createSharedEndpoint(address, c, x));
    }

    /** The final status of a shared-endpoint create expected to fail. */
    NtStatus sharedEndpointFailure(NdkAdapter adapter, SockAddr address) {
        return this.<NdkSharedEndpoint>createFailure((c, x) -> adapter.createSharedEndpoint(address, c, x));
    }

    Listening listen(NdkAdapter adapter, SockAddr address) {
        Listening l = new Listening(this);
        l.listener = create((c, x) -> adapter.createListener(l, l.eventContext, c, x));
        Req listen = new Req("listen", this);
        assertThat(listen.run(() -> l.listener.listen(address, listen, listen.context))).isEqualTo(NtStatus.PENDING);
        assertThat(listen.outcome()).isEqualTo(NtStatus.SUCCESS);
        l.address = readAddress(l.listener::getLocalAddress);
        return l;
    }

    static SockAddr localAddressOf(NdkSharedEndpoint se) {
        return readAddress(se::getLocalAddress);
    }

    interface AddressReader {
        NtStatus read(byte[] buffer, UlongRef length);
    }

    static SockAddr readAddress(AddressReader reader) {
        byte[] buffer = new byte[64];
        UlongRef length = new UlongRef(buffer.length);
        assertThat(reader.read(buffer, length)).isEqualTo(NtStatus.SUCCESS);
        return SockAddr.fromBuffer(buffer, length.get());
    }

    static SockAddr v4(String ip, int port) {
        return SockAddr.of(ip, port);
    }

    /** Closes and returns the probe; the close must return SUCCESS or PENDING. */
    Closing close(NdkObject object, String name) {
        Closing closing = new Closing(name, this);
        closing.status = object.close(closing, closing.context);
        assertThat(closing.status).isIn(NtStatus.SUCCESS, NtStatus.PENDING);
        return closing;
    }

    @Override
    public void close() {
        testbed.close();
    }
}
