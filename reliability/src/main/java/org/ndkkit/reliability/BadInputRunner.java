package org.ndkkit.reliability;

import java.lang.reflect.Proxy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.ndkkit.reliability.BadCall.Arg;
import org.ndkkit.reliability.BadCall.Choice;
import org.ndkkit.reliability.BadCall.Target;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Created;
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
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * Tries one {@link BadCall} on a live provider: builds the target in the state the case names and
 * the arguments it names, makes the call (bounded), judges what came back, closes everything the
 * case made, and then proves the provider still works with a normal connect/accept/disconnect/close
 * cycle. A provider that fails that cycle is reopened, so that later cases are judged on their own.
 *
 * <p>Findings: a call that hangs, throws (the SPI documents no exception for any of these
 * functions), returns null, breaks the completion rule or leaves the provider unusable; and a
 * status the SPI rules out for the input: success for a malformed SockAddr, for private data whose
 * length disagrees with its buffer or exceeds the adapter maximum, for an output length that claims
 * more room than the buffer has (which must also leave the buffer untouched), for a CQ depth or QP
 * size above its maximum; anything but an error for a second close or a close without a
 * completion; and PENDING where no completion was given to call.
 */
final class BadInputRunner {
    private static final byte UNTOUCHED = 0x5A;

    private final Report report;
    private final Supplier<Rig> opener;
    private Rig rig;
    private Rig.Listening target;
    private Rig.Listening cycleListener;
    private Rig.Endpoint cycleEndpoint;
    private LeakCheck leaks;
    private int cases;
    private int casesWithFindings;
    private int reopened;
    private long leaked;
    private boolean leakUnavailable;

