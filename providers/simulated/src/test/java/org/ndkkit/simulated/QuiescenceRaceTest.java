package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Quiescence;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;

/**
 * QUIET is never answered while a completion is still owed: from the moment a connect to the silent
 * host returned PENDING, another thread polls {@code awaitQuiescence} (no wait, and short waits, so
 * that it is both spinning and parked in the wait when the timer fires), and the first QUIET it gets
 * must come after the connect's completion was delivered. The connect completes through its timer
 * (IO_TIMEOUT, the connector retried so the timer is scheduled again each round), through a close
 * issued while it waits (CANCELLED, the timer cancelled), and through a close racing the timer
 * (either), on every completion path, with several seeds of the callback jitter.
 */
class QuiescenceRaceTest {
    private static final int ROUNDS = 40;
    private static final Duration QUICK_TIMEOUT = Duration.ofMillis(2);

    static Stream<Arguments> pathsAndSeeds() {
        return Stream.of("inline", "pending", "pending-in-call")
                .flatMap(path -> Stream.of(1L, 2L, 3L).map(seed -> Arguments.of(path, seed)));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("pathsAndSeeds")
    void quietNeverComesBeforeTheTimeoutIsDelivered(String path, long seed) {
        try (Lab lab = open(path, seed, QUICK_TIMEOUT)) {
            SockAddr silent = lab.testbed.address(LabCondition.SILENT_HOST).get();
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkQp qp = lab.qp(lab.local);
            NdkConnector c = lab.connector(lab.local);
            for (int round = 0; round < ROUNDS; round++) {
                Req r = new Req("connect " + round, lab);
                assertThat(r.run(() -> c.connectWithSharedEndpoint(qp, se, silent, 1, 1, null, 0, r, r.context)))
                        .isEqualTo(NtStatus.PENDING);
                Watcher w = Watcher.start(lab.testbed, () -> !r.statuses.isEmpty());
                r.await();
                w.assertQuietOnlyAfterDelivery("round " + round);
                assertThat(r.statuses).containsExactly(NtStatus.IO_TIMEOUT);
            }
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("pathsAndSeeds")
    void quietNeverComesBeforeTheCancelledConnectIsDelivered(String path, long seed) {
        try (Lab lab = open(path, seed, Duration.ofSeconds(30))) {
            closeWhileConnecting(lab, new SplittableRandom(seed), 0, NtStatus.CANCELLED);
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("pathsAndSeeds")
    void quietNeverComesBeforeTheConnectIsDeliveredWhenACloseRacesTheTimer(String path, long seed) {
        try (Lab lab = open(path, seed, QUICK_TIMEOUT)) {
            closeWhileConnecting(lab, new SplittableRandom(seed), 2 * QUICK_TIMEOUT.toNanos(), null);
        }
    }

    /**
     * Rounds of: connect a new connector to the silent host, wait a drawn time up to
     * {@code maxDelayNanos}, close it; the first QUIET after the connect returned PENDING must come
     * after its completion ({@code expected}, or either of IO_TIMEOUT and CANCELLED when null).
     */
    private static void closeWhileConnecting(Lab lab, SplittableRandom random, long maxDelayNanos, NtStatus expected) {
        SockAddr silent = lab.testbed.address(LabCondition.SILENT_HOST).get();
        NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
        NdkQp qp = lab.qp(lab.local);
        for (int round = 0; round < ROUNDS; round++) {
            NdkConnector c = lab.connector(lab.local);
            Req r = new Req("connect " + round, lab);
            assertThat(r.run(() -> c.connectWithSharedEndpoint(qp, se, silent, 1, 1, null, 0, r, r.context)))
                    .isEqualTo(NtStatus.PENDING);
            Watcher w = Watcher.start(lab.testbed, () -> !r.statuses.isEmpty());
            if (maxDelayNanos > 0) {
                LockSupport.parkNanos(random.nextLong(maxDelayNanos + 1));
            }
            Closing closing = lab.close(c, "connector " + round);
            r.await();
            w.assertQuietOnlyAfterDelivery("round " + round);
            closing.awaitClosed();
            if (expected != null) {
                assertThat(r.statuses).containsExactly(expected);
            } else {
                assertThat(r.statuses).hasSize(1).first().isIn(NtStatus.IO_TIMEOUT, NtStatus.CANCELLED);
            }
        }
    }

    private static Lab open(String path, long seed, Duration connectTimeout) {
        return Lab.open(Map.of("completion-path", path, "seed", Long.toString(seed)), connectTimeout);
    }

    /** Polls the testbed from its own thread until QUIET, and notes whether the completion owed had come by then. */
    private static final class Watcher extends Thread {
        private static final Duration PARKED = Duration.ofMillis(1);

        private final Testbed testbed;
        private final BooleanSupplier delivered;
        private volatile Boolean deliveredAtQuiet;

        private Watcher(Testbed testbed, BooleanSupplier delivered) {
            super("quiescence-watcher");
            setDaemon(true);
            this.testbed = testbed;
            this.delivered = delivered;
        }

        static Watcher start(Testbed testbed, BooleanSupplier delivered) {
            Watcher w = new Watcher(testbed, delivered);
            w.start();
            return w;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + Lab.WAIT.toNanos();
            for (int i = 0; System.nanoTime() < deadline; i++) {
                if (testbed.awaitQuiescence(i % 2 == 0 ? Duration.ZERO : PARKED) == Quiescence.QUIET) {
                    deliveredAtQuiet = delivered.getAsBoolean();
                    return;
                }
            }
        }

        void assertQuietOnlyAfterDelivery(String what) {
            try {
                join(Lab.WAIT.toMillis() * 2);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(deliveredAtQuiet).as(what + ": QUIET was answered (null: never)").isNotNull();
            assertThat(deliveredAtQuiet).as(what + ": the completion owed had been delivered when QUIET was answered").isTrue();
        }
    }
}
