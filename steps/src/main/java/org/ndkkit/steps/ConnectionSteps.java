package org.ndkkit.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.time.Duration;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Lab.ConnectorRef;
import org.ndkkit.kit.Lab.ListenerRef;
import org.ndkkit.kit.KitTimeout;
import org.ndkkit.kit.ThreadDump;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * The connection itself: connect through a shared endpoint, the passive side's accept or reject,
 * complete-connect, disconnect, and the outcomes of those requests.
 */
public final class ConnectionSteps {
    private static final String CONNECT = "NdkConnectWithSharedEndpoint";
    private final ScenarioState state;
    private final TopologySteps topology;

    public ConnectionSteps(ScenarioState state, TopologySteps topology) {
        this.state = state;
        this.topology = topology;
    }

    private Lab lab() {
        return state.lab;
    }

    private AdapterInfo local() {
        return lab().info(Host.LOCAL);
    }

    private AdapterInfo peer() {
        return lab().info(Host.PEER);
    }

    /** The bound for a connect: the provider's own connect timeout plus the kit's wait. */
    private Duration connectBound() {
        return lab().session().testbed().connectTimeout().plus(lab().timeout());
    }

    private Duration boundFor(String function) {
        return function.equals(CONNECT) ? connectBound() : lab().timeout();
    }

    // ------------------------------------------------------------------ active side

    TrackedCall connect(String connector, String endpoint, SockAddr destination, long ird, long ord, byte[] data,
                        boolean closeInsideCompletion) {
        return connect(connector, lab().connector(connector).qp(), endpoint, destination, ird, ord, data,
                closeInsideCompletion, false);
    }

    /** The one NdkConnectWithSharedEndpoint call every connect step makes. */
    private TrackedCall connect(String connector, NdkQp qp, String endpoint, SockAddr destination, long ird, long ord,
                                byte[] data, boolean closeInsideCompletion, boolean nullContext) {
        ConnectorRef c = lab().connector(connector);
        Lab.EndpointRef se = lab().endpoint(endpoint);
        String label = CONNECT + "(" + connector + " via " + endpoint + " " + se.address() + " -> " + destination
                + ", in " + ird + ", out " + ord + ", " + (data == null ? 0 : data.length) + " bytes"
                + (qp != c.qp() ? ", " + state.qpNames.getOrDefault(qp, "another QP") : "")
                + (nullContext ? ", NULL context" : "") + ")";
        return lab().request(label, connector, nullContext, t -> c.connector().connectWithSharedEndpoint(qp, se.endpoint(),
                destination, (int) ird, (int) ord, data, data == null ? 0 : data.length,
                closeInsideCompletion ? (ctx, status) -> {
                    t.requestCompletion().completed(ctx, status);
                    lab().close(connector, c.connector());
                } : t.requestCompletion(), t.context()));
    }

    private TrackedCall connectToListener(String connector, String endpoint, String listener, long ird, long ord,
                                          byte[] data) {
        return connect(connector, endpoint, lab().listener(listener).address(), ird, ord, data, false);
    }

    private long maxIn() {
        return Integer.toUnsignedLong(local().maxInboundReadLimit());
    }

    private long maxOut() {
        return Integer.toUnsignedLong(local().maxOutboundReadLimit());
    }

    @When("{name} connects through {name} to {name}")
    public void connect(String c, String se, String l) {
        connectToListener(c, se, l, maxIn(), maxOut(), null);
    }

    @When("{name} connects through {name} to {name} with inbound read limit {limit} and outbound read limit {limit}")
    public void connectWithLimits(String c, String se, String l, String ird, String ord) {
        connectToListener(c, se, l, topology.eval(ird), topology.eval(ord), null);
    }

    @When("{name} connects through {name} to {name} with {limit} bytes of private data")
    public void connectWithData(String c, String se, String l, String n) {
        connectToListener(c, se, l, maxIn(), maxOut(), state.payload(c, topology.eval(n)));
    }

