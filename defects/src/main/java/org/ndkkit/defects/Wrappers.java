package org.ndkkit.defects;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.UlongRef;

/**
 * The decorators: each wraps one object of the inner provider, hands the consumer wrapped objects
 * (in results, create completions and connect events), unwraps every object argument before
 * passing it down (a provider only accepts its own objects), and routes every call through the
 * {@link Defect}'s hook.
 */
public final class Wrappers {
    private Wrappers() {
    }

    /** A decorator around one inner object. */
    public interface Wrapped {
        NdkObject inner();
    }

    @SuppressWarnings("unchecked")
    static <T> T unwrap(T o) {
        return o instanceof Wrapped w ? (T) w.inner() : o;
    }

    /** The decorated testbed: the inner one, with adapters wrapped. */
    public static final class WTestbed implements Testbed {
        private final Testbed inner;
        private final Defect defect;
        private final Map<Host, WAdapter> adapters = new ConcurrentHashMap<>();

        WTestbed(Testbed inner, Defect defect) {
            this.inner = inner;
            this.defect = defect;
        }

        public Defect defect() {
            return defect;
        }

        @Override
        public NdkAdapter adapter(Host host) {
            return adapters.computeIfAbsent(host, h -> new WAdapter(this, h, inner.adapter(h)));
        }

        public WAdapter wadapter(Host host) {
            return (WAdapter) adapter(host);
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
        public Availability<org.ndkkit.spi.LiftedCondition> lift(LabCondition condition) {
            return inner.lift(condition);
        }

        @Override
        public Duration fourTupleReleaseDelay() {
            return inner.fourTupleReleaseDelay();
        }

        @Override
        public Availability<org.ndkkit.spi.QpReadLimits> qpReadLimits(NdkQp qp) {
            return defect.qpReadLimits(inner, qp instanceof WObject<?> w ? (NdkQp) w.inner() : qp);
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
        public Availability<java.util.Map<String, Long>> resourceCounts() {
            return inner.resourceCounts();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The decorated adapter. */
    public static final class WAdapter implements NdkAdapter {
        final WTestbed testbed;
        final Host host;
        final NdkAdapter inner;
        final Defect d;

        WAdapter(WTestbed testbed, Host host, NdkAdapter inner) {
            this.testbed = testbed;
            this.host = host;
            this.inner = inner;
            this.d = testbed.defect;
        }

        public Host host() {
            return host;
        }

        public NdkAdapter inner() {
            return inner;
        }

        /** The adapter limits the inner provider really applies. */
        public AdapterInfo realInfo() {
            return inner.queryAdapterInfo();
        }

        @Override
        public AdapterInfo queryAdapterInfo() {
            return d.info(host, inner.queryAdapterInfo());
        }

        private <I extends NdkObject, W extends NdkObject> Created<W> wrap(Created<I> c, java.util.function.Function<I, W> w) {
            if (c == null) {
                return null;
            }
            return new Created<>(c.status(), c.object() == null ? null : w.apply(c.object()));
        }

        private <I extends NdkObject, W extends NdkObject> CreateCompletion<I> wrapping(CreateCompletion<W> c,
                                                                                      java.util.function.Function<I, W> w) {
            if (c == null) {
                return null;
            }
            return (ctx, status, object) -> c.created(ctx, status, object == null ? null : w.apply(object));
        }

        @Override
        public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
            return wrap(inner.createPd(wrapping(completion, (NdkPd p) -> new WPd(this, p)), context), (NdkPd p) -> new WPd(this, p));
        }

        @Override
        public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
            return wrap(inner.createCq(cqDepth, wrapping(completion, (NdkCq q) -> new WCq(this, q)), context), (NdkCq q) -> new WCq(this, q));
        }

        @Override
        public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
            java.util.function.Function<NdkConnector, NdkConnector> w = c -> new WConnector(this, c);
            return wrap(d.createConnector(inner, wrapping(completion, w), context), w);
        }

        @Override
        public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                               CreateCompletion<NdkSharedEndpoint> completion,
                                                               Object context) {
            java.util.function.Function<NdkSharedEndpoint, NdkSharedEndpoint> w = s -> new WSharedEndpoint(this, s);
            return wrap(d.createSharedEndpoint(this, inner, localAddress, wrapping(completion, w), context), w);
        }

