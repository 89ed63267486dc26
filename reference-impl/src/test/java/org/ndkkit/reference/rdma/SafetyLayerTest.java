package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The safety layer refuses, before any native code runs, every call that would crash or hang
 * librdmacm/libibverbs. The handles here wrap zeroed Java memory shaped like the native structs
 * (no RDMA device needed); each test only exercises paths that must be refused, so the fake
 * pointers never reach native code.
 */
class SafetyLayerTest {

    private Memory channelMem;
    private EventChannel channel;
    private Memory idMem;
    private CmId id;

    @BeforeEach
    void fakes() {
        channelMem = new Memory(8);
        channelMem.clear();
        channel = new EventChannel(channelMem, -1);
        idMem = new Memory(new CmStructs.RdmaCmId().size());
        idMem.clear();
        id = new CmId(idMem, channel);
        channel.addDependant();
    }

    private static void assertRejected(RdmaResult<?> r, int errno) {
        assertThat(r.ok()).as(r.toString()).isFalse();
        assertThat(r.kind()).as(r.toString()).isEqualTo(RdmaResult.Kind.REJECTED);
        assertThat(r.errno()).as(r.toString()).isEqualTo(errno);
    }

    @Test
    void acceptWithoutConnParamIsRefused() {
        // rdma_accept(id_without_qp, NULL) dereferences NULL inside librdmacm 44.
        assertRejected(RdmaCm.accept(id, null), Errno.EINVAL);
        assertRejected(RdmaCm.connect(id, null), Errno.EINVAL);
    }

    @Test
    void privateDataLongerThanAUint8IsRefused() {
        ConnParam p = ConnParam.forQp(17).withPrivateData(new byte[256]);
        assertRejected(RdmaCm.connect(id, p), Errno.EINVAL);
        assertRejected(RdmaCm.accept(id, p), Errno.EINVAL);
        assertRejected(RdmaCm.reject(id, new byte[256]), Errno.EINVAL);
        assertThat(RdmaCm.validate(ConnParam.forQp(17).withPrivateData(new byte[255])))
                .isEmpty();
    }

    @Test
    @RequiresRdmaCore
    void externalQpNumberIsRequiredWhenTheIdHasNoQp() {
        RdmaResult<Void> r = RdmaCm.connect(id, ConnParam.forQp(0));
        assertRejected(r, Errno.EINVAL);
        assertThat(r.detail()).contains("qp_num");
        assertRejected(RdmaCm.accept(id, ConnParam.forQp(0)), Errno.EINVAL);
    }

    @Test
    void connParamRangesAreChecked() {
        ConnParam ok = ConnParam.forQp(0x12);
        assertThat(RdmaCm.validate(ok)).isEmpty();
        assertThat(ok.retryCount()).isEqualTo(7);
        assertThat(ok.rnrRetryCount()).isEqualTo(7);
        assertThat(RdmaCm.validate(ok.withReadLimits(256, 1))).isPresent();
        assertThat(RdmaCm.validate(ok.withReadLimits(1, -1))).isPresent();
        assertThat(RdmaCm.validate(new ConnParam(null, 1, 1, 1, 8, 7, 0, 5))).isPresent();
        assertThat(RdmaCm.validate(new ConnParam(null, 1, 1, 1, 7, 8, 0, 5))).isPresent();
        assertThat(RdmaCm.validate(new ConnParam(null, 1, 1, 1, 7, 7, 0, 0x1000000)))
                .isPresent();
    }

