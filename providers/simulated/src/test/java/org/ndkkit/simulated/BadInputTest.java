package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/** Bad input is always a status, never an exception, and never a completion. */
class BadInputTest {

    /** A QP from someone else's provider. */
    private static final NdkQp FOREIGN_QP = new NdkQp() {
        @Override
        public NdkObjectType type() {
            return NdkObjectType.QP;
        }

        @Override
        public NtStatus close(CloseCompletion completion, Object context) {
            return NtStatus.SUCCESS;
        }
    };

    /** [::ffff:198.18.1.1]:5 as a SOCKADDR_IN6: no simulated adapter has an IPv4-mapped address. */
    private static final SockAddr V4_MAPPED = SockAddr.raw(new byte[] {
            23, 0, 0, 5, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 198, 18, 1, 1,
            0, 0, 0, 0}, 28);

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void connectWithSharedEndpointArguments(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkSharedEndpoint peerSe = lab.sharedEndpoint(lab.peer, Lab.v4("198.18.1.2", 0));
            NdkConnector c = lab.connector(lab.local);
            NdkQp qp = lab.qp(lab.local);
            NdkQp peerQp = lab.qp(lab.peer);
            NdkQp closedQp = lab.qp(lab.local);
            lab.close(closedQp, "closedQp").awaitClosed();
            SockAddr dst = l.address;

            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(null, se, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(FOREIGN_QP, se, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(peerQp, se, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(closedQp, se, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(qp, null, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(qp, peerSe, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> c.connectWithSharedEndpoint(qp, se, null, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> c.connectWithSharedEndpoint(qp, se, SockAddr.raw(new byte[16], 16), 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> c.connectWithSharedEndpoint(qp, se, SockAddr.raw(dst.bytes(), 8), 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> c.connectWithSharedEndpoint(qp, se, SockAddr.raw(new byte[] {2, 0}, 16), 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> c.connectWithSharedEndpoint(qp, se, dst.withPort(0), 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> c.connectWithSharedEndpoint(qp, se, V4_MAPPED, 1, 1, null, 0, r, r.context));
            assertThat(c.connectWithSharedEndpoint(qp, se, dst, 1, 1, null, 0, null, null)).isEqualTo(NtStatus.INVALID_PARAMETER);
            l.assertNoRequest();

            Closing closing = lab.close(se, "se");
            closing.awaitClosed();
            expect(lab, NtStatus.INVALID_PARAMETER, r -> c.connectWithSharedEndpoint(qp, se, dst, 1, 1, null, 0, r, r.context));
            lab.close(c, "c").awaitClosed();
            expect(lab, NtStatus.INVALID_DEVICE_STATE, r -> c.connectWithSharedEndpoint(qp, se, dst, 1, 1, null, 0, r, r.context));
            expect(lab, NtStatus.INVALID_DEVICE_STATE, r -> c.completeConnect(null, null, r, r.context));
            expect(lab, NtStatus.INVALID_DEVICE_STATE, r -> c.disconnect(r, r.context));
            expect(lab, NtStatus.INVALID_DEVICE_STATE, r -> c.accept(qp, 1, 1, null, 0, null, null, r, r.context));
            assertThat(c.reject(null, 0)).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            assertThat(c.getConnectionData(null, null, null, new UlongRef(0))).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            assertThat(c.getLocalAddress(null, new UlongRef(0))).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            assertThat(c.close(x -> { }, null)).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void createArguments(String path) {
        try (Lab lab = Lab.open(path)) {
            assertThat(lab.local.createCq(0, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(lab.local.createCq(4097, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(lab.local.createCq(-1, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(lab.local.createPd(null, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(lab.local.createListener(null, null, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(lab.local.createSharedEndpoint(null, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_ADDRESS);
            assertThat(lab.local.createSharedEndpoint(SockAddr.raw(new byte[] {23, 0}, 28), (c, s, o) -> { }, null).status())
                    .isEqualTo(NtStatus.INVALID_ADDRESS);

            NdkPd pd = lab.create(lab.local::createPd);
            NdkCq cq = lab.create((c, x) -> lab.local.createCq(4096, c, x));
            NdkCq peerCq = lab.create((c, x) -> lab.peer.createCq(1, c, x));
            QpParameters ok = QpParameters.small();
            assertThat(pd.createQp(peerCq, cq, ok, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(pd.createQp(cq, null, ok, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(pd.createQp(cq, cq, null, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            for (QpParameters tooBig : new QpParameters[] {
                    new QpParameters(1025, 1, 1, 1, 0), new QpParameters(1, 1025, 1, 1, 0),
                    new QpParameters(1, 1, 5, 1, 0), new QpParameters(1, 1, 1, 5, 0),
                    new QpParameters(1, 1, 1, 1, 65), new QpParameters(-1, 1, 1, 1, 0)}) {
                assertThat(pd.createQp(cq, cq, tooBig, (c, s, o) -> { }, null).status()).as(tooBig.toString())
                        .isEqualTo(NtStatus.INVALID_PARAMETER);
            }
            NdkQp max = lab.create((c, x) -> pd.createQp(cq, cq, new QpParameters(1024, 1024, 4, 4, 64), c, x));
            assertThat(max).isNotNull();

            // The CQ and PD are antecedents of the QP.
            Closing cqClose = lab.close(cq, "cq");
            assertThat(cqClose.status).isEqualTo(NtStatus.PENDING);
            assertThat(pd.createQp(cq, cq, ok, (c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_PARAMETER);
            lab.close(max, "qp").awaitClosed();
            cqClose.awaitClosed();
            assertThat(lab.close(pd, "pd").status).isEqualTo(NtStatus.SUCCESS);
            assertThat(lab.local.createPd((c, s, o) -> { }, null).status()).isIn(NtStatus.SUCCESS, NtStatus.PENDING);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void listenerAndAddressArguments(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkListener listener = lab.create((c, x) -> lab.peer.createListener((cx, conn) -> { }, null, c, x));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> listener.listen(null, r, r.context));
            expect(lab, NtStatus.INVALID_ADDRESS, r -> listener.listen(SockAddr.raw(new byte[4], 4), r, r.context));
            assertThat(listener.listen(Lab.v4("198.18.1.1", 0), null, null)).isEqualTo(NtStatus.INVALID_PARAMETER);
            Req foreign = new Req("listen foreign", lab);
            foreign.run(() -> listener.listen(Lab.v4("198.18.0.1", 0), foreign, foreign.context));
            assertThat(foreign.outcome()).isEqualTo(NtStatus.INVALID_ADDRESS);
            foreign.assertContract();
            Req ok = new Req("listen", lab);
            ok.run(() -> listener.listen(Lab.v4("198.18.1.1", 0), ok, ok.context));
            assertThat(ok.outcome()).isEqualTo(NtStatus.SUCCESS);
            expect(lab, NtStatus.ADDRESS_ALREADY_ASSOCIATED, r -> listener.listen(Lab.v4("198.18.1.1", 0), r, r.context));
            assertThat(listener.getLocalAddress(null, null)).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(listener.getLocalAddress(null, new UlongRef(16))).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(listener.getLocalAddress(new byte[4], new UlongRef(16))).isEqualTo(NtStatus.INVALID_PARAMETER);
            assertThat(listener.close(null, null)).isEqualTo(NtStatus.INVALID_PARAMETER);
            lab.close(listener, "L").awaitClosed();
            assertThatCode(() -> listener.controlConnectEvents(true)).doesNotThrowAnyException();
            expect(lab, NtStatus.INVALID_DEVICE_STATE, r -> listener.listen(Lab.v4("198.18.1.1", 0), r, r.context));
        }
    }

    private interface Call {
        NtStatus run(Req r);
    }

    /** The call returns {@code expected} inline, never throws, and makes no completion. */
    private static void expect(Lab lab, NtStatus expected, Call call) {
        Req r = new Req("bad input", lab);
        assertThatCode(() -> r.run(() -> call.run(r))).doesNotThrowAnyException();
        assertThat(r.inline).isEqualTo(expected);
        r.assertContract();
    }
}
