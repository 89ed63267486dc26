package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ndkkit.reference.rdma.RdmaCm.QpAttrWithMask;
import org.ndkkit.reference.rdma.VerbsStructs.IbvDeviceAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvPortAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvRecvWr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvSendWr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvSge;

/**
 * End-to-end check of the binding layer on a real RDMA device (the SoftRoCE lab): one RC
 * connection over rxe loopback with external QPs, exactly the shape the provider will use
 * (rdma_connect with qp_num, CONNECT_RESPONSE, rdma_init_qp_attr + ibv_modify_qp,
 * rdma_establish), one SEND, disconnect and full teardown.
 *
 * <p>Run inside the lab, from the repository root, after {@code mvn install}:
 * <pre>
 * lab/run --out reference-impl/target/lab-smoke -- java -cp \
 *   reference-impl/target/classes:reference-impl/target/test-classes:$HOME/.m2/repository/net/java/dev/jna/jna/5.19.1/jna-5.19.1.jar \
 *   org.ndkkit.reference.rdma.SoftRoceSmoke
 * </pre>
 * {@link SoftRoceLoopbackTest} runs the same under JUnit when the build itself runs in the lab.
 * Addresses come from NDK_LAB_LOCAL / NDK_LAB_PEER (first of each).
 */
public final class SoftRoceSmoke {
    private static final long EVENT_TIMEOUT_MS = 30_000;

    private final PrintStream log;
    private final List<String> failures = new ArrayList<>();

    private SoftRoceSmoke(PrintStream log) {
        this.log = log;
    }

    public static void main(String[] args) {
        List<String> f = run(System.out);
        System.out.println(f.isEmpty() ? "SMOKE OK" : "SMOKE FAILED: " + f);
        System.exit(f.isEmpty() ? 0 : 1);
    }

    /** Runs the whole scenario; returns the failures (empty = all good). */
    public static List<String> run(PrintStream log) {
        SoftRoceSmoke s = new SoftRoceSmoke(log);
        try {
            s.scenario();
        } catch (RuntimeException e) {
            s.failures.add("unexpected " + e);
            e.printStackTrace(log);
        }
        return s.failures;
    }

    private static String firstOf(String env, String dflt) {
        String v = System.getenv(env);
        return v == null || v.isBlank() ? dflt : v.split(",")[0].trim();
    }

    /** A result that must be ok; records a failure and throws to stop the scenario if not. */
    private <T> T ok(RdmaResult<T> r) {
        boolean bulky = r.ok() && (r.value() instanceof com.sun.jna.Structure
                || r.value() instanceof QpAttrWithMask);
        log.println("  " + (bulky ? r.operation() + ": ok" : r.toString()));
        if (!r.ok()) {
            failures.add(r.toString());
            throw new IllegalStateException("stopping: " + r);
        }
        return r.value();
    }

    private void check(boolean cond, String what) {
        log.println("  " + (cond ? "ok   " : "FAIL ") + what);
        if (!cond) {
            failures.add(what);
        }
    }

    private CmEvent expect(EventChannel ch, RdmaCmEventType type) {
        CmEvent ev = ok(RdmaCm.nextCmEvent(ch, EVENT_TIMEOUT_MS)).orElse(null);
        if (ev == null || ev.type() != type) {
            failures.add("expected " + type + ", got " + ev);
            throw new IllegalStateException("stopping: expected " + type + ", got " + ev);
        }
        log.println("  event " + ev);
        return ev;
    }

    private void toRts(CmId id, QueuePair qp) {
        for (int state : new int[] {VerbsConstants.IBV_QPS_INIT, VerbsConstants.IBV_QPS_RTR,
            VerbsConstants.IBV_QPS_RTS}) {
            QpAttrWithMask a = ok(RdmaCm.initQpAttr(id, state));
            ok(Verbs.modifyQp(qp, a.attr(), a.mask()));
        }
    }

    private List<WorkCompletion> pollUntil(CompletionQueue cq, int want) {
        List<WorkCompletion> got = new ArrayList<>();
        long deadline = System.nanoTime() + EVENT_TIMEOUT_MS * 1_000_000L;
        while (got.size() < want && System.nanoTime() < deadline) {
            got.addAll(ok(Verbs.pollCq(cq, 16)));
            if (got.size() < want) {
                Thread.onSpinWait();
            }
        }
        return got;
    }