    @Test
    @RequiresRdmaCore
    void addressesAndTimeoutsAreChecked() {
        assertRejected(RdmaCm.bindAddr(id, null), Errno.EINVAL);
        assertRejected(RdmaCm.bindAddr(id, InetSocketAddress.createUnresolved("host", 1)),
                Errno.EINVAL);
        InetSocketAddress dst = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        assertRejected(RdmaCm.resolveAddr(id, null, dst, 0), Errno.EINVAL);
        assertRejected(RdmaCm.resolveAddr(id, null, null, 1000), Errno.EINVAL);
        assertRejected(RdmaCm.resolveRoute(id, 0), Errno.EINVAL);
        assertRejected(RdmaCm.listen(id, -1), Errno.EINVAL);
        assertRejected(RdmaCm.setAckTimeout(id, 0), Errno.EINVAL);
        assertRejected(RdmaCm.setAckTimeout(id, 32), Errno.EINVAL);
        assertRejected(RdmaCm.setTos(id, 256), Errno.EINVAL);
        assertRejected(RdmaCm.initQpAttr(id, VerbsConstants.IBV_QPS_ERR), Errno.EINVAL);
        assertRejected(RdmaCm.createId(null, CmConstants.RDMA_PS_TCP), Errno.EINVAL);
        assertRejected(RdmaCm.createId(channel, 0x4242), Errno.EINVAL);
        assertRejected(RdmaCm.getCmEvent(channel, -2), Errno.EINVAL);
    }

