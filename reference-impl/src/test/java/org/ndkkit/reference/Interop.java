package org.ndkkit.reference;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ndkkit.reference.LabKit.Host1;
import org.ndkkit.reference.LabKit.Listening;
import org.ndkkit.reference.LabKit.Req;
import org.ndkkit.reference.rdma.MemoryRegion;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.reference.rdma.VerbsConstants;
import org.ndkkit.reference.rdma.VerbsStructs.IbvRecvWr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvSendWr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvSge;
import org.ndkkit.reference.rdma.WorkCompletion;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.TestbedOptions;

/**
 * Interoperability with rdma-core's own rdma_cm programs, in the lab (reference-impl/lab-interop.sh):
 *
 * <ol>
 *   <li>the reference provider's NdkConnectWithSharedEndpoint + NdkCompleteConnect connects to a
 *       {@code ucmatose} server; both sides exchange {@code -C} SENDs over the connection, the
 *       server disconnects, and the provider's disconnect event fires;</li>
 *   <li>a {@code ucmatose} client connects to the reference provider's listener, which accepts;
 *       the same exchange, then the provider's NdkDisconnect, which ucmatose answers.</li>
 * </ol>
 *
 * The data path (ibv_post_recv/send, ibv_poll_cq) is not part of the SPI: this program reaches
 * into the reference objects (same package) for the QP, PD and CQ.
 *
 * <p>Across the two-host lab (reference-impl/lab-interop-two-host.sh), this program runs on the
 * test machine and each {@code ucmatose} on the support machine: with {@code -Dndk.interop.relay=DIR}
 * it writes the command line to {@code DIR/ID.cmd}, the host runs it there (lab/labctl) and writes
 * {@code ID.out} and {@code ID.rc}. The listener is then the test machine's own (Host.LOCAL) and
 * ucmatose's client binds to a support machine address.
 */
public final class Interop {
    private static final int COUNT = 3;
    private static final int SIZE = 64;
    private static int failures;

    private Interop() {
    }

    private static void check(String what, boolean ok, String observed) {
        if (!ok) {
            failures++;
        }
        System.out.println("INTEROP " + what + ": " + observed + (ok ? " -> OK" : " -> FAILED"));
    }

    public static void main(String[] args) throws Exception {
        String eventLog = System.getProperty("ndk.provider.event-log", "");
        ReferenceTestbed tb = (ReferenceTestbed) new ReferenceProvider().openTestbed(
                new TestbedOptions(Duration.ofMillis(3000), Map.of("event-log", eventLog)));
        try {
            referenceToUcmatoseServer(tb);
            ucmatoseClientToReference(tb);
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            failures++;
        } finally {
            tb.close();
        }
        System.out.println("interop: " + (failures == 0 ? "all OK" : failures + " FAILED"));
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Registered buffers on a QP's PD: one receive slot per message and one send buffer. */
    private static final class Buffers {
        final RefQp qp;
        final Memory recv = new Memory((long) COUNT * SIZE);
        final Memory send = new Memory(SIZE);
        final MemoryRegion recvMr;
        final MemoryRegion sendMr;

        Buffers(NdkQp ndkQp) {
            qp = (RefQp) ndkQp;
            recv.clear();
            send.clear();
            recvMr = Verbs.regMr(qp.pd.pd, recv, VerbsConstants.IBV_ACCESS_LOCAL_WRITE).value();
            sendMr = Verbs.regMr(qp.pd.pd, send, VerbsConstants.IBV_ACCESS_LOCAL_WRITE).value();
        }

        void postReceives() {
            for (int i = 0; i < COUNT; i++) {
                IbvSge sge = new IbvSge();
                sge.addr = Pointer.nativeValue(recv) + (long) i * SIZE;
                sge.length = SIZE;
                sge.lkey = recvMr.lkey();
                sge.write();
                IbvRecvWr wr = new IbvRecvWr();
                wr.wr_id = 100 + i;
                wr.sg_list = sge.getPointer();
                wr.num_sge = 1;
                RdmaResult<Void> r = Verbs.postRecv(qp.qp, wr);
                if (!r.ok()) {
                    throw new IllegalStateException(r.toString());
                }
            }
        }

        void postSends(String text) {
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            send.write(0, b, 0, Math.min(b.length, SIZE));
            for (int i = 0; i < COUNT; i++) {
                IbvSge sge = new IbvSge();
                sge.addr = Pointer.nativeValue(send);
                sge.length = SIZE;
                sge.lkey = sendMr.lkey();
                sge.write();
                IbvSendWr wr = new IbvSendWr();
                wr.wr_id = 200 + i;
                wr.sg_list = sge.getPointer();
                wr.num_sge = 1;
                wr.opcode = VerbsConstants.IBV_WR_SEND;
                wr.send_flags = VerbsConstants.IBV_SEND_SIGNALED;
                RdmaResult<Void> r = Verbs.postSend(qp.qp, wr);
                if (!r.ok()) {
                    throw new IllegalStateException(r.toString());
                }
            }
        }

        /** Completions polled from the shared CQ that no caller has claimed yet (sends and receives mix there). */
        private final List<WorkCompletion> unclaimed = new ArrayList<>();

        /**
         * Polls the QP's CQ until {@code n} completions with the given opcode arrived (10 s at most).
         * Completions of the other kind are kept for a later call; failed ones are handed to every
         * caller so that they show.
         */
        List<WorkCompletion> poll(int opcode, int n) {
            List<WorkCompletion> got = new ArrayList<>();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                for (java.util.Iterator<WorkCompletion> it = unclaimed.iterator(); it.hasNext() && got.size() < n; ) {
                    WorkCompletion w = it.next();
                    if (w.opcode() == opcode || !w.success()) {
                        got.add(w);
                        it.remove();
                    }
                }
                if (got.size() >= n || System.nanoTime() >= deadline) {
                    return got;
                }
                RdmaResult<List<WorkCompletion>> r = Verbs.pollCq(qp.receiveCq.cq, 8);
                if (r.ok()) {
                    unclaimed.addAll(r.value());
                }
                if (r.ok() && r.value().isEmpty()) {
                    Thread.onSpinWait();
                }
            }
        }

        void close() {
            Verbs.deregMr(recvMr);
            Verbs.deregMr(sendMr);
        }
    }