    @When("{name} connects through {name} to {destination}")
    public void connectToCondition(String c, String se, LabCondition condition) {
        state.lastConditionDestination = TopologySteps.condition(lab(), condition);
        state.lastConditionCondition = condition;
        connect(c, se, state.lastConditionDestination, maxIn(), maxOut(), null, false);
    }

    @When("{name} connects through {name} to {name} with no request context")
    public void connectWithoutContext(String c, String se, String l) {
        connect(c, lab().connector(c).qp(), se, lab().listener(l).address(), maxIn(), maxOut(), null, false, true);
    }

    @When("{name} connects through {name} to {name} with the destination given as {malformed}")
    public void connectMalformed(String c, String se, String l, MalformedAddress form) {
        connect(c, se, form.from(lab().listener(l).address()), maxIn(), maxOut(), null, false);
    }

    @When("{name} connects through {name} to {name} with the QP of {name}")
    public void connectWithQpOf(String c, String se, String l, String qpOwner) {
        NdkQp qp = lab().connector(qpOwner).qp();
        state.qpNames.put(qp, "the QP of " + qpOwner);
        connect(c, qp, se, lab().listener(l).address(), maxIn(), maxOut(), null, false, false);
    }

    @When("{name} connects through {name} to {name} with a QP of the peer's adapter")
    public void connectWithPeerQp(String c, String se, String l) {
        connect(c, peerQpFor(c), se, lab().listener(l).address(), maxIn(), maxOut(), null, false, false);
    }

    @When("{name} connects from the address of {name} to {name} with NdkConnect")
    public void dedicatedConnect(String c, String se, String l) {
        dedicatedConnect(c, lab().endpoint(se).address(), lab().listener(l).address());
    }

    @When("{name} connects from the local host's {ordinal} address with port {int} to {destination} with NdkConnect")
    public void dedicatedConnectToCondition(String c, int ordinal, int port, LabCondition condition) {
        dedicatedConnect(c, TopologySteps.local(lab(), ordinal, port),
                TopologySteps.condition(lab(), condition));
    }

    @When("{name} connects from the local host's {ordinal} address with port {int} to {name} with NdkConnect")
    public void dedicatedConnectFrom(String c, int ordinal, int port, String l) {
        dedicatedConnect(c, TopologySteps.local(lab(), ordinal, port), lab().listener(l).address());
    }

    @When("{name} connects from an address that is not the local adapter's to {name} with NdkConnect")
    public void dedicatedConnectFromForeign(String c, String l) {
        dedicatedConnect(c, TopologySteps.condition(lab(), LabCondition.FOREIGN_LOCAL_ADDRESS), lab().listener(l).address());
    }

    @When("{name} connects from the local host's {ordinal} address with port {int} to {name} with NdkConnect and a QP of the peer's adapter")
    public void dedicatedConnectWithPeerQp(String c, int ordinal, int port, String l) {
        dedicatedConnect(c, peerQpFor(c), TopologySteps.local(lab(), ordinal, port),
                lab().listener(l).address(), null);
    }

    @When("{name} connects from the local host's {ordinal} address with port {int} to {name} with NdkConnect and the destination given as {malformed}")
    public void dedicatedConnectMalformed(String c, int ordinal, int port, String l, MalformedAddress form) {
        dedicatedConnect(c, lab().connector(c).qp(), TopologySteps.local(lab(), ordinal, port),
                form.from(lab().listener(l).address()), null);
    }

    @When("{name} connects from the local host's {ordinal} address with port {int} to {name} with NdkConnect and {limit} bytes of private data")
    public void dedicatedConnectWithData(String c, int ordinal, int port, String l, String n) {
        dedicatedConnect(c, lab().connector(c).qp(), TopologySteps.local(lab(), ordinal, port),
                lab().listener(l).address(), state.payload(c, topology.eval(n)));
    }

    /** A QP of the peer's adapter for {@code c} to misuse, named so in failure messages. */
    private NdkQp peerQpFor(String c) {
        NdkQp qp = lab().newQp(Host.PEER, "peer-for-" + c);
        state.qpNames.put(qp, "a QP of the peer's adapter");
        return qp;
    }

