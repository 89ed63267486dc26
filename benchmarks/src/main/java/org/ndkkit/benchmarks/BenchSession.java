package org.ndkkit.benchmarks;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.UlongRef;

/**
 * One opened testbed and what every round shares: PD and CQ on both hosts, ONE shared endpoint on
 * the first LOCAL address (port 0: the provider chooses), and one listener per connection on the
 * first PEER address (ports chosen by the provider). A connection's four-tuple is unique only by
 * its destination, since every connector uses the same shared endpoint; hence one listener each.
 * With {@link LocalEndpoint#DEDICATED} there is no shared endpoint: each connector connects with
 * NdkConnect from the first LOCAL address and port 0, so that it has its own port as cmtime's
 * connections do, and everything else stays the same (the comparison that tells what the sharing
 * of one port costs).
 *
 * <p>The threads of a round follow cmtime's: the caller's (issues every step for every
 * connection, then waits for all of them) and the acceptor (calls NdkAccept on each connect event,
 * as cmtime's server hands each request to its request thread). NdkCompleteConnect is called by a
 * completer thread as each connect completes ({@link CompletionMode#COMPLETER_THREAD}, the
 * default), or inside the connect's completion ({@link CompletionMode#IN_CALLBACK}: NDK lets a
 * consumer call the connector from its completion, and librdmacm sends cmtime's RTU inside the
 * event handling of the REP). Every other callback only records a time and hands work over.
 * Every wait is bounded.
 *
 * <p>Across a link the peer is another process on another machine ({@link PeerAcceptor}, listening
 * on known ports), as cmtime's server is: this session then has no PEER adapter, creates and closes
 * only the active side's objects, and times no accept (the acceptor's work shows in the setup
 * window, as cmtime's server's does in cmtime's).
 */
final class BenchSession implements AutoCloseable {
    private static final Object POISON = SpiCalls.POISON;

    private final Testbed testbed;
    private final NdkAdapter local;
    /** Null when the peer is a {@link PeerAcceptor} on another machine. */
    private final NdkAdapter peer;
    private final AdapterInfo localInfo;
    private final AdapterInfo peerInfo;
    private final NdkPd localPd;
    private final NdkCq localCq;
    private final NdkPd peerPd;
    private final NdkCq peerCq;
    private final NdkSharedEndpoint endpoint;
    private final InetAddress peerIp;
    private final long baseBoundMs;
    private final long perConnectionBoundMs;
    private final List<NdkListener> listeners = new ArrayList<>();
    private final List<SockAddr> destinations = new ArrayList<>();
    private final LinkedBlockingQueue<Object> connectEvents = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Object> toComplete = new LinkedBlockingQueue<>();
    private final Thread acceptor;
    private final Thread completer;
    private final CompletionMode completionMode;
    private final InetAddress localIp;
    private volatile Round current;
    private boolean broken;

