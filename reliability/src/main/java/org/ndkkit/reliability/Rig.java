package org.ndkkit.reliability;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;
import org.ndkkit.spi.UlongRef;

/**
 * One opened testbed and the harness's way of using it through the SPI: every call bounded by
 * {@link Bounds}, every asynchronous call kept in the current {@link Ledger}, every failure of a
 * step reported. Helpers return null (having reported why) when a step did not succeed, so the
 * phases can stop that connection and go on with the next.
 */
final class Rig implements AutoCloseable {
    final Testbed testbed;
    final Bounds bounds;
    final Report report;
    final AdapterInfo localInfo;
    final AdapterInfo peerInfo;
    final InetAddress localIp;
    final InetAddress peerIp;
    private final Map<Host, NdkPd> pds = new EnumMap<>(Host.class);
    private final Map<Host, NdkCq> cqs = new EnumMap<>(Host.class);
    private final List<Ledger.Obj> own = new ArrayList<>();
    private volatile Ledger ledger;
    /** Why the last quiet create or listen did not succeed (a capacity limit, in the stress phase). */
    volatile String lastFailure;

    Rig(Testbed testbed, Bounds bounds, Report report) {
        this.testbed = testbed;
        this.bounds = bounds;
        this.report = report;
        this.ledger = new Ledger(report);
        this.localInfo = adapter(Host.LOCAL).queryAdapterInfo();
        this.peerInfo = adapter(Host.PEER).queryAdapterInfo();
        this.localIp = ipv4(Host.LOCAL);
        this.peerIp = ipv4(Host.PEER);
    }

    /**
     * Opens the provider's testbed (bounded: a minute at least, since a real stack takes a while)
     * and the PD and CQ of each host that every QP of the run uses.
     *
     * @throws TestbedUnavailableException when the provider says the environment cannot host it,
     *                                     or opening it threw or hung
     */
    static Rig open(NdkProvider provider, TestbedOptions options, Bounds bounds, Report report)
            throws TestbedUnavailableException {
        Duration bound = bounds.timeout().compareTo(Duration.ofMinutes(1)) > 0 ? bounds.timeout() : Duration.ofMinutes(1);
        Bounds.Result<Object> r = bounds.call("openTestbed", () -> {
            try {
                return new Rig(provider.openTestbed(options), bounds, report); // queries both adapters' info
            } catch (TestbedUnavailableException e) {
                return e;
            }
        }, bound);
        if (r.value() instanceof TestbedUnavailableException e) {
            throw e;
        }
        if (!r.returned() || r.value() == null) {
            throw new TestbedUnavailableException("opening the testbed of " + provider.identity().name() + " "
                    + (r.returned() ? "returned null" : r.failure(bound)), r.thrown());
        }
        Rig rig = (Rig) r.value();
        for (Host h : Host.values()) {
            if (rig.pd(h) == null || rig.cq(h) == null) {
                rig.close();
                throw new TestbedUnavailableException("the " + h + " adapter could not create a PD and a CQ; see the problems above");
            }
        }
        return rig;
    }

    /** The host's first IPv4 address: both ends of every connection use one family. */
    private InetAddress ipv4(Host host) {
        List<InetAddress> all = testbed.addresses(host);
        return all.stream().filter(a -> a instanceof Inet4Address).findFirst().orElse(all.get(0));
    }

    NdkAdapter adapter(Host host) {
        return testbed.adapter(host);
    }

    AdapterInfo info(Host host) {
        return host == Host.LOCAL ? localInfo : peerInfo;
    }

    Ledger ledger() {
        return ledger;
    }

    /** Starts a new ledger (a phase, or a part of one); returns the old one for its final verify. */
    Ledger newLedger() {
        Ledger old = ledger;
        ledger = new Ledger(report);
        return old;
    }

    // ------------------------------------------------------------------ generic calls