    private void dedicatedConnect(String c, SockAddr from, SockAddr to) {
        dedicatedConnect(c, lab().connector(c).qp(), from, to, null);
    }

    private void dedicatedConnect(String c, NdkQp qp, SockAddr from, SockAddr to, byte[] data) {
        ConnectorRef ref = lab().connector(c);
        int n = data == null ? 0 : data.length;
        lab().request("NdkConnect(" + c + " " + from + " -> " + to + ", " + n + " bytes)", c, t -> ref.connector().connect(qp,
                from, to, local().maxInboundReadLimit(), local().maxOutboundReadLimit(), data, n, t.requestCompletion(),
                t.context()));
    }

    @When("{name} connects through {name} to {name}, closing {name} inside the connect completion")
    public void connectClosingInside(String c, String se, String l, String closed) {
        requireSame(c, closed);
        connect(c, se, lab().listener(l).address(), maxIn(), maxOut(), null, true);
    }

    private static void requireSame(String a, String b) {
        if (!a.equals(b)) {
            throw new IllegalArgumentException("a connector can only close itself inside its own completion: " + a + " vs " + b);
        }
    }

    @Given("{name} is connected through {name} to {name}, accepted as {name}")
    public void establish(String c, String se, String l, String p) {
        connect(c, se, l);
        accept(l, p);
        expect(CONNECT, c, NtStatus.SUCCESS);
        completeConnect(c);
        expect("NdkCompleteConnect", c, NtStatus.SUCCESS);
        expect("NdkAccept", p, NtStatus.SUCCESS);
    }

    @When("{name} completes the connection")
    public void completeConnect(String c) {
        ConnectorRef ref = lab().connector(c);
        lab().request("NdkCompleteConnect(" + c + ")", c, t -> ref.connector().completeConnect(
                ctx -> lab().disconnectEvent(c, ctx), c, t.requestCompletion(), t.context()));
    }

    @When("{name} rejects the connection")
    public void activeReject(String c) {
        ConnectorRef ref = lab().connector(c);
        state.lastReject = lab().sync("NdkReject(" + c + ", no private data)", () -> ref.connector().reject(null, 0));
    }

    @When("{name} disconnects")
    public void disconnect(String c) {
        ConnectorRef ref = lab().connector(c);
        lab().request("NdkDisconnect(" + c + ")", c, t -> ref.connector().disconnect(t.requestCompletion(), t.context()));
    }

    // ------------------------------------------------------------------ passive side

    private ConnectorRef receive(String listener, String as) {
        ListenerRef l = lab().listener(listener);
        NdkConnector c = l.nextRequest(lab().timeout(), as);
        if (c == null) {
            throw lab().failure("no connect event on " + listener + " within " + lab().timeout().toMillis() + " ms");
        }
        return lab().registerPassive(as, c);
    }

    @When("the peer receives a connect request on {name} as {name}")
    public void receiveRequest(String listener, String as) {
        receive(listener, as);
    }

    private void accept(String listener, String as, long ird, long ord, byte[] data) {
        accept(receive(listener, as), as, ird, ord, data);
    }

    private void accept(ConnectorRef p, String as, long ird, long ord, byte[] data) {
        accept(p, lab().qpFor(p), as, ird, ord, data);
    }

    private void accept(ConnectorRef p, NdkQp qp, String as, long ird, long ord, byte[] data) {
        lab().request("NdkAccept(" + as + ", in " + ird + ", out " + ord + ", " + (data == null ? 0 : data.length) + " bytes)",
                as, t -> p.connector().accept(qp, (int) ird, (int) ord, data, data == null ? 0 : data.length,
                        ctx -> lab().disconnectEvent(as, ctx), as, t.requestCompletion(), t.context()));
    }

    @When("the peer accepts the request on {name} as {name} with the QP of {name}")
    public void acceptWithQpOf(String listener, String as, String owner) {
        accept(receive(listener, as), lab().qpFor(lab().connector(owner)), as,
                Integer.toUnsignedLong(peer().maxInboundReadLimit()), Integer.toUnsignedLong(peer().maxOutboundReadLimit()), null);
    }

