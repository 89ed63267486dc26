package org.ndkkit.cli.testproviders;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;

/** A simulated testbed whose adapters can lie about their info or misbehave when creating connectors. */
final class Wrapped implements Testbed {
    private final Testbed inner;
    private final NdkAdapter local;
    private final NdkAdapter peer;

    Wrapped(Testbed inner, UnaryOperator<AdapterInfo> info, Runnable beforeConnector) {
        this.inner = inner;
        this.local = new Adapter(inner.adapter(Host.LOCAL), info, beforeConnector);
        this.peer = new Adapter(inner.adapter(Host.PEER), info, () -> { });
    }

    @Override
    public NdkAdapter adapter(Host host) {
        return host == Host.LOCAL ? local : peer;
    }

    @Override
    public List<InetAddress> addresses(Host host) {
        return inner.addresses(host);
    }

    @Override
    public Availability<SockAddr> address(LabCondition condition) {
        return inner.address(condition);
    }

    @Override
    public Availability<ResourceExhaustion> exhaustResources(Host host) {
        return inner.exhaustResources(host);
    }

    @Override
    public Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp) {
        return inner.exhaustEphemeralPorts(localIp);
    }

    @Override
    public Availability<org.ndkkit.spi.LiftedCondition> lift(org.ndkkit.spi.LabCondition condition) {
        return inner.lift(condition);
    }

    @Override
    public Duration fourTupleReleaseDelay() {
        return inner.fourTupleReleaseDelay();
    }

    @Override
    public Availability<org.ndkkit.spi.QpReadLimits> qpReadLimits(org.ndkkit.spi.NdkQp qp) {
        return inner.qpReadLimits(qp);
    }

    @Override
    public Availability<Integer> listenerBacklog() {
        return inner.listenerBacklog();
    }

    @Override
    public Duration connectTimeout() {
        return inner.connectTimeout();
    }

    @Override
    public void close() {
        inner.close();
    }

    private record Adapter(NdkAdapter inner, UnaryOperator<AdapterInfo> info, Runnable beforeConnector) implements NdkAdapter {
        @Override
        public AdapterInfo queryAdapterInfo() {
            return info.apply(inner.queryAdapterInfo());
        }

        @Override
        public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
            return inner.createPd(completion, context);
        }

        @Override
        public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
            return inner.createCq(cqDepth, completion, context);
        }

        @Override
        public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
            beforeConnector.run();
            return inner.createConnector(completion, context);
        }

        @Override
        public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress, CreateCompletion<NdkSharedEndpoint> completion,
                                                               Object context) {
            return inner.createSharedEndpoint(localAddress, completion, context);
        }

        @Override
        public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                                   CreateCompletion<NdkListener> completion, Object context) {
            return inner.createListener(connectEvent, connectEventContext, completion, context);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
