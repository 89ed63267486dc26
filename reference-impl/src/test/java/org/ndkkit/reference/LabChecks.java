package org.ndkkit.reference;

import com.sun.jna.Memory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.ndkkit.reference.LabKit.Host1;
import org.ndkkit.reference.LabKit.Listening;
import org.ndkkit.reference.LabKit.Req;
import org.ndkkit.reference.rdma.CmConstants;
import org.ndkkit.reference.rdma.CmEvent;
import org.ndkkit.reference.rdma.CmId;
import org.ndkkit.reference.rdma.CompletionQueue;
import org.ndkkit.reference.rdma.ConnParam;
import org.ndkkit.reference.rdma.DeviceContext;
import org.ndkkit.reference.rdma.EventChannel;
import org.ndkkit.reference.rdma.ProtectionDomain;
import org.ndkkit.reference.rdma.QueuePair;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaCmEventType;
import org.ndkkit.reference.rdma.RdmaNetlink;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.reference.rdma.VerbsConstants;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.UlongRef;

/**
 * Lab-only checks (run with reference-impl/lab-checks.sh): the provider paths the feature suite
 * does not reach, and raw rdma_cm observations behind rows of MAPPING.md. Prints one line per
 * check: {@code CHECK name: expected ..., observed ... -> OK | MISMATCH}. Exit 1 on a mismatch.
 * {@code --long} adds the ~100 s rdma_cm timeout observations; {@code --quick} runs only the IPv6
 * checks, the abandoned accept and the injected exhaustion (a few seconds:
 * reference-impl/lab-interop.sh runs them in CI's lab boot).
 */
public final class LabChecks {
    private static int mismatches;
    private static ReferenceTestbed tb;
    private static InetAddress local1;
    private static InetAddress local2;
    private static InetAddress peer1;
    private static InetAddress peer2;
    /** How long the abandoned accept's close, and the next connection after it, may take (TCG). */
    private static final long ABANDONED_BOUND_MS = 5_000;

    private LabChecks() {
    }

    static void check(String name, Object expected, Object observed) {
        boolean ok = String.valueOf(expected).equals(String.valueOf(observed));
        if (!ok) {
            mismatches++;
        }
        System.out.println("CHECK " + name + ": expected " + expected + ", observed " + observed + (ok ? " -> OK" : " -> MISMATCH"));
    }

    static void note(String name, String observed) {
        System.out.println("OBSERVED " + name + ": " + observed);
    }

    public static void main(String[] args) throws Exception {
        boolean longChecks = args.length > 0 && args[0].equals("--long");
        boolean quick = args.length > 0 && args[0].equals("--quick");
        String eventLog = System.getProperty("ndk.provider.event-log", "");
        tb = (ReferenceTestbed) new ReferenceProvider().openTestbed(new TestbedOptions(Duration.ofMillis(3000),
                Map.of("exhaust-resources", "cgroup", "accept-timeout-ms", "2000", "event-log", eventLog)));
        local1 = tb.addresses(Host.LOCAL).get(0);
        local2 = tb.addresses(Host.LOCAL).get(1);
        peer1 = tb.addresses(Host.PEER).get(0);
        peer2 = tb.addresses(Host.PEER).get(1);
        Host1 a = new Host1(tb, Host.LOCAL);
        Host1 p = new Host1(tb, Host.PEER);
        try {
            if (quick) {
                ipv6(a, p);
                acceptTimeout(a, p);
                injectedExhaustion(a, p);
            } else {
                ndkConnect(a, p);
                ipv6(a, p);
                kernelCounts(a, p);
                cgroup(a, p);
                injectedExhaustion(a, p);
                completeAfterPassiveClosed(a, p);
                answerAfterActiveClosed(a, p, true);
                answerAfterActiveClosed(a, p, false);
                acceptTimeout(a, p);
                routes(a);
                kernelAddressErrors(p);
                raw(longChecks);
            }
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            mismatches++;
        } finally {
            tb.close();
        }
        System.out.println("lab checks: " + (mismatches == 0 ? "all as expected" : mismatches + " MISMATCH(ES)"));
        System.exit(mismatches == 0 ? 0 : 1);
    }

    /** Connects C (already with QP q) to L, accepts as P and completes; returns P. */
    private static NdkConnector establish(NdkConnector c, NtStatus connectInline, Req connect, Listening l, Host1 p) {
        NdkConnector pc = l.next();
        if (pc == null) {
            throw new IllegalStateException("no connect event within " + LabKit.WAIT_MS + " ms; the connect: "
                    + connect.await(connectInline));
        }
        Req accept = new Req();
        NtStatus ai = pc.accept(p.qp(), 128, 128, null, 0, ctx -> { }, null, accept, null);
        check("connect completes", NtStatus.SUCCESS, connect.await(connectInline));
        check("complete-connect", NtStatus.SUCCESS, c.completeConnect(ctx -> { }, null, new Req(), null));
        check("accept completes", NtStatus.SUCCESS, accept.await(ai));
        return pc;
    }

    // ------------------------------------------------------------------ NdkConnect (not shared)

