package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;

/** completeConnect, accept, reject and disconnect in the states where they do not apply. */
class SequenceTest {

    private static Req connect(Lab lab, NdkConnector c, NdkQp qp, NdkSharedEndpoint se, Listening l) {
        Req r = new Req("connect", lab);
        r.run(() -> c.connectWithSharedEndpoint(qp, se, l.address, 1, 1, null, 0, r, r.context));
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void theActiveSideRejectsAfterItsConnectCompleted(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = connect(lab, c1, lab.qp(lab.local), se, l);
            NdkConnector p1 = l.next();
            Req accept = new Req("accept", lab);
            accept.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, accept, accept.context));
            assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
            assertThat(c1.reject(new byte[149], 149)).isEqualTo(NtStatus.INVALID_BUFFER_SIZE);
            assertThat(c1.reject(null, 0)).isEqualTo(NtStatus.SUCCESS);
            assertThat(accept.outcome()).isEqualTo(NtStatus.CONNECTION_ABORTED);
            Req complete = new Req("complete", lab);
            complete.run(() -> c1.completeConnect(null, null, complete, complete.context));
            assertThat(complete.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            complete.assertContract();
            assertThat(c1.reject(null, 0)).isEqualTo(NtStatus.CONNECTION_INVALID);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void completeConnectNeedsASucceededConnect(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector fresh = lab.connector(lab.local);
            Req r = new Req("complete fresh", lab);
            r.run(() -> fresh.completeConnect(null, null, r, r.context));
            assertThat(r.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            r.assertContract();
            assertThat(r.inline).isEqualTo(path.equals("inline") ? NtStatus.CONNECTION_INVALID : NtStatus.PENDING);

            Req connecting = connect(lab, fresh, lab.qp(lab.local), se, l);
            NdkConnector p1 = l.next();
            Req early = new Req("complete while connecting", lab);
            early.run(() -> fresh.completeConnect(null, null, early, early.context));
            assertThat(early.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            Req onPassive = new Req("complete passive", lab);
            onPassive.run(() -> p1.completeConnect(null, null, onPassive, onPassive.context));
            assertThat(onPassive.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            Req disconnect = new Req("disconnect unconnected", lab);
            disconnect.run(() -> fresh.disconnect(disconnect, disconnect.context));
            assertThat(disconnect.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            disconnect.assertContract();
            assertThat(connecting.isComplete()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void busyConnectorsAndQpsAreConnectionActive(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            Listening l2 = lab.listen(lab.peer, Lab.v4("198.18.1.2", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            NdkQp qp = lab.qp(lab.local);
            assertThat(connect(lab, c1, qp, se, l).inline).isEqualTo(NtStatus.PENDING);
            NdkConnector p1 = l.next();
            assertThat(connect(lab, c1, lab.qp(lab.local), se, l2).inline).isEqualTo(NtStatus.CONNECTION_ACTIVE);
            NdkConnector c2 = lab.connector(lab.local);
            assertThat(connect(lab, c2, qp, se, l2).inline).as("QP in use").isEqualTo(NtStatus.CONNECTION_ACTIVE);
            NdkSharedEndpoint peerSe = lab.sharedEndpoint(lab.peer, Lab.v4("198.18.1.3", 0));
            assertThat(connect(lab, p1, lab.qp(lab.peer), peerSe, l2).inline).as("a passive connector")
                    .isEqualTo(NtStatus.CONNECTION_ACTIVE);

            NdkQp peerQp = lab.qp(lab.peer);
            Req accept = new Req("accept", lab);
            accept.run(() -> p1.accept(peerQp, 1, 1, null, 0, null, null, accept, accept.context));
            Req again = new Req("accept again", lab);
            assertThat(again.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, again, again.context)))
                    .isEqualTo(NtStatus.CONNECTION_ACTIVE);
            Req onActive = new Req("accept on active", lab);
            onActive.run(() -> c2.accept(lab.qp(lab.local), 1, 1, null, 0, null, null, onActive, onActive.context));
            assertThat(onActive.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aSlowActiveSideIsNeverTimedOut(String path) throws Exception {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = connect(lab, c1, lab.qp(lab.local), se, l);
            NdkConnector p1 = l.next();
            Thread.sleep(Lab.CONNECT_TIMEOUT.toMillis() + 50);
            assertThat(connect.isComplete()).isFalse();
            Req accept = new Req("accept", lab);
            accept.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, accept, accept.context));
            assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
            Thread.sleep(Lab.CONNECT_TIMEOUT.toMillis() + 50);
            assertThat(accept.isComplete()).isFalse();
            Req complete = new Req("complete", lab);
            complete.run(() -> c1.completeConnect(null, null, complete, complete.context));
            assertThat(complete.outcome()).isEqualTo(NtStatus.SUCCESS);
            assertThat(accept.outcome()).isEqualTo(NtStatus.SUCCESS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void thePassiveSideRejects(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = connect(lab, c1, lab.qp(lab.local), se, l);
            NdkConnector p1 = l.next();
            assertThat(p1.reject(new byte[] {1, 2}, 2)).isEqualTo(NtStatus.SUCCESS);
            assertThat(connect.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            connect.assertContract();
            assertThat(p1.reject(null, 0)).isEqualTo(NtStatus.CONNECTION_INVALID);
            Req accept = new Req("accept after reject", lab);
            accept.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, accept, accept.context));
            assertThat(accept.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            // A rejected connector no longer holds the listener.
            assertThat(lab.close(l.listener, "L").status).isEqualTo(NtStatus.SUCCESS);
        }
    }
}
