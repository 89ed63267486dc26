package org.ndkkit.remote;

import com.google.protobuf.ByteString;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.DisconnectEventCallback;
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
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.Accept;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.CloseAdapter;
import org.ndkkit.wire.v1.CloseObject;
import org.ndkkit.wire.v1.CompleteConnect;
import org.ndkkit.wire.v1.Connect;
import org.ndkkit.wire.v1.ConnectWithSharedEndpoint;
import org.ndkkit.wire.v1.ControlConnectEvents;
import org.ndkkit.wire.v1.CreateConnector;
import org.ndkkit.wire.v1.CreateCq;
import org.ndkkit.wire.v1.CreateListener;
import org.ndkkit.wire.v1.CreatePd;
import org.ndkkit.wire.v1.CreateQp;
import org.ndkkit.wire.v1.CreateSharedEndpoint;
import org.ndkkit.wire.v1.Disconnect;
import org.ndkkit.wire.v1.GetAddress;
import org.ndkkit.wire.v1.GetConnectionData;
import org.ndkkit.wire.v1.Listen;
import org.ndkkit.wire.v1.ObjectArg;
import org.ndkkit.wire.v1.ObjectRef;
import org.ndkkit.wire.v1.QueryAdapterInfo;
import org.ndkkit.wire.v1.Reject;

/**
 * The kit-side stand-ins for the provider's objects: each SPI method becomes one call over the
 * link, with its arguments exactly as the kit gave them (null buffers stay null, lengths stay as
 * declared, output cells and buffers are written back as the provider left them).
 */
final class RemoteObjects {
    private RemoteObjects() {
    }

    /** A proxy of the right interface for an object the agent handed out. */
    static Object make(AgentLink link, ObjectRef ref) {
        NdkObjectType t = WireValues.objectType(ref.getType());
        if (t == null) {
            throw new IllegalStateException("the agent at " + link.target + " handed out handle " + ref.getHandle()
                    + " with object type " + ref.getType() + ", which this kit does not know");
        }
        return switch (t) {
            case ADAPTER -> new Adapter(link, ref.getHandle());
            case CONNECTOR -> new Connector(link, ref.getHandle());
            case SHARED_ENDPOINT -> new SharedEndpoint(link, ref.getHandle());
            case LISTENER -> new Listener(link, ref.getHandle());
            case PD -> new Pd(link, ref.getHandle());
            case CQ -> new Cq(link, ref.getHandle());
            case QP -> new Qp(link, ref.getHandle());
            default -> new Other(link, ref.getHandle(), t);
        };
    }

    static NtStatus status(CallReply r, AgentLink link) {
        if (r.getResultCase() != CallReply.ResultCase.NTSTATUS) {
            throw protocol(link, r, "a status");
        }
        return NtStatus.of(r.getNtstatus());
    }

    static IllegalStateException protocol(AgentLink link, CallReply r, String expected) {
        return new IllegalStateException("the agent at " + link.target + " replied " + r.getResultCase() + " to call "
                + r.getCallId() + ", which returns " + expected);
    }

    private static ByteString bytes(byte[] b) {
        return ByteString.copyFrom(b);
    }

    /** Writes what came back into the kit's own buffer, as the provider would have written it in-process. */
    private static void copyBack(ByteString from, byte[] into) {
        from.copyTo(into, 0, 0, Math.min(from.size(), into.length));
    }

    // ------------------------------------------------------------------------- base

    abstract static class Base implements RemoteHandle {
        final AgentLink link;
        final long handle;

        Base(AgentLink link, long handle) {
            this.link = link;
            this.handle = handle;
        }

        @Override
        public AgentLink link() {
            return link;
        }

        @Override
        public long handle() {
            return handle;
        }

        ObjectArg self() {
            return ObjectArg.newBuilder().setHandle(handle).build();
        }

        <T extends NdkObject> Created<T> created(CallReply r, Class<T> type) {
            if (r.getResultCase() != CallReply.ResultCase.CREATED) {
                throw protocol(link, r, "a created object");
            }
            Object o = link.proxy(r.getCreated().getObject());
            return new Created<>(NtStatus.of(r.getCreated().getNtstatus()), o == null ? null : type.cast(o));
        }