    /** Where NdkCompleteConnect is called from. */
    enum CompletionMode {
        /** Inside the connect's completion callback (as cmtime's RTU is sent in its event handling). */
        IN_CALLBACK,
        /** On a thread of the harness, handed over from the callback. */
        COMPLETER_THREAD;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static CompletionMode parse(String s) {
            for (CompletionMode m : values()) {
                if (m.label().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("complete-connect mode must be in-callback or completer-thread, was " + s);
        }
    }

    /** Where a connection's local address comes from. */
    enum LocalEndpoint {
        /** One shared endpoint for every connection: NdkConnectWithSharedEndpoint. */
        SHARED,
        /** A port of its own for each connection: NdkConnect from port 0. */
        DEDICATED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static LocalEndpoint parse(String s) {
            for (LocalEndpoint m : values()) {
                if (m.label().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("local endpoint must be shared or dedicated, was " + s);
        }
    }

    private record ConnectEvent(int index, NdkConnector connector) {
    }

    BenchSession(Testbed testbed, long baseBoundMs, long perConnectionBoundMs, CompletionMode completionMode) {
        this(testbed, null, baseBoundMs, perConnectionBoundMs, completionMode, LocalEndpoint.SHARED);
    }

    /**
     * @param remotePeer null: listeners and accepts on this testbed's PEER adapter; otherwise the
     *                   listeners of a {@link PeerAcceptor} elsewhere, one per connection of a round
     */
    BenchSession(Testbed testbed, List<SockAddr> remotePeer, long baseBoundMs, long perConnectionBoundMs,
                 CompletionMode completionMode, LocalEndpoint localEndpoint) {
        this.testbed = testbed;
        this.completionMode = completionMode;
        this.baseBoundMs = baseBoundMs;
        this.perConnectionBoundMs = perConnectionBoundMs;
        local = testbed.adapter(Host.LOCAL);
        localInfo = local.queryAdapterInfo();
        localPd = create(cc -> local.createPd(cc, null), "NdkCreatePd(LOCAL)");
        localCq = create(cc -> local.createCq(64, cc, null), "NdkCreateCq(LOCAL)");
        if (remotePeer == null) {
            peer = testbed.adapter(Host.PEER);
            peerInfo = peer.queryAdapterInfo();
            peerPd = create(cc -> peer.createPd(cc, null), "NdkCreatePd(PEER)");
            peerCq = create(cc -> peer.createCq(64, cc, null), "NdkCreateCq(PEER)");
            peerIp = testbed.addresses(Host.PEER).get(0);
        } else {
            peer = null;
            peerInfo = null;
            peerPd = null;
            peerCq = null;
            peerIp = null;
            destinations.addAll(remotePeer);
        }
        localIp = testbed.addresses(Host.LOCAL).get(0);
        endpoint = localEndpoint == LocalEndpoint.DEDICATED ? null
                : create(cc -> local.createSharedEndpoint(SockAddr.of(localIp, 0), cc, null),
                        "NdkCreateSharedEndpoint(" + localIp.getHostAddress() + ":0)");
        acceptor = SpiCalls.worker("bench-acceptor", connectEvents, this::accept);
        completer = SpiCalls.worker("bench-completer", toComplete, this::complete);
    }

    /** Thrown for a failed or timed-out call; the round reports its message. */
    static final class BenchFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchFailure(String message) {
            super(message);
        }
    }

    boolean broken() {
        return broken;
    }

    /** Whether the peer's side runs here (false: a {@link PeerAcceptor} on another machine). */
    boolean peerHere() {
        return peer != null;
    }

    /** The bound on one phase of {@code n} connections. */
    long boundMs(int n) {
        return baseBoundMs + perConnectionBoundMs * n;
    }

    private <T extends NdkObject> T create(Function<CreateCompletion<T>, Created<T>> call, String what) {
        return SpiCalls.create(call, what, baseBoundMs);
    }

    /** Listeners on the PEER address until there are {@code count} (not timed). */
    void ensureListeners(int count) {
        if (!peerHere()) {
            // Dedicated ports make every four-tuple distinct whatever the destination, so one
            // listener (cmtime's server, say) may take them all; a shared endpoint needs one each.
            if (count > destinations.size() && endpoint != null) {
                throw new BenchFailure("the peer acceptor listens on " + destinations.size() + " ports, a round of "
                        + count + " over one shared endpoint needs one per connection");
            }
            return;
        }
        while (listeners.size() < count) {
            int index = listeners.size();
            NdkListener l = create(cc -> peer.createListener(
                    (ctx, connector) -> connectEvents.add(new ConnectEvent((Integer) ctx, connector)), index, cc, null),
                    "NdkCreateListener");
            listeners.add(l);
            SpiCalls.listen(l, SockAddr.of(peerIp, 0), baseBoundMs);
            byte[] buf = new byte[SockAddr.SOCKADDR_IN6_SIZE];
            UlongRef len = new UlongRef(buf.length);
            NtStatus a = l.getLocalAddress(buf, len);
            if (!a.equals(NtStatus.SUCCESS)) {
                throw new BenchFailure("NdkGetListenerLocalAddress returned " + a);
            }
            destinations.add(SockAddr.fromBuffer(buf, len.get()));
        }
    }

    // ================================================================== one round

    /** Per-connection state of a round; arrays are written by callbacks before their latch counts down. */
    private final class Round {
        final int n;
        final NdkConnector[] active;
        final NdkQp[] activeQp;
        final NdkQp[] passiveQp;
        final AtomicReferenceArray<NdkConnector> passive;
        final long[][] start;
        final long[][] end;
        final CountDownLatch connects;
        final CountDownLatch completes;
        final CountDownLatch accepts;
        final CountDownLatch disconnects;
        final CountDownLatch peerDisconnects;
        final CountDownLatch closes;
        final AtomicIntegerArray closesLeft;
        final boolean[] established;
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        Round(int n) {
            this.n = n;
            active = new NdkConnector[n];
            activeQp = new NdkQp[n];
            passiveQp = new NdkQp[n];
            passive = new AtomicReferenceArray<>(n);
            start = new long[ConnectBench.STEPS.size()][n];
            end = new long[ConnectBench.STEPS.size()][n];
            connects = new CountDownLatch(n);
            completes = new CountDownLatch(n);
            // The peer's accepts and disconnect events are seen here only when the peer runs here.
            accepts = new CountDownLatch(peerHere() ? n : 0);
            disconnects = new CountDownLatch(n);
            peerDisconnects = new CountDownLatch(peerHere() ? n : 0);
            closes = new CountDownLatch(n);
            closesLeft = new AtomicIntegerArray(n);
            established = new boolean[n];
        }

        void error(String what) {
            errors.add(what);
        }

        void connected(int i, NtStatus s) {
            end[CONNECT][i] = System.nanoTime();
            if (s.equals(NtStatus.SUCCESS)) {
                if (completionMode == CompletionMode.IN_CALLBACK) {
                    complete(i);
                } else {
                    toComplete.add(i);
                }
            } else {
                error("connect #" + i + " -> " + s);
                completes.countDown(); // never completes: the setup window must not wait for it
                accepts.countDown();
            }
            connects.countDown();
        }

        void completed(int i, NtStatus s) {
            end[COMPLETE][i] = System.nanoTime();
            if (s.equals(NtStatus.SUCCESS)) {
                established[i] = true;
            } else {
                error("complete-connect #" + i + " -> " + s);
            }
            completes.countDown();
        }

        void accepted(int i, NtStatus s) {
            end[ACCEPT][i] = System.nanoTime();
            if (!s.equals(NtStatus.SUCCESS)) {
                error("accept #" + i + " -> " + s);
            }
            accepts.countDown();
        }

        void disconnected(int i, NtStatus s) {
            end[DISCONNECT][i] = System.nanoTime();
            if (!s.equals(NtStatus.SUCCESS)) {
                error("disconnect #" + i + " -> " + s);
            }
            disconnects.countDown();
        }

        void closed(int i) {
            if (closesLeft.decrementAndGet(i) == 0) {
                end[CLOSE][i] = System.nanoTime();
                closes.countDown();
            }
        }
    }

    private static final int CREATE = ConnectBench.STEPS.indexOf("create");
    private static final int CONNECT = ConnectBench.STEPS.indexOf("connect");
    private static final int ACCEPT = ConnectBench.STEPS.indexOf("accept");
    private static final int COMPLETE = ConnectBench.STEPS.indexOf("complete");
    private static final int DISCONNECT = ConnectBench.STEPS.indexOf("disconnect");
    private static final int CLOSE = ConnectBench.STEPS.indexOf("close");

    /** NdkCompleteConnect for a connect that completed with SUCCESS (in its callback, or on the completer). */
    private void complete(Object o) {
        int i = (Integer) o;
        Round r = current;
        if (r == null || i >= r.n) {
            return;
        }
        r.start[COMPLETE][i] = System.nanoTime();
        try {
            NtStatus s = r.active[i].completeConnect(ctx -> r.error("disconnect event on active #" + ctx), i,
                    (ctx, st) -> r.completed((Integer) ctx, st), i);
            if (!s.isPending()) {
                r.completed(i, s);
            }
        } catch (RuntimeException e) {
            r.completed(i, NtStatus.INTERNAL_ERROR);
            r.error("complete-connect #" + i + " threw " + e);
        }
    }

    /** The acceptor: NdkAccept on the QP prepared for the listener's connection. */
    private void accept(Object o) {
        ConnectEvent ev = (ConnectEvent) o;
        int i = ev.index();
        Round r = current;
        if (r == null || i >= r.n || r.passive.get(i) != null) {
            // Not part of a round (a late request after a failed round): refuse and close it.
            ev.connector().reject(null, 0);
            ev.connector().close(ctx -> { }, null);
            System.err.println("bench: unexpected connect event on listener " + i + ": rejected");
            return;
        }
        r.passive.set(i, ev.connector());
        r.start[ACCEPT][i] = System.nanoTime();
        try {
            NtStatus s = ev.connector().accept(r.passiveQp[i], peerInfo.maxInboundReadLimit(),
                    peerInfo.maxOutboundReadLimit(), null, 0, ctx -> r.peerDisconnects.countDown(), i,
                    (ctx, st) -> r.accepted((Integer) ctx, st), i);
            if (!s.isPending()) {
                r.accepted(i, s);
            }
        } catch (RuntimeException e) {
            r.accepted(i, NtStatus.INTERNAL_ERROR);
            r.error("accept #" + i + " threw " + e);
        }
    }

    /**
     * Connection {@code i}'s connect. Its own method so that the JIT compiles it after the warm-up:
     * the round's loop runs in the interpreter (its method is called once per round), and its body
     * there was 6% of the main thread's CPU in a setup window (perf, two-host lab).
     */
    private void connectOne(Round r, int i, RequestCompletion connected, int in, int out, SockAddr anyPort, int ports) {
        r.start[CONNECT][i] = System.nanoTime();
        NtStatus s = endpoint != null
                ? r.active[i].connectWithSharedEndpoint(r.activeQp[i], endpoint, destinations.get(i), in, out,
                        null, 0, connected, i)
                : r.active[i].connect(r.activeQp[i], anyPort, destinations.get(i % ports), in, out, null, 0,
                        connected, i);
        if (!s.isPending()) {
            r.connected(i, s);
        }
    }

    /** The name the JIT compiler's threads have in a round's CPU figures ({@code setup:NAME}). */
    static final String JIT_THREADS = "jit-compiler";
    /** The longest wait for an idle JIT compiler before a window (then the window opens anyway). */
    static final long JIT_SETTLE_BOUND_MS = 10_000;

    /** Rounds run so far, warm-up included (the {@link SetupWindow} events' numbering). */
    private int rounds;

    /**
     * Runs one round of {@code n} connections: create, setup (connect + complete, and the peer's
     * accept), disconnect, close. A failure does not skip the close; a close that does not finish
     * in time marks the session broken (the caller stops).
     */
    RoundResult round(int n) {
        ensureListeners(n);
        // Earlier rounds' garbage is collected here, outside every timed step: a young collection
        // in a setup window (one of 36 ms was seen at N=10), and the JNA cleaner and reference
        // handler threads it wakes, cost a round more than the connections themselves.
        System.gc();
        long round0 = System.nanoTime();
        long cpu0 = CpuMeter.processCpuNanos();
        Map<String, Long> threads0 = CpuMeter.threadCpuNanos();
        Map<String, Long> cpu = new LinkedHashMap<>();
        Round r = new Round(n);
        current = r;
        Map<String, Long> phases = new LinkedHashMap<>();
        String failure = null;
        long setup = 0;
        try {
            // ---- create: connector + QP on the active side, and the QP the peer's accept will use
            long p0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                r.start[CREATE][i] = System.nanoTime();
                r.active[i] = create(cc -> local.createConnector(cc, null), "NdkCreateConnector");
                r.activeQp[i] = create(cc -> localPd.createQp(localCq, localCq, QpParameters.small(), cc, null),
                        "NdkCreateQp(LOCAL)");
                if (peerHere()) {
                    r.passiveQp[i] = create(cc -> peerPd.createQp(peerCq, peerCq, QpParameters.small(), cc, null),
                            "NdkCreateQp(PEER)");
                }
                r.end[CREATE][i] = System.nanoTime();
            }
            phases.put("create", System.nanoTime() - p0);

            // ---- setup window: every connect issued, then every completion awaited
            // The JIT compiler goes idle first: what the create phase (or an earlier round) queued
            // would otherwise compile inside the window (see JitCompiler).
            long settle = JitCompiler.awaitIdle(JIT_SETTLE_BOUND_MS);
            phases.put("jitSettle", Math.abs(settle));
            Map<String, Long> jit0 = JitCompiler.cpuNanos();
            long setupCpu0 = CpuMeter.processCpuNanos();
            Map<String, Long> setupThreads0 = CpuMeter.threadCpuNanos();
            Map<String, Long> gc0 = CpuMeter.gc();
            // The window opens after the CPU snapshots: reading every thread's /proc stat takes
            // milliseconds under emulation, which is the meter's cost, not the connections'.
            SetupWindow window = new SetupWindow();
            window.n = n;
            window.round = ++rounds;
            window.begin();
            RequestCompletion connected = (ctx, st) -> r.connected((Integer) ctx, st);
            int in = localInfo.maxInboundReadLimit();
            int out = localInfo.maxOutboundReadLimit();
            SockAddr anyPort = SockAddr.of(localIp, 0);
            int ports = destinations.size();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                connectOne(r, i, connected, in, out, anyPort, ports);
            }
            await(r.connects, n, "connect", r);
            await(r.completes, n, "complete-connect", r);
            long last = t0;
            for (int i = 0; i < n; i++) {
                last = Math.max(last, r.end[COMPLETE][i]);
            }
            setup = last - t0;
            window.commit();
            // System.nanoTime is CLOCK_MONOTONIC: perf record -k CLOCK_MONOTONIC (BENCH_PERF) stamps its
            // samples on the same clock, and benchmarks/perf/window-perf.py keeps those in these windows.
            System.err.println("bench: setup window " + window.round + " N=" + n + ": CLOCK_MONOTONIC " + t0 + " "
                    + last + " ns");
            cpu.put("process:setup", CpuMeter.processCpuNanos() - setupCpu0);
            long jit = JitCompiler.cpuBetween(jit0, JitCompiler.cpuNanos());
            if (jit >= 0) {
                // Kept at 0 too: a 0 is the evidence that the window measured no compilation.
                cpu.put("setup:" + JIT_THREADS, jit);
            }
            CpuMeter.diff(setupThreads0, CpuMeter.threadCpuNanos()).forEach((k, v) -> cpu.put("setup:" + k, v));
            CpuMeter.gc().forEach((k, v) -> cpu.put("setup:" + k, v - gc0.get(k)));
            phases.put("connect", maxOf(r.end[CONNECT]) - t0);
            phases.put("complete", maxOf(r.end[COMPLETE]) - minOf(r.start[COMPLETE]));
            if (peerHere()) {
                await(r.accepts, n, "accept", r);
                phases.put("accept", maxOf(r.end[ACCEPT]) - minOf(r.start[ACCEPT]));
            }
            failure = firstError(r);

            // ---- disconnect (established connections only)
            if (failure == null) {
                long d0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    r.start[DISCONNECT][i] = System.nanoTime();
                    NtStatus s = r.active[i].disconnect((ctx, st) -> r.disconnected((Integer) ctx, st), i);
                    if (!s.isPending()) {
                        r.disconnected(i, s);
                    }
                }
                await(r.disconnects, n, "disconnect", r);
                phases.put("disconnect", maxOf(r.end[DISCONNECT]) - d0);
                if (peerHere()) {
                    long pd0 = System.nanoTime();
                    await(r.peerDisconnects, n, "the peer's disconnect event", r);
                    phases.put("peerDisconnectWait", System.nanoTime() - pd0);
                }
                failure = firstError(r);
            }
        } catch (RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        // ---- close: both connectors and both QPs of each connection, always
        long c0 = System.nanoTime();
        String closeFailure = closeAll(r);
        long c1 = System.nanoTime();
        phases.put("close", c1 - c0);
        // The close phase on the same clock (window-perf.py --phase close), logged after the setup window.
        System.err.println("bench: close window " + rounds + " N=" + n + ": CLOCK_MONOTONIC " + c0 + " " + c1 + " ns");
        phases.put("round", System.nanoTime() - round0);
        cpu.put("process:round", CpuMeter.processCpuNanos() - cpu0);
        CpuMeter.diff(threads0, CpuMeter.threadCpuNanos()).forEach((k, v) -> cpu.put("thread:" + k, v));
        current = null;
        if (failure == null) {
            failure = closeFailure != null ? closeFailure : firstError(r);
        }
        Map<String, long[]> lat = new LinkedHashMap<>();
        for (int s = 0; s < ConnectBench.STEPS.size(); s++) {
            if (s == ACCEPT && !peerHere()) {
                continue; // timed on the other machine, or not at all
            }
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.end[s][i] - r.start[s][i];
            }
            lat.put(ConnectBench.STEPS.get(s), v);
        }
        if (failure != null) {
            return RoundResult.failed(n, failure, lat, phases, cpu);
        }
        return new RoundResult(n, null, setup, lat, phases, cpu);
    }

