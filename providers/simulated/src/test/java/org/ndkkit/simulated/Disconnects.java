package org.ndkkit.simulated;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ndkkit.spi.DisconnectEventCallback;

/** Records disconnect events for one connector. */
final class Disconnects implements DisconnectEventCallback {
    final String name;
    final Object context = new Object();
    final List<Object> contexts = new CopyOnWriteArrayList<>();
    private final Lab lab;

    Disconnects(String name, Lab lab) {
        this.name = name;
        this.lab = lab;
    }

    @Override
    public void peerDisconnected(Object ctx) {
        contexts.add(ctx);
        lab.log.add("disconnect event " + name);
    }

    int count() {
        return contexts.size();
    }
}
