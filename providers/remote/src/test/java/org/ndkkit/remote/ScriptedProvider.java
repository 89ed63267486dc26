package org.ndkkit.remote;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.RdmaTechnology;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.UlongRef;

/**
 * A provider whose connector does what the test scripts: {@link NdkConnector#connect} runs
 * {@link #connect}, {@link NdkConnector#close} records the thread it runs on. Only what the
 * callback-ordering tests need is there; everything else throws.
 */
final class ScriptedProvider implements NdkProvider {
    /** What a connect does with the completion and context the agent gives it. */
    @FunctionalInterface
    interface ConnectScript {
        NtStatus connect(RequestCompletion completion, Object context);
    }

    static final AdapterInfo INFO = new AdapterInfo(1, 2, 0x1AB, 1, 1L << 30, 1L << 30, 16, 4, 4, 4, 1 << 20, 64, 16, 8,
            1024, 1024, 0, 4096, 4096, 56, 148, 0, RdmaTechnology.ROCE_V2);

    volatile ConnectScript connect = (c, ctx) -> NtStatus.SUCCESS;
    /** The contexts connect was given, in order. */
    final List<Object> contextsGiven = new CopyOnWriteArrayList<>();
    /** The thread each connector close ran on. */
    final List<String> closeThreads = new CopyOnWriteArrayList<>();

    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity("scripted", "0.0.1", "tests", "a provider the test scripts");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return EnumSet.of(ProviderCapability.IPV4);
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) {
        return new Bed(options.connectTimeout());
    }

    private static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UnsupportedOperationException notScripted() {
        return new UnsupportedOperationException("not scripted");
    }

    private final class Bed implements Testbed {
        private final Adapter local = new Adapter();
        private final Adapter peer = new Adapter();
        private final Duration connectTimeout;

        Bed(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        @Override
        public NdkAdapter adapter(Host host) {
            return host == Host.LOCAL ? local : peer;
        }

        @Override
        public List<InetAddress> addresses(Host host) {
            return List.of(host == Host.LOCAL ? ip(198, 18, 0, 1) : ip(198, 18, 1, 1));
        }

        @Override
        public Availability<SockAddr> address(LabCondition condition) {
            return Availability.unavailable("not-scripted", "the scripted provider has no lab");
        }

        @Override
        public Availability<ResourceExhaustion> exhaustResources(Host host) {
            return Availability.unavailable("not-scripted", "the scripted provider has no lab");
        }

        @Override
        public Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp) {
            return Availability.unavailable("not-scripted", "the scripted provider has no lab");
        }

        @Override
        public Availability<Integer> listenerBacklog() {
            return Availability.unavailable("not-scripted", "the scripted provider has no lab");
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public void close() {
        }
    }

    private final class Adapter implements NdkAdapter {
        @Override
        public AdapterInfo queryAdapterInfo() {
            return INFO;
        }

        @Override
        public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
            return Created.inline(new Connector());
        }

        @Override
        public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
            throw notScripted();
        }

        @Override
        public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
            throw notScripted();
        }

        @Override
        public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                               CreateCompletion<NdkSharedEndpoint> completion,
                                                               Object context) {
            throw notScripted();
        }

        @Override
        public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                                   CreateCompletion<NdkListener> completion, Object context) {
            throw notScripted();
        }

        @Override
        public void close() {
        }
    }

    private final class Connector implements NdkConnector {
        @Override
        public NdkObjectType type() {
            return NdkObjectType.CONNECTOR;
        }

        @Override
        public NtStatus close(CloseCompletion completion, Object context) {
            closeThreads.add(Thread.currentThread().getName());
            return NtStatus.SUCCESS;
        }

        @Override
        public NtStatus connect(NdkQp qp, SockAddr source, SockAddr destination, int inboundReadLimit,
                                int outboundReadLimit, byte[] privateData, int privateDataLength,
                                RequestCompletion completion, Object context) {
            contextsGiven.add(context == null ? "null" : context);
            return connect.connect(completion, context);
        }

        @Override
        public NtStatus connectWithSharedEndpoint(NdkQp qp, NdkSharedEndpoint sharedEndpoint, SockAddr destination,
                                                  int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                                                  int privateDataLength, RequestCompletion completion, Object context) {
            throw notScripted();
        }

        @Override
        public NtStatus completeConnect(DisconnectEventCallback disconnectEvent, Object disconnectEventContext,
                                        RequestCompletion completion, Object context) {
            throw notScripted();
        }

        @Override
        public NtStatus accept(NdkQp qp, int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                               int privateDataLength, DisconnectEventCallback disconnectEvent,
                               Object disconnectEventContext, RequestCompletion completion, Object context) {
            throw notScripted();
        }

        @Override
        public NtStatus reject(byte[] privateData, int privateDataLength) {
            throw notScripted();
        }

        @Override
        public NtStatus getConnectionData(UlongRef inboundReadLimit, UlongRef outboundReadLimit, byte[] privateData,
                                          UlongRef privateDataLength) {
            throw notScripted();
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            throw notScripted();
        }

        @Override
        public NtStatus getPeerAddress(byte[] address, UlongRef addressLength) {
            throw notScripted();
        }

        @Override
        public NtStatus disconnect(RequestCompletion completion, Object context) {
            throw notScripted();
        }
    }
}
