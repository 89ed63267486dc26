package org.ndkkit.defects;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>A defect calls {@link #fired()} at the moment it makes a call behave differently from the
 * inner provider, and only then: a hook that runs but passes the call through does not count. The
 * kill matrix uses the count to tell a defect the suite missed ({@code survived}) from one the
 * scenarios never exercised on that inner provider ({@code not-triggered}).
 */
public abstract class Defect {
    private final String id;
    private final List<String> clauses;
    private final String description;
    /** Hooks run on the consumer's threads and on the inner provider's callback threads at once. */
    private final AtomicLong firings = new AtomicLong();

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

    /**
     * Records that the defect altered a call just now. Each instance counts on its own: the
     * provider makes a fresh instance per testbed, so a new run starts at zero.
     */
    protected final void fired() {
        firings.incrementAndGet();
    }

    /** How many calls (or callbacks) this instance has altered so far. */
    public final long firings() {
        return firings.get();
    }

    /** {@code to} where the inner provider reported {@code from} (a firing), else {@code s} as it was. */
    protected final NtStatus map(NtStatus s, NtStatus from, NtStatus to) {
        if (from.equals(s)) {
            fired();
            return to;
        }
        return s;
    }

    /** The completion with {@link #map} applied to its status. */
    protected final RequestCompletion mapped(RequestCompletion c, NtStatus from, NtStatus to) {
        return c == null ? null : (ctx, s) -> c.completed(ctx, map(s, from, to));
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

    /** What the testbed reads from a QP's device attributes; {@code qp} is the inner provider's. */
    public org.ndkkit.spi.Availability<org.ndkkit.spi.QpReadLimits> qpReadLimits(org.ndkkit.spi.Testbed inner, NdkQp qp) {
        return inner.qpReadLimits(qp);
    }

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