    private static void ndkConnect(Host1 a, Host1 p) {
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkConnector c = a.connector();
        Req r = new Req();
        NtStatus s = c.connect(a.qp(), SockAddr.of(local1, 7600), l.address, 128, 128, null, 0, r, null);
        NdkConnector pc = establish(c, s, r, l, p);
        check("NdkConnect explicit source: local address", local1.getHostAddress() + ":7600", localAddressOf(c));
        Created<NdkSharedEndpoint> se = a.adapter.createSharedEndpoint(SockAddr.of(local1, 7600), null, null);
        check("NdkCreateSharedEndpoint on a connector's own source address", NtStatus.SHARING_VIOLATION, se.status());
        NdkConnector c2 = a.connector();
        NtStatus s2 = c2.connect(a.qp(), SockAddr.of(local1, 7600), SockAddr.of(peer2, 7601), 1, 1, null, 0, new Req(), null);
        check("NdkConnect from a source address in use", NtStatus.SHARING_VIOLATION, s2);
        NdkConnector c3 = a.connector();
        Req r3 = new Req();
        NtStatus s3 = c3.connect(a.qp(), SockAddr.of(local2, 0), l.address, 1, 1, null, 0, r3, null);
        NdkConnector pc3 = establish(c3, s3, r3, l, p);
        SockAddr la = localAddressOf(c3);
        check("NdkConnect port 0: ephemeral port", true, la != null && la.ip().equals(local2) && la.port() >= 49152);
        for (var o : new org.ndkkit.spi.NdkObject[] {c, pc, c2, c3, pc3, l.listener}) {
            LabKit.closeAndWait(o);
        }
        Created<NdkSharedEndpoint> again = a.adapter.createSharedEndpoint(SockAddr.of(local1, 7600), null, null);
        check("the connector's source address is free after its close", NtStatus.SUCCESS, again.status());
        if (again.object() != null) {
            LabKit.closeAndWait(again.object());
        }
    }

    private static SockAddr localAddressOf(NdkConnector c) {
        return LabKit.localAddressOf(c);
    }

    // ------------------------------------------------------------------ rdma cgroup

    private static void cgroup(Host1 a, Host1 p) {
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkConnector c = a.connector();
        NdkQp q = a.qp();
        Availability<ResourceExhaustion> ex = tb.exhaustResources(Host.LOCAL);
        note("exhaustResources with exhaust-resources=cgroup", ex.toString());
        if (!ex.isAvailable()) {
            check("cgroup limit available", true, false);
            return;
        }
        try {
            check("NdkCreatePd under the rdma cgroup limit (ibv_alloc_pd EAGAIN)", NtStatus.INSUFFICIENT_RESOURCES,
                    a.adapter.createPd(null, null).status());
            check("NdkCreateCq under the limit", NtStatus.INSUFFICIENT_RESOURCES, a.adapter.createCq(16, null, null).status());
            check("NdkCreateQp under the limit", NtStatus.INSUFFICIENT_RESOURCES,
                    a.pd.createQp(a.cq, a.cq, org.ndkkit.spi.QpParameters.small(), null, null).status());
            Created<NdkSharedEndpoint> se = a.adapter.createSharedEndpoint(SockAddr.of(local1, 0), null, null);
            note("NdkCreateSharedEndpoint under the limit (rdma_cm ids are not charged)", se.status().toString());
            if (se.object() != null) {
                Req r = new Req();
                NtStatus s = c.connectWithSharedEndpoint(q, se.object(), l.address, 1, 1, null, 0, r, null);
                NdkConnector pc = l.next();
                note("NdkConnectWithSharedEndpoint under the limit (existing QP, uncharged id)",
                        s + (pc != null ? ", the peer got the request" : ""));
                if (pc != null) {
                    LabKit.closeAndWait(pc);
                }
                r.await(s);
                LabKit.closeAndWait(c);
                LabKit.closeAndWait(se.object());
            }
        } finally {
            ex.get().close();
        }
        Created<NdkPd> pd = a.adapter.createPd(null, null);
        check("NdkCreatePd after the limit is released", NtStatus.SUCCESS, pd.status());
        if (pd.object() != null) {
            LabKit.closeAndWait(pd.object());
        }
        LabKit.closeAndWait(q);
        LabKit.closeAndWait(l.listener);
    }

