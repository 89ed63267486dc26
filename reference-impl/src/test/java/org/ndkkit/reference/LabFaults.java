package org.ndkkit.reference;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.NativeFaults;
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
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.UlongRef;

/**
 * Fault injection at the native boundary, run in the SoftRoCE lab: one clean connection cycle
 * (objects on both hosts, listen, connect over a shared endpoint, accept, complete, disconnect,
 * close everything) counts how often it calls each librdmacm/libibverbs function; then, for every
 * call site of the cycle, the cycle runs again with exactly that call failing (errno EIO by
 * default), and afterwards the provider's resource counts (its reservations, its native handles
 * and the kernel's own rdma resource counts) must be back where they were, every request that
 * returned STATUS_PENDING must have completed, and a clean cycle must still succeed.
 *
 * <p>Prints one line per injected fault and ends with
 * {@code fault injection: F faults at S call sites of K functions, L leaks, P lost completions, R failed recoveries};
 * exit 0 only when all three are zero.
 */
public final class LabFaults {
    /** Functions the event thread calls on its own: failing them tests the event loop, not a request's error path. */
    private static final List<String> NOT_INJECTED = List.of("rdma_get_cm_event", "rdma_ack_cm_event", "ibv_poll_cq",
            "ibv_req_notify_cq", "ibv_query_device", "ibv_query_port");
    private static final long WAIT_MS = Long.getLong("ndk.faults.wait-ms", 5000);
    private static final int MAX_PER_FUNCTION = Integer.getInteger("ndk.faults.max-per-function", 4);

    private final ReferenceTestbed tb;
    private final InetAddress localIp;
    private final InetAddress peerIp;
    private int lostCompletions;
    private final List<String> lost = new ArrayList<>();

    private LabFaults(ReferenceTestbed tb) {
        this.tb = tb;
        this.localIp = tb.addresses(Host.LOCAL).get(0);
        this.peerIp = tb.addresses(Host.PEER).get(0);
    }