    private static boolean allOk(List<WorkCompletion> wcs, int opcode, int n) {
        return wcs.stream().filter(w -> w.opcode() == opcode && w.success()).count() == n
                && wcs.stream().allMatch(WorkCompletion::success);
    }

    private static final String RELAY = System.getProperty("ndk.interop.relay");

    /** A ucmatose run: here, or on the support machine through the host's relay. */
    private interface Tool {
        /** Waits (bounded) for its end and checks its exit status and its "return status 0". */
        void finish(String what) throws InterruptedException, IOException;

        void kill();
    }

    private static Tool start(String... cmd) throws IOException {
        System.out.println("INTEROP running" + (RELAY != null ? " on the support machine" : "") + ": " + String.join(" ", cmd));
        if (RELAY != null) {
            return relay(String.join(" ", cmd));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new Tool() {
            @Override
            public void finish(String what) throws InterruptedException, IOException {
                boolean exited = p.waitFor(20, TimeUnit.SECONDS);
                if (!exited) {
                    p.destroyForcibly();
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                report(what, out, exited ? p.exitValue() : -1, exited ? "exit " + p.exitValue() : "did not exit within 20 s");
            }

            @Override
            public void kill() {
                p.destroyForcibly();
            }
        };
    }

    private static void report(String what, String out, int exit, String observed) {
        for (String line : out.split("\n")) {
            System.out.println("  " + what + "| " + line);
        }
        check(what + " exit status", exit == 0 && out.contains("return status 0"), observed);
    }

    private static int relayed;

    private static Tool relay(String command) throws IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(RELAY);
        String id = "ucmatose-" + (++relayed);
        java.nio.file.Path tmp = dir.resolve(id + ".tmp");
        java.nio.file.Files.writeString(tmp, command + "\n");
        java.nio.file.Files.move(tmp, dir.resolve(id + ".cmd"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return new Tool() {
            @Override
            public void finish(String what) throws InterruptedException, IOException {
                java.nio.file.Path rc = dir.resolve(id + ".rc");
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!java.nio.file.Files.exists(rc) && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                if (!java.nio.file.Files.exists(rc)) {
                    check(what + " exit status", false, "the relay reported no end within 60 s");
                    return;
                }
                int exit = Integer.parseInt(java.nio.file.Files.readString(rc).strip());
                java.nio.file.Path out = dir.resolve(id + ".out");
                report(what, java.nio.file.Files.exists(out) ? java.nio.file.Files.readString(out) : "", exit, "exit " + exit);
            }

            @Override
            public void kill() {
                // the host's relay bounds it (labctl --timeout)
            }
        };
    }

    // ------------------------------------------------------------------ reference -> ucmatose server

    private static void referenceToUcmatoseServer(ReferenceTestbed tb) throws Exception {
        InetAddress local = tb.addresses(Host.LOCAL).get(0);
        InetAddress server = tb.addresses(Host.PEER).get(1);
        int port = 7811;
        Tool ucm = start("ucmatose", "-b", server.getHostAddress(), "-p", Integer.toString(port),
                "-C", Integer.toString(COUNT), "-S", Integer.toString(SIZE));
        Host1 a = new Host1(tb, Host.LOCAL);
        NdkSharedEndpoint se = a.endpoint(local, 0);
        NdkQp qp = a.qp();
        Buffers buf = new Buffers(qp);
        buf.postReceives(); // before the connection: the QP is in INIT from its creation
        NdkConnector c = null;
        NtStatus result = null;
        CompletableFuture<Object> disconnected = new CompletableFuture<>();
        for (int attempt = 0; attempt < 100; attempt++) { // until ucmatose listens
            c = a.connector();
            Req r = new Req();
            NtStatus s = c.connectWithSharedEndpoint(qp, se, SockAddr.of(server, port), 1, 1, null, 0, r, null);
            result = r.await(s);
            if (!NtStatus.CONNECTION_REFUSED.equals(result)) {
                break;
            }
            LabKit.closeAndWait(c);
            Thread.sleep(100);
        }
        check("NdkConnectWithSharedEndpoint to ucmatose server " + server.getHostAddress() + ":" + port,
                NtStatus.SUCCESS.equals(result), String.valueOf(result));
        if (NtStatus.SUCCESS.equals(result)) {
            NtStatus cc = c.completeConnect(ctx -> disconnected.complete(ctx), "ucmatose-server", new Req(), null);
            check("NdkCompleteConnect", cc.equals(NtStatus.SUCCESS), cc.toString());
            List<WorkCompletion> recvs = buf.poll(VerbsConstants.IBV_WC_RECV, COUNT);
            check("received ucmatose's " + COUNT + " messages", allOk(recvs, VerbsConstants.IBV_WC_RECV, COUNT), recvs.toString());
            buf.postSends("reference provider says hello");
            List<WorkCompletion> sends = buf.poll(VerbsConstants.IBV_WC_SEND, COUNT);
            check("sent " + COUNT + " messages to ucmatose", allOk(sends, VerbsConstants.IBV_WC_SEND, COUNT), sends.toString());
            Object ctx = null;
            try {
                ctx = disconnected.get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                // reported below
            }
            check("disconnect event when ucmatose disconnects", "ucmatose-server".equals(ctx), String.valueOf(ctx));
        }
        ucm.finish("ucmatose server");
        LabKit.closeAndWait(c);
        buf.close();
        LabKit.closeAndWait(qp);
        LabKit.closeAndWait(se);
        LabKit.closeAndWait(a.cq);
        LabKit.closeAndWait(a.pd);
    }

    // ------------------------------------------------------------------ ucmatose client -> reference

    private static void ucmatoseClientToReference(ReferenceTestbed tb) throws Exception {
        // one machine: both ends on rxe0, the listener the PEER's; two: the listener is the test
        // machine's, the client on the support machine
        Host listening = RELAY != null ? Host.LOCAL : Host.PEER;
        InetAddress client = tb.addresses(RELAY != null ? Host.PEER : Host.LOCAL).get(1);
        Host1 p = new Host1(tb, listening);
        Listening l = new Listening(p.adapter, tb.addresses(listening).get(0), 0);
        Tool ucm = start("ucmatose", "-s", l.address.ip().getHostAddress(), "-p", Integer.toString(l.address.port()),
                "-b", client.getHostAddress(), "-C", Integer.toString(COUNT), "-S", Integer.toString(SIZE));
        NdkConnector pc = l.next();
        check("connect event from the ucmatose client", pc != null, String.valueOf(pc));
        if (pc != null) {
            byte[] peer = new byte[16];
            org.ndkkit.spi.UlongRef len = new org.ndkkit.spi.UlongRef(16);
            pc.getPeerAddress(peer, len);
            System.out.println("INTEROP request from " + SockAddr.fromBuffer(peer, len.get()));
            NdkQp qp = p.qp();
            Buffers buf = new Buffers(qp);
            buf.postReceives();
            Req accept = new Req();
            NtStatus ai = pc.accept(qp, 1, 1, null, 0, ctx -> { }, null, accept, null);
            NtStatus as = accept.await(ai);
            check("NdkAccept of the ucmatose client (it completes the connection itself)", NtStatus.SUCCESS.equals(as),
                    String.valueOf(as));
            if (NtStatus.SUCCESS.equals(as)) {
                buf.postSends("reference provider listener says hello");
                List<WorkCompletion> sends = buf.poll(VerbsConstants.IBV_WC_SEND, COUNT);
                check("sent " + COUNT + " messages to ucmatose", allOk(sends, VerbsConstants.IBV_WC_SEND, COUNT), sends.toString());
                List<WorkCompletion> recvs = buf.poll(VerbsConstants.IBV_WC_RECV, COUNT);
                check("received ucmatose's " + COUNT + " replies", allOk(recvs, VerbsConstants.IBV_WC_RECV, COUNT), recvs.toString());
                Req d = new Req();
                NtStatus ds = d.await(pc.disconnect(d, null));
                check("NdkDisconnect, answered by ucmatose", NtStatus.SUCCESS.equals(ds), String.valueOf(ds));
            }
            ucm.finish("ucmatose client");
            LabKit.closeAndWait(pc);
            buf.close();
            LabKit.closeAndWait(qp);
        } else {
            ucm.kill();
        }
        LabKit.closeAndWait(l.listener);
        LabKit.closeAndWait(p.cq);
        LabKit.closeAndWait(p.pd);
    }
}
