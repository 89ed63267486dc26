package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/** Read limits are capped to the adapter maxima (16 inbound, 8 outbound), never refused, and unsigned. */
class ReadLimitTest {
    private static final int MAX_IN = 16;
    private static final int MAX_OUT = 8;
    private static final int PEER_MAX_IN = 32;
    private static final int PEER_MAX_OUT = 32;
    private static final int HUGE = 0xFFFF_FFFF;

    private Lab lab;
    private Listening l;
    private NdkSharedEndpoint se;

    @BeforeEach
    void open() {
        lab = Lab.open("pending");
        l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
        se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
    }

    @AfterEach
    void close() {
        lab.close();
    }

    /** Connects with (ai, ao), accepts with (pi, po); returns {A in, A out, P-before in, P-before out, P-after in, P-after out}. */
    private long[] limits(int ai, int ao, int pi, int po) {
        NdkConnector c = lab.connector(lab.local);
        Req connect = new Req("connect", lab);
        connect.run(() -> c.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, ai, ao, null, 0,
                connect, connect.context));
        NdkConnector p = l.next();
        long[] before = read(p);
        Req accept = new Req("accept", lab);
        assertThat(accept.run(() -> p.accept(lab.qp(lab.peer), pi, po, null, 0, null, null, accept, accept.context)))
                .isEqualTo(NtStatus.PENDING);
        assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
        long[] active = read(c);
        long[] after = read(p);
        // Free the four-tuple for the next connection from the same shared endpoint.
        lab.close(p, "p");
        lab.close(c, "c").awaitClosed();
        return new long[] {active[0], active[1], before[0], before[1], after[0], after[1]};
    }

    private static long[] read(NdkConnector c) {
        UlongRef in = new UlongRef(-7);
        UlongRef out = new UlongRef(-7);
        UlongRef len = new UlongRef(0);
        assertThat(c.getConnectionData(in, out, null, len)).isEqualTo(NtStatus.SUCCESS);
        return new long[] {in.unsigned(), out.unsigned()};
    }

    @ParameterizedTest(name = "inbound {0} -> {1}")
    @CsvSource({"17, 16", "4294967295, 16", "16, 16", "15, 15", "0, 0"})
    void inboundIsCappedToMaxInbound(long requested, long effective) {
        long[] r = limits((int) requested, 1, 1, MAX_OUT);
        // The peer offers outbound 8 (its maximum), so the active side's inbound settles at min(cap, 8)...
        assertThat(r[0]).isEqualTo(Math.min(effective, MAX_OUT));
    }

    @Test
    void inboundCapIsVisibleWhenThePeerOffersMore() {
        try (Lab wide = Lab.open(Map.of("max-outbound-read-limit", "64"))) {
            Listening wl = wide.listen(wide.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint wse = wide.sharedEndpoint(wide.local, Lab.v4("198.18.0.1", 0));
            for (long requested : new long[] {17, 0xFFFF_FFFFL, 16, 15}) {
                NdkConnector c = wide.connector(wide.local);
                Req connect = new Req("connect", wide);
                connect.run(() -> c.connectWithSharedEndpoint(wide.qp(wide.local), wse, wl.address, (int) requested, 1,
                        null, 0, connect, connect.context));
                NdkConnector p = wl.next();
                Req accept = new Req("accept", wide);
                accept.run(() -> p.accept(wide.qp(wide.peer), 1, 64, null, 0, null, null, accept, accept.context));
                assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
                assertThat(read(c)[0]).isEqualTo(Math.min(requested, MAX_IN));
                wide.close(p, "p");
                wide.close(c, "c").awaitClosed();
            }
        }
    }

    @ParameterizedTest(name = "outbound {0} -> {1}")
    @CsvSource({"9, 8", "4294967295, 8", "8, 8", "7, 7", "0, 0"})
    void outboundIsCappedToMaxOutbound(long requested, long effective) {
        long[] r = limits(1, (int) requested, MAX_IN, 1);
        assertThat(r[1]).isEqualTo(effective);
    }

    @Test
    void theLowerPeerValueWins() {
        assertThat(limits(2, 1, 1, 1)[0]).isEqualTo(1);
        assertThat(limits(2, 1, 1, 2)[0]).isEqualTo(2);
        assertThat(limits(2, 1, 1, 3)[0]).isEqualTo(2);
        assertThat(limits(1, 2, 1, 1)[1]).isEqualTo(1);
        assertThat(limits(1, 2, 3, 1)[1]).isEqualTo(2);
    }

    @Test
    void everythingHugeSettlesOnTheLowerAdapterMaximum() {
        long[] r = limits(HUGE, HUGE, HUGE, HUGE);
        assertThat(r[0]).isEqualTo(Math.min(MAX_IN, PEER_MAX_OUT));  // A in  = min(A cap in, P cap out)
        assertThat(r[1]).isEqualTo(Math.min(MAX_OUT, PEER_MAX_IN));  // A out = min(A cap out, P cap in)
        assertThat(r[2]).isEqualTo(Math.min(PEER_MAX_IN, MAX_OUT));  // P before: min(P max in, A cap out)
        assertThat(r[3]).isEqualTo(Math.min(PEER_MAX_OUT, MAX_IN));  // P before: min(P max out, A cap in)
        assertThat(r[4]).isEqualTo(8);
        assertThat(r[5]).isEqualTo(16);
    }

    @Test
    void thePassiveSideSeesTheOfferMirroredBeforeAccepting() {
        long[] r = limits(3, 2, 5, 6);
        assertThat(r[2]).isEqualTo(2); // inbound = A's outbound
        assertThat(r[3]).isEqualTo(3); // outbound = A's inbound
        assertThat(r[4]).isEqualTo(2); // after accept: min(5, 2)
        assertThat(r[5]).isEqualTo(3); // after accept: min(6, 3)
        assertThat(r[0]).isEqualTo(3); // A: min(3, 6)
        assertThat(r[1]).isEqualTo(2); // A: min(2, 5)
    }

    @Test
    void zeroStaysZero() {
        long[] r = limits(0, 0, MAX_IN, MAX_OUT);
        assertThat(r[0]).isZero();
        assertThat(r[1]).isZero();
    }

    @Test
    void theQpsAllowTheEffectiveLimitsOnceEstablishedAndNotBefore() {
        NdkConnector c = lab.connector(lab.local);
        var activeQp = lab.qp(lab.local);
        var passiveQp = lab.qp(lab.peer);
        assertThat(lab.testbed.qpReadLimits(activeQp).reasonCode()).isEqualTo("qp-not-established");
        Req connect = new Req("connect", lab);
        connect.run(() -> c.connectWithSharedEndpoint(activeQp, se, l.address, 3, 2, null, 0, connect, connect.context));
        NdkConnector p = l.next();
        Req accept = new Req("accept", lab);
        accept.run(() -> p.accept(passiveQp, 2, 1, null, 0, null, null, accept, accept.context));
        assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
        assertThat(lab.testbed.qpReadLimits(activeQp).isAvailable()).as("not before complete-connect").isFalse();
        Req complete = new Req("complete", lab);
        complete.run(() -> c.completeConnect(null, null, complete, complete.context));
        assertThat(complete.outcome()).isEqualTo(NtStatus.SUCCESS);
        assertThat(lab.testbed.qpReadLimits(activeQp).get()).isEqualTo(new org.ndkkit.spi.QpReadLimits(1, 2));
        assertThat(lab.testbed.qpReadLimits(passiveQp).get()).isEqualTo(new org.ndkkit.spi.QpReadLimits(2, 1));
        lab.close(p, "p");
        lab.close(c, "c").awaitClosed();
    }
}
