package org.ndkkit.reliability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * Phase (c): closes racing completions. Each race is repeated with a little random jitter so that
 * different interleavings come up: closes from inside a completion or an event, a close at the
 * same moment as the peer's accept, the shared endpoint closed while its connectors are still
 * connecting. Whatever the interleaving, no exception may escape, every PENDING call must
 * complete exactly once, nothing may arrive after a close completed, and an antecedent's close
 * (the shared endpoint's) must not complete before its connected successors are closed.
 */
final class RacePhase {
    private final Rig rig;
    private final Report report;
    private final int iterations;
    private final Random random;
    private final List<Rig.Listening> listeners = new ArrayList<>();
    private Rig.Endpoint se;
    private Availability<SockAddr> silentHost;

    RacePhase(Rig rig, int iterations, long seed) {
        this.rig = rig;
        this.report = rig.report;
        this.iterations = iterations;
        this.random = new Random(seed);
    }

    /** @return the race iterations run */
    int run(long settleMs) {
        LeakCheck leaks = LeakCheck.start(rig);
        for (int i = 0; i < 3; i++) {
            Rig.Listening l = rig.listener(Host.PEER, "LR" + i, rig.peerAddress(0), false);
            if (l == null) {
                return 0;
            }
            listeners.add(l);
        }
        se = rig.sharedEndpoint("SE-R", rig.localAddress(0), false);
        if (se == null) {
            rig.closeAll("the race listeners' closes", listeners.stream().map(l -> l.obj).toList());
            return 0;
        }
        silentHost = rig.testbed.address(LabCondition.SILENT_HOST);
        Map<String, IntPredicate> races = new LinkedHashMap<>();
        races.put("close inside the connect completion", this::closeInConnectCompletion);
        races.put("close inside the accept completion", this::closeInAcceptCompletion);
        races.put("close inside the disconnect event", this::closeInDisconnectEvent);
        races.put("close of the request inside its connect event", this::closeRequestInConnectEvent);
        races.put("close of the listener inside its connect event", this::closeListenerInConnectEvent);
        races.put("close racing the peer's accept of a pending connect", this::closeRacingAccept);
        races.put("close of the shared endpoint while its connectors connect", this::closeEndpointWhileConnecting);
        if (silentHost.isAvailable()) {
            races.put("close racing a connect to a silent host", this::closeRacingSilentConnect);
        } else {
            report.note("no race with a silent host: " + silentHost.reasonCode());
        }
        int total = 0;
        Map<String, Object> perRace = new LinkedHashMap<>();
        for (Map.Entry<String, IntPredicate> race : races.entrySet()) {
            int problemsBefore = report.problems().size();
            long t0 = System.nanoTime();
            int run = 0;
            int failedInARow = 0;
            for (int j = 0; j < iterations && failedInARow < CyclePhase.GIVE_UP_AFTER; j++) {
                int before = report.problems().size();
                boolean completed = race.getValue().test(j);
                for (Rig.Listening l : listeners) {
                    CyclePhase.closeLeftovers(rig, l);
                }
                run++;
                failedInARow = completed && report.problems().size() == before ? 0 : failedInARow + 1;
            }
            long nanos = System.nanoTime() - t0;
            int found = report.problems().size() - problemsBefore;
            total += run;
            report.say(race.getKey() + ": " + run + " iterations in " + StressPhase.secs(nanos) + ", "
                    + (found == 0 ? "no problem" : found + " problem(s)"));
            perRace.put(race.getKey(), Map.of("iterations", run, "seconds", StressPhase.seconds(nanos), "problems", found));
        }
        report.figure("races", perRace);
        report.figure("iterations", total);
        List<Ledger.Obj> rest = new ArrayList<>(listeners.stream().map(l -> l.obj).toList());
        rest.add(se.obj());
        rig.closeAll("the race listeners' and endpoint's closes", rest);
        Bounds.sleep(settleMs);
        report.figure("asyncCalls", rig.newLedger().verify());
        leaks.finish();
        return total;
    }

    private Rig.Listening l0() {
        return listeners.get(0);
    }

    /** The active connector is closed from inside its own connect completion, while the peer accepts. */
    private boolean closeInConnectCompletion(int j) {
        Link k = new Link(rig, "RC" + j);
        if (!start(k, s -> rig.closeHere(k.active))) {
            return false;
        }
        NdkConnector p = l0().next(k.name, k.connect);
        if (p != null) {
            k.accept(p, null);
        }
        boolean ok = rig.awaitClosed(k.active, "closed inside its connect completion");
        if (k.accept != null) {
            ok &= rig.awaitStatus(k.accept) != null;
        }
        return closeRest(k) && ok;
    }

    /** The passive connector is closed from inside its accept completion. */
    private boolean closeInAcceptCompletion(int j) {
        Link k = new Link(rig, "RA" + j);
        if (!start(k, null)) {
            return false;
        }
        NdkConnector p = l0().next(k.name, k.connect);
        boolean ok = p != null && k.accept(p, s -> rig.closeHere(k.passive));
        if (ok && rig.succeeded(k.connect, "the connect") && k.complete(null)) {
            ok = rig.awaitStatus(k.complete) != null;
        }
        if (k.passive != null && k.accept != null && k.accept.inline() != null) {
            ok &= rig.awaitClosed(k.passive, "closed inside its accept completion");
        }
        return closeRest(k) && ok;
    }

    /** The passive connector is closed from inside the disconnect event the active side's disconnect causes. */
    private boolean closeInDisconnectEvent(int j) {
        Link k = new Link(rig, "RD" + j);
        if (!k.establish(se, l0())) {
            return closeRest(k);
        }
        k.passiveSide.inEvent = () -> rig.closeHere(k.passive);
        boolean ok = k.disconnect(true) && rig.awaitClosed(k.passive, "closed inside its disconnect event");
        return closeRest(k) && ok;
    }

    /** The incoming connector is closed inside the connect event that delivers it; the connect must still complete. */
    private boolean closeRequestInConnectEvent(int j) {
        Link k = new Link(rig, "RE" + j);
        AtomicReference<Ledger.Obj> request = new AtomicReference<>();
        l0().hook = (ctx, c) -> {
            Ledger.Obj o = rig.ledger().obj("P-" + k.name, c);
            request.set(o);
            rig.closeHere(o);
        };
        try {
            if (!start(k, null)) {
                return false;
            }
            boolean ok = rig.awaitStatus(k.connect) != null;
            if (request.get() != null) {
                ok &= rig.awaitClosed(request.get(), "closed inside its connect event");
            }
            return closeRest(k) && ok;
        } finally {
            l0().hook = null;
        }
    }

    /** A listener is closed from inside its own connect event; its close completes once the delivered connector is closed. */
    private boolean closeListenerInConnectEvent(int j) {
        Rig.Listening l = rig.listener(Host.PEER, "LX" + j, rig.peerAddress(0), false);
        if (l == null) {
            return false;
        }
        l.hook = (ctx, c) -> {
            rig.closeHere(l.obj);
            l.incoming.add(c);
        };
        Link k = new Link(rig, "RL" + j);
        boolean ok = k.create(false) && k.connect(se.endpoint(), l, null);
        NdkConnector p = ok ? l.next(k.name, k.connect) : null;
        if (p != null) {
            rig.closeAll("the close of the request on " + l.name, List.of(rig.ledger().obj("P-" + k.name, p)));
            ok &= rig.awaitClosed(l.obj, "closed inside its own connect event");
        } else {
            rig.closeAll("the close of " + l.name, List.of(l.obj));
        }
        if (k.connect != null && k.connect.inline() != null) {
            ok &= rig.awaitStatus(k.connect) != null;
        }
        return closeRest(k) && ok;
    }

    /** The active side closes at the moment the peer accepts its pending connect. */
    private boolean closeRacingAccept(int j) {
        Link k = new Link(rig, "RR" + j);
        if (!start(k, null)) {
            return false;
        }
        NdkConnector p = l0().next(k.name, k.connect);
        if (p == null) {
            return closeRest(k);
        }
        CountDownLatch go = new CountDownLatch(1);
        boolean acceptFirst = random.nextBoolean();
        long jitter = random.nextInt(300_000);
        Thread accepter = racer("accept", go, acceptFirst ? 0 : jitter, () -> k.accept(p, null));
        Thread closer = racer("close", go, acceptFirst ? jitter : 0, () -> rig.close(k.active));
        go.countDown();
        join(accepter);
        join(closer);
        boolean ok = rig.awaitStatus(k.connect) != null && rig.awaitClosed(k.active, "closed while the peer accepts");
        if (k.accept != null && k.accept.inline() != null) {
            ok &= rig.awaitStatus(k.accept) != null;
        }
        return closeRest(k) && ok;
    }

    /** A fresh shared endpoint is closed while three connectors are connecting through it. */
    private boolean closeEndpointWhileConnecting(int j) {
        Rig.Endpoint sx = rig.sharedEndpoint("SE-X" + j, rig.localAddress(0), false);
        if (sx == null) {
            return false;
        }
        List<Link> ks = new ArrayList<>();
        for (int i = 0; i < listeners.size(); i++) {
            Link k = new Link(rig, "RS" + j + "." + i);
            ks.add(k);
            if (!k.create(false)) {
                return closeAll(ks, sx);
            }
        }
        CountDownLatch go = new CountDownLatch(1);
        Thread closer = racer("close", go, random.nextInt(500_000), () -> rig.close(sx.obj()));
        go.countDown();
        for (int i = 0; i < ks.size(); i++) {
            ks.get(i).connect(sx.endpoint(), listeners.get(i), null);
        }
        join(closer);
        boolean ok = true;
        for (int i = 0; i < ks.size(); i++) {
            Link k = ks.get(i);
            if (k.connect == null || k.connect.inline() == null) {
                continue;
            }
            NdkConnector p = listeners.get(i).next(k.name, k.connect);
            if (p != null && k.accept(p, null) && NtStatus.SUCCESS.equals(rig.awaitStatus(k.connect)) && k.complete(null)) {
                ok &= rig.awaitStatus(k.complete) != null && rig.awaitStatus(k.accept) != null;
            }
            ok &= rig.awaitStatus(k.connect) != null;
        }
        ok &= closeAll(ks, sx);
        // NDK: the endpoint is an antecedent of every connector connected through it.
        for (Link k : ks) {
            if (k.connect != null && NtStatus.SUCCESS.equals(k.connect.status()) && sx.obj().closed() && k.active.closed()
                    && sx.obj().closedAt() < k.active.closedAt()) {
                report.problem(Problem.Kind.CLOSE_ORDER, "NdkCloseObject(" + sx.obj() + ")", "issued while " + k.name
                        + " was connecting through it", "completed before the close of " + k.name + ", which it had connected");
                ok = false;
            }
        }
        return ok;
    }

    /** A connect to a host that never answers is closed while it waits. */
    private boolean closeRacingSilentConnect(int j) {
        Link k = new Link(rig, "RT" + j);
        if (!k.create(false) || !k.connect(se.endpoint(), silentHost.get(), null)) {
            return closeRest(k);
        }
        spin(random.nextInt(2_000_000));
        boolean ok = rig.close(k.active) != null && rig.awaitClosed(k.active, "closed while connecting to a silent host");
        ok &= rig.awaitStatus(k.connect) != null;
        return closeRest(k) && ok;
    }

    /** Creates the link's connector and QP and connects to the first race listener; false (cleaned up) when that failed. */
    private boolean start(Link k, java.util.function.Consumer<NtStatus> then) {
        if (k.create(false) && k.connect(se.endpoint(), l0(), then)) {
            return true;
        }
        closeRest(k);
        return false;
    }

    /** Closes what is still open of a link (what a race closed itself is skipped). */
    private boolean closeRest(Link k) {
        List<Ledger.Obj> open = k.objects().stream().filter(o -> o.close == null).toList();
        return rig.closeAll("the closes of " + k.name, open);
    }

    private boolean closeAll(List<Link> ks, Rig.Endpoint sx) {
        List<Ledger.Obj> connectors = new ArrayList<>();
        List<Ledger.Obj> qps = new ArrayList<>();
        for (Link k : ks) {
            for (Ledger.Obj o : Arrays.asList(k.active, k.passive)) {
                if (o != null && o.close == null) {
                    connectors.add(o);
                }
            }
            for (Ledger.Obj o : Arrays.asList(k.activeQp, k.passiveQp)) {
                if (o != null) {
                    qps.add(o);
                }
            }
        }
        boolean ok = rig.closeAll("the racing connectors' closes", connectors);
        ok &= rig.closeAll("the racing QPs' closes", qps);
        if (sx.obj().close == null) {
            ok &= rig.closeAll("the close of " + sx.obj(), List.of(sx.obj()));
        } else if (sx.obj().close.inline() != null) {
            ok &= rig.awaitClosed(sx.obj(), "closed while its connectors were connecting");
        }
        return ok;
    }

    /** A thread that waits for {@code go}, spins {@code nanos}, then runs {@code body}. */
    private static Thread racer(String name, CountDownLatch go, long nanos, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            spin(nanos);
            body.run();
        }, "reliability-race-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Busy-waits: sleeping is far too coarse to shift a race by microseconds. */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private void join(Thread t) {
        try {
            t.join(rig.bounds.timeout().toMillis() * 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
