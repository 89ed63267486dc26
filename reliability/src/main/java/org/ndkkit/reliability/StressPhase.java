package org.ndkkit.reliability;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * Phase (a): one shared endpoint with N connections to N distinct destinations (a listener each on
 * the PEER host), all established and held open at the same time, then all torn down.
 *
 * <p>Establishment is pipelined the way a real consumer would run it: this thread issues the
 * connects (at most {@link #WINDOW} outstanding), one acceptor thread accepts each request as its
 * connect event arrives, one completer thread completes each connect as it succeeds. Waiting for
 * all N first would leave early connections unanswered for longer than a provider's accept or
 * connect timer allows.
 */
final class StressPhase {
    /** How many connects may be outstanding (issued, not yet completed) at once. */
    static final int WINDOW = 64;

    private final Rig rig;
    private final Report report;
    private final int requested;
    private final List<Link> links = new ArrayList<>();
    private final List<Rig.Listening> listeners = new ArrayList<>();
    private final List<Progress> progress = new ArrayList<>();
    private final LinkedBlockingQueue<Incoming> incoming = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Integer> connected = new LinkedBlockingQueue<>();
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger connectsDone = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    /** Set at the first failure: a capacity limit, so no further connects are issued. */
    private volatile boolean stopIssuing;
    /** Set once establishment is over: the acceptor and completer threads end. */
    private volatile boolean stop;

    /** A connect event's connector and the index of the listener (and link) it belongs to. */
    private record Incoming(int index, NdkConnector connector) {
    }

    /**
     * The final statuses of one link's three requests, set by their completions (on provider
     * threads, possibly before the call that issued them has returned).
     */
    private final class Progress {
        volatile NtStatus connect;
        volatile NtStatus accept;
        volatile NtStatus complete;
        private boolean counted;

        /** Counts the link as finished once its outcome is known: its connect failed, or accept and complete both ended. */
        synchronized void update() {
            boolean known = (connect != null && !connect.equals(NtStatus.SUCCESS)) || (accept != null && complete != null);
            if (known && !counted) {
                counted = true;
                finished.incrementAndGet();
            }
        }

        boolean established() {
            return NtStatus.SUCCESS.equals(connect) && NtStatus.SUCCESS.equals(accept) && NtStatus.SUCCESS.equals(complete);
        }
    }

    StressPhase(Rig rig, int requested) {
        this.rig = rig;
        this.report = rig.report;
        this.requested = requested;
    }

    /** @return how many connections were held open at the same time */
    int run() {
        LeakCheck leaks = LeakCheck.start(rig);
        long t0 = System.nanoTime();
        for (int i = 0; i < requested; i++) {
            Rig.Listening l = rig.listener(Host.PEER, "L" + i, rig.peerAddress(0), true);
            if (l == null) {
                // A capacity limit of the provider: the phase goes on with the listeners it has.
                if (firstFailure.compareAndSet(null, "listener " + i + ": " + rig.lastFailure)) {
                    report.note("first failure: " + firstFailure.get());
                }
                break;
            }
            int index = i;
            // The event only queues the request: the acceptor thread answers it, off the provider's thread.
            l.hook = (ctx, connector) -> incoming.add(new Incoming(index, connector));
            listeners.add(l);
        }
        long t1 = System.nanoTime();
        report.say(listeners.size() + " listeners on " + rig.peerIp.getHostAddress() + " in " + secs(t1 - t0));
        report.figure("listeners", listeners.size());
        report.figure("listenersSeconds", seconds(t1 - t0));

        Rig.Endpoint se = rig.sharedEndpoint("SE", rig.localAddress(0), false);
        int held = 0;
        if (se != null) {
            // Held means established and still up when all of them are: what the run reports.
            held = establishAll(se) > 0 ? verifyHeld(se) : 0;
            teardown(se);
        }
        drainIncoming();
        long t2 = System.nanoTime();
        rig.closeAll("the listeners' closes", listeners.stream().map(l -> l.obj).toList());
        report.say("listeners closed in " + secs(System.nanoTime() - t2));
        report.figure("connectionsRequested", requested);
        report.figure("connectionsHeld", held);
        report.figure("limit", firstFailure.get());
        leaks.finish();
        int calls = rig.newLedger().verify();
        report.figure("asyncCalls", calls);
        return held;
    }

    private int establishAll(Rig.Endpoint se) {
        Thread acceptor = daemon("reliability-acceptor", this::acceptLoop);
        Thread completer = daemon("reliability-completer", this::completeLoop);
        long t0 = System.nanoTime();
        int issued = 0;
        for (int i = 0; i < listeners.size() && !stopIssuing; i++) {
            // At most WINDOW connects outstanding: a burst of a thousand would queue the last ones
            // behind the first for longer than a provider's connect timer gives them.
            if (i - connectsDone.get() >= WINDOW
                    && !rig.bounds.awaitProgress("connect completions", connectsDone::get, i - WINDOW + 1)) {
                limit("connects stalled with " + (i - connectsDone.get()) + " outstanding");
                break;
            }
            Link k = new Link(rig, "C" + i);
            Progress p = new Progress();
            links.add(k);
            progress.add(p);
            if (!k.create(true)) {
                limit("connector " + i + ": " + rig.lastFailure);
                break;
            }
            int index = i;
            // The completion runs on the provider's thread: hand the link to the completer.
            if (!k.connect(se.endpoint(), listeners.get(i), s -> {
                p.connect = s;
                connectsDone.incrementAndGet();
                if (s.equals(NtStatus.SUCCESS)) {
                    connected.add(index);
                } else {
                    limit("the connect of C" + index + " ended with " + s);
                }
                p.update();
            })) {
                break;
            }
            issued++;
        }
        long t1 = System.nanoTime();
        rig.bounds.awaitProgress("connections established", finished::get, issued);
        stop = true;
        join(acceptor);
        join(completer);
        long t2 = System.nanoTime();
        int held = (int) progress.stream().filter(Progress::established).count();
        report.say(issued + " connects issued in " + secs(t1 - t0) + "; " + held + " connections established in "
                + secs(t2 - t0) + " (" + rate(held, t2 - t0) + " connections/s)");
        report.figure("connectsIssued", issued);
        report.figure("establishSeconds", seconds(t2 - t0));
        report.figure("connectionsPerSecond", Double.parseDouble(rate(held, t2 - t0)));
        if (held < requested) {
            report.say("held " + held + " of " + requested + " requested: " + firstFailure.get());
        }
        return held;
    }

    private void acceptLoop() {
        while (!stop) {
            Incoming in = poll(incoming);
            if (in == null) {
                continue;
            }
            Progress p = progress.get(in.index());
            if (!links.get(in.index()).accept(in.connector(), s -> {
                p.accept = s;
                p.update();
            })) {
                p.accept = NtStatus.UNSUCCESSFUL; // not even issued: reported by Link; the link is finished
                p.complete = NtStatus.UNSUCCESSFUL;
                p.update();
            }
        }
    }

    private void completeLoop() {
        while (!stop) {
            Integer i = poll(connected);
            if (i == null) {
                continue;
            }
            Progress p = progress.get(i);
            if (!links.get(i).complete(s -> {
                p.complete = s;
                p.update();
            })) {
                p.complete = NtStatus.UNSUCCESSFUL;
                p.update();
            }
        }
    }

    /**
     * Every connection is still up (no disconnect event) and reports its own destination and the
     * endpoint's address.
     *
     * @return how many are
     */
    private int verifyHeld(Rig.Endpoint se) {
        long t0 = System.nanoTime();
        Set<String> destinations = new HashSet<>();
        int up = 0;
        for (int i = 0; i < links.size(); i++) {
            Link k = links.get(i);
            if (!progress.get(i).established()) {
                continue;
            }
            NdkConnector c = (NdkConnector) k.active.object;
            SockAddr peer = rig.readAddress("NdkGetPeerAddress(" + k.name + ")", k.active, c::getPeerAddress);
            SockAddr local = rig.readAddress("NdkGetLocalAddress(" + k.name + ")", k.active, c::getLocalAddress);
            if (peer == null || local == null) {
                continue;
            }
            if (!peer.sameEndpoint(listeners.get(i).address) || !local.sameEndpoint(se.address())) {
                report.problem(Problem.Kind.FAILED, "NdkGetPeerAddress/NdkGetLocalAddress(" + k.name + ")", "",
                        "reports " + local + " -> " + peer + ", connected as " + se.address() + " -> " + listeners.get(i).address);
                continue;
            }
            if (k.activeSide.events.get() > 0 || k.passiveSide.events.get() > 0) {
                report.problem(Problem.Kind.FAILED, "disconnect event", "on " + k.name, "a held connection was disconnected");
                continue;
            }
            destinations.add(peer.toString());
            up++;
        }
        report.say(up + " connections up at once from " + se.address() + " to " + destinations.size()
                + " distinct destinations (checked in " + secs(System.nanoTime() - t0) + ")");
        report.figure("connectionsVerifiedUp", up);
        report.figure("distinctDestinations", destinations.size());
        return up;
    }

    /** Every established connection disconnects from the active side, then everything is closed. */
    private void teardown(Rig.Endpoint se) {
        long t0 = System.nanoTime();
        List<Ledger.Call> disconnects = new ArrayList<>();
        List<Link> up = new ArrayList<>();
        for (int i = 0; i < links.size(); i++) {
            if (progress.get(i).established()) {
                up.add(links.get(i));
            }
        }
        for (Link k : up) {
            NdkConnector c = (NdkConnector) k.active.object;
            Ledger.Call d = rig.request("NdkDisconnect(" + k.name + ")", k.active, null, x -> c.disconnect(x.request(), x.context));
            if (d.inline() != null) {
                disconnects.add(d);
            }
        }
        rig.awaitAll("the disconnects", disconnects);
        long failed = disconnects.stream().filter(d -> !NtStatus.SUCCESS.equals(d.status())).count();
        if (failed > 0) {
            report.problem(Problem.Kind.FAILED, "NdkDisconnect", "", failed + " of " + disconnects.size() + " disconnects did not succeed");
        }
        rig.bounds.awaitProgress("the passive sides' disconnect events",
                () -> (int) up.stream().filter(k -> k.passiveSide.events.get() > 0).count(), up.size());
        long t1 = System.nanoTime();
        List<Ledger.Obj> connectors = new ArrayList<>();
        List<Ledger.Obj> qps = new ArrayList<>();
        for (Link k : links) {
            for (Ledger.Obj o : k.objects()) {
                (o.name.startsWith("QP") ? qps : connectors).add(o);
            }
        }
        rig.closeAll("the connectors' closes", connectors);
        rig.closeAll("the QPs' closes", qps);
        rig.closeAll("the shared endpoint's close", List.of(se.obj()));
        long t2 = System.nanoTime();
        report.say(disconnects.size() + " disconnects in " + secs(t1 - t0) + "; " + connectors.size() + " connectors, "
                + qps.size() + " QPs and the shared endpoint closed in " + secs(t2 - t1));
        report.figure("disconnectSeconds", seconds(t1 - t0));
        report.figure("closeSeconds", seconds(t2 - t1));
    }

    /** Requests whose connect event came after the phase stopped waiting: closed, so nothing stays open. */
    private void drainIncoming() {
        List<Ledger.Obj> left = new ArrayList<>();
        for (Incoming in; (in = incoming.poll()) != null; ) {
            left.add(rig.ledger().obj("unanswered request on L" + in.index(), in.connector()));
        }
        rig.closeAll("the unanswered requests' closes", left);
    }

    private void limit(String why) {
        if (firstFailure.compareAndSet(null, why)) {
            report.note("first failure: " + why);
        }
        stopIssuing = true;
    }

    private static <T> T poll(LinkedBlockingQueue<T> q) {
        try {
            return q.poll(20, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void join(Thread t) {
        try {
            t.join(rig.bounds.timeout().toMillis() * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1000.0;
    }

    static String secs(long nanos) {
        return String.format("%.2f s", nanos / 1e9);
    }

    static String rate(long n, long nanos) {
        return String.format(java.util.Locale.ROOT, "%.0f", n / Math.max(1e-9, nanos / 1e9));
    }
}
