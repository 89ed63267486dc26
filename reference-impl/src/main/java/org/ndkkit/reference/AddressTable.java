package org.ndkkit.reference;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.ResourceExhaustion;

/**
 * The testbed's own table of local addresses (IP and ND port) taken by shared endpoints, listeners
 * and connectors with a dedicated source address.
 *
 * <p>Why the provider keeps it instead of asking the kernel: shared endpoints bind with
 * RDMA_OPTION_ID_REUSEADDR so that the ids of all their connectors can share the address, and
 * with REUSEADDR on both ids {@code rdma_bind_addr} never reports the second one as a conflict.
 * NDK wants STATUS_SHARING_VIOLATION for a second shared endpoint or a listener on an address in
 * use, and wants a closed shared endpoint's address held until its last connector closes; this
 * table gives both. Port 0 asks for an ephemeral port: the kernel's own choice comes from
 * net.ipv4.ip_local_port_range (32768-60999), not NDK's 49152-65535, so the provider chooses the
 * port here and binds it explicitly. {@link #exhaustEphemeral} marks the whole range taken on one
 * IP (the testbed's way to produce TOO_MANY_ADDRESSES).
 */
final class AddressTable {
    static final int EPHEMERAL_LOW = 49152;
    static final int EPHEMERAL_HIGH = 65535;
    static final int EPHEMERAL_COUNT = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;

    /** What holds an address. */
    enum Kind { SHARED_ENDPOINT, LISTENER, CONNECTOR, NO_LISTENER_CONDITION }

    /** One held address; {@link #release} is idempotent. */
    final class Reservation {
        private final Endpoint endpoint;
        private final Kind kind;
        private boolean released;

        private Reservation(Endpoint endpoint, Kind kind) {
            this.endpoint = endpoint;
            this.kind = kind;
        }

        Endpoint endpoint() {
            return endpoint;
        }

        Kind kind() {
            return kind;
        }

        void release() {
            synchronized (AddressTable.this) {
                if (!released) {
                    released = true;
                    taken.remove(endpoint, this);
                }
            }
        }

        @Override
        public String toString() {
            return kind + "@" + endpoint;
        }
    }

    /** A reservation, or the status explaining why there is none. */
    record Result(Reservation reservation, NtStatus status) {
        boolean ok() {
            return reservation != null;
        }
    }

    private final Map<Endpoint, Reservation> taken = new HashMap<>();
    /** IPs whose ephemeral range is marked taken, with how many handles mark it. */
    private final Map<InetAddress, Integer> ephemeralExhausted = new HashMap<>();
    private final Random random;

    AddressTable() {
        this(new Random());
    }

    AddressTable(Random random) {
        this.random = random;
    }

    static boolean isEphemeral(int port) {
        return port >= EPHEMERAL_LOW && port <= EPHEMERAL_HIGH;
    }

    private boolean free(Endpoint e) {
        if (taken.containsKey(e)) {
            return false;
        }
        return !(isEphemeral(e.port()) && ephemeralExhausted.containsKey(e.ip()));
    }

    /** Takes an explicit address (port != 0): SHARING_VIOLATION when it is in use. */
    synchronized Result reserve(Endpoint e, Kind kind) {
        if (e.port() == 0) {
            throw new IllegalArgumentException("port 0: use reserveEphemeral");
        }
        if (!free(e)) {
            return new Result(null, NtStatus.SHARING_VIOLATION);
        }
        Reservation r = new Reservation(e, kind);
        taken.put(e, r);
        return new Result(r, NtStatus.SUCCESS);
    }

    /**
     * Takes a free ephemeral port (49152-65535) on {@code ip}, starting the search at a random
     * port; TOO_MANY_ADDRESSES when none is free. {@code skip} ports found unusable by the
     * kernel are passed back by the caller as already tried.
     */
    synchronized Result reserveEphemeral(InetAddress ip, Kind kind, java.util.Set<Integer> skip) {
        if (ephemeralExhausted.containsKey(ip)) {
            return new Result(null, NtStatus.TOO_MANY_ADDRESSES);
        }
        int start = random.nextInt(EPHEMERAL_COUNT);
        for (int i = 0; i < EPHEMERAL_COUNT; i++) {
            int port = EPHEMERAL_LOW + (start + i) % EPHEMERAL_COUNT;
            Endpoint e = new Endpoint(ip, port);
            if (!skip.contains(port) && free(e)) {
                Reservation r = new Reservation(e, kind);
                taken.put(e, r);
                return new Result(r, NtStatus.SUCCESS);
            }
        }
        return new Result(null, NtStatus.TOO_MANY_ADDRESSES);
    }

    /** A port outside the ephemeral range that nothing in the table holds (for NO_LISTENER). */
    synchronized Result reserveUnusedNonEphemeral(InetAddress ip, int from, Kind kind) {
        for (int port = from; port < EPHEMERAL_LOW; port++) {
            Endpoint e = new Endpoint(ip, port);
            if (free(e)) {
                Reservation r = new Reservation(e, kind);
                taken.put(e, r);
                return new Result(r, NtStatus.SUCCESS);
            }
        }
        return new Result(null, NtStatus.TOO_MANY_ADDRESSES);
    }

    synchronized boolean isTaken(Endpoint e) {
        return !free(e);
    }

    /** Marks every ephemeral port of {@code ip} taken until the handle is closed. */
    ResourceExhaustion exhaustEphemeral(InetAddress ip) {
        synchronized (this) {
            ephemeralExhausted.merge(ip, 1, Integer::sum);
        }
        return new ResourceExhaustion() {
            private boolean closed;

            @Override
            public ExhaustionMethod method() {
                return ExhaustionMethod.INJECTED;
            }

            @Override
            public String description() {
                return "the provider's ND port table treats every ephemeral port (49152-65535) of "
                        + ip.getHostAddress() + " as taken";
            }

            @Override
            public void close() {
                synchronized (AddressTable.this) {
                    if (!closed) {
                        closed = true;
                        ephemeralExhausted.computeIfPresent(ip, (k, n) -> n == 1 ? null : n - 1);
                    }
                }
            }
        };
    }

    synchronized int size() {
        return taken.size();
    }
}