    /**
     * The injected exhaustion (InjectedExhaustion) in both modes: inline, a connect, a shared
     * endpoint and a PD fail with INSUFFICIENT_RESOURCES inside the call; async, the connect
     * returns PENDING and its completion says INSUFFICIENT_RESOURCES. Only the exhausted adapter
     * is affected, nothing leaks, and once released the same adapter connects again.
     */
    private static void injectedExhaustion(Host1 a, Host1 p) {
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkSharedEndpoint se = a.endpoint(local1, 0);
        NdkQp q = a.qp();
        Map<String, Long> before = tb.resourceCounts().get();
        RefAdapter local = (RefAdapter) tb.adapter(Host.LOCAL);

        NdkConnector c1 = a.connector();
        InjectedExhaustion inline = local.exhaust(InjectedExhaustion.Mode.INLINE);
        try {
            check("injected: NdkConnectWithSharedEndpoint fails inline", NtStatus.INSUFFICIENT_RESOURCES,
                    c1.connectWithSharedEndpoint(q, se, l.address, 2, 2, null, 0, new Req(), null));
            check("injected: NdkCreateSharedEndpoint", NtStatus.INSUFFICIENT_RESOURCES,
                    a.adapter.createSharedEndpoint(SockAddr.of(local1, 0), null, null).status());
            check("injected: NdkCreatePd", NtStatus.INSUFFICIENT_RESOURCES, a.adapter.createPd(null, null).status());
            Created<NdkPd> peerPd = p.adapter.createPd(null, null);
            check("injected: the other adapter's NdkCreatePd", NtStatus.SUCCESS, peerPd.status());
            if (peerPd.object() != null) {
                LabKit.closeAndWait(peerPd.object());
            }
            check("injected: native calls failed (at least 3)", true, inline.injected() >= 3);
        } finally {
            inline.close();
        }
        LabKit.closeAndWait(c1);

        NdkConnector c2 = a.connector();
        InjectedExhaustion async = local.exhaust(InjectedExhaustion.Mode.ASYNC);
        try {
            Req r = new Req();
            NtStatus s = c2.connectWithSharedEndpoint(q, se, l.address, 2, 2, null, 0, r, null);
            check("injected-async: the connect returns", NtStatus.PENDING, s);
            check("injected-async: its completion", NtStatus.INSUFFICIENT_RESOURCES, r.await(s));
            check("injected-async: the peer got no request", 0, l.requests.size());
        } finally {
            async.close();
        }
        LabKit.closeAndWait(c2);

        NdkConnector c3 = a.connector();
        Req r3 = new Req();
        NtStatus s3 = c3.connectWithSharedEndpoint(q, se, l.address, 2, 2, null, 0, r3, null);
        NdkConnector pc3 = establish(c3, s3, r3, l, p);
        LabKit.closeAndWait(c3);
        LabKit.closeAndWait(pc3);
        // establish() leaves its peer QP open: QPs aside, every count is back (kernel counts may lag)
        Map<String, Long> want = withoutQps(before);
        Map<String, Long> after = withoutQps(tb.resourceCounts().get());
        for (int i = 0; i < 30 && !after.equals(want); i++) {
            sleep(100);
            after = withoutQps(tb.resourceCounts().get());
        }
        check("injected: every count (QPs aside) back after the failed connects and one connection", want, after);
        LabKit.closeAndWait(q);
        LabKit.closeAndWait(se);
        LabKit.closeAndWait(l.listener);
    }

    private static Map<String, Long> withoutQps(Map<String, Long> counts) {
        Map<String, Long> out = new java.util.TreeMap<>(counts);
        out.keySet().removeIf(k -> k.contains("qp"));
        return out;
    }

    // ------------------------------------------------------------------ abandoned connections

    private static void completeAfterPassiveClosed(Host1 a, Host1 p) {
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkSharedEndpoint se = a.endpoint(local1, 0);
        NdkConnector c = a.connector();
        Req r = new Req();
        NtStatus s = c.connectWithSharedEndpoint(a.qp(), se, l.address, 2, 2, null, 0, r, null);
        NdkConnector pc = l.next();
        Req accept = new Req();
        NtStatus ai = pc.accept(p.qp(), 2, 2, null, 0, ctx -> { }, null, accept, null);
        check("connect completes", NtStatus.SUCCESS, r.await(s));
        LabKit.closeAndWait(pc); // the passive side abandons after accepting (REJ 28 to the active side)
        note("the abandoned accept", String.valueOf(accept.await(ai)));
        sleep(300);
        check("NdkCompleteConnect after the accepting peer closed", NtStatus.CONNECTION_ABORTED,
                c.completeConnect(ctx -> { }, null, new Req(), null));
        LabKit.closeAndWait(c);
        LabKit.closeAndWait(se);
        LabKit.closeAndWait(l.listener);
    }

    private static void answerAfterActiveClosed(Host1 a, Host1 p, boolean accept) {
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkSharedEndpoint se = a.endpoint(local1, 0);
        NdkConnector c = a.connector();
        NtStatus s = c.connectWithSharedEndpoint(a.qp(), se, l.address, 2, 2, null, 0, new Req(), null);
        note("connect", s.toString());
        NdkConnector pc = l.next();
        LabKit.closeAndWait(c); // the connecting side abandons (REJ 4 TIMEOUT to the passive side)
        sleep(300);
        if (accept) {
            Req r = new Req();
            NtStatus ai = pc.accept(p.qp(), 2, 2, null, 0, ctx -> { }, null, r, null);
            check("NdkAccept after the connecting peer closed", NtStatus.CONNECTION_ABORTED, r.await(ai));
        } else {
            check("NdkReject after the connecting peer closed", NtStatus.CONNECTION_ABORTED, pc.reject(null, 0));
        }
        LabKit.closeAndWait(pc);
        LabKit.closeAndWait(se);
        LabKit.closeAndWait(l.listener);
    }

