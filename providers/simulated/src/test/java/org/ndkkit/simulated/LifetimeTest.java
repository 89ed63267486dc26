package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/** NDK's object-lifetime rules: antecedents wait for successors, closes never fail, nothing after a close. */
class LifetimeTest {

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void sharedEndpointClosePendsUntilItsLastConnectorIsClosed(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            Listening l2 = lab.listen(lab.peer, Lab.v4("198.18.1.2", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            SockAddr seAddress = Lab.localAddressOf(se);
            Pair one = Pair.establish(lab, l, se, "C1");
            Pair two = Pair.establish(lab, l2, se, "C2");

            Closing seClose = lab.close(se, "SE");
            assertThat(seClose.status).isEqualTo(NtStatus.PENDING);
            assertThat(lab.sharedEndpointFailure(lab.local, seAddress)).isEqualTo(NtStatus.SHARING_VIOLATION);
            NdkListener ll = lab.create((c, x) -> lab.local.createListener((cx, conn) -> { }, null, c, x));
            Req listen = new Req("listen on SE's address", lab);
            listen.run(() -> ll.listen(seAddress, listen, listen.context));
            assertThat(listen.outcome()).isEqualTo(NtStatus.SHARING_VIOLATION);

            lab.close(one.active, "C1").awaitClosed();
            lab.quiet();
            assertThat(seClose.completed()).isFalse();
            lab.close(two.active, "C2").awaitClosed();
            seClose.awaitClosed();
            assertThat(lab.log.indexOf("closed SE")).isGreaterThan(lab.log.indexOf("closed C2"));

            NdkSharedEndpoint se2 = lab.sharedEndpoint(lab.local, seAddress);
            assertThat(Lab.localAddressOf(se2)).isEqualTo(seAddress);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void addressesAndFourTuplesAreFreeWhenTheCloseCompletionRuns(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            SockAddr seAddress = Lab.localAddressOf(se);
            Pair one = Pair.establish(lab, l, se, "C1");
            NdkConnector c2 = lab.connector(lab.local);
            NdkQp qp2 = lab.qp(lab.local);

            // C1's close pends behind its QP's; inside C1's close completion the four-tuple is free.
            Closing qpClose = lab.close(one.activeQp, "QP1");
            AtomicReference<NtStatus> reconnect = new AtomicReference<>();
            Req connect2 = new Req("connect C2", lab);
            assertThat(one.active.close(x -> reconnect.set(c2.connectWithSharedEndpoint(qp2, se, l.address, 1, 1,
                    null, 0, connect2, connect2.context)), null)).isEqualTo(NtStatus.PENDING);
            qpClose.awaitClosed();
            assertThat(reconnect.get()).isEqualTo(NtStatus.PENDING);
            l.next();

            // Inside the shared endpoint's close completion its address is free.
            CreateProbe<NdkSharedEndpoint> probe = new CreateProbe<>();
            AtomicReference<NtStatus> recreate = new AtomicReference<>();
            assertThat(se.close(x -> recreate.set(lab.local.createSharedEndpoint(seAddress, probe, probe.context)
                    .status()), null)).isEqualTo(NtStatus.PENDING);
            lab.close(c2, "C2").awaitClosed();
            lab.quiet();
            assertThat(recreate.get()).isIn(NtStatus.SUCCESS, NtStatus.PENDING);
            if (recreate.get().isPending()) {
                probe.await();
                assertThat(probe.status()).isEqualTo(NtStatus.SUCCESS);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void anIdleSharedEndpointClosesAtOnce(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(lab.close(se, "SE").status).isEqualTo(NtStatus.SUCCESS);
            assertThat(se.close(c -> { }, null)).as("second close").isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            assertThat(se.getLocalAddress(new byte[16], new org.ndkkit.spi.UlongRef(16)))
                    .isEqualTo(NtStatus.INVALID_DEVICE_STATE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aClosingListenerRefusesAndPendsUntilItsConnectorsClose(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair one = Pair.establish(lab, l, se, "C1");
            Closing lClose = lab.close(l.listener, "L");
            assertThat(lClose.status).isEqualTo(NtStatus.PENDING);

            // A second shared endpoint, so the four-tuple differs from C1's and only the listener decides.
            NdkSharedEndpoint se2 = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.2", 0));
            NdkConnector c3 = lab.connector(lab.local);
            Req refused2 = new Req("C3", lab);
            refused2.run(() -> c3.connectWithSharedEndpoint(lab.qp(lab.local), se2, l.address, 1, 1, null, 0,
                    refused2, refused2.context));
            assertThat(refused2.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            l.assertNoRequest();
            assertThat(lab.sharedEndpointFailure(lab.peer, l.address)).isEqualTo(NtStatus.SHARING_VIOLATION);

            lab.close(one.passive, "P1").awaitClosed();
            lClose.awaitClosed();
            assertThat(lab.log.indexOf("closed L")).isGreaterThan(lab.log.indexOf("closed P1"));
            assertThat(one.activeEvents.count()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aQpClosedBeforeItsConnectorWaitsForIt(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair one = Pair.establish(lab, l, se, "C1");
            Closing qpClose = lab.close(one.activeQp, "QP");
            assertThat(qpClose.status).isEqualTo(NtStatus.PENDING);
            lab.quiet();
            assertThat(qpClose.completed()).isFalse();
            lab.close(one.active, "C1").awaitClosed();
            qpClose.awaitClosed();
            assertThat(lab.log.indexOf("closed QP")).isGreaterThan(lab.log.indexOf("closed C1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closingAConnectorWithAPendingConnectCancelsItFirst(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Disconnects none = new Disconnects("C1", lab);
            Req connect = new Req("connect C1", lab);
            SockAddr silent = lab.testbed.address(LabCondition.SILENT_HOST).get();
            assertThat(connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, silent, 1, 1, null, 0,
                    connect, connect.context))).isEqualTo(NtStatus.PENDING);
            Closing close = lab.close(c1, "C1");
            assertThat(close.status).isEqualTo(NtStatus.PENDING);
            close.awaitClosed();
            assertThat(connect.statuses).containsExactly(NtStatus.CANCELLED);
            assertThat(lab.log).containsSubsequence("connect C1 STATUS_CANCELLED", "closed C1");
            sleep(Lab.CONNECT_TIMEOUT.toMillis() + 100); // the silent host's timer must not fire afterwards
            lab.quiet();
            assertThat(lab.log.get(lab.log.size() - 1)).isEqualTo("closed C1");
            assertThat(none.count()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closingTheActiveSideOfAnUnansweredRequest(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect C1", lab);
            connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, 1, 1, null, 0,
                    connect, connect.context));
            NdkConnector p1 = l.next();
            Closing close = lab.close(c1, "C1");
            close.awaitClosed();
            assertThat(lab.log).containsSubsequence("connect C1 STATUS_CANCELLED", "closed C1");
            int mark = lab.log.size();

            Req accept = new Req("accept P1", lab);
            accept.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, accept, accept.context));
            assertThat(accept.outcome()).isEqualTo(NtStatus.CONNECTION_ABORTED);
            accept.assertContract();
            assertThat(p1.reject(null, 0)).isEqualTo(NtStatus.CONNECTION_ABORTED);
            lab.quiet();
            assertThat(lab.log.subList(mark, lab.log.size())).noneMatch(e -> e.contains("C1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closingTheAcceptingSideAbortsTheActiveSide(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect C1", lab);
            connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, 1, 1, null, 0,
                    connect, connect.context));
            NdkConnector p1 = l.next();
            Req accept = new Req("accept P1", lab);
            accept.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, accept, accept.context));
            assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
            lab.close(p1, "P1").awaitClosed();
            assertThat(accept.statuses).containsExactly(NtStatus.CANCELLED);
            Req complete = new Req("complete C1", lab);
            complete.run(() -> c1.completeConnect(null, null, complete, complete.context));
            assertThat(complete.outcome()).isEqualTo(NtStatus.CONNECTION_ABORTED);
            complete.assertContract();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closingAnUnansweredPassiveConnectorRefusesTheActiveSide(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect C1", lab);
            connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, 1, 1, null, 0,
                    connect, connect.context));
            lab.close(l.next(), "P1").awaitClosed();
            assertThat(connect.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closingAConnectedConnectorDisconnectsThePeerAndNothingFollowsOnTheClosedSide(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair one = Pair.establish(lab, l, se, "C1");
            lab.close(one.active, "C1").awaitClosed();
            int mark = lab.log.size();
            assertThat(one.passiveEvents.contexts).containsExactly(one.passiveEvents.context);
            Req d = new Req("disconnect P1", lab);
            d.run(() -> one.passive.disconnect(d, d.context));
            assertThat(d.outcome()).isEqualTo(NtStatus.SUCCESS);
            lab.quiet();
            assertThat(one.activeEvents.count()).isZero();
            assertThat(one.passiveEvents.count()).isEqualTo(1);
            List<String> after = lab.log.subList(mark, lab.log.size());
            assertThat(after).containsExactly("disconnect P1 STATUS_SUCCESS");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closeInsideTheCompletionOfAFailedConnect(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect C1", lab);
            Closing close = new Closing("C1", lab);
            connect.inside = () -> close.status = c1.close(close, close.context);
            SockAddr nobody = lab.testbed.address(LabCondition.NO_LISTENER).get();
            NtStatus inline = connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, nobody, 1, 1,
                    null, 0, connect, connect.context));
            if (path.equals("inline")) {
                assertThat(inline).isEqualTo(NtStatus.CONNECTION_REFUSED);
                return;
            }
            assertThat(inline).isEqualTo(NtStatus.PENDING);
            assertThat(connect.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            assertThat(connect.completedInsideCall).isEqualTo(path.equals("pending-in-call"));
            assertThat(close.status).isIn(NtStatus.SUCCESS, NtStatus.PENDING);
            close.awaitClosed();
            connect.assertContract();
            assertThat(lab.log.get(lab.log.size() - 1)).isEqualTo(
                    close.status.isPending() ? "closed C1" : "connect C1 STATUS_CONNECTION_REFUSED");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void closeInsideTheCompletionOfASuccessfulConnect(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect C1", lab);
            Closing close = new Closing("C1", lab);
            connect.inside = () -> close.status = c1.close(close, close.context);
            connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, 1, 1, null, 0,
                    connect, connect.context));
            NdkConnector p1 = l.next();
            Req accept = new Req("accept P1", lab);
            accept.run(() -> p1.accept(lab.qp(lab.peer), 1, 1, null, 0, null, null, accept, accept.context));
            assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
            close.awaitClosed();
            assertThat(accept.outcome()).isEqualTo(NtStatus.CONNECTION_ABORTED);
        }
    }

    @Test
    void closeInsideACompletionRunningOnTheCallingThreadNeitherDeadlocksNorTouchesTheObject() {
        try (Lab lab = Lab.open("pending-in-call")) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            NdkQp qp = lab.qp(lab.local);
            Req connect = new Req("connect C1", lab);
            Closing close = new Closing("C1", lab);
            AtomicReference<NtStatus> nested = new AtomicReference<>();
            connect.inside = () -> {
                close.status = c1.close(close, close.context);
                nested.set(c1.disconnect((x, s) -> { }, null)); // a call after close: a status, no callback
            };
            SockAddr unreachable = lab.testbed.address(LabCondition.NETWORK_UNREACHABLE).get();
            NtStatus inline = connect.run(() -> c1.connectWithSharedEndpoint(qp, se, unreachable, 1, 1, null, 0,
                    connect, connect.context));
            assertThat(inline).isEqualTo(NtStatus.PENDING);
            assertThat(connect.completedInsideCall).isTrue();
            assertThat(connect.threads).containsExactly(Thread.currentThread());
            assertThat(close.status).isEqualTo(NtStatus.PENDING); // its own completion is still running
            assertThat(nested.get()).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            close.awaitClosed();
            // The QP was never bound, so it closes at once.
            assertThat(lab.close(qp, "qp").status).isEqualTo(NtStatus.SUCCESS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void everyObjectClosesWithSuccessOrPendingExactlyOnceInAnyOrder(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair one = Pair.establish(lab, l, se, "C1");
            List<Closing> closes = new ArrayList<>();
            // Antecedents first: the worst order.
            closes.add(lab.close(l.listener, "L"));
            closes.add(lab.close(se, "SE"));
            closes.add(lab.close(one.activeQp, "QP"));
            closes.add(lab.close(one.passiveQp, "PQP"));
            closes.add(lab.close(one.passive, "P1"));
            closes.add(lab.close(one.active, "C1"));
            for (Closing c : closes) {
                c.awaitClosed();
            }
        }
    }

    @Test
    void aListenerClosedInsideItsOwnConnectEventPends() throws Exception {
        try (Lab lab = Lab.open("pending")) {
            AtomicReference<NdkListener> self = new AtomicReference<>();
            Closing close = new Closing("L", lab);
            AtomicBoolean inEvent = new AtomicBoolean();
            NdkListener listener = lab.create((c, x) -> lab.peer.createListener((cx, conn) -> {
                inEvent.set(true);
                close.status = self.get().close(close, close.context);
                lab.log.add("event returns");
            }, null, c, x));
            self.set(listener);
            Req listen = new Req("listen", lab);
            listen.run(() -> listener.listen(Lab.v4("198.18.1.1", 7000), listen, listen.context));
            assertThat(listen.outcome()).isEqualTo(NtStatus.SUCCESS);
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect", lab);
            connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, Lab.v4("198.18.1.1", 7000), 1, 1,
                    null, 0, connect, connect.context));
            lab.quiet();
            assertThat(inEvent).isTrue();
            assertThat(close.status).isEqualTo(NtStatus.PENDING);
            // The delivered connector holds the listener until it is closed.
            assertThat(close.completed()).isFalse();
        }
    }

    @Test
    void adapterCloseWaitsForQueuedCallbacks() throws Exception {
        try (Lab lab = Lab.open("pending")) {
            CountDownLatch entered = new CountDownLatch(1);
            AtomicBoolean finished = new AtomicBoolean();
            NdkListener listener = lab.create((c, x) -> lab.peer.createListener((cx, conn) -> {
                entered.countDown();
                sleep(300);
                finished.set(true);
            }, null, c, x));
            Req listen = new Req("listen", lab);
            listen.run(() -> listener.listen(Lab.v4("198.18.1.1", 7000), listen, listen.context));
            listen.outcome();
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            Req connect = new Req("connect", lab);
            connect.run(() -> c1.connectWithSharedEndpoint(lab.qp(lab.local), se, Lab.v4("198.18.1.1", 7000), 1, 1,
                    null, 0, connect, connect.context));
            assertThat(entered.await(3, TimeUnit.SECONDS)).isTrue();
            lab.peer.close();
            assertThat(finished).as("the connect event returned before the adapter close").isTrue();
            assertThat(lab.peer.createPd((c, s, o) -> { }, null).status()).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void resourceCountsFollowCreationAndClose(String path) {
        try (Lab lab = Lab.open(path)) {
            java.util.Map<String, Long> before = lab.testbed.resourceCounts().get();
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair one = Pair.establish(lab, l, se, "C1");
            java.util.Map<String, Long> during = lab.testbed.resourceCounts().get();
            assertThat(during.get("connector")).isEqualTo(before.getOrDefault("connector", 0L) + 2);
            assertThat(during.get("shared-endpoint")).isEqualTo(before.getOrDefault("shared-endpoint", 0L) + 1);
            assertThat(during.get("four-tuple")).isEqualTo(before.get("four-tuple") + 1);
            assertThat(during.get("bound-address")).isGreaterThan(before.get("bound-address"));

            lab.close(one.active, "C1").awaitClosed();
            lab.close(one.passive, "P1").awaitClosed();
            lab.close(se, "SE").awaitClosed();
            java.util.Map<String, Long> after = lab.testbed.resourceCounts().get();
            assertThat(after.get("connector")).isEqualTo(before.getOrDefault("connector", 0L));
            assertThat(after.get("shared-endpoint")).isEqualTo(before.getOrDefault("shared-endpoint", 0L));
            assertThat(after.get("four-tuple")).isEqualTo(before.get("four-tuple"));
        }
    }
}
