package org.ndkkit.defects;

import java.util.List;
import java.util.Map;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * One seeded defect: a rule the decorated provider breaks. Every hook passes the call through to
 * the inner provider unchanged; a defect overrides the one hook it breaks. Hooks receive the inner
 * provider's objects (the wrappers unwrap every argument) and completions that already hand the
 * consumer wrapped objects.
 */
public abstract class Defect {
    private final String id;
    private final List<String> clauses;
    private final String description;

    protected Defect(String id, List<String> clauses, String description) {
        this.id = id;
        this.clauses = List.copyOf(clauses);
        this.description = description;
    }

    /** Stable id, e.g. {@code connect-completion-twice}. */
    public final String id() {
        return id;
    }

    /** The clause ids the defect violates; a catching failure must name one of them. */
    public final List<String> clauses() {
        return clauses;
    }

    public final String description() {
        return description;
    }

    /** Settings the defect needs from the inner provider (for example a completion path). */
    public Map<String, String> innerSettings() {
        return Map.of();
    }

    /**
     * The scenarios the kill matrix runs for this defect (a Cucumber tag expression); by default
     * every scenario that names one of its clauses.
     */
    public String tags() {
        return String.join(" or ", clauses.stream().map(c -> "@clause:" + c).toList());
    }

    // ------------------------------------------------------------------ adapter

    public AdapterInfo info(Host host, AdapterInfo real) {
        return real;
    }

    public Created<NdkConnector> createConnector(NdkAdapter inner, CreateCompletion<NdkConnector> completion, Object context) {
        return inner.createConnector(completion, context);
    }

    public Created<NdkSharedEndpoint> createSharedEndpoint(Wrappers.WAdapter adapter, NdkAdapter inner, SockAddr address,
                                                           CreateCompletion<NdkSharedEndpoint> completion, Object context) {
        return inner.createSharedEndpoint(address, completion, context);
    }

    public ConnectEventCallback connectEvent(ConnectEventCallback toConsumer) {
        return toConsumer;
    }

    // ------------------------------------------------------------------ connector

    public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                              SockAddr destination, int inboundReadLimit, int outboundReadLimit,
                                              byte[] privateData, int privateDataLength, RequestCompletion completion,
                                              Object context) {
        return inner.connectWithSharedEndpoint(qp, se, destination, inboundReadLimit, outboundReadLimit, privateData,
                privateDataLength, completion, context);
    }

    public NtStatus completeConnect(Wrappers.WConnector c, NdkConnector inner, DisconnectEventCallback disconnectEvent,
                                    Object disconnectEventContext, RequestCompletion completion, Object context) {
        return inner.completeConnect(disconnectEvent, disconnectEventContext, completion, context);
    }

    public NtStatus accept(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, int inboundReadLimit, int outboundReadLimit,
                           byte[] privateData, int privateDataLength, DisconnectEventCallback disconnectEvent,
                           Object disconnectEventContext, RequestCompletion completion, Object context) {
        return inner.accept(qp, inboundReadLimit, outboundReadLimit, privateData, privateDataLength, disconnectEvent,
                disconnectEventContext, completion, context);
    }

    public NtStatus reject(Wrappers.WConnector c, NdkConnector inner, byte[] privateData, int privateDataLength) {
        return inner.reject(privateData, privateDataLength);
    }

    public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef inboundReadLimit,
                                      UlongRef outboundReadLimit, byte[] privateData, UlongRef privateDataLength) {
        return inner.getConnectionData(inboundReadLimit, outboundReadLimit, privateData, privateDataLength);
    }

    public NtStatus getLocalAddress(Wrappers.WConnector c, NdkConnector inner, byte[] address, UlongRef addressLength) {
        return inner.getLocalAddress(address, addressLength);
    }

    public NtStatus getPeerAddress(Wrappers.WConnector c, NdkConnector inner, byte[] address, UlongRef addressLength) {
        return inner.getPeerAddress(address, addressLength);
    }

    public NtStatus disconnect(Wrappers.WConnector c, NdkConnector inner, RequestCompletion completion, Object context) {
        return inner.disconnect(completion, context);
    }

    /** The disconnect event the inner provider is given for a connection (by accept or completeConnect). */
    public DisconnectEventCallback disconnectEvent(Wrappers.WConnector c, DisconnectEventCallback toConsumer) {
        return toConsumer;
    }

    // ------------------------------------------------------------------ listener, shared endpoint

    public NtStatus listen(NdkListener inner, SockAddr address, RequestCompletion completion, Object context) {
        return inner.listen(address, completion, context);
    }

    public void controlConnectEvents(NdkListener inner, boolean pause) {
        inner.controlConnectEvents(pause);
    }

    public NtStatus getSharedEndpointLocalAddress(NdkSharedEndpoint inner, byte[] address, UlongRef addressLength) {
        return inner.getLocalAddress(address, addressLength);
    }

    // ------------------------------------------------------------------ close

    /** Any object's close; {@code wrapper} is the object the consumer holds. */
    public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion completion, Object context) {
        return inner.close(completion, context);
    }

    @Override
    public String toString() {
        return id + " " + clauses;
    }
}
