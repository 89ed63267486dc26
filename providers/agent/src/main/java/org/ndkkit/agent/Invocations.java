package org.ndkkit.agent;

import com.google.protobuf.ByteString;
import java.util.Map;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.QpReadLimits;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.AddressAvailability;
import org.ndkkit.wire.v1.AddressResult;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.ConnectionData;
import org.ndkkit.wire.v1.CountAvailability;
import org.ndkkit.wire.v1.Counts;
import org.ndkkit.wire.v1.CountsAvailability;
import org.ndkkit.wire.v1.Done;
import org.ndkkit.wire.v1.ExhaustionAvailability;
import org.ndkkit.wire.v1.GetAddress;
import org.ndkkit.wire.v1.ObjectArg;
import org.ndkkit.wire.v1.QpLimitsAvailability;
import org.ndkkit.wire.v1.Unavailable;

/** Turns one {@link Call} into the SPI call it stands for, and its result into the reply. */
final class Invocations {
    private final AgentSession s;

    Invocations(AgentSession session) {
        this.s = session;
    }

    /**
     * @throws WireError        for a message the agent refuses (nothing reached the provider)
     * @throws RuntimeException whatever the provider threw
     */
    CallReply.Builder run(Call c) {
        CallReply.Builder r = CallReply.newBuilder();
        switch (c.getOpCase()) {
            case QUERY_ADAPTER_INFO -> {
                NdkAdapter a = adapter(c.getQueryAdapterInfo().getAdapter());
                r.setAdapterInfo(WireValues.adapterInfo(a.queryAdapterInfo()));
            }
            case CREATE_PD -> {
                var m = c.getCreatePd();
                NdkAdapter a = adapter(m.getAdapter());
                var cc = s.<NdkPd>createCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setCreated(created(a.createPd(cc, ctx)));
            }
            case CREATE_CQ -> {
                var m = c.getCreateCq();
                NdkAdapter a = adapter(m.getAdapter());
                var cc = s.<NdkCq>createCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setCreated(created(a.createCq(m.getCqDepth(), cc, ctx)));
            }
            case CREATE_CONNECTOR -> {
                var m = c.getCreateConnector();
                NdkAdapter a = adapter(m.getAdapter());
                var cc = s.<NdkConnector>createCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setCreated(created(a.createConnector(cc, ctx)));
            }
            case CREATE_SHARED_ENDPOINT -> {
                var m = c.getCreateSharedEndpoint();
                NdkAdapter a = adapter(m.getAdapter());
                SockAddr addr = WireValues.sockAddr(m.getLocalAddress(), m.hasLocalAddress());
                var cc = s.<NdkSharedEndpoint>createCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setCreated(created(a.createSharedEndpoint(addr, cc, ctx)));
            }
            case CREATE_LISTENER -> {
                var m = c.getCreateListener();
                NdkAdapter a = adapter(m.getAdapter());
                var ev = s.connectEvent(m.getConnectEvent());
                Object evCtx = s.context(m.getConnectEventContext());
                var cc = s.<NdkListener>createCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setCreated(created(a.createListener(ev, evCtx, cc, ctx)));
            }
            case CREATE_QP -> {
                var m = c.getCreateQp();
                NdkPd pd = object(m.getPd(), NdkPd.class, "pd");
                NdkCq rcq = object(m.getReceiveCq(), NdkCq.class, "receive_cq");
                NdkCq icq = object(m.getInitiatorCq(), NdkCq.class, "initiator_cq");
                var p = m.hasParameters() ? WireValues.qpParameters(m.getParameters()) : null;
                var cc = s.<NdkQp>createCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setCreated(created(pd.createQp(rcq, icq, p, cc, ctx)));
            }
            case CLOSE_ADAPTER -> {
                adapter(c.getCloseAdapter().getAdapter()).close();
                r.setDone(Done.getDefaultInstance());
            }
            case CONNECT -> {
                var m = c.getConnect();
                NdkConnector k = connector(m.getConnector());
                NdkQp qp = object(m.getQp(), NdkQp.class, "qp");
                SockAddr src = WireValues.sockAddr(m.getSource(), m.hasSource());
                SockAddr dst = WireValues.sockAddr(m.getDestination(), m.hasDestination());
                byte[] pd = m.hasPrivateData() ? m.getPrivateData().toByteArray() : null;
                var rc = s.requestCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(k.connect(qp, src, dst, m.getInboundReadLimit(), m.getOutboundReadLimit(), pd,
                        m.getPrivateDataLength(), rc, ctx)));
            }
            case CONNECT_WITH_SHARED_ENDPOINT -> {
                var m = c.getConnectWithSharedEndpoint();
                NdkConnector k = connector(m.getConnector());
                NdkQp qp = object(m.getQp(), NdkQp.class, "qp");
                NdkSharedEndpoint se = object(m.getSharedEndpoint(), NdkSharedEndpoint.class, "shared_endpoint");
                SockAddr dst = WireValues.sockAddr(m.getDestination(), m.hasDestination());
                byte[] pd = m.hasPrivateData() ? m.getPrivateData().toByteArray() : null;
                var rc = s.requestCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(k.connectWithSharedEndpoint(qp, se, dst, m.getInboundReadLimit(),
                        m.getOutboundReadLimit(), pd, m.getPrivateDataLength(), rc, ctx)));
            }
            case COMPLETE_CONNECT -> {
                var m = c.getCompleteConnect();
                NdkConnector k = connector(m.getConnector());
                var de = s.disconnectEvent(m.getDisconnectEvent());
                Object deCtx = s.context(m.getDisconnectEventContext());
                var rc = s.requestCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(k.completeConnect(de, deCtx, rc, ctx)));
            }
            case ACCEPT -> {
                var m = c.getAccept();
                NdkConnector k = connector(m.getConnector());
                NdkQp qp = object(m.getQp(), NdkQp.class, "qp");
                byte[] pd = m.hasPrivateData() ? m.getPrivateData().toByteArray() : null;
                var de = s.disconnectEvent(m.getDisconnectEvent());
                Object deCtx = s.context(m.getDisconnectEventContext());
                var rc = s.requestCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(k.accept(qp, m.getInboundReadLimit(), m.getOutboundReadLimit(), pd,
                        m.getPrivateDataLength(), de, deCtx, rc, ctx)));
            }
            case REJECT -> {
                var m = c.getReject();
                NdkConnector k = connector(m.getConnector());
                byte[] pd = m.hasPrivateData() ? m.getPrivateData().toByteArray() : null;
                r.setNtstatus(code(k.reject(pd, m.getPrivateDataLength())));
            }
            case GET_CONNECTION_DATA -> {
                var m = c.getGetConnectionData();
                NdkConnector k = connector(m.getConnector());
                UlongRef in = m.hasInboundReadLimit() ? new UlongRef(m.getInboundReadLimit()) : null;
                UlongRef out = m.hasOutboundReadLimit() ? new UlongRef(m.getOutboundReadLimit()) : null;
                byte[] buf = m.hasPrivateData() ? m.getPrivateData().toByteArray() : null;
                UlongRef len = m.hasPrivateDataLength() ? new UlongRef(m.getPrivateDataLength()) : null;
                NtStatus st = k.getConnectionData(in, out, buf, len);
                ConnectionData.Builder d = ConnectionData.newBuilder().setNtstatus(code(st));
                if (len != null) {
                    d.setPrivateDataLength(len.get());
                }
                if (in != null) {
                    d.setInboundReadLimit(in.get());
                }
                if (out != null) {
                    d.setOutboundReadLimit(out.get());
                }
                if (buf != null) {
                    d.setPrivateData(ByteString.copyFrom(buf));
                }
                r.setConnectionData(d);
            }
            case GET_ADDRESS -> r.setAddress(address(c.getGetAddress()));
            case DISCONNECT -> {
                var m = c.getDisconnect();
                NdkConnector k = connector(m.getConnector());
                var rc = s.requestCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(k.disconnect(rc, ctx)));
            }
            case LISTEN -> {
                var m = c.getListen();
                NdkListener l = object(m.getListener(), NdkListener.class, "listener");
                SockAddr addr = WireValues.sockAddr(m.getAddress(), m.hasAddress());
                var rc = s.requestCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(l.listen(addr, rc, ctx)));
            }
            case CONTROL_CONNECT_EVENTS -> {
                var m = c.getControlConnectEvents();
                object(m.getListener(), NdkListener.class, "listener").controlConnectEvents(m.getPause());
                r.setDone(Done.getDefaultInstance());
            }
            case CLOSE_OBJECT -> {
                var m = c.getCloseObject();
                NdkObject o = object(m.getObject(), NdkObject.class, "object");
                var cc = s.closeCompletion(m.getCompletion());
                Object ctx = s.context(m.getContext());
                r.setNtstatus(code(o.close(cc, ctx)));
            }
            case LAB_ADDRESS -> {
                Availability<SockAddr> a = s.testbed.address(condition(c.getLabAddress().getCondition()));
                AddressAvailability.Builder b = AddressAvailability.newBuilder();
                if (a.isAvailable()) {
                    b.setAddress(WireValues.sockAddr(a.get()));
                } else {
                    b.setUnavailable(unavailable(a));
                }
                r.setAddressAvailability(b);
            }
            case EXHAUST_RESOURCES -> {
                var host = host(c.getExhaustResources().getHost());
                r.setExhaustionAvailability(exhaustion(s.testbed.exhaustResources(host)));
            }
            case EXHAUST_EPHEMERAL_PORTS -> {
                var ip = ip(c.getExhaustEphemeralPorts().getLocalIp());
                r.setExhaustionAvailability(exhaustion(s.testbed.exhaustEphemeralPorts(ip)));
            }
            case LIFT_CONDITION -> {
                Availability<LiftedCondition> a = s.testbed.lift(condition(c.getLiftCondition().getCondition()));
                r.setExhaustionAvailability(a.isAvailable()
                        ? ExhaustionAvailability.newBuilder().setExhaustion(s.handles.handle(a.get()))
                        : ExhaustionAvailability.newBuilder().setUnavailable(unavailable(a)));
            }
            case RELEASE_EXHAUSTION -> {
                // an exhaustion's or a lifted condition's handle: both put the lab back when closed
                long h = c.getReleaseExhaustion().getExhaustion();
                Object held = s.handles.object(h, Object.class, "exhaustion");
                if (held instanceof LiftedCondition lifted) {
                    lifted.close();
                } else {
                    s.handles.object(h, ResourceExhaustion.class, "exhaustion").close();
                }
                r.setDone(Done.getDefaultInstance());
            }
            case LISTENER_BACKLOG -> {
                Availability<Integer> a = s.testbed.listenerBacklog();
                r.setCountAvailability(a.isAvailable() ? CountAvailability.newBuilder().setCount(a.get())
                        : CountAvailability.newBuilder().setUnavailable(unavailable(a)));
            }
            case RESOURCE_COUNTS -> {
                Availability<Map<String, Long>> a = s.testbed.resourceCounts();
                r.setCountsAvailability(a.isAvailable()
                        ? CountsAvailability.newBuilder().setCounts(Counts.newBuilder().putAllCounts(a.get()))
                        : CountsAvailability.newBuilder().setUnavailable(unavailable(a)));
            }
            case QP_LIMITS -> {
                Availability<QpReadLimits> a = s.testbed.qpReadLimits(object(c.getQpLimits().getQp(), NdkQp.class, "qp"));
                r.setQpLimitsAvailability(a.isAvailable()
                        ? QpLimitsAvailability.newBuilder().setLimits(org.ndkkit.wire.v1.QpReadLimits.newBuilder()
                                .setInbound((int) a.get().inbound()).setOutbound((int) a.get().outbound()))
                        : QpLimitsAvailability.newBuilder().setUnavailable(unavailable(a)));
            }
            case AWAIT_QUIESCENCE -> {
                long ms = Integer.toUnsignedLong(c.getAwaitQuiescence().getTimeoutMs());
                if (ms > WireValues.MAX_QUIESCENCE_WAIT_MS) {
                    throw WireError.invalid("await_quiescence.timeout_ms: " + ms + " ms is more than the "
                            + WireValues.MAX_QUIESCENCE_WAIT_MS + " ms an agent waits for quiescence");
                }
                // From inside a callback that callback is still running: BUSY, as the SPI says, without waiting.
                r.setQuiescence(WireValues.quiescence(c.getWithinCallback() != 0 ? org.ndkkit.spi.Quiescence.BUSY
                        : s.awaitQuiescence(ms)));
            }
            case OP_NOT_SET -> throw WireError.unimplemented("call " + c.getCallId()
                    + " names no operation this agent knows (ndk.wire.v" + WireValues.MAJOR + "." + WireValues.MINOR + ")");
        }
        return r;
    }

    private AddressResult.Builder address(GetAddress m) {
        byte[] buf = m.hasAddress() ? m.getAddress().toByteArray() : null;
        UlongRef len = m.hasAddressLength() ? new UlongRef(m.getAddressLength()) : null;
        NtStatus st;
        switch (m.getWhich()) {
            case WHICH_LOCAL -> {
                Object o = s.handles.object(nonZero(m.getObject(), "object"), Object.class, "object");
                if (o instanceof NdkConnector k) {
                    st = k.getLocalAddress(buf, len);
                } else if (o instanceof NdkSharedEndpoint se) {
                    st = se.getLocalAddress(buf, len);
                } else if (o instanceof NdkListener l) {
                    st = l.getLocalAddress(buf, len);
                } else {
                    throw WireError.invalid("object: handle " + m.getObject().getHandle()
                            + " has no local address (not a connector, shared endpoint or listener)");
                }
            }
            case WHICH_PEER -> st = connector(m.getObject()).getPeerAddress(buf, len);
            default -> throw WireError.invalid("get_address.which must be WHICH_LOCAL or WHICH_PEER, not " + m.getWhich());
        }
        AddressResult.Builder b = AddressResult.newBuilder().setNtstatus(code(st));
        if (len != null) {
            b.setAddressLength(len.get());
        }
        if (buf != null) {
            b.setAddress(ByteString.copyFrom(buf));
        }
        return b;
    }

    private ExhaustionAvailability.Builder exhaustion(Availability<ResourceExhaustion> a) {
        if (!a.isAvailable()) {
            return ExhaustionAvailability.newBuilder().setUnavailable(unavailable(a));
        }
        ResourceExhaustion e = a.get();
        ExhaustionAvailability.Builder b = ExhaustionAvailability.newBuilder().setExhaustion(s.handles.handle(e));
        try {
            b.setMethod(WireValues.method(e.method())).setDescription(String.valueOf(e.description()));
        } catch (RuntimeException | AbstractMethodError x) {
            // a provider's bug in what it says about the exhaustion must not lose the exhaustion
            b.setDescription("the provider's method()/description() threw " + x);
        }
        return b;
    }

    private static Unavailable unavailable(Availability<?> a) {
        return Unavailable.newBuilder().setReasonCode(a.reasonCode()).setDetail(a.detail()).build();
    }

    private org.ndkkit.wire.v1.Created created(Created<?> c) {
        if (c == null) {
            throw new NullPointerException("the provider's create returned null instead of a Created");
        }
        return org.ndkkit.wire.v1.Created.newBuilder().setNtstatus(code(c.status())).setObject(s.ref(c.object())).build();
    }

    private static int code(NtStatus st) {
        if (st == null) {
            throw new NullPointerException("the provider returned a null status (an NTSTATUS is a value)");
        }
        return st.code();
    }

    private NdkAdapter adapter(ObjectArg a) {
        return s.handles.object(nonZero(a, "adapter"), NdkAdapter.class, "adapter");
    }

    private NdkConnector connector(ObjectArg a) {
        return s.handles.object(nonZero(a, "connector"), NdkConnector.class, "connector");
    }

    /** The object an argument names: null, a foreign object, or one this session handed out. */
    private <T> T object(ObjectArg a, Class<T> type, String what) {
        if (a.getForeign()) {
            return Foreign.of(type);
        }
        return a.getHandle() == 0 ? null : s.handles.object(a.getHandle(), type, what);
    }

    /** The object a call is made on: never null (a Java consumer cannot call a method on null). */
    private static long nonZero(ObjectArg a, String what) {
        if (a.getHandle() == 0 || a.getForeign()) {
            throw WireError.invalid(what + ": the object a call is made on must be a handle of this session");
        }
        return a.getHandle();
    }

    private static org.ndkkit.spi.LabCondition condition(org.ndkkit.wire.v1.LabCondition c) {
        try {
            return WireValues.condition(c);
        } catch (IllegalArgumentException e) {
            throw WireError.invalid(e.getMessage());
        }
    }

    private static org.ndkkit.spi.Host host(org.ndkkit.wire.v1.Host h) {
        try {
            return WireValues.host(h);
        } catch (IllegalArgumentException e) {
            throw WireError.invalid(e.getMessage());
        }
    }

    private static java.net.InetAddress ip(ByteString b) {
        try {
            return WireValues.ip(b);
        } catch (IllegalArgumentException e) {
            throw WireError.invalid("local_ip: " + e.getMessage());
        }
    }

    /** One line for the debug log. */
    static String summary(CallReply.Builder r) {
        return switch (r.getResultCase()) {
            case NTSTATUS -> NtStatus.of(r.getNtstatus()).toString();
            case CREATED -> NtStatus.of(r.getCreated().getNtstatus())
                    + (r.getCreated().getObject().getHandle() != 0 ? " handle " + r.getCreated().getObject().getHandle() : "");
            case CONNECTION_DATA -> NtStatus.of(r.getConnectionData().getNtstatus()).toString();
            case ADDRESS -> NtStatus.of(r.getAddress().getNtstatus()).toString();
            case QUIESCENCE -> r.getQuiescence().name();
            case PROVIDER_THREW -> "threw " + r.getProviderThrew().getType() + ": " + r.getProviderThrew().getMessage();
            default -> r.getResultCase().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