    @When("the peer accepts the request on {name} as {name}")
    public void accept(String listener, String as) {
        accept(listener, as, Integer.toUnsignedLong(peer().maxInboundReadLimit()),
                Integer.toUnsignedLong(peer().maxOutboundReadLimit()), null);
    }

    @When("the peer accepts the held request {name}")
    public void acceptHeld(String as) {
        accept(lab().connector(as), as, Integer.toUnsignedLong(peer().maxInboundReadLimit()),
                Integer.toUnsignedLong(peer().maxOutboundReadLimit()), null);
    }

    @When("the peer accepts the request on {name} as {name} with inbound read limit {limit} and outbound read limit {limit}")
    public void acceptWithLimits(String listener, String as, String ird, String ord) {
        accept(listener, as, topology.eval(ird), topology.eval(ord), null);
    }

    @When("the peer accepts the request on {name} as {name} with {limit} bytes of private data")
    public void acceptWithData(String listener, String as, String n) {
        accept(listener, as, Integer.toUnsignedLong(peer().maxInboundReadLimit()),
                Integer.toUnsignedLong(peer().maxOutboundReadLimit()), state.payload(as, topology.eval(n)));
    }

    @When("the peer rejects the request on {name}")
    public void reject(String listener) {
        ConnectorRef p = receive(listener, "R" + listener);
        lab().expectStatus("NdkReject(" + p.name() + ")", NtStatus.SUCCESS,
                lab().sync("NdkReject(" + p.name() + ", no private data)", () -> p.connector().reject(null, 0)));
    }

    @When("the peer rejects the request on {name} with {limit} bytes of private data")
    public void rejectWithData(String listener, String n) {
        ConnectorRef p = receive(listener, "R" + listener);
        byte[] data = state.payload("reject", topology.eval(n));
        lab().expectStatus("NdkReject(" + p.name() + ")", NtStatus.SUCCESS, lab().sync("NdkReject(" + p.name() + ", "
                + data.length + " bytes)", () -> p.connector().reject(data, data.length)));
    }

    @When("{name} rejects the request with {limit} bytes of private data")
    public void namedRejectWithData(String p, String n) {
        ConnectorRef ref = lab().connector(p);
        byte[] data = state.payload(p, topology.eval(n));
        state.lastReject = lab().sync("NdkReject(" + p + ", " + data.length + " bytes)", () -> ref.connector().reject(data, data.length));
    }

    @Given("{name} holds as many unanswered connect requests as its backlog allows")
    public void fillBacklog(String listener) {
        int backlog = TopologySteps.available(lab().session().testbed().listenerBacklog());
        ListenerRef l = lab().listener(listener);
        SockAddr localIp = SockAddr.of(TopologySteps.address(lab(), Host.LOCAL, 0), 0);
        for (int i = 1; i <= backlog; i++) {
            // each held request needs its own four-tuple, hence its own shared endpoint
            lab().newSharedEndpoint("BSE" + i, localIp);
            lab().newConnector("B" + i, Host.LOCAL);
            connect("B" + i, "BSE" + i, listener);
            receive(listener, "BP" + i);
        }
        lab().trace().note(listener + " holds " + l.eventCount() + " unanswered requests (backlog " + backlog + ")");
    }

    // ------------------------------------------------------------------ outcomes

    Outcome outcome(String function, String owner) {
        try {
            return lab().lastRequest(function, owner).await(boundFor(function));
        } catch (KitTimeout e) {
            // The scenario expects an outcome here; one that never comes breaks the scenario's own
            // clause (a connect that should have been refused but reached a listener, say), so the
            // message names it first, then what the kit's bounded wait saw.
            String seen = e.getMessage().startsWith("timeout: ") ? e.getMessage().substring("timeout: ".length()) : e.getMessage();
            ThreadDump.take(function + " of " + owner + ": no outcome in time");
            throw new KitTimeout("[" + String.join(", ", lab().clauses()) + "] " + function + " of " + owner
                    + ": the outcome the scenario expects did not come within " + boundFor(function).toMillis() + " ms: " + seen);
        }
    }