    /**
     * A create call through NDK's create pattern, bounded. Returns the object, or null when the
     * create did not succeed; {@code quiet} leaves a failure status unreported (the caller judges it).
     */
    <T extends NdkObject> T create(String label, Function<Ledger.Call, Created<T>> body, boolean quiet) {
        Ledger.Call c = ledger.call(Ledger.Kind.CREATE, label, null, null);
        Bounds.Result<Created<T>> r = bounds.call(label, () -> body.apply(c));
        if (!returned(c, label, r)) {
            return null;
        }
        Created<T> created = r.value();
        c.returned(created.status());
        NtStatus s = awaitStatus(c);
        if (s == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        T object = created.status().isPending() ? (T) c.created() : created.object();
        if (s.equals(NtStatus.SUCCESS) && object == null) {
            report.problem(Problem.Kind.FAILED, label, "", "succeeded without an object");
            return null;
        }
        if (!s.equals(NtStatus.SUCCESS)) {
            lastFailure = label + " failed with " + s;
            if (!quiet) {
                report.problem(Problem.Kind.FAILED, label, "", "failed with " + s);
            }
        }
        return s.equals(NtStatus.SUCCESS) ? object : null;
    }

    /** A request call, bounded and tracked; the call's outcome is read from the returned Call. */
    Ledger.Call request(String label, Ledger.Obj owner, Consumer<NtStatus> then, Function<Ledger.Call, NtStatus> body) {
        Ledger.Call c = ledger.call(Ledger.Kind.REQUEST, label, owner, then);
        Bounds.Result<NtStatus> r = bounds.call(label, () -> body.apply(c));
        if (returned(c, label, r)) {
            c.returned(r.value());
        }
        return c;
    }

    /** A synchronous call, bounded; null (reported) when it did not return a status. */
    NtStatus sync(String label, Ledger.Obj owner, java.util.function.Supplier<NtStatus> body) {
        Bounds.Result<NtStatus> r = bounds.call(label, body);
        if (r.timedOut()) {
            report.problem(Problem.Kind.HANG, label, owner == null ? "" : "on " + owner, r.failure(bounds.timeout()));
            return null;
        }
        if (r.thrown() != null) {
            report.problem(Problem.Kind.EXCEPTION, label, owner == null ? "" : "on " + owner, r.failure(bounds.timeout()));
            return null;
        }
        if (r.value() == null) {
            report.problem(Problem.Kind.NULL_RESULT, label, owner == null ? "" : "on " + owner, "returned null instead of a status");
        }
        return r.value();
    }

    /** Reports a call that did not return a value; false then, and the call is abandoned. */
    private boolean returned(Ledger.Call c, String label, Bounds.Result<?> r) {
        String on = c.owner == null ? "" : "on " + c.owner;
        if (r.timedOut()) {
            report.problem(Problem.Kind.HANG, label, on, r.failure(bounds.timeout()));
        } else if (r.thrown() != null) {
            report.problem(Problem.Kind.EXCEPTION, label, on, r.failure(bounds.timeout()));
        } else if (r.value() == null) {
            report.problem(Problem.Kind.NULL_RESULT, label, on, "returned null instead of a status");
        } else {
            return true;
        }
        c.abandon();
        return false;
    }

    /** The final status of a call, waiting (bounded) for its completion; null (reported) on timeout. */
    NtStatus awaitStatus(Ledger.Call c) {
        return awaitStatus(c, bounds.timeout());
    }

    /** As {@link #awaitStatus(Ledger.Call)} with another bound. */
    NtStatus awaitStatus(Ledger.Call c, Duration bound) {
        if (!c.isDone() && !bounds.await(c.doneLatch(), c.label + " returned STATUS_PENDING; its completion", bound)) {
            c.problem(Problem.Kind.LOST_CALLBACK, "returned STATUS_PENDING and its completion did not come within "
                    + bound.toMillis() + " ms");
            return null;
        }
        return c.status();
    }

    /**
     * How long a connect may take: the provider's own connect timeout (a destination that never
     * answers ends only by it) plus the harness's bound.
     */
    Duration connectBound() {
        return testbed.connectTimeout().plus(bounds.timeout());
    }

    /** True when the call ended in SUCCESS; otherwise reports {@code what} failed (unless it already was). */
    boolean succeeded(Ledger.Call c, String what) {
        NtStatus s = awaitStatus(c);
        if (s == null) {
            return false;
        }
        if (!s.equals(NtStatus.SUCCESS)) {
            report.problem(Problem.Kind.FAILED, c.label, c.owner == null ? "" : "on " + c.owner, what + " ended with " + s);
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ objects

    NdkPd pd(Host host) {
        return pds.computeIfAbsent(host, h -> keep("PD-" + h,
                create("NdkCreatePd(" + h + ")", c -> adapter(h).createPd(c.create(), c.context), false)));
    }

    NdkCq cq(Host host) {
        return cqs.computeIfAbsent(host, h -> keep("CQ-" + h,
                create("NdkCreateCq(" + h + ", 64)", c -> adapter(h).createCq(64, c.create(), c.context), false)));
    }

    /** Objects the rig keeps for its whole life; closed by {@link #close}. */
    private <T extends NdkObject> T keep(String name, T object) {
        if (object != null) {
            own.add(ledger.obj(name, object));
        }
        return object;
    }

    Ledger.Obj connector(Host host, String name, boolean quiet) {
        NdkConnector c = create("NdkCreateConnector(" + name + ")", k -> adapter(host).createConnector(k.create(), k.context), quiet);
        return c == null ? null : ledger.obj(name, c);
    }

    Ledger.Obj qp(Host host, String name, boolean quiet) {
        NdkPd pd = pd(host);
        NdkCq cq = cq(host);
        if (pd == null || cq == null) {
            return null;
        }
        NdkQp q = create("NdkCreateQp(" + name + ")", k -> pd.createQp(cq, cq, QpParameters.small(), k.create(), k.context), quiet);
        return q == null ? null : ledger.obj(name, q);
    }

    /** A shared endpoint on {@code address} (port 0: the provider's choice), with the address it reports. */
    Endpoint sharedEndpoint(String name, SockAddr address, boolean quiet) {
        NdkSharedEndpoint se = create("NdkCreateSharedEndpoint(" + name + ", " + address + ")",
                k -> adapter(Host.LOCAL).createSharedEndpoint(address, k.create(), k.context), quiet);
        if (se == null) {
            return null;
        }
        Ledger.Obj o = ledger.obj(name, se);
        SockAddr actual = readAddress("NdkGetSharedEndpointLocalAddress(" + name + ")", o, se::getLocalAddress);
        return actual == null ? null : new Endpoint(o, se, actual);
    }

    /** A shared endpoint and the address it reported. */
    record Endpoint(Ledger.Obj obj, NdkSharedEndpoint endpoint, SockAddr address) {
    }

    /**
     * A listener that listens on {@code address}. Its connect events go to its queue unless a
     * hook takes them (the race phase closes things from inside the event).
     */
    Listening listener(Host host, String name, SockAddr address, boolean quiet) {
        Listening l = new Listening(name);
        NdkListener listener = create("NdkCreateListener(" + name + ")",
                k -> adapter(host).createListener(l::onConnectEvent, l.eventContext, k.create(), k.context), quiet);
        if (listener == null) {
            return null;
        }
        l.obj = ledger.obj(name, listener);
        l.listener = listener;
        Ledger.Call listen = request("NdkListen(" + name + ", " + address + ")", l.obj, null,
                k -> listener.listen(address, k.request(), k.context));
        if (listen.inline() == null) {
            close(l.obj);
            return null;
        }
        NtStatus s = awaitStatus(listen);
        if (s == null || !s.equals(NtStatus.SUCCESS)) {
            lastFailure = listen.label + " failed with " + s;
            if (s != null && !quiet) {
                report.problem(Problem.Kind.FAILED, listen.label, "", "failed with " + s);
            }
            close(l.obj);
            return null;
        }
        l.address = readAddress("NdkGetListenerLocalAddress(" + name + ")", l.obj, listener::getLocalAddress);
        return l.address == null ? null : l;
    }

    /** A listener, its address, and the connectors its connect events delivered. */
    final class Listening {
        final String name;
        final Object eventContext;
        final LinkedBlockingQueue<NdkConnector> incoming = new LinkedBlockingQueue<>();
        volatile ConnectEventCallback hook;
        Ledger.Obj obj;
        NdkListener listener;
        SockAddr address;

        Listening(String name) {
            this.name = name;
            this.eventContext = "connect-event-context:" + name;
        }

        void onConnectEvent(Object ctx, NdkConnector connector) {
            if (obj != null) {
                ledger.event(obj, "connect event");
            }
            if (ctx != eventContext) {
                report.problem(Problem.Kind.WRONG_CONTEXT, "connect event", "on " + name, "carried context " + ctx
                        + ", expected " + eventContext);
            }
            ConnectEventCallback h = hook;
            if (h != null) {
                h.connectRequest(ctx, connector);
            } else {
                incoming.add(connector);
            }
        }

        /**
         * The connect event for {@code connect}, waiting at most the timeout; null once the connect
         * has finished without one (refused, or its connector closed: waiting longer would be a false
         * timeout), or when nothing came in time (reported).
         */
        NdkConnector next(String forWhat, Ledger.Call connect) {
            return next(forWhat, connect, bounds.timeout());
        }

        /** As {@link #next(String, Ledger.Call)} with another bound. */
        NdkConnector next(String forWhat, Ledger.Call connect, Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            while (System.nanoTime() < deadline) {
                NdkConnector c;
                try {
                    c = incoming.poll(2, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                if (c != null) {
                    return c;
                }
                if (connect != null && connect.isDone() && !NtStatus.SUCCESS.equals(connect.status())) {
                    return null;
                }
            }
            bounds.caught("connect event on " + name + " for " + forWhat);
            report.problem(Problem.Kind.LOST_CALLBACK, "connect event", "on " + name, "no connect event for " + forWhat
                    + " within " + bound.toMillis() + " ms"
                    + (connect != null && !connect.isDone() ? ", and its connect did not finish either" : ""));
            return null;
        }
    }

    /** Reads an address through NDK's buffer protocol; null (reported) unless it succeeds well-formed. */
    SockAddr readAddress(String label, Ledger.Obj owner, BiFunction<byte[], UlongRef, NtStatus> getter) {
        byte[] buf = new byte[128];
        UlongRef len = new UlongRef(buf.length);
        NtStatus s = sync(label, owner, () -> getter.apply(buf, len));
        if (s == null) {
            return null;
        }
        SockAddr a = SockAddr.fromBuffer(buf, len.get());
        if (!s.equals(NtStatus.SUCCESS) || !a.isWellFormed()) {
            report.problem(Problem.Kind.FAILED, label, "on " + owner, "returned " + s + " with " + a);
            return null;
        }
        return a;
    }

    // ------------------------------------------------------------------ close

    /** Issues NdkCloseObject, bounded and tracked; null when it did not return a status. */
    Ledger.Call close(Ledger.Obj o) {
        return close(o, false);
    }

    /**
     * Issues NdkCloseObject from the current thread, a provider's callback thread (closing from
     * inside a completion or event is what NDK allows and what the race phase does), watched.
     */
    Ledger.Call closeHere(Ledger.Obj o) {
        return close(o, true);
    }

    private Ledger.Call close(Ledger.Obj o, boolean here) {
        Ledger.Call c = ledger.call(Ledger.Kind.CLOSE, "NdkCloseObject(" + o + ")" + (here ? " inside a callback" : ""), o, null);
        o.close = c;
        java.util.function.Supplier<NtStatus> body = () -> o.object.close(c.close(), c.context);
        Bounds.Result<NtStatus> r = here ? bounds.inCallback(c.label, body) : bounds.call(c.label, body);
        if (!returned(c, c.label, r)) {
            return null;
        }
        NtStatus s = r.value();
        c.returned(s);
        if (!s.equals(NtStatus.SUCCESS) && !s.isPending()) {
            report.problem(Problem.Kind.FAILED, c.label, "", "returned " + s + "; a close returns only STATUS_SUCCESS or STATUS_PENDING");
        }
        return c;
    }

    /** Closes each object in order and waits (bounded by progress) until every close has completed. */
    boolean closeAll(String what, List<Ledger.Obj> objects) {
        List<Ledger.Call> closes = new ArrayList<>();
        for (Ledger.Obj o : objects) {
            if (o != null) {
                Ledger.Call c = close(o);
                if (c != null) {
                    closes.add(c);
                }
            }
        }
        return awaitAll(what, closes);
    }

    /** Waits until every call is done, for as long as they keep finishing; reports the ones that did not. */
    boolean awaitAll(String what, List<Ledger.Call> calls) {
        if (bounds.awaitProgress(what, () -> (int) calls.stream().filter(Ledger.Call::isDone).count(), calls.size())) {
            return true;
        }
        for (Ledger.Call c : calls) {
            if (!c.isDone()) {
                c.problem(Problem.Kind.LOST_CALLBACK, "returned STATUS_PENDING and its completion did not come within "
                        + bounds.timeout().toMillis() + " ms");
            }
        }
        return false;
    }

    /** Waits (bounded) until a close issued elsewhere, perhaps inside a callback yet to come, has completed. */
    boolean awaitClosed(Ledger.Obj o, String why) {
        if (bounds.awaitProgress("the close of " + o + " (" + why + ")", () -> o.close != null && o.close.isDone() ? 1 : 0, 1)) {
            return true;
        }
        report.problem(Problem.Kind.LOST_CALLBACK, "NdkCloseObject(" + o + ")", why, o.close == null
                ? "the callback that closes it never came" : "returned STATUS_PENDING and its completion never came");
        return false;
    }

    /** The provider's counts, or unavailable; a count that throws or hangs is reported and unavailable. */
    Availability<Map<String, Long>> counts() {
        Bounds.Result<Availability<Map<String, Long>>> r = bounds.call("Testbed.resourceCounts()", testbed::resourceCounts);
        if (r.returned() && r.value() != null) {
            return r.value();
        }
        String why = r.returned() ? "returned null" : r.failure(bounds.timeout());
        report.problem(r.timedOut() ? Problem.Kind.HANG : Problem.Kind.EXCEPTION, "Testbed.resourceCounts()", "", why);
        return Availability.unavailable("resource-counts-failed", why);
    }

    SockAddr localAddress(int port) {
        return SockAddr.of(localIp, port);
    }

    SockAddr peerAddress(int port) {
        return SockAddr.of(peerIp, port);
    }

    /** Closes the rig's PDs and CQs (bounded), then the testbed (bounded). */
    @Override
    public void close() {
        List<Ledger.Obj> cqsFirst = new ArrayList<>(own);
        cqsFirst.sort((a, b) -> Boolean.compare(a.name.startsWith("PD"), b.name.startsWith("PD")));
        closeAll("the rig's CQs and PDs to close", cqsFirst);
        Bounds.Result<Object> r = bounds.call("Testbed.close()", () -> {
            testbed.close();
            return Boolean.TRUE;
        });
        if (!r.returned()) {
            report.problem(r.timedOut() ? Problem.Kind.HANG : Problem.Kind.EXCEPTION, "Testbed.close()", "",
                    r.failure(bounds.timeout()));
        }
    }
}
