package org.ndkkit.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * The peer of {@link ConnectBench} across a link: what cmtime's server is to cmtime's client. It
 * runs on the support machine, opens the provider's testbed there, listens on COUNT consecutive
 * ports of its PEER address (one listener per connection of a round: the active side's connectors
 * share one shared endpoint, so their four-tuples differ only by destination), and accepts every
 * connect event on its acceptor thread (a QP created for it, then NdkAccept), as cmtime's server's
 * request thread does. A connection's disconnect event hands its connector and QP to the closer
 * thread. It runs until the stop file appears or its time runs out.
 *
 * <pre>
 * PeerAcceptor [--provider NAME] --port P --count N --ready FILE --stop-file FILE [--max-seconds S]
 * </pre>
 *
 * Writes {@code ADDRESS:P/N} to the ready file once every listener listens (ConnectBench's
 * {@code --peer-acceptor} takes that text). Prints a summary line when it stops. Exit status 0 when
 * every accept and close succeeded, 1 otherwise, 2 on a usage error.
 */
public final class PeerAcceptor {
    private static final Object POISON = SpiCalls.POISON;
    private static final long BOUND_MS = 30_000;

    private final NdkAdapter adapter;
    private final AdapterInfo info;
    private final NdkPd pd;
    private final NdkCq cq;
    private final List<NdkListener> listeners = new ArrayList<>();
    private final LinkedBlockingQueue<Object> requests = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Object> toClose = new LinkedBlockingQueue<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong disconnected = new AtomicLong();
    private final AtomicLong closing = new AtomicLong();
    private final AtomicLong closed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private record Connection(NdkConnector connector, NdkQp qp) {
    }

    private Thread acceptorThread;
    private Thread closerThread;
    private String shutDownError;

    /** PD and CQ on the testbed's PEER adapter; {@link #start} then listens. */
    PeerAcceptor(Testbed tb) {
        adapter = tb.adapter(Host.PEER);
        info = adapter.queryAdapterInfo();
        pd = create(cc -> adapter.createPd(cc, null), "NdkCreatePd");
        cq = create(cc -> adapter.createCq(64, cc, null), "NdkCreateCq");
    }

