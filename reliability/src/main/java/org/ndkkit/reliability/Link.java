package org.ndkkit.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * One connection as the SPI makes it: the active connector and its QP connect through a shared
 * endpoint ({@link #connect}), the listener hands the passive connector over and it accepts with
 * its own QP ({@link #accept}), the active side completes ({@link #complete}); then one side
 * disconnects and everything is closed. Each step reports its own failure and returns false.
 */
final class Link {
    final Rig rig;
    final String name;
    Ledger.Obj active;
    Ledger.Obj activeQp;
    Ledger.Obj passive;
    Ledger.Obj passiveQp;
    Ledger.Call connect;
    Ledger.Call accept;
    Ledger.Call complete;
    final Side activeSide = new Side();
    final Side passiveSide = new Side();

    /** The disconnect events one end received. */
    final class Side implements DisconnectEventCallback {
        final CountDownLatch first = new CountDownLatch(1);
        final AtomicInteger events = new AtomicInteger();
        /** Runs inside the first event, on the provider's thread (the race phase closes from there). */
        volatile Runnable inEvent;
        Ledger.Obj obj;

        @Override
        public void peerDisconnected(Object ctx) {
            if (obj != null) {
                rig.ledger().event(obj, "disconnect event");
            }
            if (ctx != this) {
                rig.report.problem(Problem.Kind.WRONG_CONTEXT, "disconnect event", "on " + obj, "carried context " + ctx);
            }
            if (events.incrementAndGet() > 1) {
                rig.report.problem(Problem.Kind.DUPLICATE_CALLBACK, "disconnect event", "on " + obj,
                        "called " + events.get() + " times; the provider calls it at most once per connection");
            }
            Runnable r = inEvent;
            if (r != null && events.get() == 1) {
                r.run();
            }
            first.countDown();
        }
    }

    Link(Rig rig, String name) {
        this.rig = rig;
        this.name = name;
    }

    /** Creates the active connector and its QP; false (reported unless quiet) when either create failed. */
    boolean create(boolean quiet) {
        active = rig.connector(Host.LOCAL, name, quiet);
        activeSide.obj = active;
        activeQp = active == null ? null : rig.qp(Host.LOCAL, "QP-" + name, quiet);
        return activeQp != null;
    }

    /** Issues NdkConnectWithSharedEndpoint to {@code listener}; {@code then} gets the final status. */
    boolean connect(NdkSharedEndpoint se, Rig.Listening listener, Consumer<NtStatus> then) {
        return connect(se, listener.address, then);
    }

    /** Issues NdkConnectWithSharedEndpoint to {@code destination}; {@code then} gets the final status. */
    boolean connect(NdkSharedEndpoint se, SockAddr destination, Consumer<NtStatus> then) {
        NdkConnector c = (NdkConnector) active.object;
        NdkQp q = (NdkQp) activeQp.object;
        int in = rig.localInfo.maxInboundReadLimit();
        int out = rig.localInfo.maxOutboundReadLimit();
        connect = rig.request("NdkConnectWithSharedEndpoint(" + name + " -> " + destination + ")", active, then,
                k -> c.connectWithSharedEndpoint(q, se, destination, in, out, null, 0, k.request(), k.context));
        return connect.inline() != null;
    }

    /** Takes the passive connector from the listener's queue and accepts it with a new QP. */
    boolean accept(Rig.Listening listener, Consumer<NtStatus> then) {
        NdkConnector p = listener.next(name, connect);
        if (p == null) {
            if (connect != null && connect.isDone()) {
                rig.succeeded(connect, "the connect"); // reports how it ended
            }
            return false;
        }
        return accept(p, then);
    }

    /** Accepts {@code p}, the passive connector a connect event delivered for this link. */
    boolean accept(NdkConnector p, Consumer<NtStatus> then) {
        passive = rig.ledger().obj("P-" + name, p);
        passiveSide.obj = passive;
        passiveQp = rig.qp(Host.PEER, "QP-P-" + name, false);
        if (passiveQp == null) {
            return false;
        }
        NdkQp q = (NdkQp) passiveQp.object;
        int in = rig.peerInfo.maxInboundReadLimit();
        int out = rig.peerInfo.maxOutboundReadLimit();
        accept = rig.request("NdkAccept(P-" + name + ")", passive, then,
                k -> p.accept(q, in, out, null, 0, passiveSide, passiveSide, k.request(), k.context));
        return accept.inline() != null;
    }

    /** NdkCompleteConnect on the active side, once its connect succeeded. */
    boolean complete(Consumer<NtStatus> then) {
        NdkConnector c = (NdkConnector) active.object;
        complete = rig.request("NdkCompleteConnect(" + name + ")", active, then,
                k -> c.completeConnect(activeSide, activeSide, k.request(), k.context));
        return complete.inline() != null;
    }

    /** The whole establishment, one step after the other, as the conformance steps do it. */
    boolean establish(Rig.Endpoint se, Rig.Listening listener) {
        return create(false)
                && connect(se.endpoint(), listener, null)
                && accept(listener, null)
                && rig.succeeded(connect, "the connect")
                && complete(null)
                && rig.succeeded(complete, "the complete-connect")
                && rig.succeeded(accept, "the accept");
    }

    /** One side disconnects; the other side's disconnect event must follow (bounded). */
    boolean disconnect(boolean fromActive) {
        Ledger.Obj who = fromActive ? active : passive;
        Side other = fromActive ? passiveSide : activeSide;
        NdkConnector c = (NdkConnector) who.object;
        Ledger.Call d = rig.request("NdkDisconnect(" + who + ")", who, null, k -> c.disconnect(k.request(), k.context));
        if (d.inline() == null || !rig.succeeded(d, "the disconnect")) {
            return false;
        }
        if (!rig.bounds.await(other.first, "the disconnect event on " + other.obj)) {
            rig.report.problem(Problem.Kind.LOST_CALLBACK, "disconnect event", "on " + other.obj,
                    "its peer " + who + " disconnected, and no disconnect event came within " + rig.bounds.timeout().toMillis() + " ms");
            return false;
        }
        return true;
    }

    /** The link's objects in close order: connectors before the QPs they hold. */
    List<Ledger.Obj> objects() {
        List<Ledger.Obj> l = new ArrayList<>();
        for (Ledger.Obj o : new Ledger.Obj[] {active, passive, activeQp, passiveQp}) {
            if (o != null) {
                l.add(o);
            }
        }
        return l;
    }

    boolean close() {
        return rig.closeAll("the closes of " + name, objects());
    }

    /** A whole normal cycle: establish, disconnect from one side, close everything. */
    boolean cycle(Rig.Endpoint se, Rig.Listening listener, boolean fromActive) {
        boolean ok = establish(se, listener) && disconnect(fromActive);
        return close() && ok;
    }
}
