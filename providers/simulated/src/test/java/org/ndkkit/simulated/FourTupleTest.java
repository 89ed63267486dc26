package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;

/** One connection attempt or connection per (local ip, local port, remote ip, remote port). */
class FourTupleTest {

    private static Req connect(Lab lab, NdkConnector c, NdkSharedEndpoint se, Listening l, String name) {
        Req r = new Req(name, lab);
        r.run(() -> c.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, 1, 1, null, 0, r, r.context));
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aSecondConnectionOnTheSameFourTupleIsADuplicate(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            Listening l2 = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));

            // While the first connect is still waiting for the peer.
            NdkConnector c1 = lab.connector(lab.local);
            Req first = connect(lab, c1, se, l, "C1");
            assertThat(first.inline).isEqualTo(NtStatus.PENDING);
            l.next();
            NdkConnector c2 = lab.connector(lab.local);
            Req dup = connect(lab, c2, se, l, "C2");
            assertThat(dup.outcome()).isEqualTo(NtStatus.ADDRESS_ALREADY_EXISTS);
            dup.assertContract();
            l.assertNoRequest();

            // A different destination port on the same peer IP is a different tuple.
            Req other = connect(lab, c2, se, l2, "C2 to L2");
            assertThat(other.inline).isEqualTo(NtStatus.PENDING);
            l2.next();

            // Closing the first connector frees the tuple.
            lab.close(c1, "C1").awaitClosed();
            assertThat(first.outcome()).isEqualTo(NtStatus.CANCELLED);
            NdkConnector c3 = lab.connector(lab.local);
            Req again = connect(lab, c3, se, l, "C3");
            assertThat(again.inline).isEqualTo(NtStatus.PENDING);
            l.next();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void anEstablishedConnectionHoldsItsTupleUntilClosed(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair pair = Pair.establish(lab, l, se, "C1");
            Req d = new Req("disconnect", lab);
            d.run(() -> pair.active.disconnect(d, d.context));
            assertThat(d.outcome()).isEqualTo(NtStatus.SUCCESS);

            NdkConnector c2 = lab.connector(lab.local);
            assertThat(connect(lab, c2, se, l, "C2").outcome()).isEqualTo(NtStatus.ADDRESS_ALREADY_EXISTS);
            lab.close(pair.active, "C1").awaitClosed();
            Req ok = connect(lab, c2, se, l, "C2 again");
            assertThat(ok.inline).isEqualTo(NtStatus.PENDING);
            l.next();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aFailedConnectFreesItsTupleAndMayBeRetried(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req first = connect(lab, c1, se, l, "C1");
            l.next().reject(null, 0);
            assertThat(first.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            Req retry = connect(lab, c1, se, l, "C1 retry");
            assertThat(retry.inline).isEqualTo(NtStatus.PENDING);
            l.next();
        }
    }
}