        @Override
        public String toString() {
            return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + "#" + handle + "@" + link.target;
        }
    }

    abstract static class Obj extends Base implements NdkObject {
        private final NdkObjectType type;

        Obj(AgentLink link, long handle, NdkObjectType type) {
            super(link, handle);
            this.type = type;
        }

        @Override
        public NdkObjectType type() {
            return type;
        }

        @Override
        public NtStatus close(CloseCompletion completion, Object context) {
            return status(link.invoke(Call.newBuilder().setCloseObject(CloseObject.newBuilder().setObject(self())
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context)))), link);
        }
    }

    // ------------------------------------------------------------------------- adapter

    static final class Adapter extends Base implements NdkAdapter {
        Adapter(AgentLink link, long handle) {
            super(link, handle);
        }

        @Override
        public AdapterInfo queryAdapterInfo() {
            CallReply r = link.invoke(Call.newBuilder().setQueryAdapterInfo(QueryAdapterInfo.newBuilder().setAdapter(self())));
            if (r.getResultCase() != CallReply.ResultCase.ADAPTER_INFO) {
                throw protocol(link, r, "adapter info");
            }
            return WireValues.adapterInfo(r.getAdapterInfo());
        }

        @Override
        public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
            return created(link.invoke(Call.newBuilder().setCreatePd(CreatePd.newBuilder().setAdapter(self())
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context)))), NdkPd.class);
        }

        @Override
        public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
            return created(link.invoke(Call.newBuilder().setCreateCq(CreateCq.newBuilder().setAdapter(self())
                    .setCqDepth(cqDepth).setCompletion(link.callbackId(completion))
                    .setContext(link.context(context)))), NdkCq.class);
        }

        @Override
        public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
            return created(link.invoke(Call.newBuilder().setCreateConnector(CreateConnector.newBuilder().setAdapter(self())
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context)))), NdkConnector.class);
        }

        @Override
        public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                               CreateCompletion<NdkSharedEndpoint> completion,
                                                               Object context) {
            CreateSharedEndpoint.Builder m = CreateSharedEndpoint.newBuilder().setAdapter(self())
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context));
            if (localAddress != null) {
                m.setLocalAddress(WireValues.sockAddr(localAddress));
            }
            return created(link.invoke(Call.newBuilder().setCreateSharedEndpoint(m)), NdkSharedEndpoint.class);
        }

        @Override
        public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                                   CreateCompletion<NdkListener> completion, Object context) {
            return created(link.invoke(Call.newBuilder().setCreateListener(CreateListener.newBuilder().setAdapter(self())
                    .setConnectEvent(link.callbackId(connectEvent))
                    .setConnectEventContext(link.context(connectEventContext))
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context)))), NdkListener.class);
        }

        @Override
        public void close() {
            CallReply r = link.invoke(Call.newBuilder().setCloseAdapter(CloseAdapter.newBuilder().setAdapter(self())));
            if (r.getResultCase() != CallReply.ResultCase.DONE) {
                throw protocol(link, r, "nothing");
            }
        }
    }

    // ------------------------------------------------------------------------- connector

    static final class Connector extends Obj implements NdkConnector {
        Connector(AgentLink link, long handle) {
            super(link, handle, NdkObjectType.CONNECTOR);
        }

        @Override
        public NtStatus connect(NdkQp qp, SockAddr source, SockAddr destination, int inboundReadLimit,
                                int outboundReadLimit, byte[] privateData, int privateDataLength,
                                RequestCompletion completion, Object context) {
            Connect.Builder m = Connect.newBuilder().setConnector(self()).setQp(link.arg(qp))
                    .setInboundReadLimit(inboundReadLimit).setOutboundReadLimit(outboundReadLimit)
                    .setPrivateDataLength(privateDataLength)
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context));
            if (source != null) {
                m.setSource(WireValues.sockAddr(source));
            }
            if (destination != null) {
                m.setDestination(WireValues.sockAddr(destination));
            }
            if (privateData != null) {
                m.setPrivateData(bytes(privateData));
            }
            return status(link.invoke(Call.newBuilder().setConnect(m)), link);
        }

        @Override
        public NtStatus connectWithSharedEndpoint(NdkQp qp, NdkSharedEndpoint sharedEndpoint, SockAddr destination,
                                                  int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                                                  int privateDataLength, RequestCompletion completion, Object context) {
            ConnectWithSharedEndpoint.Builder m = ConnectWithSharedEndpoint.newBuilder().setConnector(self())
                    .setQp(link.arg(qp)).setSharedEndpoint(link.arg(sharedEndpoint))
                    .setInboundReadLimit(inboundReadLimit).setOutboundReadLimit(outboundReadLimit)
                    .setPrivateDataLength(privateDataLength)
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context));
            if (destination != null) {
                m.setDestination(WireValues.sockAddr(destination));
            }
            if (privateData != null) {
                m.setPrivateData(bytes(privateData));
            }
            return status(link.invoke(Call.newBuilder().setConnectWithSharedEndpoint(m)), link);
        }

        @Override
        public NtStatus completeConnect(DisconnectEventCallback disconnectEvent, Object disconnectEventContext,
                                        RequestCompletion completion, Object context) {
            return status(link.invoke(Call.newBuilder().setCompleteConnect(CompleteConnect.newBuilder().setConnector(self())
                    .setDisconnectEvent(link.callbackId(disconnectEvent))
                    .setDisconnectEventContext(link.context(disconnectEventContext))
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context)))), link);
        }

        @Override
        public NtStatus accept(NdkQp qp, int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                               int privateDataLength, DisconnectEventCallback disconnectEvent,
                               Object disconnectEventContext, RequestCompletion completion, Object context) {
            Accept.Builder m = Accept.newBuilder().setConnector(self()).setQp(link.arg(qp))
                    .setInboundReadLimit(inboundReadLimit).setOutboundReadLimit(outboundReadLimit)
                    .setPrivateDataLength(privateDataLength)
                    .setDisconnectEvent(link.callbackId(disconnectEvent))
                    .setDisconnectEventContext(link.context(disconnectEventContext))
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context));
            if (privateData != null) {
                m.setPrivateData(bytes(privateData));
            }
            return status(link.invoke(Call.newBuilder().setAccept(m)), link);
        }

        @Override
        public NtStatus reject(byte[] privateData, int privateDataLength) {
            Reject.Builder m = Reject.newBuilder().setConnector(self()).setPrivateDataLength(privateDataLength);
            if (privateData != null) {
                m.setPrivateData(bytes(privateData));
            }
            return status(link.invoke(Call.newBuilder().setReject(m)), link);
        }

        @Override
        public NtStatus getConnectionData(UlongRef inboundReadLimit, UlongRef outboundReadLimit, byte[] privateData,
                                          UlongRef privateDataLength) {
            GetConnectionData.Builder m = GetConnectionData.newBuilder().setConnector(self());
            if (privateDataLength != null) {
                m.setPrivateDataLength(privateDataLength.get());
            }
            if (inboundReadLimit != null) {
                m.setInboundReadLimit(inboundReadLimit.get());
            }
            if (outboundReadLimit != null) {
                m.setOutboundReadLimit(outboundReadLimit.get());
            }
            if (privateData != null) {
                m.setPrivateData(bytes(privateData));
            }
            CallReply r = link.invoke(Call.newBuilder().setGetConnectionData(m));
            if (r.getResultCase() != CallReply.ResultCase.CONNECTION_DATA) {
                throw protocol(link, r, "connection data");
            }
            var d = r.getConnectionData();
            if (inboundReadLimit != null && d.hasInboundReadLimit()) {
                inboundReadLimit.set(d.getInboundReadLimit());
            }
            if (outboundReadLimit != null && d.hasOutboundReadLimit()) {
                outboundReadLimit.set(d.getOutboundReadLimit());
            }
            if (privateData != null && d.hasPrivateData()) {
                copyBack(d.getPrivateData(), privateData);
            }
            if (privateDataLength != null && d.hasPrivateDataLength()) {
                privateDataLength.set(d.getPrivateDataLength());
            }
            return NtStatus.of(d.getNtstatus());
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            return address(link, self(), GetAddress.Which.WHICH_LOCAL, address, addressLength);
        }

        @Override
        public NtStatus getPeerAddress(byte[] address, UlongRef addressLength) {
            return address(link, self(), GetAddress.Which.WHICH_PEER, address, addressLength);
        }

        @Override
        public NtStatus disconnect(RequestCompletion completion, Object context) {
            return status(link.invoke(Call.newBuilder().setDisconnect(Disconnect.newBuilder().setConnector(self())
                    .setCompletion(link.callbackId(completion)).setContext(link.context(context)))), link);
        }
    }

    static NtStatus address(AgentLink link, ObjectArg object, GetAddress.Which which, byte[] address, UlongRef length) {
        GetAddress.Builder m = GetAddress.newBuilder().setObject(object).setWhich(which);
        if (length != null) {
            m.setAddressLength(length.get());
        }
        if (address != null) {
            m.setAddress(bytes(address));
        }
        CallReply r = link.invoke(Call.newBuilder().setGetAddress(m));
        if (r.getResultCase() != CallReply.ResultCase.ADDRESS) {
            throw protocol(link, r, "an address");
        }
        var a = r.getAddress();
        if (address != null && a.hasAddress()) {
            copyBack(a.getAddress(), address);
        }
        if (length != null && a.hasAddressLength()) {
            length.set(a.getAddressLength());
        }
        return NtStatus.of(a.getNtstatus());
    }

    // ------------------------------------------------------------------------- the others

    static final class SharedEndpoint extends Obj implements NdkSharedEndpoint {
        SharedEndpoint(AgentLink link, long handle) {
            super(link, handle, NdkObjectType.SHARED_ENDPOINT);
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            return address(link, self(), GetAddress.Which.WHICH_LOCAL, address, addressLength);
        }
    }

    static final class Listener extends Obj implements NdkListener {
        Listener(AgentLink link, long handle) {
            super(link, handle, NdkObjectType.LISTENER);
        }

        @Override
        public NtStatus listen(SockAddr address, RequestCompletion completion, Object context) {
            Listen.Builder m = Listen.newBuilder().setListener(self()).setCompletion(link.callbackId(completion))
                    .setContext(link.context(context));
            if (address != null) {
                m.setAddress(WireValues.sockAddr(address));
            }
            return status(link.invoke(Call.newBuilder().setListen(m)), link);
        }

        @Override
        public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
            return address(link, self(), GetAddress.Which.WHICH_LOCAL, address, addressLength);
        }

        @Override
        public void controlConnectEvents(boolean pause) {
            CallReply r = link.invoke(Call.newBuilder().setControlConnectEvents(ControlConnectEvents.newBuilder()
                    .setListener(self()).setPause(pause)));
            if (r.getResultCase() != CallReply.ResultCase.DONE) {
                throw protocol(link, r, "nothing");
            }
        }
    }

    static final class Pd extends Obj implements NdkPd {
        Pd(AgentLink link, long handle) {
            super(link, handle, NdkObjectType.PD);
        }

        @Override
        public Created<NdkQp> createQp(NdkCq receiveCq, NdkCq initiatorCq, QpParameters parameters,
                                       CreateCompletion<NdkQp> completion, Object context) {
            CreateQp.Builder m = CreateQp.newBuilder().setPd(self()).setReceiveCq(link.arg(receiveCq))
                    .setInitiatorCq(link.arg(initiatorCq)).setCompletion(link.callbackId(completion))
                    .setContext(link.context(context));
            if (parameters != null) {
                m.setParameters(WireValues.qpParameters(parameters));
            }
            return created(link.invoke(Call.newBuilder().setCreateQp(m)), NdkQp.class);
        }
    }

    static final class Cq extends Obj implements NdkCq {
        Cq(AgentLink link, long handle) {
            super(link, handle, NdkObjectType.CQ);
        }
    }

    static final class Qp extends Obj implements NdkQp {
        Qp(AgentLink link, long handle) {
            super(link, handle, NdkObjectType.QP);
        }
    }

    /** An object type the connection SPI has no interface for (MR, MW, SRQ): only closable. */
    static final class Other extends Obj {
        Other(AgentLink link, long handle, NdkObjectType type) {
            super(link, handle, type);
        }
    }
}
