package org.ndkkit.steps;

import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Lab.ConnectorRef;
import org.ndkkit.kit.Lab.ListenerRef;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * Puts a connector, a shared endpoint or a listener into one of the states of the state table
 * (features/states.feature) with the steps the other features use, then makes one SPI call on it.
 * The scenario's Background gives it the peer's listener L, the shared endpoint SE and the
 * connectors C1 and C2.
 */
final class StateDriver {
    private static final String CSE = "NdkConnectWithSharedEndpoint";

    /** What one call returned: a request to await, a synchronous status, or a create's outcome. */
    record Result(String label, TrackedCall request, NtStatus sync, Outcome created, SockAddr written, SockAddr expected) {
    }

    /** A word of the state table, and the value it names. */
    static <E extends Enum<E>> E named(Class<E> type, java.util.function.Function<E, String> words, String s) {
        for (E e : type.getEnumConstants()) {
            if (words.apply(e).equals(s)) {
                return e;
            }
        }
        throw new IllegalArgumentException(s);
    }

    /** The connector's states, as the table names them. */
    enum ConnectorState {
        IDLE("idle"), CONNECTING("connecting"), CONNECT_FAILED("connect failed"), ACCEPTED("accepted by the peer"),
        CONNECTED("connected"), DISCONNECTING("disconnecting"), DISCONNECTED("disconnected"),
        INCOMING("an incoming request");

        static final String REGEX = "idle|connecting|connect failed|accepted by the peer|connected|disconnecting"
                + "|disconnected|an incoming request";
        final String words;

        ConnectorState(String words) {
            this.words = words;
        }
    }

    /** The calls on a connector, as the table names them. */
    enum ConnectorCall {
        CONNECT("connect with NdkConnect"), CONNECT_SHARED("connect through a shared endpoint"), ACCEPT("accept"),
        REJECT("reject"), COMPLETE("complete the connection"), DATA("read its connection data"),
        LOCAL("read its local address"), PEER("read its peer address"), DISCONNECT("disconnect");

        static final String REGEX = "connect with NdkConnect|connect through a shared endpoint|accept|reject"
                + "|complete the connection|read its connection data|read its local address|read its peer address|disconnect";
        final String words;

        ConnectorCall(String words) {
            this.words = words;
        }
    }

    private final ScenarioState state;
    final ConnectionSteps conn;