    private void scenario() {
        InetAddress local;
        InetAddress peer;
        try {
            local = InetAddress.getByName(firstOf("NDK_LAB_LOCAL", "198.18.0.1"));
            peer = InetAddress.getByName(firstOf("NDK_LAB_PEER", "198.18.1.1"));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        int port = 7471;
        log.println("smoke: " + local.getHostAddress() + " -> " + peer.getHostAddress() + ":"
                + port);

        EventChannel sch = ok(RdmaCm.createEventChannel());
        EventChannel cch = ok(RdmaCm.createEventChannel());

        // Passive side: listen on peer:port.
        CmId listener = ok(RdmaCm.createId(sch, CmConstants.RDMA_PS_TCP));
        ok(RdmaCm.setReuseAddr(listener, true));
        InetSocketAddress listenAddr = new InetSocketAddress(peer, port);
        ok(RdmaCm.bindAddr(listener, listenAddr));
        check(ok(listener.localAddress()).equals(Optional.of(listenAddr)),
                "rdma_get_local_addr(listener) = " + listenAddr);
        ok(RdmaCm.listen(listener, 8));

        // Active side: resolve, learn the device, build an external QP.
        CmId client = ok(RdmaCm.createId(cch, CmConstants.RDMA_PS_TCP));
        ok(RdmaCm.bindAddr(client, new InetSocketAddress(local, 0)));
        ok(RdmaCm.resolveAddr(client, null, listenAddr, 2000));
        expect(cch, RdmaCmEventType.ADDR_RESOLVED);
        ok(RdmaCm.resolveRoute(client, 2000));
        expect(cch, RdmaCmEventType.ROUTE_RESOLVED);
        DeviceContext cctx = ok(client.verbs()).orElseThrow();
        check(!cctx.owned(), "the id's context is borrowed");
        IbvDeviceAttr dev = ok(Verbs.queryDevice(cctx));
        log.println("  device: max_qp_rd_atom=" + dev.max_qp_rd_atom + " max_qp_init_rd_atom="
                + dev.max_qp_init_rd_atom + " max_qp_wr=" + dev.max_qp_wr + " max_sge="
                + dev.max_sge + " max_cqe=" + dev.max_cqe + " phys_port_cnt="
                + (dev.phys_port_cnt & 0xFF));
        check(dev.max_qp_rd_atom > 0 && dev.max_qp_wr > 0, "ibv_query_device has limits");
        int portNum = ok(client.portNum());
        IbvPortAttr pa = ok(Verbs.queryPort(cctx, portNum));
        check(pa.state == VerbsConstants.IBV_PORT_ACTIVE, "port " + portNum + " ACTIVE");
        check(pa.link_layer == VerbsConstants.IBV_LINK_LAYER_ETHERNET, "link layer Ethernet");
        check(Verbs.extendedQueryPort(cctx.pointer()) != null,
                "rxe's context is extended (query_port via verbs_context)");

        ProtectionDomain cpd = ok(Verbs.allocPd(cctx));
        CompletionQueue ccq = ok(Verbs.createCq(cctx, 16, 0));
        Verbs.QpCaps caps = new Verbs.QpCaps(8, 8, 1, 1, 0);
        QueuePair cqp = ok(Verbs.createQp(cpd, ccq, ccq, caps, VerbsConstants.IBV_QPT_RC, false));
        check(!ok(client.hasQp()), "client id has no librdmacm QP (external QP)");

        // Oversized private data is refused by the kernel inline (57 > 56).
        RdmaResult<Void> tooMuch = RdmaCm.connect(client,
                ConnParam.forQp(cqp.qpNum()).withPrivateData(new byte[57]));
        log.println("  " + tooMuch);
        check(tooMuch.kind() == RdmaResult.Kind.NATIVE_ERROR && tooMuch.errno() == Errno.EINVAL,
                "57 bytes of private data: EINVAL inline");

        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        ok(RdmaCm.connect(client, ConnParam.forQp(cqp.qpNum()).withPrivateData(hello)
                .withReadLimits(5, 3)));

        // Passive side: the request, a QP on its device, accept.
        CmEvent req = expect(sch, RdmaCmEventType.CONNECT_REQUEST);
        CmId conn = req.id();
        check(req.listenId().orElse(null) == listener, "listen_id is the listener handle");
        check(req.privateDataLen() == 56, "CONNECT_REQUEST private_data_len 56");
        byte[] got = req.privateData();
        check(new String(got, 0, 5, StandardCharsets.US_ASCII).equals("hello"),
                "private data arrives");
        check(req.responderResources() == 3 && req.initiatorDepth() == 5,
                "read limits mirrored (rr 3, depth 5)");
        check(req.qpNum() == cqp.qpNum(), "request carries the client's QP number");
        DeviceContext sctx = ok(conn.verbs()).orElseThrow();
        ProtectionDomain spd = ok(Verbs.allocPd(sctx));
        CompletionQueue scq = ok(Verbs.createCq(sctx, 16, 0));
        QueuePair sqp = ok(Verbs.createQp(spd, scq, scq, caps, VerbsConstants.IBV_QPT_RC, false));
        toRts(conn, sqp);
        Memory rbuf = new Memory(64);
        rbuf.clear();
        MemoryRegion rmr = ok(Verbs.regMr(spd, rbuf, VerbsConstants.IBV_ACCESS_LOCAL_WRITE));
        IbvSge rsge = new IbvSge();
        rsge.addr = com.sun.jna.Pointer.nativeValue(rbuf);
        rsge.length = 64;
        rsge.lkey = rmr.lkey();
        rsge.write();
        IbvRecvWr rwr = new IbvRecvWr();
        rwr.wr_id = 0x5151;
        rwr.sg_list = rsge.getPointer();
        rwr.num_sge = 1;
        ok(Verbs.postRecv(sqp, rwr));
        ok(RdmaCm.accept(conn, ConnParam.forQp(sqp.qpNum()).withReadLimits(2, 1)));

        // Active side: CONNECT_RESPONSE, QP to RTS, RTU.
        CmEvent rep = expect(cch, RdmaCmEventType.CONNECT_RESPONSE);
        check(rep.privateDataLen() == 196, "CONNECT_RESPONSE private_data_len 196");
        check(rep.qpNum() == sqp.qpNum(), "response carries the server's QP number");
        toRts(client, cqp);
        ok(RdmaCm.establish(client));
        expect(sch, RdmaCmEventType.ESTABLISHED);

        InetSocketAddress cl = ok(client.localAddress()).orElseThrow();
        check(cl.getAddress().equals(local) && cl.getPort() != 0,
                "client local address " + cl);
        check(ok(client.peerAddress()).equals(Optional.of(listenAddr)), "client peer address");
        check(ok(conn.peerAddress()).equals(Optional.of(cl)), "server sees the client's address");

        // One SEND through the connection: post_send / post_recv / poll_cq through ctx->ops.
        Memory sbuf = new Memory(16);
        sbuf.setString(0, "ping", "US-ASCII");
        MemoryRegion smr = ok(Verbs.regMr(cpd, sbuf, VerbsConstants.IBV_ACCESS_LOCAL_WRITE));
        IbvSge ssge = new IbvSge();
        ssge.addr = com.sun.jna.Pointer.nativeValue(sbuf);
        ssge.length = 5;
        ssge.lkey = smr.lkey();
        ssge.write();
        IbvSendWr swr = new IbvSendWr();
        swr.wr_id = 0x5353;
        swr.sg_list = ssge.getPointer();
        swr.num_sge = 1;
        swr.opcode = VerbsConstants.IBV_WR_SEND;
        swr.send_flags = VerbsConstants.IBV_SEND_SIGNALED;
        ok(Verbs.postSend(cqp, swr));
        List<WorkCompletion> sc = pollUntil(ccq, 1);
        check(sc.size() == 1 && sc.get(0).success() && sc.get(0).wrId() == 0x5353
                && sc.get(0).opcode() == VerbsConstants.IBV_WC_SEND, "send completion " + sc);
        List<WorkCompletion> rc = pollUntil(scq, 1);
        check(rc.size() == 1 && rc.get(0).success() && rc.get(0).wrId() == 0x5151
                && rc.get(0).byteLen() == 5 && rc.get(0).qpNum() == sqp.qpNum(),
                "receive completion " + rc);
        check(rbuf.getString(0, "US-ASCII").equals("ping"), "payload arrived");

        // Disconnect and tear everything down, children first.
        // The DREQ's receiver must answer with its own rdma_disconnect (the DREP); only then
        // does the initiator see DISCONNECTED (else after the DREQ timeout, ~98 s).
        ok(RdmaCm.disconnect(client));
        expect(sch, RdmaCmEventType.DISCONNECTED);
        ok(RdmaCm.disconnect(conn));
        expect(cch, RdmaCmEventType.DISCONNECTED);
        check(RdmaCm.destroyEventChannel(cch).errno() == Errno.EBUSY,
                "channel with ids is not destroyed");
        ok(Verbs.deregMr(smr));
        ok(Verbs.deregMr(rmr));
        ok(Verbs.destroyQp(cqp));
        ok(Verbs.destroyQp(sqp));
        ok(Verbs.destroyCq(ccq));
        ok(Verbs.destroyCq(scq));
        ok(Verbs.deallocPd(cpd));
        ok(Verbs.deallocPd(spd));
        ok(RdmaCm.destroyId(client));
        ok(RdmaCm.destroyId(conn));
        ok(RdmaCm.destroyId(listener));
        ok(RdmaCm.destroyEventChannel(cch));
        ok(RdmaCm.destroyEventChannel(sch));
        log.println("smoke: done, " + failures.size() + " failure(s)");
    }
}