    /**
     * The active side never completes: the peer's accept timer fires. Then the abandoned passive
     * connector must close at once and the peer's adapter must go on accepting. It used to
     * rdma_reject in the REP-sent state, which leaves the kernel CM's REP retransmissions running
     * for about a minute; rdma_destroy_id waited for them on the adapter's event thread, so every
     * close and connect event of that adapter waited too.
     */
    private static void acceptTimeout(Host1 a, Host1 p) {
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkSharedEndpoint se = a.endpoint(local1, 0);
        NdkConnector c = a.connector();
        Req r = new Req();
        NtStatus s = c.connectWithSharedEndpoint(a.qp(), se, l.address, 2, 2, null, 0, r, null);
        NdkConnector pc = l.next();
        Req accept = new Req();
        NtStatus ai = pc.accept(p.qp(), 2, 2, null, 0, ctx -> { }, null, accept, null);
        check("connect completes", NtStatus.SUCCESS, r.await(s));
        // never complete-connect: the provider's accept timer (accept-timeout-ms=2000) fires
        check("NdkAccept when the active side never completes", NtStatus.IO_TIMEOUT, accept.await(ai));
        long t0 = System.nanoTime();
        check("close of the abandoned passive connector", NtStatus.SUCCESS, LabKit.closeAndWait(pc));
        long closeMs = (System.nanoTime() - t0) / 1_000_000;
        note("close of the abandoned passive connector took", closeMs + " ms");
        check("close of the abandoned passive connector within " + ABANDONED_BOUND_MS + " ms", true,
                closeMs <= ABANDONED_BOUND_MS);
        LabKit.closeAndWait(c);
        // The peer's adapter still serves: a new connection to it is accepted within the bound.
        Listening l2 = new Listening(p.adapter, peer1, 0);
        NdkConnector c2 = a.connector();
        Req r2 = new Req();
        long t1 = System.nanoTime();
        NtStatus s2 = c2.connectWithSharedEndpoint(a.qp(), se, l2.address, 2, 2, null, 0, r2, null);
        NdkConnector pc2 = establish(c2, s2, r2, l2, p);
        long establishMs = (System.nanoTime() - t1) / 1_000_000;
        note("a new connection to the same peer adapter took", establishMs + " ms");
        check("a new connection to the same peer adapter within " + ABANDONED_BOUND_MS + " ms", true,
                establishMs <= ABANDONED_BOUND_MS);
        LabKit.closeAndWait(c2);
        LabKit.closeAndWait(pc2);
        LabKit.closeAndWait(se);
        LabKit.closeAndWait(l.listener);
        LabKit.closeAndWait(l2.listener);
    }

    // ------------------------------------------------------------------ routes

    private static void routes(Host1 a) throws IOException, InterruptedException {
        Process ip = new ProcessBuilder("ip", "-batch", "-").redirectErrorStream(true).start();
        ip.getOutputStream().write(("route replace prohibit 198.18.4.0/24\nroute replace blackhole 198.18.5.0/24\n").getBytes());
        ip.getOutputStream().close();
        note("ip route add prohibit/blackhole", "exit " + ip.waitFor() + " " + new String(ip.getInputStream().readAllBytes()).trim());
        InetSocketAddress from = new InetSocketAddress(local1, 0);
        // One RouteCheck, as an adapter keeps it: its socket is connected again for every lookup,
        // after failed lookups and after successful ones.
        RouteCheck routes = new RouteCheck();
        check("route lookup, no route (errno)", 101, routes.lookup(from, new InetSocketAddress(tb.plan().networkUnreachable().get(), 7000)));
        check("route lookup, unreachable route (errno)", 113, routes.lookup(from, new InetSocketAddress(tb.plan().hostUnreachable().get(), 7000)));
        check("route lookup, prohibit route (errno)", 13, routes.lookup(from, new InetSocketAddress(LabPlan.ipv4("198.18.4.1", "x"), 7000)));
        check("route lookup, blackhole route (errno)", 22, routes.lookup(from, new InetSocketAddress(LabPlan.ipv4("198.18.5.1", "x"), 7000)));
        check("route lookup, silent host on-link", 0, routes.lookup(from, new InetSocketAddress(tb.plan().silentHost().get(), 7000)));
        check("route lookup, peer", 0, routes.lookup(from, new InetSocketAddress(peer1, 7000)));
        check("route lookup, no route after a route was found (errno)", 101,
                routes.lookup(from, new InetSocketAddress(tb.plan().networkUnreachable().get(), 7000)));
        check("route lookup, peer again", 0, routes.lookup(from, new InetSocketAddress(peer1, 7000)));
        check("route lookup, sockets kept (one per source)", 1, routes.openSockets());
        routes.close();
        check("route lookup, sockets after close", 0, routes.openSockets());
        NdkSharedEndpoint se = a.endpoint(local1, 0);
        for (String[] t : new String[][] {{"198.18.4.1", "STATUS_HOST_UNREACHABLE"}, {"198.18.5.1", "STATUS_NETWORK_UNREACHABLE"}}) {
            NdkConnector c = a.connector();
            Req r = new Req();
            NtStatus s = c.connectWithSharedEndpoint(a.qp(), se, SockAddr.of(t[0], 7000), 1, 1, null, 0, r, null);
            check("connect to " + t[0], t[1], r.await(s).name());
            LabKit.closeAndWait(c);
        }
        LabKit.closeAndWait(se);
    }

    // ------------------------------------------------------------------ IPv6