    public static void main(String[] args) throws Exception {
        int errno = args.length > 0 ? Integer.parseInt(args[0]) : Errno.EIO;
        ReferenceTestbed tb = (ReferenceTestbed) new ReferenceProvider().openTestbed(
                // the provider's own timers below the harness's wait, so a late completion is not "lost"
                new TestbedOptions(Duration.ofMillis(2000), Map.of("disconnect-timeout-ms", "2000",
                        "accept-timeout-ms", "2000")));
        int leaks = 0;
        int failedRecoveries = 0;
        int faults = 0;
        int sites = 0;
        long t0 = System.nanoTime();
        try {
            LabFaults f = new LabFaults(tb);
            NativeFaults.resetCounts();
            String clean = f.cycle();
            Map<String, Long> calls = new TreeMap<>(NativeFaults.callCounts());
            System.out.println("clean cycle: " + clean + "; native calls per cycle: " + calls);
            if (!clean.equals("ok")) {
                System.out.println("fault injection: the clean cycle failed (" + clean + "); nothing injected");
                System.exit(1);
            }
            Map<String, Long> baseline = f.settledCounts(null);
            int functions = 0;
            for (Map.Entry<String, Long> e : calls.entrySet()) {
                String fn = e.getKey();
                if (NOT_INJECTED.contains(fn) || fn.contains("destroy") || fn.contains("dealloc") || fn.contains("dereg")) {
                    continue;
                }
                functions++;
                for (int n = 1; n <= Math.min(e.getValue(), MAX_PER_FUNCTION); n++) {
                    sites++;
                    NativeFaults.failNth(fn, n, errno);
                    String outcome = f.cycle();
                    int injected = NativeFaults.clear();
                    faults += injected;
                    Map<String, Long> after = f.settledCounts(baseline);
                    Map<String, String> leaked = diff(baseline, after);
                    String recovery = f.cycle();
                    if (!leaked.isEmpty()) {
                        leaks++;
                    }
                    if (!recovery.equals("ok")) {
                        failedRecoveries++;
                    }
                    System.out.printf("fault %s#%d errno %d (%s): cycle %s; leaks %s; recovery %s%n", fn, n, errno,
                            injected == 1 ? "injected" : "NOT REACHED", outcome, leaked.isEmpty() ? "none" : leaked, recovery);
                    baseline = f.settledCounts(null);
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("lost completions: " + (f.lost.isEmpty() ? "none" : f.lost));
            System.out.printf("fault injection: %d faults at %d call sites of %d functions, %d leaks, %d lost completions, "
                    + "%d failed recoveries (%d ms)%n", faults, sites, functions, leaks, f.lostCompletions, failedRecoveries, ms);
            System.exit(leaks == 0 && f.lostCompletions == 0 && failedRecoveries == 0 ? 0 : 1);
        } finally {
            NativeFaults.clear();
            tb.close();
        }
    }

    /** Counts once they have stopped falling towards {@code target} (native teardown may lag a little). */
    private Map<String, Long> settledCounts(Map<String, Long> target) throws InterruptedException {
        Map<String, Long> now = tb.resourceCounts().get();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
        while (target != null && !diff(target, now).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = tb.resourceCounts().get();
        }
        return now;
    }

    private static Map<String, String> diff(Map<String, Long> before, Map<String, Long> after) {
        Map<String, String> out = new TreeMap<>();
        after.forEach((k, n) -> {
            long b = before.getOrDefault(k, 0L);
            if (n > b) {
                out.put(k, b + "->" + n);
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ one cycle

    /** One connection's life; "ok" or where it stopped. Every object made is closed on every path. */
    private String cycle() {
        List<NdkObject> made = new ArrayList<>();
        try {
            NdkAdapter a = tb.adapter(Host.LOCAL);
            NdkAdapter p = tb.adapter(Host.PEER);
            NdkPd apd = create("local PD", a.createPd(null, null), made);
            NdkCq acq = create("local CQ", a.createCq(16, null, null), made);
            NdkQp aqp = create("local QP", apd.createQp(acq, acq, QpParameters.small(), null, null), made);
            NdkPd ppd = create("peer PD", p.createPd(null, null), made);
            NdkCq pcq = create("peer CQ", p.createCq(16, null, null), made);
            NdkQp pqp = create("peer QP", ppd.createQp(pcq, pcq, QpParameters.small(), null, null), made);
            LinkedBlockingQueue<NdkConnector> requests = new LinkedBlockingQueue<>();
            NdkListener l = create("listener", p.createListener((ctx, c) -> requests.add(c), null, null, null), made);
            Waiter listen = new Waiter("listen");
            NtStatus ls = listen.result(l.listen(SockAddr.of(peerIp, 0), listen, null));
            if (!NtStatus.SUCCESS.equals(ls)) {
                return "listen " + ls;
            }
            byte[] buf = new byte[16];
            UlongRef len = new UlongRef(16);
            NtStatus la = l.getLocalAddress(buf, len);
            if (!la.equals(NtStatus.SUCCESS)) {
                return "listener address " + la;
            }
            SockAddr dest = SockAddr.fromBuffer(buf, len.get());
            NdkSharedEndpoint se = create("shared endpoint", a.createSharedEndpoint(SockAddr.of(localIp, 0), null, null), made);
            NdkConnector c = create("connector", a.createConnector(null, null), made);
            Waiter connect = new Waiter("connect");
            NtStatus ci = c.connectWithSharedEndpoint(aqp, se, dest, 1, 1, null, 0, connect, null);
            NdkConnector pc = requests.poll(ci.isPending() || ci.equals(NtStatus.SUCCESS) ? WAIT_MS : 1, TimeUnit.MILLISECONDS);
            if (pc != null) {
                made.add(0, pc);
            }
            if (pc == null) {
                NtStatus r = connect.result(ci);
                return "connect " + r + " (no connect event)";
            }
            Waiter accept = new Waiter("accept");
            NtStatus ai = pc.accept(pqp, 1, 1, null, 0, ctx -> { }, null, accept, null);
            NtStatus cr = connect.result(ci);
            if (!NtStatus.SUCCESS.equals(cr)) {
                accept.result(ai);
                return "connect " + cr;
            }
            Waiter complete = new Waiter("complete-connect");
            NtStatus cc = complete.result(c.completeConnect(ctx -> { }, null, complete, null));
            NtStatus ar = accept.result(ai);
            if (!NtStatus.SUCCESS.equals(cc) || !NtStatus.SUCCESS.equals(ar)) {
                return "complete-connect " + cc + ", accept " + ar;
            }
            Waiter disconnect = new Waiter("disconnect");
            NtStatus dr = disconnect.result(c.disconnect(disconnect, null));
            return NtStatus.SUCCESS.equals(dr) ? "ok" : "disconnect " + dr;
        } catch (Failed e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            closeAll(made);
        }
    }

    /** Closes in the order that lets each close finish: connectors first, then QPs, endpoints, CQs, PDs. */
    private void closeAll(List<NdkObject> made) {
        List<NdkObject> order = new ArrayList<>();
        for (Class<?> k : List.of(NdkConnector.class, NdkListener.class, NdkSharedEndpoint.class, NdkQp.class, NdkCq.class,
                NdkPd.class)) {
            made.stream().filter(k::isInstance).forEach(order::add);
        }
        List<CompletableFuture<Object>> pending = new ArrayList<>();
        for (NdkObject o : order) {
            CompletableFuture<Object> f = new CompletableFuture<>();
            NtStatus s = o.close(f::complete, null);
            if (s.isPending()) {
                pending.add(f);
            }
        }
        for (CompletableFuture<Object> f : pending) {
            try {
                f.get(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                lostCompletions++;
                lost.add("a close completion");
            }
        }
    }

    private static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String m) {
            super(m, null, false, false);
        }
    }

    private static <T extends NdkObject> T create(String what, Created<T> c, List<NdkObject> made) {
        if (!c.status().equals(NtStatus.SUCCESS) || c.object() == null) {
            throw new Failed(what + " " + c.status());
        }
        made.add(c.object());
        return c.object();
    }

    /** A request completion; a PENDING request whose completion never comes is counted as lost. */
    private final class Waiter implements RequestCompletion {
        private final String what;
        private final CompletableFuture<NtStatus> done = new CompletableFuture<>();

        Waiter(String what) {
            this.what = what;
        }

        @Override
        public void completed(Object context, NtStatus status) {
            done.complete(status);
        }

        NtStatus result(NtStatus inline) {
            if (!inline.isPending()) {
                return inline;
            }
            try {
                return done.get(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                lostCompletions++;
                lost.add(what);
                return null;
            }
        }
    }
}