    /** Thrown when the case's set-up did not succeed (already reported); the case ends there. */
    private static final class SetupFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SetupFailed() {
            super(null, null, false, false);
        }
    }

    /** @param rig the rig to use first; {@code opener} opens a fresh one when a case left it unusable */
    BadInputRunner(Rig rig, Supplier<Rig> opener) {
        this.report = rig.report;
        this.opener = opener;
        use(rig);
    }

    private void use(Rig r) {
        rig = r;
        leaks = LeakCheck.start(r);
        target = r.listener(Host.PEER, "LB", r.peerAddress(0), false);
        cycleListener = r.listener(Host.PEER, "LU", r.peerAddress(0), false);
        cycleEndpoint = r.sharedEndpoint("SE-U", r.localAddress(0), false);
        if (target == null || cycleListener == null || cycleEndpoint == null) {
            throw new IllegalStateException("the bad-input fixtures could not be made; see the problems above");
        }
    }

    int cases() {
        return cases;
    }

    int casesWithFindings() {
        return casesWithFindings;
    }

    int reopened() {
        return reopened;
    }

    /** Tries one case; true when the provider came through it without a finding. */
    synchronized boolean check(BadCall call) {
        int n = ++cases;
        int before = report.problems().size();
        report.context("bad input #" + n + ": " + call);
        rig.newLedger().verify();
        CyclePhase.closeLeftovers(rig, target); // a connect event that came after the last case's clean-up
        World w = new World(call, n);
        try {
            w.run();
        } catch (SetupFailed e) {
            // reported where it failed
        } finally {
            w.cleanup();
        }
        boolean usable = new Link(rig, "U" + n).cycle(cycleEndpoint, cycleListener, n % 2 == 0);
        CyclePhase.closeLeftovers(rig, cycleListener);
        rig.newLedger().verify();
        if (!usable) {
            report.problem(Problem.Kind.UNUSABLE, call.fn().spiName, "", "a normal connect/accept/disconnect/close cycle "
                    + "failed after this input (see the problems just before); the provider is reopened");
            reopen();
        }
        report.context(null);
        boolean clean = report.problems().size() == before;
        if (!clean) {
            casesWithFindings++;
        }
        return clean;
    }

    /** Closes the fixtures and the provider's leak check; the rig itself stays open for its owner. */
    synchronized void finish() {
        closeFixtures();
        long l = leaks.finish();
        leaked += Math.max(0, l);
        leakUnavailable |= l < 0;
    }

    Rig rig() {
        return rig;
    }

    private void closeFixtures() {
        CyclePhase.closeLeftovers(rig, target);
        rig.closeAll("the bad-input fixtures' closes", List.of(target.obj, cycleListener.obj, cycleEndpoint.obj()));
    }

    private void reopen() {
        reopened++;
        report.note("the provider was reopened after bad input #" + cases + "; the leak check restarts with it");
        report.context(null);
        closeFixtures();
        rig.close();
        use(opener.get());
    }

    // ==================================================================== one case

    /** The objects one case makes, and the case's call. */
    private final class World {
        final BadCall call;
        final String tag;
        final List<Ledger.Obj> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        NdkSharedEndpoint lastEndpoint;
        /** The link whose unanswered request is the target (REQUEST), for an accept to be completed. */
        Link requestLink;
        /** The listeners the case made, by their object, for their connect events. */
        final java.util.Map<Ledger.Obj, Rig.Listening> listenings = new java.util.HashMap<>();
        int names;

        World(BadCall call, int n) {
            this.call = call;
            this.tag = "B" + n;
        }

        String name(String what) {
            return what + "-" + tag + "." + (++names);
        }

        <T extends Ledger.Obj> T keep(T o) {
            if (o == null) {
                throw new SetupFailed();
            }
            made.add(o);
            return o;
        }

        void run() {
            switch (call.fn()) {
                case CREATE_PD -> {
                    NdkAdapter a = adapter();
                    invoke(null, Ledger.Kind.CREATE, given(), c -> a.createPd(completionOf(c), c.context));
                }
                case CREATE_CQ -> {
                    NdkAdapter a = adapter();
                    int depth = ulong(call.arg("cqDepth"), 64, info(host()).maxCqDepth());
                    Outcome o = invoke(null, Ledger.Kind.CREATE, given(), c -> a.createCq(depth, completionOf(c), c.context));
                    if (Integer.compareUnsigned(depth, info(host()).maxCqDepth()) > 0) {
                        mustFail(o, "a CQ depth above MaxCqDepth (" + Integer.toUnsignedString(info(host()).maxCqDepth())
                                + ") gets INVALID_PARAMETER");
                    }
                }
                case CREATE_CONNECTOR -> {
                    NdkAdapter a = adapter();
                    invoke(null, Ledger.Kind.CREATE, given(), c -> a.createConnector(completionOf(c), c.context));
                }
                case CREATE_SHARED_ENDPOINT -> {
                    NdkAdapter a = adapter();
                    SockAddr addr = address(call.arg("localAddress"), own(host(), 0));
                    Outcome o = invoke(null, Ledger.Kind.CREATE, given(),
                            c -> a.createSharedEndpoint(addr, completionOf(c), c.context));
                    malformed(o, addr);
                }
                case CREATE_LISTENER -> {
                    NdkAdapter a = adapter();
                    boolean event = present(call.arg("connectEvent"));
                    invoke(null, Ledger.Kind.CREATE, given(), c -> a.createListener(
                            event ? (ctx, conn) -> made.add(rig.ledger().obj(name("P"), conn)) : null, "event",
                            completionOf(c), c.context));
                }
                case CREATE_QP -> createQp();
                case CONNECT, CONNECT_WITH_SHARED_ENDPOINT -> connect();
                case COMPLETE_CONNECT -> {
                    Ledger.Obj t = connector();
                    NdkConnector c0 = (NdkConnector) t.object;
                    boolean event = present(call.arg("disconnectEvent"));
                    invoke(t, Ledger.Kind.REQUEST, given(), c -> c0.completeConnect(
                            event ? x -> rig.ledger().event(t, "disconnect event") : null, t, completionOf(c), c.context));
                }
                case ACCEPT -> accept();
                case REJECT -> {
                    Ledger.Obj t = connector();
                    Data d = data(call.arg("privateData"), info(host()).maxCalleeData());
                    Outcome o = invoke(t, Ledger.Kind.REQUEST, null, c -> ((NdkConnector) t.object).reject(d.bytes, d.length));
                    d.judge(o);
                }
                case GET_CONNECTION_DATA -> {
                    Ledger.Obj t = connector();
                    UlongRef in = present(call.arg("inboundReadLimit")) ? new UlongRef(0) : null;
                    UlongRef out = present(call.arg("outboundReadLimit")) ? new UlongRef(0) : null;
                    Out b = out(call.arg("privateData"));
                    Outcome o = invoke(t, Ledger.Kind.REQUEST, null,
                            c -> ((NdkConnector) t.object).getConnectionData(in, out, b.buffer, b.length));
                    b.judge(o);
                }
                case GET_LOCAL_ADDRESS, GET_PEER_ADDRESS -> {
                    Ledger.Obj t = connector();
                    NdkConnector c0 = (NdkConnector) t.object;
                    Out b = out(call.arg("address"));
                    boolean local = call.fn() == BadCall.Fn.GET_LOCAL_ADDRESS;
                    Outcome o = invoke(t, Ledger.Kind.REQUEST, null,
                            c -> local ? c0.getLocalAddress(b.buffer, b.length) : c0.getPeerAddress(b.buffer, b.length));
                    b.judge(o);
                }
                case DISCONNECT -> {
                    Ledger.Obj t = connector();
                    invoke(t, Ledger.Kind.REQUEST, given(), c -> ((NdkConnector) t.object).disconnect(completionOf(c), c.context));
                }
                case LISTEN -> {
                    Ledger.Obj t = listener();
                    SockAddr addr = address(call.arg("address"), rig.peerAddress(0));
                    Outcome o = invoke(t, Ledger.Kind.REQUEST, given(),
                            c -> ((NdkListener) t.object).listen(addr, completionOf(c), c.context));
                    malformed(o, addr);
                }
                case LISTENER_GET_LOCAL_ADDRESS -> {
                    Ledger.Obj t = listener();
                    Out b = out(call.arg("address"));
                    b.judge(invoke(t, Ledger.Kind.REQUEST, null, c -> ((NdkListener) t.object).getLocalAddress(b.buffer, b.length)));
                }
                case CONTROL_CONNECT_EVENTS -> {
                    Ledger.Obj t = listener();
                    boolean pause = call.arg("pause").choice() == Choice.FLAG_TRUE;
                    invoke(t, Ledger.Kind.REQUEST, null, c -> {
                        ((NdkListener) t.object).controlConnectEvents(pause);
                        return NtStatus.SUCCESS; // void: returning at all is what counts
                    });
                }
                case SE_GET_LOCAL_ADDRESS -> {
                    Rig.Endpoint se = keepEndpoint(freshEndpoint());
                    Ledger.Obj t = call.target() == Target.CLOSED_ENDPOINT ? closed(se.obj()) : se.obj();
                    Out b = out(call.arg("address"));
                    b.judge(invoke(t, Ledger.Kind.REQUEST, null,
                            c -> ((NdkSharedEndpoint) t.object).getLocalAddress(b.buffer, b.length)));
                }
                case CLOSE -> close();
            }
        }

        // ------------------------------------------------------------ the calls with many arguments

        private void createQp() {
            Ledger.Obj pd = call.target() == Target.CLOSED_PD ? closed(freshPd(Host.LOCAL)) : rigPd(Host.LOCAL);
            NdkCq rcq = cq(call.arg("receiveCq"));
            NdkCq icq = cq(call.arg("initiatorCq"));
            Arg p = call.arg("parameters");
            QpParameters params = params(p, info(Host.LOCAL));
            Outcome o = invoke(pd, Ledger.Kind.CREATE, given(),
                    c -> ((NdkPd) pd.object).createQp(rcq, icq, params, completionOf(c), c.context));
            if (p.choice() == Choice.PARAMS_FIELD_OVER_MAX || p.choice() == Choice.PARAMS_FIELD_ALL_ONES) {
                mustFail(o, "a QP size above its adapter maximum gets INVALID_PARAMETER");
            }
        }

        private void connect() {
            Ledger.Obj t = connector();
            Host h = host();
            NdkConnector c0 = (NdkConnector) t.object;
            NdkQp qp = qp(call.arg("qp"), h);
            SockAddr dest = address(call.arg("destination"), target.address);
            AdapterInfo info = info(h);
            int in = ulong(call.arg("inboundReadLimit"), info.maxInboundReadLimit(), info.maxInboundReadLimit());
            int out = ulong(call.arg("outboundReadLimit"), info.maxOutboundReadLimit(), info.maxOutboundReadLimit());
            Data d = data(call.arg("privateData"), info.maxCallerData());
            Outcome o;
            boolean[] reached = new boolean[1];
            // The peer's side: a request that reaches the listener is rejected, so the connect ends.
            java.util.function.Consumer<Ledger.Call> peer = c -> {
                NdkConnector p = target.next("bad input " + tag, c, rig.connectBound());
                if (p != null) {
                    reached[0] = true;
                    Ledger.Obj po = keep(rig.ledger().obj(name("P"), p));
                    rig.sync("NdkReject(" + po + ")", po, () -> p.reject(null, 0));
                }
            };
            if (call.fn() == BadCall.Fn.CONNECT) {
                SockAddr src = address(call.arg("source"), own(h, 0));
                o = invoke(t, Ledger.Kind.REQUEST, given(),
                        c -> c0.connect(qp, src, dest, in, out, d.bytes, d.length, completionOf(c), c.context), peer);
                malformed(o, src);
            } else {
                NdkSharedEndpoint se = endpoint(call.arg("sharedEndpoint"));
                o = invoke(t, Ledger.Kind.REQUEST, given(), c -> c0.connectWithSharedEndpoint(qp, se, dest, in, out,
                        d.bytes, d.length, completionOf(c), c.context), peer);
            }
            if (reached[0] && dest != null && !dest.isWellFormed()) {
                report.problem(Problem.Kind.WRONG_STATUS, call.fn().spiName, "", "a malformed destination (" + dest
                        + ") reached the listener at " + target.address + "; a malformed SockAddr is an error status");
            }
            malformed(o, dest);
            d.judge(o);
        }

        private void accept() {
            Ledger.Obj t = connector();
            Host h = host();
            NdkConnector c0 = (NdkConnector) t.object;
            NdkQp qp = qp(call.arg("qp"), h);
            AdapterInfo info = info(h);
            int in = ulong(call.arg("inboundReadLimit"), info.maxInboundReadLimit(), info.maxInboundReadLimit());
            int out = ulong(call.arg("outboundReadLimit"), info.maxOutboundReadLimit(), info.maxOutboundReadLimit());
            Data d = data(call.arg("privateData"), info.maxCalleeData());
            boolean event = present(call.arg("disconnectEvent"));
            Link k = requestLink;
            // The active side's part: an accepted request completes once the active side completes its connect.
            java.util.function.Consumer<Ledger.Call> active = k == null ? null : c -> {
                if (NtStatus.SUCCESS.equals(rig.awaitStatus(k.connect, rig.connectBound())) && k.complete(null)) {
                    rig.awaitStatus(k.complete);
                }
            };
            Outcome o = invoke(t, Ledger.Kind.REQUEST, given(), c -> c0.accept(qp, in, out, d.bytes, d.length,
                    event ? x -> rig.ledger().event(t, "disconnect event") : null, t, completionOf(c), c.context), active);
            d.judge(o);
        }

        private void close() {
            Ledger.Obj t = closeTarget();
            Choice how = call.arg("how").choice();
            boolean held = how == Choice.CLOSE_SECOND_WHILE_PENDING || how == Choice.CLOSE_NULL_COMPLETION_WHILE_HELD;
            List<Ledger.Obj> successors = held ? successorsOf(t) : List.of();
            boolean[] released = new boolean[1];
            // Closing the successors is what lets a pending close of t complete (or run what it deferred).
            java.util.function.Consumer<Ledger.Call> release = c -> {
                released[0] = true;
                rig.closeAll("the successors of " + t, successors);
            };
            if (how == Choice.CLOSE_NULL_COMPLETION || how == Choice.CLOSE_NULL_COMPLETION_WHILE_HELD) {
                Outcome o = invoke(t, Ledger.Kind.CLOSE, false, c -> t.object.close(null, c.context));
                mustBeError(o, "a close without a completion callback gets an error status and no callback");
            } else {
                Ledger.Call first = rig.close(t);
                if (first == null) {
                    return;
                }
                if (how == Choice.CLOSE_SECOND) {
                    rig.awaitStatus(first);
                }
                Outcome o = invoke(t, Ledger.Kind.CLOSE, true, c -> t.object.close(c.close(), c.context),
                        successors.isEmpty() ? null : release);
                mustBeError(o, "a second close gets an error status and no callback");
                if (!released[0]) {
                    release.accept(null);
                }
                if (first.inline() != null && first.inline().isPending() && rig.awaitStatus(first) == null) {
                    report.problem(Problem.Kind.LOST_CALLBACK, "NdkObject.close", "", "the first close of " + t
                            + " pended and never completed after a second close (a second close must leave the first unaffected)");
                }
            }
            if (!released[0]) {
                release.accept(null);
            }
        }

        // ------------------------------------------------------------ targets

        private Host host() {
            return switch (call.target()) {
                case PEER_ADAPTER, REQUEST, ACCEPTED_CONNECTOR -> Host.PEER;
                default -> Host.LOCAL;
            };
        }

        private NdkAdapter adapter() {
            return rig.adapter(host());
        }

        /** The connector the case calls on, in the state its target names. */
        private Ledger.Obj connector() {
            return switch (call.target()) {
                case IDLE_CONNECTOR -> keep(rig.connector(Host.LOCAL, name("C"), false));
                case CLOSED_CONNECTOR -> closed(keep(rig.connector(Host.LOCAL, name("C"), false)));
                case CONNECTED_CONNECTOR -> {
                    Link k = link(false);
                    boolean accepted = k.accept(target, null);
                    track(k);
                    if (!accepted || !rig.succeeded(k.connect, "the connect")) {
                        throw new SetupFailed();
                    }
                    yield k.active;
                }
                case ESTABLISHED_CONNECTOR -> established().active;
                case ACCEPTED_CONNECTOR -> established().passive;
                case REQUEST -> {
                    Link k = link(false);
                    NdkConnector p = target.next(k.name, k.connect);
                    if (p == null) {
                        throw new SetupFailed();
                    }
                    k.passive = keep(rig.ledger().obj("P-" + k.name, p));
                    requestLink = k;
                    yield k.passive;
                }
                default -> throw new IllegalStateException("not a connector target: " + call.target());
            };
        }

        /** A link to the case's target listener through its own fresh endpoint, connecting (or established). */
        private Link link(boolean establish) {
            Rig.Endpoint se = keepEndpoint(freshEndpoint());
            lastEndpoint = se.endpoint();
            Link k = new Link(rig, name("K"));
            boolean ok = establish ? k.establish(se, target) : k.create(false) && k.connect(se.endpoint(), target, null);
            track(k);
            if (!ok) {
                throw new SetupFailed();
            }
            return k;
        }

        private Link established() {
            return link(true);
        }

        /** Keeps every object of the link for the clean-up (it may have grown since it was last tracked). */
        private void track(Link k) {
            for (Ledger.Obj o : k.objects()) {
                if (!made.contains(o)) {
                    made.add(o);
                }
            }
        }

        private Ledger.Obj listener() {
            Ledger.Obj l = switch (call.target()) {
                case NEW_LISTENER -> {
                    String name = name("L");
                    NdkListener x = rig.create("NdkCreateListener(" + name + ")", c -> rig.adapter(Host.PEER).createListener(
                            (ctx, conn) -> { }, name, c.create(), c.context), false);
                    yield x == null ? null : rig.ledger().obj(name, x);
                }
                case LISTENING_LISTENER -> listening();
                case CLOSED_LISTENER -> closed(listening());
                default -> throw new IllegalStateException("not a listener target: " + call.target());
            };
            return keep(l);
        }

        private Ledger.Obj listening() {
            Rig.Listening l = rig.listener(Host.PEER, name("L"), rig.peerAddress(0), false);
            if (l == null) {
                throw new SetupFailed();
            }
            listenings.put(l.obj, l);
            return l.obj;
        }

        private Ledger.Obj closeTarget() {
            return switch (call.target()) {
                case IDLE_CONNECTOR -> keep(rig.connector(Host.LOCAL, name("C"), false));
                case ESTABLISHED_CONNECTOR -> established().active;
                case QP -> keep(rig.qp(Host.LOCAL, name("QP"), false));
                case CQ -> freshCq(Host.LOCAL);
                case PD -> freshPd(Host.LOCAL);
                case ENDPOINT -> keepEndpoint(freshEndpoint()).obj();
                case LISTENING_LISTENER -> keep(listening());
                default -> throw new IllegalStateException("not a close target: " + call.target());
            };
        }

        /** Successors that make the first close of {@code t} pend, where the SPI gives a way to make them. */
        private List<Ledger.Obj> successorsOf(Ledger.Obj t) {
            if (t.object instanceof NdkPd pd) {
                NdkQp q = rig.create("NdkCreateQp(on " + t + ")", c -> pd.createQp(rig.cq(Host.LOCAL), rig.cq(Host.LOCAL),
                        QpParameters.small(), c.create(), c.context), false);
                return q == null ? List.of() : List.of(keep(rig.ledger().obj(name("QP"), q)));
            }
            if (t.object instanceof NdkCq cq) {
                NdkQp q = rig.create("NdkCreateQp(on " + t + ")", c -> rig.pd(Host.LOCAL).createQp(cq, cq,
                        QpParameters.small(), c.create(), c.context), false);
                return q == null ? List.of() : List.of(keep(rig.ledger().obj(name("QP"), q)));
            }
            if (t.object instanceof NdkSharedEndpoint se) {
                // A connector connected through the endpoint (connect accepted by the target listener).
                Link k = new Link(rig, name("K"));
                boolean ok = k.create(false) && k.connect(se, target, null) && k.accept(target, null);
                track(k);
                return ok ? List.of(k.active, k.passive) : List.of();
            }
            if (t.object instanceof NdkQp) {
                // A connector connecting with the QP: it holds the QP until it is closed.
                Link k = new Link(rig, name("K"));
                k.active = keep(rig.connector(Host.LOCAL, k.name, false));
                k.activeQp = t;
                boolean ok = k.connect(keepEndpoint(freshEndpoint()).endpoint(), target, null) && k.accept(target, null);
                track(k);
                return ok ? List.of(k.active, k.passive) : List.of(k.active);
            }
            Rig.Listening l = listenings.get(t);
            if (l != null) {
                // A request the listener delivered: the listener's close pends until it is closed.
                Link k = new Link(rig, name("K"));
                boolean ok = k.create(false) && k.connect(keepEndpoint(freshEndpoint()).endpoint(), l, null);
                NdkConnector p = ok ? l.next(k.name, k.connect) : null;
                track(k);
                return p == null ? List.of(k.active) : List.of(keep(rig.ledger().obj("P-" + k.name, p)), k.active);
            }
            return List.of();
        }

        // ------------------------------------------------------------ object arguments

        private NdkQp qp(Arg a, Host h) {
            return switch (a.choice()) {
                case OBJ_VALID -> (NdkQp) keep(rig.qp(h, name("QP"), false)).object;
                case OBJ_NULL -> null;
                case OBJ_CLOSED -> (NdkQp) closed(keep(rig.qp(h, name("QP"), false))).object;
                case OBJ_OTHER_ADAPTER -> (NdkQp) keep(rig.qp(other(h), name("QP"), false)).object;
                case OBJ_FOREIGN -> foreign(NdkQp.class, NdkObjectType.QP);
                case OBJ_IN_USE -> {
                    Link k = established();
                    yield (NdkQp) (h == Host.LOCAL ? k.activeQp : k.passiveQp).object;
                }
                default -> throw new IllegalStateException(a.toString());
            };
        }

        private NdkSharedEndpoint endpoint(Arg a) {
            return switch (a.choice()) {
                case OBJ_VALID -> keepEndpoint(freshEndpoint()).endpoint();
                case OBJ_NULL -> null;
                case OBJ_CLOSED -> (NdkSharedEndpoint) closed(keepEndpoint(freshEndpoint()).obj()).object;
                case OBJ_OTHER_ADAPTER -> {
                    String name = name("SE");
                    SockAddr a0 = rig.peerAddress(0);
                    NdkSharedEndpoint se = rig.create("NdkCreateSharedEndpoint(" + name + " on PEER, " + a0 + ")",
                            c -> rig.adapter(Host.PEER).createSharedEndpoint(a0, c.create(), c.context), false);
                    yield (NdkSharedEndpoint) keep(se == null ? null : rig.ledger().obj(name, se)).object;
                }
                case OBJ_FOREIGN -> foreign(NdkSharedEndpoint.class, NdkObjectType.SHARED_ENDPOINT);
                case OBJ_IN_USE -> {
                    // Shared by design: an endpoint with a connection to the same destination (the four-tuple is taken).
                    established();
                    yield lastEndpoint;
                }
                default -> throw new IllegalStateException(a.toString());
            };
        }

        private NdkCq cq(Arg a) {
            return switch (a.choice()) {
                case OBJ_VALID -> rig.cq(Host.LOCAL);
                case OBJ_NULL -> null;
                case OBJ_CLOSED -> (NdkCq) closed(freshCq(Host.LOCAL)).object;
                case OBJ_OTHER_ADAPTER -> rig.cq(Host.PEER);
                case OBJ_FOREIGN -> foreign(NdkCq.class, NdkObjectType.CQ);
                default -> throw new IllegalStateException(a.toString());
            };
        }

        private Ledger.Obj rigPd(Host h) {
            NdkPd pd = rig.pd(h);
            if (pd == null) {
                throw new SetupFailed();
            }
            return rig.ledger().obj("PD-" + h, pd);
        }

        private Ledger.Obj freshPd(Host h) {
            String name = name("PD");
            NdkPd pd = rig.create("NdkCreatePd(" + name + ")", c -> rig.adapter(h).createPd(c.create(), c.context), false);
            return keep(pd == null ? null : rig.ledger().obj(name, pd));
        }

        private Ledger.Obj freshCq(Host h) {
            String name = name("CQ");
            NdkCq cq = rig.create("NdkCreateCq(" + name + ")", c -> rig.adapter(h).createCq(64, c.create(), c.context), false);
            return keep(cq == null ? null : rig.ledger().obj(name, cq));
        }

        private Rig.Endpoint freshEndpoint() {
            Rig.Endpoint se = rig.sharedEndpoint(name("SE"), rig.localAddress(0), false);
            if (se == null) {
                throw new SetupFailed();
            }
            return se;
        }

        private Rig.Endpoint keepEndpoint(Rig.Endpoint se) {
            keep(se.obj());
            return se;
        }

        private Ledger.Obj closed(Ledger.Obj o) {
            Ledger.Call c = rig.close(o);
            if (c == null || rig.awaitStatus(c) == null) {
                throw new SetupFailed();
            }
            return o;
        }

        // ------------------------------------------------------------ the call and its judgement

        /**
         * Makes the case's call, bounded and tracked. {@code completion}: whether a completion is
         * given, or null for a synchronous function, which has none.
         */
        private Outcome invoke(Ledger.Obj owner, Ledger.Kind kind, Boolean completion0, Function<Ledger.Call, Object> body) {
            return invoke(owner, kind, completion0, body, null);
        }

        /**
         * As above, for a request whose completion waits on the other side (a connect on the peer's
         * answer, an accept on the active side's complete-connect): {@code drive} plays that side
         * once the call returned PENDING, and the completion is awaited for as long as a connect may
         * take.
         */
        private Outcome invoke(Ledger.Obj owner, Ledger.Kind kind, Boolean completion0, Function<Ledger.Call, Object> body,
                               java.util.function.Consumer<Ledger.Call> drive) {
            String label = call.fn().spiName;
            boolean completion = Boolean.TRUE.equals(completion0);
            Ledger.Call c = rig.ledger().call(kind, label, owner, null);
            this.completionGiven = completion;
            Bounds.Result<Object> r = rig.bounds.call(label, () -> body.apply(c));
            if (!r.returned() || r.value() == null) {
                Problem.Kind k = r.timedOut() ? Problem.Kind.HANG : r.thrown() != null ? Problem.Kind.EXCEPTION : Problem.Kind.NULL_RESULT;
                report.problem(k, label, "", r.returned() ? "returned null instead of a status" : r.failure(rig.bounds.timeout()));
                c.abandon();
                return new Outcome(null, null);
            }
            NtStatus inline;
            NdkObject created = null;
            if (r.value() instanceof Created<?> cr) {
                inline = cr.status();
                created = cr.object();
            } else {
                inline = (NtStatus) r.value();
            }
            c.returned(inline);
            NtStatus fin = inline;
            if (inline.isPending()) {
                if (!completion) {
                    report.problem(Problem.Kind.WRONG_STATUS, label, "", completion0 == null
                            ? "a synchronous function returned STATUS_PENDING"
                            : "returned STATUS_PENDING, though no completion was given for it to call");
                    c.abandon();
                    fin = null;
                } else {
                    if (drive != null) {
                        drive.accept(c);
                    }
                    fin = rig.awaitStatus(c, drive == null ? rig.bounds.timeout() : rig.connectBound());
                    if (kind == Ledger.Kind.CREATE) {
                        created = c.created();
                    }
                }
            }
            if (created != null) {
                made.add(rig.ledger().obj(name("created"), created));
            }
            return new Outcome(inline, fin);
        }

        private boolean completionGiven;

        /** The completion to pass: the tracked one, or null when the case says none. */
        @SuppressWarnings("unchecked")
        private <T> T completionOf(Ledger.Call c) {
            if (!completionGiven) {
                return null;
            }
            return (T) switch (c.kind) {
                case REQUEST -> c.request();
                case CREATE -> c.create();
                case CLOSE -> c.close();
            };
        }

        private void mustFail(Outcome o, String rule) {
            if (o.fin != null && o.fin.isSuccess()) {
                report.problem(Problem.Kind.WRONG_STATUS, call.fn().spiName, "", "ended with " + o.fin + "; " + rule);
            }
        }

        private void mustBeError(Outcome o, String rule) {
            if (o.inline != null && !o.inline.isError()) {
                report.problem(Problem.Kind.WRONG_STATUS, call.fn().spiName, "", "returned " + o.inline + "; " + rule);
            }
        }

        private void malformed(Outcome o, SockAddr a) {
            if (a != null && !a.isWellFormed()) {
                mustFail(o, "a malformed SockAddr (" + a + ") is an error status, never a success");
            }
        }

        // ------------------------------------------------------------ value arguments

        private SockAddr address(Arg a, SockAddr valid) {
            byte[] b = valid.bytes();
            return switch (a.choice()) {
                case ADDR_VALID -> valid;
                case ADDR_NULL -> null;
                case ADDR_DECLARED_LENGTH -> SockAddr.raw(b, (int) a.n());
                case ADDR_SHORT_BYTES -> SockAddr.raw(Arrays.copyOf(b, (int) a.n()), valid.length());
                case ADDR_FAMILY -> {
                    b[0] = (byte) a.n();
                    b[1] = (byte) (a.n() >>> 8);
                    yield SockAddr.raw(b, valid.length());
                }
                case ADDR_PORT_ZERO -> valid.withPort(0);
                case ADDR_ANY_IP -> SockAddr.of("0.0.0.0", valid.port());
                case ADDR_MULTICAST -> SockAddr.of("224.0.0.1", valid.port());
                case ADDR_BROADCAST -> SockAddr.of("255.255.255.255", valid.port());
                case ADDR_LOOPBACK -> SockAddr.of("127.0.0.1", valid.port());
                case ADDR_OTHER_FAMILY -> SockAddr.of(ipv6(valid), valid.port());
                case ADDR_V4_MAPPED -> valid.v4Mapped();
                case ADDR_FOREIGN_IP -> {
                    Availability<SockAddr> f = rig.testbed.address(LabCondition.FOREIGN_LOCAL_ADDRESS);
                    yield f.isAvailable() ? f.get().withPort(valid.port()) : SockAddr.of("198.18.3.1", valid.port());
                }
                case ADDR_RANDOM -> SockAddr.raw(a.raw(), (int) a.n());
                default -> throw new IllegalStateException(a.toString());
            };
        }

        /** An IPv6 address of the host that owns {@code v4}, or ::1 when it has none. */
        private InetAddress ipv6(SockAddr v4) {
            Host h = v4.ip().equals(rig.peerIp) || call.fn() == BadCall.Fn.LISTEN ? Host.PEER : Host.LOCAL;
            return rig.testbed.addresses(h).stream().filter(ip -> ip instanceof Inet6Address).findFirst()
                    .orElseGet(() -> SockAddr.of("::1", 0).ip());
        }

        private int ulong(Arg a, int normal, int max) {
            return switch (a.choice()) {
                case ULONG_NORMAL -> normal;
                case ULONG_ZERO -> 0;
                case ULONG_ONE -> 1;
                case ULONG_MAX -> max;
                case ULONG_MAX_PLUS_ONE -> max + 1;
                case ULONG_ALL_ONES -> 0xFFFF_FFFF;
                case ULONG_HIGH_BIT -> 0x8000_0000;
                case ULONG_ANY -> (int) a.n();
                default -> throw new IllegalStateException(a.toString());
            };
        }

        private QpParameters params(Arg a, AdapterInfo info) {
            int[] v = {16, 16, 1, 1, 0};
            int[] max = {info.maxReceiveQueueDepth(), info.maxInitiatorQueueDepth(), info.maxReceiveRequestSge(),
                    info.maxInitiatorRequestSge(), info.maxInlineDataSize()};
            switch (a.choice()) {
                case PARAMS_SMALL -> {
                }
                case PARAMS_NULL -> {
                    return null;
                }
                case PARAMS_FIELD_OVER_MAX -> v[(int) a.n()] = max[(int) a.n()] + 1;
                case PARAMS_FIELD_ALL_ONES -> v[(int) a.n()] = 0xFFFF_FFFF;
                case PARAMS_ZEROS -> Arrays.fill(v, 0);
                default -> throw new IllegalStateException(a.toString());
            }
            return new QpParameters(v[0], v[1], v[2], v[3], v[4]);
        }

        private Data data(Arg a, int max) {
            int n = (int) a.n();
            int d = (int) a.m();
            int some = Math.min(n, max);
            return switch (a.choice()) {
                case DATA_NONE -> new Data(null, 0, max);
                case DATA_SOME -> new Data(bytes(some), some, max);
                case DATA_AT_MAX -> new Data(bytes(max), max, max);
                case DATA_NULL_WITH_LENGTH -> new Data(null, n, max);
                case DATA_LENGTH_BEYOND_BUFFER -> new Data(bytes(n), n + d, max);
                case DATA_BUFFER_BEYOND_LENGTH -> new Data(bytes(some + d), some, max);
                case DATA_OVER_MAX -> new Data(bytes(max + n), max + n, max);
                case DATA_ALL_ONES_LENGTH -> new Data(bytes(8), 0xFFFF_FFFF, max);
                default -> throw new IllegalStateException(a.toString());
            };
        }

        private Out out(Arg a) {
            int n = (int) a.n();
            int d = (int) a.m();
            return switch (a.choice()) {
                case OUT_ROOMY -> new Out(untouched(128), new UlongRef(128));
                case OUT_NULL_REF -> new Out(untouched(128), null);
                case OUT_NULL_BUFFER_ZERO -> new Out(null, new UlongRef(0));
                case OUT_NULL_BUFFER_LENGTH -> new Out(null, new UlongRef(n));
                case OUT_TOO_SMALL -> new Out(untouched(n), new UlongRef(n));
                case OUT_CLAIMS_MORE -> new Out(untouched(n), new UlongRef(n + d));
                case OUT_ALL_ONES -> new Out(untouched(16), new UlongRef(0xFFFF_FFFF));
                case OUT_ZERO_LENGTH -> new Out(untouched(128), new UlongRef(0));
                default -> throw new IllegalStateException(a.toString());
            };
        }

        /** Private data as passed: the buffer and its declared length, judged against the adapter maximum. */
        private final class Data {
            final byte[] bytes;
            final int length;
            final int max;

            Data(byte[] bytes, int length, int max) {
                this.bytes = bytes;
                this.length = length;
                this.max = max;
            }

            void judge(Outcome o) {
                long len = Integer.toUnsignedLong(length);
                if (len > (bytes == null ? 0 : bytes.length)) {
                    mustFail(o, "private data whose length (" + len + ") exceeds its buffer ("
                            + (bytes == null ? "null" : bytes.length + " bytes") + ") fails the call");
                } else if (len > Integer.toUnsignedLong(max)) {
                    mustFail(o, "private data longer (" + len + ") than the adapter maximum (" + max + ") fails the call");
                }
            }
        }

        /** An output buffer and its length cell; a length that claims more room than the buffer has must fail and write nothing. */
        private final class Out {
            final byte[] buffer;
            final UlongRef length;
            final long claimed;

            Out(byte[] buffer, UlongRef length) {
                this.buffer = buffer;
                this.length = length;
                this.claimed = length == null ? 0 : length.unsigned();
            }

            void judge(Outcome o) {
                if (length == null || claimed <= (buffer == null ? 0 : buffer.length)) {
                    return;
                }
                if (o.fin != null && o.fin.isSuccess()) {
                    report.problem(Problem.Kind.WRONG_STATUS, call.fn().spiName, "", "ended with " + o.fin + "; a length ("
                            + claimed + ") that claims more room than the buffer has ("
                            + (buffer == null ? "null" : buffer.length + " bytes") + ") gets an error status");
                }
                if (buffer != null && !allUntouched(buffer)) {
                    report.problem(Problem.Kind.WRONG_STATUS, call.fn().spiName, "", "wrote into a buffer whose length ("
                            + claimed + ") claimed more room than its " + buffer.length + " bytes (and returned " + o.fin
                            + "); it must write nothing");
                }
            }
        }

        /** Whether the case gives the call its completion callback. */
        private boolean given() {
            return present(call.arg("completion"));
        }

        private boolean present(Arg a) {
            return a.choice() == Choice.PRESENT;
        }

        private AdapterInfo info(Host h) {
            return rig.info(h);
        }

        private SockAddr own(Host h, int port) {
            return h == Host.PEER ? rig.peerAddress(port) : rig.localAddress(port);
        }

        /** Closes what the case made, connectors first, and drains the target listener. */
        void cleanup() {
            List<Ledger.Obj> order = new ArrayList<>();
            for (Class<?> kind : List.of(NdkConnector.class, NdkQp.class, NdkListener.class, NdkSharedEndpoint.class,
                    NdkCq.class, NdkPd.class)) {
                for (Ledger.Obj o : made) {
                    if (kind.isInstance(o.object) && !order.contains(o)) {
                        order.add(o);
                    }
                }
            }
            List<Ledger.Obj> toClose = new ArrayList<>();
            List<Ledger.Call> pending = new ArrayList<>();
            for (Ledger.Obj o : order) {
                Ledger.Call c = o.close;
                boolean issued = c != null && c.inline() != null && (c.inline().equals(NtStatus.SUCCESS) || c.inline().isPending());
                if (!issued) {
                    toClose.add(o);
                } else if (!c.isDone()) {
                    pending.add(c);
                }
            }
            List<Ledger.Obj> connectors = toClose.stream().filter(o -> o.object instanceof NdkConnector).toList();
            rig.closeAll("the closes after bad input " + tag, connectors);
            List<Ledger.Obj> rest = new ArrayList<>(toClose);
            rest.removeAll(connectors);
            rig.closeAll("the closes after bad input " + tag, rest);
            rig.awaitAll("the pending closes after bad input " + tag, pending);
            CyclePhase.closeLeftovers(rig, target);
            listenings.values().forEach(l -> CyclePhase.closeLeftovers(rig, l));
        }
    }

    /** What a call returned inline, and its final status (null when not known: no return, no completion). */
    private record Outcome(NtStatus inline, NtStatus fin) {
    }

    private static Host other(Host h) {
        return h == Host.LOCAL ? Host.PEER : Host.LOCAL;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[Math.max(0, n)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i + 1);
        }
        return b;
    }

    private static byte[] untouched(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, UNTOUCHED);
        return b;
    }

    private static boolean allUntouched(byte[] b) {
        for (byte x : b) {
            if (x != UNTOUCHED) {
                return false;
            }
        }
        return true;
    }

    /** An object of the SPI's type that no provider made: what a confused consumer might pass. */
    private static <T extends NdkObject> T foreign(Class<T> type, NdkObjectType objectType) {
        Object o = Proxy.newProxyInstance(BadInputRunner.class.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) ->
                switch (m.getName()) {
                    case "type" -> objectType;
                    case "close", "getLocalAddress" -> NtStatus.INVALID_PARAMETER;
                    case "toString" -> "foreign " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
        return type.cast(o);
    }
}