    /**
     * The connection life over AF_INET6 (the lab's 2001:2::1 and 2001:2::1:1): shared endpoint
     * (port 0 and explicit), listener, connect with private data, accept, complete-connect,
     * 28-byte SOCKADDR_IN6 addresses, disconnect, close; the four-tuple and address tables; mixed
     * families and IPv4-mapped addresses refused; and what rdma_cm itself says to a mixed connect.
     */
    private static void ipv6(Host1 a, Host1 p) {
        long t0 = System.nanoTime();
        InetAddress local6 = firstIpv6(Host.LOCAL);
        InetAddress peer6 = firstIpv6(Host.PEER);
        check("IPv6: the testbed offers an IPv6 address on each host", true, local6 != null && peer6 != null);
        if (local6 == null || peer6 == null) {
            return;
        }
        RouteCheck routes = new RouteCheck();
        check("IPv6 route lookup local -> peer", 0,
                routes.lookup(new InetSocketAddress(local6, 0), new InetSocketAddress(peer6, 7000)));
        routes.close();
        NdkSharedEndpoint se = a.endpoint(local6, 0);
        UlongRef need = new UlongRef(SockAddr.SOCKADDR_IN_SIZE);
        check("IPv6 NdkGetSharedEndpointLocalAddress, 16-byte buffer", "STATUS_BUFFER_TOO_SMALL 28",
                se.getLocalAddress(new byte[16], need).name() + " " + need.get());
        SockAddr seAddr = address6(se::getLocalAddress);
        check("IPv6 shared endpoint port 0: SOCKADDR_IN6 on the address with an ephemeral port", true,
                seAddr != null && seAddr.ip().equals(local6) && AddressTable.isEphemeral(seAddr.port()));
        check("IPv6 second shared endpoint on that address", NtStatus.SHARING_VIOLATION,
                a.adapter.createSharedEndpoint(seAddr, null, null).status());
        Created<NdkSharedEndpoint> fixed = a.adapter.createSharedEndpoint(SockAddr.of(local6, 7610), null, null);
        check("IPv6 shared endpoint explicit port", "STATUS_SUCCESS [" + local6.getHostAddress() + "]:7610",
                fixed.status().name() + " " + (fixed.object() == null ? null : address6(fixed.object()::getLocalAddress)));
        check("IPv6 shared endpoint on the peer's address", NtStatus.INVALID_ADDRESS,
                a.adapter.createSharedEndpoint(SockAddr.of(peer6, 0), null, null).status());
        check("IPv6 shared endpoint on an address no host has", NtStatus.INVALID_ADDRESS,
                a.adapter.createSharedEndpoint(SockAddr.of("2001:2::3:1", 0), null, null).status());
        check("IPv6 shared endpoint on an IPv4-mapped address (::ffff:" + local1.getHostAddress() + ")",
                NtStatus.INVALID_ADDRESS, a.adapter.createSharedEndpoint(LabKit.mapped(local1, 0), null, null).status());

        Listening l = new Listening(p.adapter, peer6, 0);
        check("IPv6 NdkGetListenerLocalAddress", true, l.address.family() == SockAddr.AF_INET6
                && l.address.length() == SockAddr.SOCKADDR_IN6_SIZE && l.address.ip().equals(peer6));
        NdkListener mappedListener = LabKit.get(p.adapter.createListener((ctx, c) -> { }, null, null, null));
        check("IPv6 NdkListen on an IPv4-mapped address", NtStatus.INVALID_ADDRESS,
                mappedListener.listen(LabKit.mapped(peer1, 0), new Req(), null));

        NdkConnector c = a.connector();
        Req r = new Req();
        byte[] hello = "hello over IPv6".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        NtStatus s = c.connectWithSharedEndpoint(a.qp(), se, l.address, 4, 4, hello, hello.length, r, null);
        NdkConnector pc = l.next();
        check("IPv6 connect event", true, pc != null);
        if (pc == null) {
            note("IPv6 connect", String.valueOf(r.await(s)));
            return;
        }
        byte[] got = new byte[RefAdapter.REQ_DATA_SIZE];
        UlongRef gotLen = new UlongRef(got.length);
        NtStatus gs = pc.getConnectionData(null, null, got, gotLen);
        check("IPv6 connection data at the peer", "STATUS_SUCCESS hello over IPv6", gs.name() + " "
                + new String(got, 0, hello.length, java.nio.charset.StandardCharsets.US_ASCII));
        check("IPv6 passive NdkGetPeerAddress = the shared endpoint", seAddr, address6(pc::getPeerAddress));
        check("IPv6 passive NdkGetLocalAddress = the listener", l.address, address6(pc::getLocalAddress));
        Req accept = new Req();
        java.util.concurrent.CompletableFuture<Object> peerSawDisconnect = new java.util.concurrent.CompletableFuture<>();
        NtStatus ai = pc.accept(p.qp(), 4, 4, null, 0, peerSawDisconnect::complete, "P6", accept, null);
        check("IPv6 connect completes", NtStatus.SUCCESS, r.await(s));
        check("IPv6 complete-connect", NtStatus.SUCCESS, c.completeConnect(ctx -> { }, null, new Req(), null));
        check("IPv6 accept completes", NtStatus.SUCCESS, accept.await(ai));
        need = new UlongRef(SockAddr.SOCKADDR_IN_SIZE);
        check("IPv6 NdkGetLocalAddress, 16-byte buffer", "STATUS_BUFFER_TOO_SMALL 28",
                c.getLocalAddress(new byte[16], need).name() + " " + need.get());
        check("IPv6 active NdkGetLocalAddress = the shared endpoint", seAddr, address6(c::getLocalAddress));
        check("IPv6 active NdkGetPeerAddress = the listener", l.address, address6(c::getPeerAddress));

        NdkConnector dup = a.connector();
        Req rd = new Req();
        NtStatus sd = dup.connectWithSharedEndpoint(a.qp(), se, l.address, 1, 1, null, 0, rd, null);
        check("IPv6 same four-tuple again", NtStatus.ADDRESS_ALREADY_EXISTS, rd.await(sd));
        check("IPv6 four-tuple table holds the connection", true, tb.fourTuples().isInUse(new FourTupleTable.FourTuple(
                Endpoint.of(seAddr), Endpoint.of(l.address))));

        // mixed families: refused by the provider before rdma_cm (see rawMixedFamilies for rdma_cm's errno)
        Listening l4 = new Listening(p.adapter, peer1, 0);
        NdkSharedEndpoint se4 = a.endpoint(local1, 0);
        NdkConnector m1 = a.connector();
        Req rm1 = new Req();
        NtStatus sm1 = m1.connectWithSharedEndpoint(a.qp(), se4, l.address, 1, 1, null, 0, rm1, null);
        check("IPv4 shared endpoint -> IPv6 destination", NtStatus.INVALID_ADDRESS, rm1.await(sm1));
        NdkConnector m2 = a.connector();
        Req rm2 = new Req();
        NtStatus sm2 = m2.connectWithSharedEndpoint(a.qp(), se, l4.address, 1, 1, null, 0, rm2, null);
        check("IPv6 shared endpoint -> IPv4 destination", NtStatus.INVALID_ADDRESS, rm2.await(sm2));
        NdkConnector m3 = a.connector();
        Req rm3 = new Req();
        NtStatus sm3 = m3.connect(a.qp(), SockAddr.of(local1, 0), l.address, 1, 1, null, 0, rm3, null);
        check("NdkConnect IPv4 source -> IPv6 destination", NtStatus.INVALID_ADDRESS, rm3.await(sm3));
        NdkConnector m4 = a.connector();
        Req rm4 = new Req();
        NtStatus sm4 = m4.connectWithSharedEndpoint(a.qp(), se, LabKit.mapped(peer1, l4.address.port()), 1, 1, null, 0, rm4, null);
        check("IPv6 shared endpoint -> IPv4-mapped destination", NtStatus.INVALID_ADDRESS, rm4.await(sm4));
        check("no connect event from a refused mixed connect", true, l4.requests.isEmpty() && l.requests.isEmpty());

        Req dr = new Req();
        check("IPv6 NdkDisconnect", NtStatus.SUCCESS, dr.await(c.disconnect(dr, null)));
        Object dctx = null;
        try {
            dctx = peerSawDisconnect.get(LabKit.WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            dctx = e.toString();
        }
        check("IPv6 disconnect event at the peer", "P6", dctx);
        for (var o : new org.ndkkit.spi.NdkObject[] {c, pc, dup, m1, m2, m3, m4, se, se4, l.listener, l4.listener,
                mappedListener}) {
            check("IPv6 close " + o.type(), NtStatus.SUCCESS, LabKit.closeAndWait(o));
        }
        check("IPv6 four-tuple released after the closes", false, tb.fourTuples().isInUse(new FourTupleTable.FourTuple(
                Endpoint.of(seAddr), Endpoint.of(l.address))));
        if (fixed.object() != null) {
            LabKit.closeAndWait(fixed.object());
            Created<NdkSharedEndpoint> again = a.adapter.createSharedEndpoint(SockAddr.of(local6, 7610), null, null);
            check("IPv6 explicit address free again after its close", NtStatus.SUCCESS, again.status());
            if (again.object() != null) {
                LabKit.closeAndWait(again.object());
            }
        }
        rawMixedFamilies(local1, local6, peer6);
        note("IPv6 checks took", (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    private static InetAddress firstIpv6(Host h) {
        return tb.addresses(h).stream().filter(x -> x instanceof java.net.Inet6Address).findFirst().orElse(null);
    }

    /** An NdkGet*Address into a 28-byte buffer: the address, if it is a whole SOCKADDR_IN6. */
    private static SockAddr address6(java.util.function.BiFunction<byte[], UlongRef, NtStatus> get) {
        byte[] buf = new byte[SockAddr.SOCKADDR_IN6_SIZE];
        UlongRef len = new UlongRef(buf.length);
        NtStatus s = get.apply(buf, len);
        SockAddr a = SockAddr.fromBuffer(buf, len.get());
        return s.isSuccess() && len.get() == SockAddr.SOCKADDR_IN6_SIZE && a.family() == SockAddr.AF_INET6 ? a : null;
    }

    /** rdma_cm's own answer to a mixed-family resolve (MAPPING.md), on ids bound like the provider's. */
    private static void rawMixedFamilies(InetAddress ip4, InetAddress ip6, InetAddress peer6) {
        EventChannel ch = RdmaCm.createEventChannel().value();
        CmId id = RdmaCm.createId(ch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.bindAddr(id, new InetSocketAddress(ip4, 0));
        RdmaResult<Void> r = RdmaCm.resolveAddr(id, null, new InetSocketAddress(peer6, 7000), 2000);
        check("rdma_resolve_addr, id bound to IPv4, IPv6 destination (errno)", "EINVAL", r.ok() ? "ok" : r.errnoName());
        RdmaCm.destroyId(id);
        id = RdmaCm.createId(ch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.bindAddr(id, new InetSocketAddress(ip6, 0));
        r = RdmaCm.resolveAddr(id, null, new InetSocketAddress(peer1, 7000), 2000);
        check("rdma_resolve_addr, id bound to IPv6, IPv4 destination (errno)", "EINVAL", r.ok() ? "ok" : r.errnoName());
        RdmaCm.destroyId(id);
        RdmaCm.destroyEventChannel(ch);
    }

    // ------------------------------------------------------------------ kernel resource counts

    /**
     * The leak check reads the kernel's resource counts over RDMA netlink; they must equal what
     * {@code rdma resource show} prints, with nothing open and with a connection's objects open.
     */
    private static void kernelCounts(Host1 a, Host1 p) throws Exception {
        long t0 = System.nanoTime();
        RdmaResult<Map<String, Long>> idle = RdmaNetlink.resourceSummary(2000);
        long netlinkUs = (System.nanoTime() - t0) / 1000;
        check("kernel counts over RDMA netlink", true, idle.ok());
        t0 = System.nanoTime();
        Optional<Map<String, Long>> tool = KernelResources.readWithTool();
        long toolUs = (System.nanoTime() - t0) / 1000;
        check("kernel counts over netlink equal rdma resource show's, nothing open", tool.orElse(null),
                idle.ok() ? KernelResources.kinds(idle.value()) : null);
        note("kernel counts: one netlink read / one run of the rdma tool", netlinkUs + " us / " + toolUs + " us");
        Listening l = new Listening(p.adapter, peer1, 0);
        NdkSharedEndpoint se = a.endpoint(local1, 0);
        NdkConnector c = a.connector();
        Req connect = new Req();
        NtStatus s = c.connectWithSharedEndpoint(a.qp(), se, l.address, 1, 1, null, 0, connect, null);
        check("kernel counts: the connect is issued", NtStatus.PENDING, s);
        NdkConnector pc = establish(c, s, connect, l, p);
        RdmaResult<Map<String, Long>> open = RdmaNetlink.resourceSummary(2000);
        check("kernel counts over netlink equal rdma resource show's, a connection open",
                KernelResources.readWithTool().orElse(null), open.ok() ? KernelResources.kinds(open.value()) : null);
        LabKit.closeAndWait(c);
        LabKit.closeAndWait(pc);
        LabKit.closeAndWait(se);
        LabKit.closeAndWait(l.listener);
    }

    // ------------------------------------------------------------------ kernel address errors

    /**
     * The provider's own tables answer the suite's INVALID_ADDRESS and SHARING_VIOLATION before
     * rdma_cm is asked; here rdma_cm itself answers: an address listed for the adapter but
     * configured nowhere (EADDRNOTAVAIL), and an address a non-REUSEADDR id outside the
     * provider already holds (EADDRINUSE).
     */
    private static void kernelAddressErrors(Host1 p) throws Exception {
        InetAddress foreign = tb.plan().foreign().get();
        ReferenceTestbed tb2 = (ReferenceTestbed) new ReferenceProvider().openTestbed(new TestbedOptions(
                Duration.ofMillis(3000), Map.of("local", local1.getHostAddress() + "," + foreign.getHostAddress(),
                        "peer", peer1.getHostAddress(), "event-log", System.getProperty("ndk.provider.event-log", ""))));
        try {
            Created<NdkSharedEndpoint> se = tb2.adapter(Host.LOCAL).createSharedEndpoint(SockAddr.of(foreign, 0), null, null);
            check("NdkCreateSharedEndpoint on a listed but unconfigured IP (rdma_bind_addr EADDRNOTAVAIL)",
                    NtStatus.INVALID_ADDRESS, se.status());
        } finally {
            tb2.close();
        }
        EventChannel ch = RdmaCm.createEventChannel().value();
        CmId holder = RdmaCm.createId(ch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.bindAddr(holder, new InetSocketAddress(peer1, 7720));
        var l = LabKit.get(p.adapter.createListener((ctx, c) -> { }, null, null, null));
        check("NdkListen on an address another process's id holds (rdma_bind_addr EADDRINUSE)",
                NtStatus.SHARING_VIOLATION, l.listen(SockAddr.of(peer1, 7720), new Req(), null));
        LabKit.closeAndWait(l);
        RdmaCm.destroyId(holder);
        RdmaCm.destroyEventChannel(ch);
    }

    // ------------------------------------------------------------------ raw rdma_cm

    private static CmEvent next(EventChannel ch, long ms) {
        RdmaResult<Optional<CmEvent>> r = RdmaCm.nextCmEvent(ch, ms);
        return r.ok() ? r.value().orElse(null) : null;
    }

    private static String ev(CmEvent e) {
        return e == null ? "no event" : e.type() + " status " + e.status();
    }

    /** Raw rdma_cm behaviours behind MAPPING.md rows. */
    private static void raw(boolean longChecks) {
        EventChannel sch = RdmaCm.createEventChannel().value();
        EventChannel cch = RdmaCm.createEventChannel().value();
        DeviceContext dev = Verbs.openDevice(tb.plan().device().orElse("rxe0")).value();
        ProtectionDomain pd = Verbs.allocPd(dev).value();
        CompletionQueue cq = Verbs.createCq(dev, 16, 0).value();
        InetSocketAddress listenAddr = new InetSocketAddress(peer2, 7700);

        // rdma_listen on an address where a REUSEADDR id is bound
        CmId holder = RdmaCm.createId(sch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.setReuseAddr(holder, true);
        RdmaCm.bindAddr(holder, new InetSocketAddress(peer2, 7701));
        CmId second = RdmaCm.createId(sch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.setReuseAddr(second, true);
        note("rdma_bind_addr REUSEADDR + REUSEADDR same address", RdmaCm.bindAddr(second, new InetSocketAddress(peer2, 7701)).toString());
        CmId lis2 = RdmaCm.createId(sch, CmConstants.RDMA_PS_TCP).value();
        RdmaResult<Void> b2 = RdmaCm.bindAddr(lis2, new InetSocketAddress(peer2, 7701));
        note("rdma_bind_addr (no REUSEADDR) on an address REUSEADDR ids hold", b2.toString());
        check("errno of that bind", "EADDRINUSE", b2.errnoName());
        RdmaCm.destroyId(lis2);
        RdmaCm.destroyId(second);
        RdmaCm.destroyId(holder);

        CmId listener = RdmaCm.createId(sch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.bindAddr(listener, listenAddr);
        RdmaCm.listen(listener, 0);

        // rdma_accept with 197 bytes, then what the active side sees
        CmId client = connectRaw(cch, pd, cq, listenAddr, new byte[0]);
        CmEvent req = next(sch, 5000);
        note("request", ev(req));
        QueuePair sqp = Verbs.createQp(pd, cq, cq, new Verbs.QpCaps(4, 4, 1, 1, 0), VerbsConstants.IBV_QPT_RC, false).value();
        RdmaResult<Void> acc = RdmaCm.accept(req.id(), ConnParam.forQp(sqp.qpNum()).withPrivateData(new byte[197]));
        check("rdma_accept with 197 bytes of private data (errno)", "EINVAL", acc.errnoName());
        CmEvent cev = next(cch, 5000);
        note("the active side after that failed accept", ev(cev));
        RdmaResult<Void> rj = RdmaCm.reject(req.id(), new byte[149]);
        note("rdma_reject with 149 bytes after it", rj.toString());
        RdmaCm.destroyId(req.id());
        drop(client, cch);

        // rdma_reject with 149 bytes on a fresh request, then with 148
        client = connectRaw(cch, pd, cq, listenAddr, new byte[0]);
        req = next(sch, 5000);
        check("rdma_reject with 149 bytes (errno)", "EINVAL", RdmaCm.reject(req.id(), new byte[149]).errnoName());
        CmEvent none = next(cch, 500);
        check("the active side after the refused reject", "no event", ev(none));
        byte[] rejData = new byte[148];
        rejData[0] = 42;
        check("rdma_reject with 148 bytes", "ok", RdmaCm.reject(req.id(), rejData).ok() ? "ok" : "failed");
        cev = next(cch, 5000);
        check("the active side after a consumer reject", "REJECTED status 28", ev(cev));
        note("REJECTED private data length / first byte", cev == null ? "-" : cev.privateDataLen() + " / " + cev.privateData()[0]);
        RdmaCm.destroyId(req.id());
        drop(client, cch);

        // the active side abandons a request the passive side holds: rdma_accept afterwards
        client = connectRaw(cch, pd, cq, listenAddr, new byte[0]);
        req = next(sch, 5000);
        drop(client, cch);
        sleep(300);
        RdmaResult<Void> late = RdmaCm.accept(req.id(), ConnParam.forQp(sqp.qpNum()));
        check("rdma_accept after the connecting side destroyed its id (errno)", "EINVAL", late.errnoName());
        note("events on the passive id", ev(next(sch, 300)));
        RdmaCm.destroyId(req.id());

        if (longChecks) {
            // rdma_cm's own timeout for a silent host (the provider does not wait for it)
            long t0 = System.nanoTime();
            CmId silent = connectRaw(cch, pd, cq, new InetSocketAddress(tb.plan().silentHost().get(), 7000), new byte[0]);
            CmEvent u = next(cch, 200_000);
            note("silent host: rdma_cm's own timeout", ev(u) + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            drop(silent, cch);
        }
        RdmaCm.destroyId(listener);
        Verbs.destroyQp(sqp);
        for (QueuePair q : RAW_QPS) {
            Verbs.destroyQp(q);
        }
        Verbs.destroyCq(cq);
        Verbs.deallocPd(pd);
        Verbs.closeDevice(dev);
        RdmaCm.destroyEventChannel(sch);
        RdmaCm.destroyEventChannel(cch);
    }

    private static final java.util.List<QueuePair> RAW_QPS = new java.util.ArrayList<>();

    /** An active id through ROUTE_RESOLVED and rdma_connect with an external QP. */
    private static CmId connectRaw(EventChannel ch, ProtectionDomain pd, CompletionQueue cq, InetSocketAddress dst, byte[] data) {
        CmId id = RdmaCm.createId(ch, CmConstants.RDMA_PS_TCP).value();
        RdmaCm.bindAddr(id, new InetSocketAddress(local2, 0));
        RdmaCm.resolveAddr(id, null, dst, 2000);
        CmEvent e1 = next(ch, 5000);
        RdmaCm.resolveRoute(id, 2000);
        CmEvent e2 = next(ch, 5000);
        QueuePair q = Verbs.createQp(pd, cq, cq, new Verbs.QpCaps(4, 4, 1, 1, 0), VerbsConstants.IBV_QPT_RC, false).value();
        RAW_QPS.add(q);
        RdmaResult<Void> r = RdmaCm.connect(id, ConnParam.forQp(q.qpNum()).withPrivateData(data));
        if (e1 == null || e2 == null || !r.ok()) {
            note("raw connect set-up", ev(e1) + ", " + ev(e2) + ", " + r);
        }
        return id;
    }

    private static void drop(CmId id, EventChannel ch) {
        CmEvent e;
        while ((e = next(ch, 50)) != null) {
            note("pending event on the dropped id", ev(e));
        }
        RdmaCm.destroyId(id);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @SuppressWarnings("unused")
    private static Memory keep;
}
