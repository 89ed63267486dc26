package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;

/** Every lab condition produces its status, on the path the completion-path setting asks for. */
class LabConditionTest {

    private static Req connectTo(Lab lab, NdkSharedEndpoint se, SockAddr destination, String name) {
        NdkConnector c = lab.connector(lab.local);
        Req r = new Req(name, lab);
        r.run(() -> c.connectWithSharedEndpoint(lab.qp(lab.local), se, destination, 1, 1, null, 0, r, r.context));
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "inline, NETWORK_UNREACHABLE, STATUS_NETWORK_UNREACHABLE",
            "inline, HOST_UNREACHABLE, STATUS_HOST_UNREACHABLE",
            "inline, NO_LISTENER, STATUS_CONNECTION_REFUSED",
            "pending, NETWORK_UNREACHABLE, STATUS_NETWORK_UNREACHABLE",
            "pending, HOST_UNREACHABLE, STATUS_HOST_UNREACHABLE",
            "pending, NO_LISTENER, STATUS_CONNECTION_REFUSED",
            "pending-in-call, NETWORK_UNREACHABLE, STATUS_NETWORK_UNREACHABLE",
            "pending-in-call, HOST_UNREACHABLE, STATUS_HOST_UNREACHABLE",
            "pending-in-call, NO_LISTENER, STATUS_CONNECTION_REFUSED"})
    void failuresKnownDuringTheCallFollowTheCompletionPath(String path, LabCondition condition, String expected) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Req r = connectTo(lab, se, lab.testbed.address(condition).get(), condition.name());
            assertThat(r.outcome()).isEqualTo(NtStatus.named(expected));
            r.assertContract();
            switch (path) {
                case "inline" -> assertThat(r.inline).isEqualTo(NtStatus.named(expected));
                case "pending" -> {
                    assertThat(r.inline).isEqualTo(NtStatus.PENDING);
                    assertThat(r.threads.get(0).getName()).isEqualTo(EventQueue.THREAD_NAME);
                }
                default -> {
                    assertThat(r.inline).isEqualTo(NtStatus.PENDING);
                    assertThat(r.completedInsideCall).isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void theSilentHostTimesOutAfterTheConnectTimeout(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            long start = System.nanoTime();
            Req r = connectTo(lab, se, lab.testbed.address(LabCondition.SILENT_HOST).get(), "silent");
            assertThat(r.inline).isEqualTo(NtStatus.PENDING);
            assertThat(r.outcome()).isEqualTo(NtStatus.IO_TIMEOUT);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Lab.CONNECT_TIMEOUT.toNanos());
            r.assertContract();
            // The attempt gave its four-tuple back.
            Req again = connectTo(lab, se, lab.testbed.address(LabCondition.SILENT_HOST).get(), "again");
            assertThat(again.inline).isEqualTo(NtStatus.PENDING);
        }
    }

    @Test
    void onLinkAddressesNobodyOwnsAreHostUnreachable() {
        try (Lab lab = Lab.open("inline")) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(connectTo(lab, se, Lab.v4("198.18.1.200", 1), "x").inline).isEqualTo(NtStatus.HOST_UNREACHABLE);
            assertThat(connectTo(lab, se, Lab.v4("198.19.0.5", 1), "y").inline).isEqualTo(NtStatus.NETWORK_UNREACHABLE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void exhaustedResourcesFailConnectsAndCreates(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkConnector c1 = lab.connector(lab.local);
            var qp = lab.qp(lab.local);
            ResourceExhaustion exhausted = lab.testbed.exhaustResources(Host.LOCAL).get();
            try {
                Req r = new Req("connect", lab);
                r.run(() -> c1.connectWithSharedEndpoint(qp, se, l.address, 1, 1, null, 0, r, r.context));
                assertThat(r.outcome()).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
                r.assertContract();
                l.assertNoRequest();
                assertThat(lab.createFailure(lab.local::createPd)).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
                assertThat(lab.createFailure(lab.local::createConnector)).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
                assertThat(lab.sharedEndpointFailure(lab.local, Lab.v4("198.18.0.1", 0)))
                        .isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
                lab.connector(lab.peer); // the other adapter is unaffected
            } finally {
                exhausted.close();
            }
            Req ok = new Req("connect after", lab);
            assertThat(ok.run(() -> c1.connectWithSharedEndpoint(qp, se, l.address, 1, 1, null, 0, ok, ok.context)))
                    .isEqualTo(NtStatus.PENDING);
            var p1 = l.next();
            var peerQp = lab.qp(lab.peer);
            ResourceExhaustion peerExhausted = lab.testbed.exhaustResources(Host.PEER).get();
            try {
                Req accept = new Req("accept", lab);
                accept.run(() -> p1.accept(peerQp, 1, 1, null, 0, null, null, accept, accept.context));
                assertThat(accept.outcome()).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
            } finally {
                peerExhausted.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aFullBacklogRefusesUntilARequestIsAnswered(String path) {
        try (Lab lab = Lab.open(path)) {
            assertThat(lab.testbed.listenerBacklog().get()).isEqualTo(4);
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            List<NdkConnector> waiting = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
                assertThat(connectTo(lab, se, l.address, "c" + i).inline).isEqualTo(NtStatus.PENDING);
                waiting.add(l.next());
            }
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Req fifth = connectTo(lab, se, l.address, "fifth");
            assertThat(fifth.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            fifth.assertContract();
            l.assertNoRequest();

            assertThat(waiting.get(0).reject(null, 0)).isEqualTo(NtStatus.SUCCESS);
            NdkSharedEndpoint se6 = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(connectTo(lab, se6, l.address, "sixth").inline).isEqualTo(NtStatus.PENDING);
            l.next();
        }
    }

    @Test
    void theBacklogIsASetting() {
        try (Lab lab = Lab.open(Map.of("backlog", "1"))) {
            assertThat(lab.testbed.listenerBacklog().get()).isEqualTo(1);
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkSharedEndpoint se2 = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.2", 0));
            assertThat(connectTo(lab, se, l.address, "one").inline).isEqualTo(NtStatus.PENDING);
            assertThat(connectTo(lab, se2, l.address, "two").outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aPausedListenerRefusesAndAResumedOneAccepts(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            l.listener.controlConnectEvents(true);
            Req paused = connectTo(lab, se, l.address, "paused");
            assertThat(paused.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            l.assertNoRequest();
            l.listener.controlConnectEvents(false);
            Req resumed = connectTo(lab, se, l.address, "resumed");
            assertThat(resumed.inline).isEqualTo(NtStatus.PENDING);
            l.next();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aClosedListenerRefuses(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            lab.close(l.listener, "L").awaitClosed();
            assertThat(connectTo(lab, se, l.address, "closed").outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            l.assertNoRequest();
        }
    }

    @Test
    void aRefusedDestinationCanBeRetriedOnceItListens() {
        try (Lab lab = Lab.open("pending")) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            SockAddr nobody = lab.testbed.address(LabCondition.NO_LISTENER).get();
            assertThat(connectTo(lab, se, nobody, "first").outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
            Listening l2 = lab.listen(lab.peer, nobody);
            assertThat(connectTo(lab, se, nobody, "second").inline).isEqualTo(NtStatus.PENDING);
            l2.next();
        }
    }

    @ParameterizedTest
    @CsvSource({"NETWORK_UNREACHABLE, STATUS_NETWORK_UNREACHABLE", "HOST_UNREACHABLE, STATUS_HOST_UNREACHABLE",
            "SILENT_HOST, STATUS_IO_TIMEOUT"})
    void aLiftedConditionIsAPeerAddressUntilItsHandleIsClosed(LabCondition condition, String status) throws Exception {
        try (Lab lab = Lab.open("pending")) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            SockAddr dest = lab.testbed.address(condition).get();
            var lift = lab.testbed.lift(condition).get();
            Listening l = lab.listen(lab.peer, dest);
            connectTo(lab, se, dest, "while lifted");
            assertThat(l.requests.poll(5, java.util.concurrent.TimeUnit.SECONDS)).as("the request reached the listener")
                    .isNotNull();
            lift.close();
            // another shared endpoint: the first request still holds its four-tuple, unanswered
            NdkSharedEndpoint se2 = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(connectTo(lab, se2, dest, "put back").outcome()).isEqualTo(NtStatus.named(status));
        }
    }

    @Test
    void onlyNetworkConditionsLift() {
        try (Lab lab = Lab.open("pending")) {
            assertThat(lab.testbed.lift(LabCondition.NO_LISTENER).reasonCode()).isEqualTo("nothing-to-lift");
            assertThat(lab.testbed.lift(LabCondition.FOREIGN_LOCAL_ADDRESS).isAvailable()).isFalse();
        }
    }
}