        @Override
        public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                                   CreateCompletion<NdkListener> completion, Object context) {
            ConnectEventCallback toConsumer = connectEvent == null ? null
                    : (ctx, connector) -> connectEvent.connectRequest(ctx, new WConnector(this, connector));
            ConnectEventCallback given = toConsumer == null ? null : d.connectEvent(toConsumer);
            java.util.function.Function<NdkListener, NdkListener> w = l -> new WListener(this, l);
            return wrap(inner.createListener(given, connectEventContext, wrapping(completion, w), context), w);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Common part of the decorated objects. */
    abstract static class WObject<T extends NdkObject> implements NdkObject, Wrapped {
        final WAdapter adapter;
        final T inner;
        final Defect d;

        WObject(WAdapter adapter, T inner) {
            this.adapter = adapter;
            this.inner = inner;
            this.d = adapter.d;
        }

        @Override
        public T inner() {
            return inner;
        }

        public WAdapter adapter() {
            return adapter;
        }

        @Override
        public NdkObjectType type() {
            return inner.type();
        }

        @Override
        public NtStatus close(CloseCompletion completion, Object context) {
            return d.close(this, inner, completion, context);
        }
    }

    public static final class WPd extends WObject<NdkPd> implements NdkPd {
        WPd(WAdapter a, NdkPd inner) {
            super(a, inner);
        }

        @Override
        public Created<NdkQp> createQp(NdkCq receiveCq, NdkCq initiatorCq, QpParameters parameters,
                                       CreateCompletion<NdkQp> completion, Object context) {
            Created<NdkQp> c = inner.createQp(unwrap(receiveCq), unwrap(initiatorCq), parameters,
                    completion == null ? null : (ctx, s, qp) -> completion.created(ctx, s, qp == null ? null : new WQp(adapter, qp)),
                    context);
            return c == null ? null : new Created<>(c.status(), c.object() == null ? null : new WQp(adapter, c.object()));
        }
    }

    public static final class WCq extends WObject<NdkCq> implements NdkCq {
        WCq(WAdapter a, NdkCq inner) {
            super(a, inner);
        }
    }

    public static final class WQp extends WObject<NdkQp> implements NdkQp {
        WQp(WAdapter a, NdkQp inner) {
            super(a, inner);
        }
    }

    public static final class WSharedEndpoint extends WObject<NdkSharedEndpoint> implements NdkSharedEndpoint {
        WSharedEndpoint(WAdapter a, NdkSharedEndpoint inner) {
            super(a, inner);
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            return d.getSharedEndpointLocalAddress(inner, address, addressLength);
        }
    }

    public static final class WListener extends WObject<NdkListener> implements NdkListener {
        WListener(WAdapter a, NdkListener inner) {
            super(a, inner);
        }

        @Override
        public NtStatus listen(SockAddr address, RequestCompletion completion, Object context) {
            return d.listen(inner, address, completion, context);
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            return inner.getLocalAddress(address, addressLength);
        }

        @Override
        public void controlConnectEvents(boolean pause) {
            d.controlConnectEvents(inner, pause);
        }
    }

    /** The decorated connector, with what defects may want to remember about its connection. */
    public static final class WConnector extends WObject<NdkConnector> implements NdkConnector {
        /** The shared endpoint of its connect, and its destination. */
        public volatile WSharedEndpoint sharedEndpoint;
        public volatile SockAddr destination;
        /** The read limits the consumer asked for with connect or accept. */
        public volatile int requestedInbound;
        public volatile int requestedOutbound;
        /** The disconnect event the consumer gave (accept or completeConnect). */
        public volatile DisconnectEventCallback disconnectEvent;
        public volatile Object disconnectEventContext;
        /** Free for a defect's own bookkeeping. */
        public final Map<String, Object> notes = new ConcurrentHashMap<>();

        WConnector(WAdapter a, NdkConnector inner) {
            super(a, inner);
        }

        @Override
        public NtStatus connect(NdkQp qp, SockAddr source, SockAddr destination, int inboundReadLimit,
                                int outboundReadLimit, byte[] privateData, int privateDataLength,
                                RequestCompletion completion, Object context) {
            return inner.connect(unwrap(qp), source, destination, inboundReadLimit, outboundReadLimit, privateData,
                    privateDataLength, completion, context);
        }

        @Override
        public NtStatus connectWithSharedEndpoint(NdkQp qp, NdkSharedEndpoint sharedEndpoint, SockAddr destination,
                                                  int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                                                  int privateDataLength, RequestCompletion completion, Object context) {
            this.sharedEndpoint = sharedEndpoint instanceof WSharedEndpoint w ? w : null;
            this.destination = destination;
            this.requestedInbound = inboundReadLimit;
            this.requestedOutbound = outboundReadLimit;
            return d.connectWithSharedEndpoint(this, inner, unwrap(qp), unwrap(sharedEndpoint), destination, inboundReadLimit,
                    outboundReadLimit, privateData, privateDataLength, completion, context);
        }

        @Override
        public NtStatus completeConnect(DisconnectEventCallback disconnectEvent, Object disconnectEventContext,
                                        RequestCompletion completion, Object context) {
            this.disconnectEvent = disconnectEvent;
            this.disconnectEventContext = disconnectEventContext;
            return d.completeConnect(this, inner, disconnectEvent == null ? null : d.disconnectEvent(this, disconnectEvent),
                    disconnectEventContext, completion, context);
        }

        @Override
        public NtStatus accept(NdkQp qp, int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                               int privateDataLength, DisconnectEventCallback disconnectEvent,
                               Object disconnectEventContext, RequestCompletion completion, Object context) {
            this.requestedInbound = inboundReadLimit;
            this.requestedOutbound = outboundReadLimit;
            this.disconnectEvent = disconnectEvent;
            this.disconnectEventContext = disconnectEventContext;
            return d.accept(this, inner, unwrap(qp), inboundReadLimit, outboundReadLimit, privateData, privateDataLength,
                    disconnectEvent == null ? null : d.disconnectEvent(this, disconnectEvent), disconnectEventContext,
                    completion, context);
        }

        @Override
        public NtStatus reject(byte[] privateData, int privateDataLength) {
            return d.reject(this, inner, privateData, privateDataLength);
        }

        @Override
        public NtStatus getConnectionData(UlongRef inboundReadLimit, UlongRef outboundReadLimit, byte[] privateData,
                                          UlongRef privateDataLength) {
            return d.getConnectionData(this, inner, inboundReadLimit, outboundReadLimit, privateData, privateDataLength);
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            return d.getLocalAddress(this, inner, address, addressLength);
        }

        @Override
        public NtStatus getPeerAddress(byte[] address, UlongRef addressLength) {
            return d.getPeerAddress(this, inner, address, addressLength);
        }

        @Override
        public NtStatus disconnect(RequestCompletion completion, Object context) {
            return d.disconnect(this, inner, completion, context);
        }
    }
}
