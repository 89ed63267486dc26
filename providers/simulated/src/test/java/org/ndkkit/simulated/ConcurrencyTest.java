package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * Several consumer threads connect and close while the event thread accepts and closes from inside
 * callbacks: every request still completes exactly once iff it returned PENDING, every close
 * completes exactly once iff it returned PENDING, and nothing deadlocks.
 */
class ConcurrencyTest {
    private static final int CONNECTIONS = 40;

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void racingClosesKeepTheContract(String path) throws Exception {
        try (Lab lab = Lab.open(Map.of("completion-path", path, "backlog", "1000"))) {
            List<Req> requests = new CopyOnWriteArrayList<>();
            List<Closing> closes = new CopyOnWriteArrayList<>();
            Queue<NdkConnector> passives = new ConcurrentLinkedQueue<>();
            Queue<NdkQp> peerQps = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                peerQps.add(lab.qp(lab.peer));
            }
            NdkListener listener = lab.create((c, x) -> lab.peer.createListener((cx, p) -> {
                Req accept = new Req("accept", lab);
                requests.add(accept);
                accept.run(() -> p.accept(peerQps.poll(), 1, 1, null, 0, d -> { }, null, accept, accept.context));
                if (ThreadLocalRandom.current().nextBoolean()) {
                    closes.add(lab.close(p, "P")); // from inside the listener's own connect event
                } else {
                    passives.add(p);
                }
            }, null, c, x));
            Req listen = new Req("listen", lab);
            listen.run(() -> listener.listen(Lab.v4("198.18.1.1", 7000), listen, listen.context));
            assertThat(listen.outcome()).isEqualTo(NtStatus.SUCCESS);
            SockAddr destination = Lab.v4("198.18.1.1", 7000);

            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> work = new CopyOnWriteArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    work.add(pool.submit(() -> {
                        NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
                        NdkConnector c = lab.connector(lab.local);
                        NdkQp qp = lab.qp(lab.local);
                        Req connect = new Req("connect", lab);
                        requests.add(connect);
                        connect.run(() -> c.connectWithSharedEndpoint(qp, se, destination, 1, 1, null, 0,
                                connect, connect.context));
                        if (ThreadLocalRandom.current().nextBoolean()
                                && connect.outcome().equals(NtStatus.SUCCESS)) {
                            Req complete = new Req("complete", lab);
                            requests.add(complete);
                            complete.run(() -> c.completeConnect(d -> { }, null, complete, complete.context));
                        }
                        // Antecedents first half of the time: the hardest order.
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            closes.add(lab.close(se, "SE"));
                            closes.add(lab.close(qp, "QP"));
                            closes.add(lab.close(c, "C"));
                        } else {
                            closes.add(lab.close(c, "C"));
                            closes.add(lab.close(qp, "QP"));
                            closes.add(lab.close(se, "SE"));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(10, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            lab.quiet();
            for (NdkConnector p : passives) {
                closes.add(lab.close(p, "P"));
            }
            closes.add(lab.close(listener, "L"));
            for (Closing c : closes) {
                c.awaitClosed();
            }
            for (Req r : requests) {
                r.assertContract();
            }
            assertThat(requests).hasSizeGreaterThanOrEqualTo(CONNECTIONS);
        }
    }
}