    private void expect(String function, String owner, NtStatus expected) {
        lab().expectStatus(function + " of " + owner, expected, outcome(function, owner));
    }

    @Then("the {request} of {name} succeeds")
    public void succeeds(String function, String owner) {
        expect(function, owner, NtStatus.SUCCESS);
    }

    @Then("the {request} of {name} fails with {status}")
    public void failsWith(String function, String owner, NtStatus status) {
        expect(function, owner, status);
    }

    @Then("the {request} of {name} fails with {status} or {status}")
    public void failsWithEither(String function, String owner, NtStatus one, NtStatus other) {
        Outcome o = outcome(function, owner);
        if (!o.status().equals(one) && !o.status().equals(other)) {
            throw lab().failure(function + " of " + owner + ": expected " + one + " or " + other + ", got " + o);
        }
        lab().trace().note(function + " of " + owner + ": " + o + ", one of the two the clause allows");
    }

    @Then("the {request} of {name} fails with a provider-defined error")
    public void failsWithProviderDefined(String function, String owner) {
        Outcome o = outcome(function, owner);
        if (o.status().isSuccess()) {
            throw lab().failure(function + " of " + owner + ": expected an error (the code is provider-defined), got " + o);
        }
        lab().trace().note("provider-defined error for " + function + " of " + owner + ": " + o);
    }

    @Then("the {request} of {name} completes")
    public void completes(String function, String owner) {
        Outcome o = outcome(function, owner);
        lab().trace().note(function + " of " + owner + " finished: " + o);
    }

    @Then("the {request} of {name} has not completed")
    public void notCompleted(String function, String owner) {
        TrackedCall t = lab().lastRequest(function, owner);
        lab().settle();
        if (t.isDone()) {
            throw lab().failure(function + " of " + owner + " must still be pending, but finished with "
                    + (t.inline().isPending() ? t.completions().get(0).status() + " through its completion" : t.inline() + " inline"));
        }
    }

    @Then("the reject returns {status}")
    public void rejectReturns(NtStatus status) {
        lab().expectStatus("NdkReject", status, state.lastReject);
    }

    @Then("the reject fails with a provider-defined error")
    public void rejectFails() {
        if (state.lastReject.isSuccess()) {
            throw lab().failure("NdkReject: expected an error (the code is provider-defined), got " + state.lastReject);
        }
    }

    // ------------------------------------------------------------------ events

    @Then("{name} receives exactly one disconnect event")
    public void oneDisconnectEvent(String c) {
        if (!lab().eventually(lab().timeout(), () -> !lab().events(c, "disconnect event").isEmpty())) {
            throw lab().failure(c + " received no disconnect event within " + lab().timeout().toMillis() + " ms");
        }
        lab().settle();
        int n = lab().events(c, "disconnect event").size();
        if (n != 1) {
            throw lab().failure(c + " received " + n + " disconnect events; the provider calls it only once");
        }
    }

    @Then("{name} receives no disconnect event")
    public void noDisconnectEvent(String c) {
        lab().settle();
        int n = lab().events(c, "disconnect event").size();
        if (n != 0) {
            throw lab().failure(c + " received " + n + " disconnect event(s), though its peer did not disconnect it");
        }
    }

    @Then("{name} receives no connect event")
    public void noConnectEvent(String listener) {
        lab().settle();
        int n = lab().listener(listener).eventCount();
        if (n != 0) {
            throw lab().failure(listener + " received " + n + " connect event(s); it must receive none");
        }
    }

    @Then("{name} receives no further connect event")
    public void noFurtherConnectEvent(String listener) {
        lab().settle();
        int unclaimed = lab().listener(listener).unclaimedCount();
        if (unclaimed != 0) {
            throw lab().failure(listener + " received " + unclaimed + " connect event(s) beyond the ones the scenario expected");
        }
    }
}