    StateDriver(ScenarioState state, ConnectionSteps conn) {
        this.conn = conn;
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    private void await(String function, String owner, NtStatus expected) {
        lab().expectStatus(function + " of " + owner + " (putting it in its state)", expected, conn.outcome(function, owner));
    }

    private SockAddr localIp(Host host, int port) {
        return SockAddr.of(TopologySteps.address(lab(), host, 0), port);
    }

    // ------------------------------------------------------------------ connector

    /** Puts C1 (or, for an incoming request, the peer's P1) in {@code s}; returns the name of the object. */
    String connectorIn(ConnectorState s) {
        switch (s) {
            case IDLE -> {
            }
            case CONNECTING, INCOMING -> {
                conn.connect("C1", "SE", "L");
                conn.receiveRequest("L", "P1");
            }
            case CONNECT_FAILED -> {
                conn.connect("C1", "SE", "L");
                conn.reject("L");
                await(CSE, "C1", NtStatus.CONNECTION_REFUSED);
            }
            case ACCEPTED -> {
                conn.connect("C1", "SE", "L");
                conn.accept("L", "P1");
                await(CSE, "C1", NtStatus.SUCCESS);
            }
            case CONNECTED, DISCONNECTING, DISCONNECTED -> conn.establish("C1", "SE", "L", "P1");
        }
        if (s == ConnectorState.DISCONNECTING) {
            conn.disconnect("P1");
            await("NdkDisconnect", "P1", NtStatus.SUCCESS);
            if (!lab().eventually(lab().timeout(), () -> !lab().events("C1", "disconnect event").isEmpty())) {
                throw lab().failure("C1 received no disconnect event within " + lab().timeout().toMillis()
                        + " ms after P1 disconnected, so it cannot be put in the state disconnecting");
            }
        } else if (s == ConnectorState.DISCONNECTED) {
            conn.disconnect("C1");
            await("NdkDisconnect", "C1", NtStatus.SUCCESS);
        }
        return s == ConnectorState.INCOMING ? "P1" : "C1";
    }

    Result callConnector(String name, ConnectorState s, ConnectorCall call) {
        ConnectorRef ref = lab().connector(name);
        NdkConnector c = ref.connector();
        boolean passive = ref.host() == Host.PEER;
        NdkQp qp = passive ? lab().qpFor(ref) : ref.qp();
        SockAddr to = lab().listener("L").address();
        SockAddr se = lab().endpoint("SE").address();
        String label = call.words + " on " + name + ", " + s.words;
        return switch (call) {
            case CONNECT -> {
                SockAddr from = localIp(ref.host(), 0);
                yield request(label, lab().request("NdkConnect(" + name + " " + from + " -> " + to + ")", name,
                        t -> c.connect(qp, from, to, max(ref.host(), true), max(ref.host(), false), null, 0,
                                t.requestCompletion(), t.context())));
            }
            case CONNECT_SHARED -> {
                Lab.EndpointRef e = passive ? peerEndpoint() : lab().endpoint("SE");
                yield request(label, lab().request(CSE + "(" + name + " via " + e.name() + " -> " + to + ")", name,
                        t -> c.connectWithSharedEndpoint(qp, e.endpoint(), to, max(ref.host(), true), max(ref.host(), false),
                                null, 0, t.requestCompletion(), t.context())));
            }
            case ACCEPT -> request(label, lab().request("NdkAccept(" + name + ")", name,
                    t -> c.accept(qp, max(ref.host(), true), max(ref.host(), false), null, 0,
                            ctx -> lab().disconnectEvent(name, ctx), name, t.requestCompletion(), t.context())));
            case REJECT -> sync(label, lab().sync("NdkReject(" + name + ", no private data)", () -> c.reject(null, 0)));
            case COMPLETE -> request(label, lab().request("NdkCompleteConnect(" + name + ")", name,
                    t -> c.completeConnect(ctx -> lab().disconnectEvent(name, ctx), name, t.requestCompletion(), t.context())));
            case DATA -> {
                UlongRef len = new UlongRef(0);
                yield sync(label, lab().sync("NdkGetConnectionData(" + name + ", NULL buffer, length 0)",
                        () -> c.getConnectionData(new UlongRef(0), new UlongRef(0), null, len)));
            }
            case LOCAL -> address(label, "NdkGetLocalAddress(" + name + ")", c::getLocalAddress, passive ? to : se);
            case PEER -> address(label, "NdkGetPeerAddress(" + name + ")", c::getPeerAddress, passive ? se : to);
            case DISCONNECT -> request(label, lab().request("NdkDisconnect(" + name + ")", name,
                    t -> c.disconnect(t.requestCompletion(), t.context())));
        };
    }

    private int max(Host host, boolean inbound) {
        return inbound ? lab().info(host).maxInboundReadLimit() : lab().info(host).maxOutboundReadLimit();
    }

    /** A shared endpoint of the peer's adapter, for asking a passive connector to connect. */
    private Lab.EndpointRef peerEndpoint() {
        return lab().newSharedEndpoint("PSE", Host.PEER, localIp(Host.PEER, 0));
    }

    // ------------------------------------------------------------------ shared endpoint

    /** Puts SE in {@code s}: open (no connector), in use (C1 connected through it to L), closing. */
    void endpointIn(String s) {
        if (!s.equals("open")) {
            conn.establish("C1", "SE", "L", "P1");
        }
        if (s.equals("closing")) {
            lab().close("SE", lab().endpoint("SE").endpoint());
        }
    }

    Result callEndpoint(String s, String call) {
        Lab.EndpointRef se = lab().endpoint("SE");
        String label = call + " on SE, " + s;
        return switch (call) {
            case "read its local address" -> address(label, "NdkGetSharedEndpointLocalAddress(SE)",
                    se.endpoint()::getLocalAddress, se.address());
            case "carry a connection from C2 to L" -> {
                conn.connect("C2", "SE", "L");
                yield request(label, lab().lastRequest(CSE, "C2"));
            }
            case "lend its address to NdkConnect" -> {
                conn.dedicatedConnect("C2", "SE", "L");
                yield request(label, lab().lastRequest("NdkConnect", "C2"));
            }
            case "lend its address to a new shared endpoint" -> {
                Lab.CreateResult<org.ndkkit.spi.NdkSharedEndpoint> r = lab().tryCreateSharedEndpoint("SE2", se.address());
                if (r.object() != null) {
                    lab().registerEndpoint("SE2", r.object());
                }
                yield new Result(label, null, null, r.outcome(), null, null);
            }
            case "lend its address to a listener" -> {
                ListenerRef l = lab().newIdleListener("LL", Host.LOCAL);
                yield request(label, lab().listen(l, se.address()));
            }
            default -> throw new IllegalArgumentException(call);
        };
    }

    // ------------------------------------------------------------------ listener

    /** Puts the peer's listener LX in {@code s}: created, listening, paused, closing. */
    void listenerIn(String s) {
        if (s.equals("created")) {
            lab().newIdleListener("LX", Host.PEER);
            return;
        }
        ListenerRef lx = lab().newListener("LX", Host.PEER, localIp(Host.PEER, 0));
        if (s.equals("paused")) {
            lx.listener().controlConnectEvents(true);
            lab().trace().call("NdkControlConnectEvents(LX, pause)");
        } else if (s.equals("closing")) {
            // an accepted connection keeps the close pending; through its own endpoint, so that
            // C1's connect through SE later has a four-tuple of its own
            lab().newSharedEndpoint("SE2", localIp(Host.LOCAL, 0));
            conn.establish("C2", "SE2", "LX", "P2");
            lab().close("LX", lx.listener());
        }
    }

    Result callListener(String s, String call) {
        ListenerRef lx = lab().listener("LX");
        String label = call + " on LX, " + s;
        return switch (call) {
            case "listen" -> request(label, lab().listen(lx, localIp(Host.PEER, 0)));
            case "read its local address" -> address(label, "NdkGetListenerLocalAddress(LX)", lx.listener()::getLocalAddress,
                    lx.address());
            case "take a connect request from C1" -> {
                conn.connect("C1", "SE", "LX");
                yield request(label, lab().lastRequest(CSE, "C1"));
            }
            default -> throw new IllegalArgumentException(call);
        };
    }

    // ------------------------------------------------------------------ results

    private static Result request(String label, TrackedCall t) {
        return new Result(label, t, null, null, null, null);
    }

    private static Result sync(String label, NtStatus s) {
        return new Result(label, null, s, null, null, null);
    }

    /** An address read with a SOCKADDR_STORAGE-sized buffer; on SUCCESS the address written is kept. */
    private Result address(String label, String call, java.util.function.BiFunction<byte[], UlongRef, NtStatus> read,
                           SockAddr expected) {
        byte[] buf = new byte[128];
        UlongRef len = new UlongRef(buf.length);
        NtStatus s = lab().sync(call + "(buffer 128)", () -> read.apply(buf, len));
        SockAddr written = s.equals(NtStatus.SUCCESS) ? SockAddr.fromBuffer(buf, len.get()) : null;
        return new Result(label, null, s, null, written, expected);
    }
}