    @Test
    @RequiresRdmaCore
    void destroyedHandlesAreNeverPassedToNativeCode() {
        RdmaResult<Void> gone = NativeHandle.destroying("test", id,
                () -> RdmaResult.success("test", null));
        assertThat(gone.ok()).isTrue();
        assertThat(id.isDestroyed()).isTrue();
        assertThat(channel.dependants()).isZero();

        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 7000);
        assertRejected(RdmaCm.bindAddr(id, a), Errno.EBADF);
        assertRejected(RdmaCm.connect(id, ConnParam.forQp(5)), Errno.EBADF);
        assertRejected(RdmaCm.accept(id, ConnParam.forQp(5)), Errno.EBADF);
        assertRejected(RdmaCm.disconnect(id), Errno.EBADF);
        assertRejected(RdmaCm.establish(id), Errno.EBADF);
        assertRejected(RdmaCm.setReuseAddr(id, true), Errno.EBADF);
        assertRejected(RdmaCm.destroyId(id), Errno.EBADF);
        assertRejected(id.localAddress(), Errno.EBADF);
    }

    @Test
    void destroyingAnIdWithUnackedEventsIsRefused() {
        id.unackedEvents().incrementAndGet();
        RdmaResult<Void> r = RdmaCm.destroyId(id);
        assertRejected(r, Errno.EBUSY);
        assertThat(r.detail()).contains("not acked");
        assertThat(id.isDestroyed()).isFalse();
    }

    @Test
    void destroyingAChannelWithIdsIsRefused() {
        RdmaResult<Void> r = RdmaCm.destroyEventChannel(channel);
        assertRejected(r, Errno.EBUSY);
        assertThat(channel.isDestroyed()).isFalse();
    }

    @Test
    @RequiresRdmaCore
    void anEventIsAckedAtMostOnce() {
        Memory fakeEvent = new Memory(80);
        fakeEvent.clear();
        CmEvent ev = new CmEvent(CmConstants.RDMA_CM_EVENT_ESTABLISHED, 0, id, null,
                new byte[0], 0, 0, 0, 0, 0, 0, 0, 0, fakeEvent, id);
        assertThat(ev.markAcked()).isTrue(); // as if rdma_ack_cm_event had run
        assertRejected(RdmaCm.ackCmEvent(ev), Errno.EINVAL);
        ev.close(); // already acked: no native call, no exception
        assertThat(ev.type()).isEqualTo(RdmaCmEventType.ESTABLISHED);
    }

    @Test
    void localAndPeerAddressesAreReadFromTheRouteInJava() throws Exception {
        assertThat(id.localAddress().value()).isEmpty(); // AF_UNSPEC: not bound yet
        InetSocketAddress src = new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 7000);
        InetSocketAddress dst = new InetSocketAddress(InetAddress.getByName("198.18.0.2"), 8000);
        Sockaddrs.write(idMem.share(32), src); // offsetof(rdma_cm_id, route.addr.src_addr)
        Sockaddrs.write(idMem.share(160), dst); // offsetof(rdma_cm_id, route.addr.dst_addr)
        assertThat(id.localAddress().value()).contains(src);
        assertThat(id.peerAddress().value()).contains(dst);
        assertThat(id.verbs().value()).isEmpty();
        assertThat(id.hasQp().value()).isFalse();
        idMem.setInt(new CmStructs.RdmaCmId().offsetOf("ps"), CmConstants.RDMA_PS_TCP);
        assertThat(id.portSpace().value()).isEqualTo(CmConstants.RDMA_PS_TCP);
        assertThat(id.snapshot().value().ps).isEqualTo(CmConstants.RDMA_PS_TCP);
    }

    @Test
    @RequiresRdmaCore
    void verbsArgumentsAreChecked() {
        Memory ctxMem = new Memory(new VerbsStructs.IbvContext().size());
        ctxMem.clear();
        DeviceContext borrowed = DeviceContext.borrowed(ctxMem);
        assertRejected(Verbs.closeDevice(borrowed), Errno.EINVAL);
        assertRejected(Verbs.queryPort(borrowed, 0), Errno.EINVAL);
        assertRejected(Verbs.createCq(borrowed, 0, 0), Errno.EINVAL);
        assertRejected(Verbs.allocPd(null), Errno.EINVAL);

        Memory pdMem = new Memory(16);
        pdMem.clear();
        ProtectionDomain pd = new ProtectionDomain(pdMem, borrowed);
        pd.addDependant(); // e.g. a QP
        assertRejected(Verbs.deallocPd(pd), Errno.EBUSY);
        assertRejected(Verbs.regMr(pd, null, VerbsConstants.IBV_ACCESS_LOCAL_WRITE),
                Errno.EINVAL);

        Memory cqMem = new Memory(128);
        cqMem.clear();
        CompletionQueue cq = new CompletionQueue(cqMem, borrowed, 16, null, null);
        assertRejected(Verbs.pollCq(cq, 0), Errno.EINVAL);
        assertRejected(Verbs.pollCq(cq, Verbs.MAX_POLL_ENTRIES + 1), Errno.EINVAL);
        // A provider without ops.poll_cq: refused instead of calling address 0.
        assertRejected(Verbs.pollCq(cq, 1), Errno.ENOSYS);
        assertRejected(Verbs.createQp(pd, cq, cq, null, VerbsConstants.IBV_QPT_RC, false),
                Errno.EINVAL);
        assertRejected(Verbs.createQp(pd, cq, null, new Verbs.QpCaps(1, 1, 1, 1, 0),
                VerbsConstants.IBV_QPT_RC, false), Errno.EINVAL);

        Memory qpMem = new Memory(160);
        qpMem.clear();
        QueuePair qp = new QueuePair(qpMem, pd, cq, cq, 17, null, null);
        VerbsStructs.IbvRecvWr wr = new VerbsStructs.IbvRecvWr();
        wr.num_sge = 1; // but no sg_list: the provider would dereference NULL
        assertRejected(Verbs.postRecv(qp, wr), Errno.EINVAL);
        assertRejected(Verbs.postSend(qp, null), Errno.EINVAL);
        assertRejected(Verbs.modifyQp(qp, new VerbsStructs.IbvQpAttr(), 0), Errno.EINVAL);
    }

    @Test
    void resultsNeverThrowNativeErrors() {
        RdmaResult<Integer> fail = RdmaResult.nativeError("rdma_bind_addr", Errno.EADDRINUSE,
                "returned -1");
        assertThat(fail.toString()).contains("EADDRINUSE (98)");
        assertThatThrownBy(fail::orElseThrow).isInstanceOf(RdmaException.class)
                .hasMessageContaining("rdma_bind_addr");
        assertThatThrownBy(fail::value).isInstanceOf(IllegalStateException.class);
        assertThat(RdmaResult.success("x", 2).map(v -> v + 1).value()).isEqualTo(3);
        assertThat(fail.<String>asFailure().errno()).isEqualTo(Errno.EADDRINUSE);
        assertThat(Errno.describe(-110)).isEqualTo("-ETIMEDOUT (-110)");
        assertThat(Optional.of(Errno.name(4242))).contains("errno 4242");
    }
}
