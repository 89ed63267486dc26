package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inline-verb paths (ops function pointers, verbs_context->query_port) exercised end to end
 * without a device: a fake {@code struct verbs_context} in Java memory whose function pointers
 * are JNA callbacks. This checks that the safety layer reads the right slots, passes the right
 * arguments and copies the results out correctly.
 */
class OpsDispatchTest {

    interface PollCq extends Callback {
        int invoke(Pointer cq, int numEntries, Pointer wc);
    }

    interface ReqNotifyCq extends Callback {
        int invoke(Pointer cq, int solicitedOnly);
    }

    interface PostRecv extends Callback {
        int invoke(Pointer qp, Pointer wr, Pointer badWr);
    }

    interface QueryPort extends Callback {
        int invoke(Pointer ctx, byte portNum, Pointer attr, long attrLen);
    }

    private Memory vctxMem;
    private Pointer ctx;
    private DeviceContext context;
    // Callbacks must stay strongly reachable while native code may call them.
    private PollCq pollCq;
    private ReqNotifyCq reqNotifyCq;
    private PostRecv postRecv;
    private QueryPort queryPort;
    private final AtomicLong lastCq = new AtomicLong();
    private final AtomicLong lastN = new AtomicLong();
    private final AtomicLong lastPortAttrLen = new AtomicLong();

    @BeforeEach
    void fakeContext() {
        vctxMem = new Memory(Verbs.VCTX_SIZE);
        vctxMem.clear();
        ctx = vctxMem.share(Verbs.VCTX_CONTEXT_OFFSET);
        context = DeviceContext.borrowed(ctx);

        pollCq = (cq, n, wc) -> {
            lastCq.set(Pointer.nativeValue(cq));
            lastN.set(n);
            for (int i = 0; i < 2; i++) {
                VerbsStructs.IbvWc w = new VerbsStructs.IbvWc(wc.share(i * 48L));
                w.wr_id = 100 + i;
                w.status = i == 0 ? VerbsConstants.IBV_WC_SUCCESS
                        : VerbsConstants.IBV_WC_WR_FLUSH_ERR;
                w.opcode = VerbsConstants.IBV_WC_RECV;
                w.byte_len = 56;
                w.qp_num = 17;
                w.write();
            }
            return 2;
        };
        reqNotifyCq = (cq, solicited) -> solicited == 1 ? 0 : Errno.EINVAL;
        postRecv = (qp, wr, bad) -> {
            VerbsStructs.IbvRecvWr r = new VerbsStructs.IbvRecvWr();
            r.getPointer().write(0, wr.getByteArray(0, r.size()), 0, r.size());
            r.read();
            return r.wr_id == 42 ? 0 : Errno.ENOMEM;
        };
        queryPort = (c, port, attr, len) -> {
            lastPortAttrLen.set(len);
            VerbsStructs.IbvPortAttr a = new VerbsStructs.IbvPortAttr();
            a.state = VerbsConstants.IBV_PORT_ACTIVE;
            a.active_mtu = VerbsConstants.IBV_MTU_1024;
            a.link_layer = (byte) VerbsConstants.IBV_LINK_LAYER_ETHERNET;
            a.port_cap_flags2 = 0x1234;
            a.write();
            attr.write(0, a.getPointer().getByteArray(0, (int) len), 0, (int) len);
            return port == 1 ? 0 : Errno.EINVAL;
        };
        ctx.setPointer(Verbs.POLL_CQ_OFFSET, CallbackReference.getFunctionPointer(pollCq));
        ctx.setPointer(Verbs.REQ_NOTIFY_CQ_OFFSET,
                CallbackReference.getFunctionPointer(reqNotifyCq));
        ctx.setPointer(Verbs.POST_RECV_OFFSET, CallbackReference.getFunctionPointer(postRecv));
    }

    private CompletionQueue fakeCq(Memory cqMem) {
        cqMem.clear();
        cqMem.setPointer(0, ctx); // cq->context
        return new CompletionQueue(cqMem, context, 16, Verbs.opsFunction(ctx, Verbs.POLL_CQ_OFFSET),
                Verbs.opsFunction(ctx, Verbs.REQ_NOTIFY_CQ_OFFSET));
    }

