package org.ndkkit.simulated;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.ndkkit.spi.NtStatus;

/**
 * Which local ip:port is taken, by whom, and by how many references (NDK's endpoint reference
 * counting, L24-L30). A shared endpoint holds one reference for itself and one per connector
 * connected through it; a listener one for itself and one per connector it delivered; a dedicated
 * NdkConnect endpoint one for its connector. The address is free again when the count reaches zero,
 * so a closed shared endpoint or listener whose connectors are still open keeps its address.
 *
 * <p>Not thread-safe: used under the testbed lock.
 */
final class EndpointTable {
    static final int FIRST_EPHEMERAL = 49152;
    static final int LAST_EPHEMERAL = 65535;

    enum Kind { SHARED_ENDPOINT, LISTENER, DEDICATED }

    /** One taken address. */
    static final class Binding {
        final IpPort address;
        final Kind kind;
        final Object owner;
        private int references = 1;

        private Binding(IpPort address, Kind kind, Object owner) {
            this.address = address;
            this.kind = kind;
            this.owner = owner;
        }
    }

    /** The outcome of {@link #bind}: a binding, or the status that refused it. */
    record Bound(Binding binding, NtStatus failure) {
    }

    private final Map<IpPort, Binding> bindings = new HashMap<>();
    private final SimRandom random;

    EndpointTable(SimRandom random) {
        this.random = random;
    }

    /** IPs whose whole ephemeral range is taken (Testbed.exhaustEphemeralPorts), with a hold count. */
    private final Map<InetAddress, Integer> ephemeralHolds = new HashMap<>();

    /**
     * Takes {@code requested}, or with port 0 a free ephemeral port of its IP: the first free one from a
     * port the testbed's randomness chooses, wrapping around the range (like a kernel). The caller has
     * already checked that the IP is the adapter's.
     */
    Bound bind(IpPort requested, Kind kind, Object owner) {
        IpPort address = requested;
        if (requested.port() == 0) {
            int port = freeEphemeral(requested.ip());
            if (port < 0) {
                return new Bound(null, NtStatus.TOO_MANY_ADDRESSES);
            }
            address = requested.withPort(port);
        } else if (inUse(requested)) {
            return new Bound(null, NtStatus.SHARING_VIOLATION);
        }
        Binding b = new Binding(address, kind, owner);
        bindings.put(address, b);
        return new Bound(b, null);
    }

    void retain(Binding b) {
        b.references++;
    }

    void release(Binding b) {
        if (--b.references == 0) {
            bindings.remove(b.address, b);
        }
    }

    /** The binding on exactly this address, or null. */
    /** How many addresses are bound (for the leak check). */
    int bound() {
        return bindings.size();
    }

    Binding at(IpPort address) {
        return bindings.get(address);
    }

    void holdEphemeral(InetAddress ip) {
        ephemeralHolds.merge(ip, 1, Integer::sum);
    }

    void releaseEphemeral(InetAddress ip) {
        ephemeralHolds.computeIfPresent(ip, (k, n) -> n == 1 ? null : n - 1);
    }

    private boolean inUse(IpPort address) {
        return bindings.containsKey(address)
                || (address.port() >= FIRST_EPHEMERAL && ephemeralHolds.containsKey(address.ip()));
    }

    private int freeEphemeral(InetAddress ip) {
        if (ephemeralHolds.containsKey(ip)) {
            return -1;
        }
        int size = LAST_EPHEMERAL - FIRST_EPHEMERAL + 1;
        int start = random.ephemeralStart(FIRST_EPHEMERAL, LAST_EPHEMERAL);
        for (int i = 0; i < size; i++) {
            // floorMod keeps every probe in the range, whatever the start
            int port = FIRST_EPHEMERAL + Math.floorMod(start + i - FIRST_EPHEMERAL, size);
            if (!bindings.containsKey(new IpPort(ip, port))) {
                return port;
            }
        }
        return -1;
    }
}
