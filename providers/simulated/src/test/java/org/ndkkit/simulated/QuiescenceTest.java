package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Quiescence;
import org.ndkkit.spi.SockAddr;

/**
 * {@code Testbed.awaitQuiescence}: QUIET exactly when nothing more can happen until the consumer
 * calls again (no callback queued or running, no timer pending), BUSY while something can.
 */
class QuiescenceTest {
    private static final Duration SHORT = Duration.ofMillis(50);

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aFreshTestbedIsQuietAtOnce(String path) {
        try (Lab lab = Lab.open(path)) {
            assertThat(lab.testbed.awaitQuiescence(Duration.ZERO)).isEqualTo(Quiescence.QUIET);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pending", "pending-in-call"})
    void quietMeansTheCompletionOwedHasBeenDelivered(String path) {
        try (Lab lab = Lab.open(path)) {
            CreateProbe<NdkPd> probe = new CreateProbe<>();
            Created<NdkPd> created = lab.local.createPd(probe, probe.context);
            assertThat(created.status()).isEqualTo(NtStatus.PENDING);
            assertThat(lab.testbed.awaitQuiescence(Lab.WAIT)).isEqualTo(Quiescence.QUIET);
            assertThat(probe.count()).as("the create completion ran before QUIET").isEqualTo(1);
        }
    }

    @Test
    void aRunningCallbackIsBusyUntilItReturns() throws InterruptedException {
        try (Lab lab = Lab.open("pending")) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CreateCompletion<NdkPd> blocking = (ctx, status, pd) -> {
                entered.countDown();
                try {
                    release.await(Lab.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            assertThat(lab.local.createPd(blocking, null).status()).isEqualTo(NtStatus.PENDING);
            assertThat(entered.await(Lab.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(lab.testbed.awaitQuiescence(SHORT)).isEqualTo(Quiescence.BUSY);
            release.countDown();
            assertThat(lab.testbed.awaitQuiescence(Lab.WAIT)).isEqualTo(Quiescence.QUIET);
        }
    }

    @Test
    void insideACallbackTheAnswerIsBusy() {
        try (Lab lab = Lab.open("pending")) {
            AtomicReference<Quiescence> inside = new AtomicReference<>();
            CreateProbe<NdkPd> after = new CreateProbe<>();
            CreateCompletion<NdkPd> asking = (ctx, status, pd) -> {
                inside.set(lab.testbed.awaitQuiescence(Duration.ZERO));
                after.created(after.context, status, pd);
            };
            lab.local.createPd(asking, null);
            after.await();
            assertThat(inside.get()).isEqualTo(Quiescence.BUSY);
            assertThat(lab.testbed.awaitQuiescence(Lab.WAIT)).isEqualTo(Quiescence.QUIET);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aSilentHostsTimerIsBusyUntilItFires(String path) {
        try (Lab lab = Lab.open(path, Duration.ofMillis(300))) {
            Req r = connectTo(lab, lab.testbed.address(LabCondition.SILENT_HOST).get());
            assertThat(r.inline).isEqualTo(NtStatus.PENDING);
            assertThat(lab.testbed.awaitQuiescence(SHORT)).as("the connect timer is pending").isEqualTo(Quiescence.BUSY);
            assertThat(lab.testbed.awaitQuiescence(Lab.WAIT)).isEqualTo(Quiescence.QUIET);
            assertThat(r.statuses).as("the timeout was delivered before QUIET").containsExactly(NtStatus.IO_TIMEOUT);
        }
    }

    @Test
    void aCancelledTimerNoLongerCounts() {
        try (Lab lab = Lab.open("pending", Duration.ofSeconds(30))) {
            NdkConnector[] connector = new NdkConnector[1];
            Req r = connectTo(lab, lab.testbed.address(LabCondition.SILENT_HOST).get(), connector);
            assertThat(lab.testbed.awaitQuiescence(SHORT)).isEqualTo(Quiescence.BUSY);
            Closing closing = lab.close(connector[0], "connector");
            long start = System.nanoTime();
            assertThat(lab.testbed.awaitQuiescence(Lab.WAIT)).isEqualTo(Quiescence.QUIET);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("long before the 30 s timer").isLessThan(Lab.WAIT);
            assertThat(r.isComplete()).as("the connect completed when its connector closed").isTrue();
            assertThat(closing.completed() || closing.status.equals(NtStatus.SUCCESS)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void aConnectWaitingForTheAcceptIsQuiet(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            Req r = connectTo(lab, l.address);
            l.next();
            assertThat(lab.testbed.awaitQuiescence(Lab.WAIT)).as("only the peer's accept can move it").isEqualTo(Quiescence.QUIET);
            assertThat(r.isComplete()).isFalse();
        }
    }

    @Test
    void aClosedTestbedIsQuiet() {
        Lab lab = Lab.open("pending", Duration.ofSeconds(30));
        connectTo(lab, lab.testbed.address(LabCondition.SILENT_HOST).get());
        lab.close();
        assertThat(lab.testbed.awaitQuiescence(Duration.ZERO)).isEqualTo(Quiescence.QUIET);
    }

    private static Req connectTo(Lab lab, SockAddr destination) {
        return connectTo(lab, destination, new NdkConnector[1]);
    }

    private static Req connectTo(Lab lab, SockAddr destination, NdkConnector[] connector) {
        NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
        NdkConnector c = lab.connector(lab.local);
        connector[0] = c;
        Req r = new Req("connect", lab);
        r.run(() -> c.connectWithSharedEndpoint(lab.qp(lab.local), se, destination, 1, 1, null, 0, r, r.context));
        return r;
    }
}