    private static long maxOf(long[] v) {
        long m = Long.MIN_VALUE;
        for (long x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    private static long minOf(long[] v) {
        long m = Long.MAX_VALUE;
        for (long x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static String firstError(Round r) {
        String e = r.errors.peek();
        return e == null ? null : e + (r.errors.size() > 1 ? " (and " + (r.errors.size() - 1) + " more)" : "");
    }

    private void await(CountDownLatch latch, int n, String what, Round r) {
        long bound = boundMs(n);
        try {
            if (!latch.await(bound, TimeUnit.MILLISECONDS)) {
                throw new BenchFailure(what + ": " + latch.getCount() + " of " + n + " not done within " + bound
                        + " ms" + (r.errors.isEmpty() ? "" : "; first error: " + r.errors.peek()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure(what + ": interrupted");
        }
    }

    private String closeAll(Round r) {
        for (int i = 0; i < r.n; i++) {
            NdkObject[] objs = {r.active[i], r.passive.get(i), r.activeQp[i], r.passiveQp[i]};
            int count = 0;
            for (NdkObject o : objs) {
                count += o == null ? 0 : 1;
            }
            if (count == 0) {
                r.closes.countDown();
                continue;
            }
            r.closesLeft.set(i, count);
            r.start[CLOSE][i] = System.nanoTime();
            for (NdkObject o : objs) {
                if (o == null) {
                    continue;
                }
                int index = i;
                NtStatus s;
                try {
                    s = o.close(ctx -> r.closed(index), o);
                } catch (RuntimeException e) {
                    s = NtStatus.INTERNAL_ERROR;
                }
                if (!s.isPending()) {
                    if (!s.equals(NtStatus.SUCCESS)) {
                        r.error("close of " + o.type() + " #" + i + " -> " + s);
                    }
                    r.closed(i);
                }
            }
        }
        try {
            long bound = boundMs(r.n);
            if (!r.closes.await(bound, TimeUnit.MILLISECONDS)) {
                broken = true;
                return "close: " + r.closes.getCount() + " of " + r.n + " connections not closed within " + bound + " ms";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broken = true;
            return "close: interrupted";
        }
        return null;
    }

    /** Closes what the session holds (bounded), then the testbed; never throws. */
    @Override
    public void close() {
        connectEvents.add(POISON);
        toComplete.add(POISON);
        List<NdkObject> objs = new ArrayList<>(listeners);
        if (endpoint != null) {
            objs.add(endpoint);
        }
        objs.add(localCq);
        objs.add(localPd);
        if (peerHere()) {
            objs.add(peerCq);
            objs.add(peerPd);
        }
        // CQs and PDs pend until their QPs are closed; listeners and the endpoint until their
        // connectors are: all were closed by the rounds.
        long left = SpiCalls.closeAll(objs, baseBoundMs);
        if (left > 0) {
            System.err.println("bench: " + left + " session objects not closed within " + baseBoundMs + " ms");
        }
        if (!SpiCalls.closeTestbed(testbed, baseBoundMs, "bench-testbed-close")) {
            System.err.println("bench: the testbed did not close within " + baseBoundMs + " ms");
        }
    }
}
