package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.SockAddr;

/** A listener and the connectors its connect events handed over. */
final class Listening implements ConnectEventCallback {
    final Object eventContext = new Object();
    final BlockingQueue<NdkConnector> requests = new LinkedBlockingQueue<>();
    final List<Object> eventContexts = new CopyOnWriteArrayList<>();
    private final Lab lab;
    NdkListener listener;
    SockAddr address;

    Listening(Lab lab) {
        this.lab = lab;
    }

    @Override
    public void connectRequest(Object connectEventContext, NdkConnector connector) {
        eventContexts.add(connectEventContext);
        lab.log.add("connect event");
        requests.add(connector);
    }

    NdkConnector next() {
        try {
            NdkConnector c = requests.poll(Lab.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(c).as("a connect event").isNotNull();
            return c;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    void assertNoRequest() {
        lab.quiet();
        assertThat(requests).as("connect events").isEmpty();
    }
}