    @Test
    @RequiresRdmaCore
    void pollCqGoesThroughTheContextOps() {
        Memory cqMem = new Memory(128);
        CompletionQueue cq = fakeCq(cqMem);
        RdmaResult<List<WorkCompletion>> r = Verbs.pollCq(cq, 4);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(lastCq.get()).isEqualTo(Pointer.nativeValue(cqMem));
        assertThat(lastN.get()).isEqualTo(4);
        assertThat(r.value()).containsExactly(
                new WorkCompletion(100, VerbsConstants.IBV_WC_SUCCESS, VerbsConstants.IBV_WC_RECV,
                        0, 56, 0, 17, 0, 0),
                new WorkCompletion(101, VerbsConstants.IBV_WC_WR_FLUSH_ERR,
                        VerbsConstants.IBV_WC_RECV, 0, 56, 0, 17, 0, 0));
        assertThat(r.value().get(0).success()).isTrue();
    }

    @Test
    @RequiresRdmaCore
    void reqNotifyCqAndPostRecvGoThroughTheContextOps() {
        CompletionQueue cq = fakeCq(new Memory(128));
        assertThat(Verbs.reqNotifyCq(cq, true).ok()).isTrue();
        RdmaResult<Void> bad = Verbs.reqNotifyCq(cq, false);
        assertThat(bad.kind()).isEqualTo(RdmaResult.Kind.NATIVE_ERROR);
        assertThat(bad.errno()).isEqualTo(Errno.EINVAL);

        Memory qpMem = new Memory(160);
        qpMem.clear();
        qpMem.setPointer(0, ctx);
        Memory pdMem = new Memory(16);
        QueuePair qp = new QueuePair(qpMem, new ProtectionDomain(pdMem, context), cq, cq, 17,
                Verbs.opsFunction(ctx, Verbs.POST_SEND_OFFSET),
                Verbs.opsFunction(ctx, Verbs.POST_RECV_OFFSET));
        VerbsStructs.IbvRecvWr wr = new VerbsStructs.IbvRecvWr();
        wr.wr_id = 42;
        assertThat(Verbs.postRecv(qp, wr).ok()).isTrue();
        wr.wr_id = 43;
        assertThat(Verbs.postRecv(qp, wr).errno()).isEqualTo(Errno.ENOMEM);
        // post_send was left NULL in the fake ops table: refused, not called.
        VerbsStructs.IbvSendWr swr = new VerbsStructs.IbvSendWr();
        assertThat(Verbs.postSend(qp, swr).errno()).isEqualTo(Errno.ENOSYS);
    }

    @Test
    @RequiresRdmaCore
    void queryPortUsesTheExtendedContextWithTheFullStructSize() {
        vctxMem.setPointer(Verbs.VCTX_QUERY_PORT_OFFSET,
                CallbackReference.getFunctionPointer(queryPort));
        vctxMem.setLong(Verbs.VCTX_SZ_OFFSET, Verbs.VCTX_SIZE);
        ctx.setLong(Verbs.ABI_COMPAT_OFFSET, Verbs.VERBS_ABI_IS_EXTENDED);

        RdmaResult<VerbsStructs.IbvPortAttr> r = Verbs.queryPort(context, 1);
        assertThat(r.ok()).as(r.toString()).isTrue();
        assertThat(lastPortAttrLen.get()).isEqualTo(52);
        assertThat(r.value().state).isEqualTo(VerbsConstants.IBV_PORT_ACTIVE);
        assertThat(r.value().active_mtu).isEqualTo(VerbsConstants.IBV_MTU_1024);
        assertThat(r.value().link_layer).isEqualTo((byte) VerbsConstants.IBV_LINK_LAYER_ETHERNET);
        assertThat(r.value().port_cap_flags2).isEqualTo((short) 0x1234);

        assertThat(Verbs.queryPort(context, 2).errno()).isEqualTo(Errno.EINVAL);
    }

    @Test
    void queryPortFallsBackToTheExportedSymbolOnlyWhenTheInlineWould() {
        vctxMem.setPointer(Verbs.VCTX_QUERY_PORT_OFFSET,
                CallbackReference.getFunctionPointer(queryPort));
        vctxMem.setLong(Verbs.VCTX_SZ_OFFSET, Verbs.VCTX_SIZE);
        // Not an extended context: ___ibv_query_port would call the exported compat symbol.
        assertThat(Verbs.extendedQueryPort(ctx)).isNull();
        ctx.setLong(Verbs.ABI_COMPAT_OFFSET, Verbs.VERBS_ABI_IS_EXTENDED);
        assertThat(Verbs.extendedQueryPort(ctx)).isNotNull();
        // A provider whose verbs_context is too old to contain query_port.
        vctxMem.setLong(Verbs.VCTX_SZ_OFFSET, Verbs.VCTX_SIZE - Verbs.VCTX_QUERY_PORT_OFFSET - 1);
        assertThat(Verbs.extendedQueryPort(ctx)).isNull();
    }
}