    /** Parses {@code ADDRESS:PORT/COUNT} into COUNT destinations on consecutive ports. */
    static List<SockAddr> destinations(String spec) {
        int slash = spec.lastIndexOf('/');
        int colon = spec.lastIndexOf(':', slash < 0 ? spec.length() : slash);
        if (slash < 0 || colon < 0) {
            throw new IllegalArgumentException("--peer-acceptor needs ADDRESS:PORT/COUNT, was '" + spec + "'");
        }
        String host = spec.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port;
        int count;
        try {
            port = Integer.parseInt(spec.substring(colon + 1, slash));
            count = Integer.parseInt(spec.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--peer-acceptor needs ADDRESS:PORT/COUNT, was '" + spec + "'");
        }
        if (port < 1 || count < 1 || port + count - 1 > 65535) {
            throw new IllegalArgumentException("--peer-acceptor: ports " + port + ".." + (port + count - 1)
                    + " are not all in 1..65535");
        }
        if (!host.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException("--peer-acceptor: '" + host + "' is not an IP address literal");
        }
        List<SockAddr> r = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            r.add(SockAddr.of(host, port + i));
        }
        return r;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String providerName = "reference";
        int port = 0;
        int count = 0;
        Path ready = null;
        Path stop = null;
        long maxSeconds = 3600;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                usage(args[i] + " needs a value");
            }
            try {
                switch (args[i]) {
                    case "--provider" -> providerName = v;
                    case "--port" -> port = Integer.parseInt(v);
                    case "--count" -> count = Integer.parseInt(v);
                    case "--ready" -> ready = Path.of(v);
                    case "--stop-file" -> stop = Path.of(v);
                    case "--max-seconds" -> maxSeconds = Long.parseLong(v);
                    default -> usage("unknown argument " + args[i]);
                }
            } catch (NumberFormatException e) {
                usage(args[i] + " needs a whole number, was '" + v + "'");
            }
            i++;
        }
        if (port < 1 || count < 1 || port + count - 1 > 65535 || ready == null || stop == null || maxSeconds < 1) {
            usage("--port, --count (ports within 1..65535), --ready and --stop-file are required");
        }
        Map<String, String> settings = SpiCalls.providerSettings();
        Files.deleteIfExists(ready);
        Testbed tb;
        try {
            tb = Providers.byName(providerName).openTestbed(new TestbedOptions(Duration.ofSeconds(60), settings));
        } catch (org.ndkkit.spi.TestbedUnavailableException e) {
            System.err.println("peer-acceptor: testbed unavailable: " + e.getMessage());
            System.exit(1);
            return;
        }
        PeerAcceptor a;
        String spec;
        try {
            a = new PeerAcceptor(tb);
            spec = a.start(tb.addresses(Host.PEER).get(0), port, count);
        } catch (RuntimeException e) {
            System.err.println("peer-acceptor: set-up failed: " + e.getMessage());
            closeBounded(tb);
            System.exit(1);
            return;
        }
        Files.writeString(ready, spec + "\n", StandardCharsets.UTF_8);
        System.out.println("peer-acceptor: listening on " + spec);
        // CPU from here on: the accepts (warm-up rounds included), not the JVM's start.
        long cpu0 = CpuMeter.processCpuNanos();
        Map<String, Long> threads0 = CpuMeter.threadCpuNanos();
        Map<String, Long> jit0 = JitCompiler.cpuNanos();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        // Once a second: the stop file lies on the lab's shared folder, where a look costs the
        // support machine's one vCPU a round trip to the host (every 100 ms it was ~8% of the
        // JVM's CPU per connection in a benchmark run).
        while (!Files.exists(stop) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        // Before stop(): the acceptor's and closer's threads end there, and a thread that ended has
        // no CPU figure any more.
        long cpu = CpuMeter.processCpuNanos() - cpu0;
        Map<String, Long> threads = new java.util.TreeMap<>(CpuMeter.diff(threads0, CpuMeter.threadCpuNanos()));
        long jit = JitCompiler.cpuBetween(jit0, JitCompiler.cpuNanos());
        if (jit >= 0) {
            threads.put(BenchSession.JIT_THREADS, jit); // JVM threads that ThreadMXBean does not list
        }
        String summary = a.stop();
        System.out.println("peer-acceptor: " + (Files.exists(stop) ? "stopped" : "time up after " + maxSeconds + " s")
                + "; " + summary);
        System.out.println(cpuLine(a.accepted(), cpu, threads));
        int status = a.ok() ? 0 : 1;
        closeBounded(tb);
        System.out.flush();
        System.exit(status);
    }

    /**
     * The support machine's CPU per accepted connection, from listening to stop, for the JVM and
     * its busiest threads (user-mode part in brackets): what to set beside cmtime's server, whose
     * CPU lab-bench-two-host.sh reads at the end.
     */
    static String cpuLine(long accepted, long processNanos, Map<String, Long> threads) {
        if (accepted <= 0 || processNanos < 0) {
            return "peer-acceptor-cpu: no accepts or no CPU figure";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "peer-acceptor-cpu: %.1f s for %d accepts, %.2f ms per connection;", processNanos / 1e9, accepted,
                processNanos / 1e6 / accepted));
        threads.entrySet().stream()
                .filter(e -> !e.getKey().endsWith(":user") && e.getValue() / 1e6 / accepted >= 0.01)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sb.append(String.format(Locale.ROOT, " %s %.2f (%.2f)", e.getKey(),
                        e.getValue() / 1e6 / accepted, threads.getOrDefault(e.getKey() + ":user", 0L) / 1e6 / accepted)));
        return sb.toString();
    }

    /**
     * Listens on {@code count} ports from {@code port} at {@code ip} and starts accepting.
     *
     * @return the listeners as ConnectBench's {@code --peer-acceptor} takes them
     */
    String start(InetAddress ip, int port, int count) {
        listen(ip, port, count);
        acceptorThread = SpiCalls.worker("peer-acceptor", requests, this::accept);
        closerThread = SpiCalls.worker("peer-closer", toClose, this::closeConnection);
        return (ip.getAddress().length == 16 ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress()) + ":" + port
                + "/" + count;
    }

    /** Stops accepting, lets the closer finish, closes listeners, CQ and PD (bounded); the summary. */
    String stop() throws InterruptedException {
        requests.add(POISON);
        acceptorThread.join(BOUND_MS);
        // The last round's disconnect events may still be on their way (bounded).
        for (int i = 0; i < 50 && disconnected.get() < accepted.get(); i++) {
            Thread.sleep(100);
        }
        toClose.add(POISON);
        closerThread.join(BOUND_MS);
        shutDownError = shutDown();
        return String.format(Locale.ROOT, "accepted %d, disconnect events %d, closed %d of %d, failures %d%s",
                accepted.get(), disconnected.get(), closed.get(), closing.get(), failures.get(),
                shutDownError == null ? "" : "; " + shutDownError);
    }

    /** After {@link #stop}: every accept and close succeeded and everything closed in time. */
    boolean ok() {
        return failures.get() == 0 && shutDownError == null && closed.get() == closing.get();
    }

    long accepted() {
        return accepted.get();
    }

    private void listen(InetAddress ip, int port, int count) {
        for (int i = 0; i < count; i++) {
            NdkListener l = create(cc -> adapter.createListener((ctx, connector) -> requests.add(connector), null, cc,
                    null), "NdkCreateListener");
            listeners.add(l);
            SpiCalls.listen(l, SockAddr.of(ip, port + i), BOUND_MS);
        }
    }

    /** On the acceptor thread: a QP for the request, then NdkAccept; a failure closes both. */
    private void accept(Object o) {
        NdkConnector c = (NdkConnector) o;
        NdkQp qp;
        try {
            qp = create(cc -> pd.createQp(cq, cq, QpParameters.small(), cc, null), "NdkCreateQp");
        } catch (RuntimeException e) {
            fail("QP for a request: " + e.getMessage());
            c.reject(null, 0);
            toClose.add(new Connection(c, null));
            return;
        }
        Connection conn = new Connection(c, qp);
        try {
            NtStatus s = c.accept(qp, info.maxInboundReadLimit(), info.maxOutboundReadLimit(), null, 0, ctx -> {
                disconnected.incrementAndGet();
                toClose.add(conn);
            }, null, (ctx, st) -> accepted(conn, st), null);
            if (!s.isPending()) {
                accepted(conn, s);
            }
        } catch (RuntimeException e) {
            fail("NdkAccept threw " + e);
            toClose.add(conn);
        }
    }

    private void accepted(Connection conn, NtStatus s) {
        if (s.equals(NtStatus.SUCCESS)) {
            accepted.incrementAndGet();
        } else {
            // No disconnect event will come for a connection that never was: close it now.
            fail("NdkAccept -> " + s);
            toClose.add(conn);
        }
    }

    /** On the closer thread: the connector, then its QP (a QP closes once its connector let go). */
    private void closeConnection(Object o) {
        Connection conn = (Connection) o;
        for (NdkObject obj : conn.qp() == null ? List.<NdkObject>of(conn.connector())
                : List.<NdkObject>of(conn.connector(), conn.qp())) {
            closing.incrementAndGet();
            try {
                NtStatus s = obj.close(ctx -> closed.incrementAndGet(), null);
                if (!s.isPending()) {
                    closed.incrementAndGet();
                    if (!s.equals(NtStatus.SUCCESS)) {
                        fail("close of " + obj.type() + " -> " + s);
                    }
                }
            } catch (RuntimeException e) {
                fail("close of " + obj.type() + " threw " + e);
            }
        }
    }

    /** Closes the listeners, CQ and PD (bounded); null when all closed, else what did not. */
    private String shutDown() {
        List<NdkObject> objs = new ArrayList<>(listeners);
        objs.add(cq);
        objs.add(pd);
        long left = SpiCalls.closeAll(objs, BOUND_MS);
        return left == 0 ? null : left + " of " + objs.size() + " listeners, CQ and PD not closed within " + BOUND_MS
                + " ms (connections still open: " + (closing.get() - closed.get()) + " objects)";
    }

    private void fail(String what) {
        if (failures.incrementAndGet() <= 20) {
            System.err.println("peer-acceptor: " + what);
        }
    }

    private static <T extends NdkObject> T create(Function<CreateCompletion<T>, Created<T>> call, String what) {
        return SpiCalls.create(call, what, BOUND_MS);
    }

    private static void closeBounded(Testbed tb) {
        SpiCalls.closeTestbed(tb, BOUND_MS, "peer-testbed-close");
    }

    private static void usage(String why) {
        System.err.println("PeerAcceptor: " + why);
        System.err.println("usage: PeerAcceptor [--provider NAME] --port P --count N --ready FILE --stop-file FILE "
                + "[--max-seconds S]");
        System.exit(2);
    }
}
