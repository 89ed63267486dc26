package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/** The whole life of a connection, once per completion path. */
class ConnectionCycleTest {

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void connectAcceptCompleteDisconnectClose(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            NdkQp qp = lab.qp(lab.local);
            byte[] hello = "hello".getBytes();

            Req connect = new Req("connect", lab);
            assertThat(connect.run(() -> c1.connectWithSharedEndpoint(qp, se, l.address, 3, 2, hello, hello.length,
                    connect, connect.context))).isEqualTo(NtStatus.PENDING);
            NdkConnector p1 = l.next();
            assertThat(l.eventContexts).containsExactly(l.eventContext);
            assertThat(connect.isComplete()).as("connect waits for the peer").isFalse();

            byte[] buffer = new byte[200];
            UlongRef length = new UlongRef(buffer.length);
            assertThat(p1.getConnectionData(null, null, buffer, length)).isEqualTo(NtStatus.SUCCESS);
            assertThat(length.get()).isEqualTo(56);
            assertThat(Arrays.copyOf(buffer, 5)).isEqualTo(hello);

            Disconnects p1Events = new Disconnects("P1", lab);
            Disconnects c1Events = new Disconnects("C1", lab);
            NdkQp peerQp = lab.qp(lab.peer);
            Req accept = new Req("accept", lab);
            assertThat(accept.run(() -> p1.accept(peerQp, 8, 8, null, 0, p1Events, p1Events.context,
                    accept, accept.context))).isEqualTo(NtStatus.PENDING);
            assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
            lab.quiet();
            assertThat(accept.isComplete()).as("accept waits for completeConnect").isFalse();

            Req complete = new Req("complete", lab);
            assertThat(complete.run(() -> c1.completeConnect(c1Events, c1Events.context, complete, complete.context)))
                    .isEqualTo(NtStatus.PENDING);
            assertThat(complete.outcome()).isEqualTo(NtStatus.SUCCESS);
            assertThat(accept.outcome()).isEqualTo(NtStatus.SUCCESS);

            Req disconnect = new Req("disconnect", lab);
            assertThat(disconnect.run(() -> c1.disconnect(disconnect, disconnect.context))).isEqualTo(NtStatus.PENDING);
            assertThat(disconnect.outcome()).isEqualTo(NtStatus.SUCCESS);
            lab.quiet();
            assertThat(p1Events.contexts).containsExactly(p1Events.context);
            assertThat(c1Events.count()).isZero();

            for (Req r : new Req[] {connect, accept, complete, disconnect}) {
                r.assertContract();
                if (path.equals("pending-in-call")) {
                    assertThat(r.threads).allSatisfy(t -> assertThat(t.getName()).isIn(
                            EventQueue.THREAD_NAME, Thread.currentThread().getName()));
                }
            }
            for (Closing c : new Closing[] {lab.close(c1, "C1"), lab.close(p1, "P1"), lab.close(qp, "qp"),
                    lab.close(peerQp, "peerQp"), lab.close(se, "SE"), lab.close(l.listener, "L")}) {
                c.awaitClosed();
            }
            assertThat(p1Events.count()).isEqualTo(1);
            assertThat(c1Events.count()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void passiveSideDisconnectsAndBothSidesDisconnect(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair pair = Pair.establish(lab, l, se, "C1");

            Req d1 = new Req("disconnect P1", lab);
            assertThat(d1.run(() -> pair.passive.disconnect(d1, d1.context))).isEqualTo(NtStatus.PENDING);
            assertThat(d1.outcome()).isEqualTo(NtStatus.SUCCESS);
            Req d2 = new Req("disconnect C1", lab);
            lab.quiet();
            assertThat(d2.run(() -> pair.active.disconnect(d2, d2.context))).isEqualTo(NtStatus.PENDING);
            assertThat(d2.outcome()).isEqualTo(NtStatus.SUCCESS);
            lab.quiet();
            assertThat(pair.activeEvents.count()).isEqualTo(1);
            assertThat(pair.passiveEvents.count()).isZero();

            Req again = new Req("disconnect again", lab);
            again.run(() -> pair.active.disconnect(again, again.context));
            assertThat(again.outcome()).isEqualTo(NtStatus.CONNECTION_INVALID);
            again.assertContract();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void simultaneousDisconnectsGiveAtMostOneEvent(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair pair = Pair.establish(lab, l, se, "C1");
            Req d1 = new Req("disconnect C1", lab);
            Req d2 = new Req("disconnect P1", lab);
            // Both before the event thread can deliver the first disconnect event.
            lab.testbed.awaitQuiet(Lab.WAIT);
            d1.run(() -> pair.active.disconnect(d1, d1.context));
            d2.run(() -> pair.passive.disconnect(d2, d2.context));
            assertThat(d1.outcome()).isEqualTo(NtStatus.SUCCESS);
            assertThat(d2.outcome()).isEqualTo(NtStatus.SUCCESS);
            lab.quiet();
            assertThat(pair.activeEvents.count() + pair.passiveEvents.count()).isLessThanOrEqualTo(1);
        }
    }
}
