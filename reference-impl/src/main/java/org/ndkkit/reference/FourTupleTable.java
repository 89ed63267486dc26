package org.ndkkit.reference;

import java.util.HashMap;
import java.util.Map;

/**
 * NDK's four-tuple rule, kept by the provider because rdma_cm does not keep it.
 *
 * <p>NDK: a connect "fails with STATUS_ADDRESS_ALREADY_EXISTS if a connection with the combination
 * of local address, local port, remote address, and remote port already exists". rdma_cm never
 * reports that: shared endpoints bind every connector's id with RDMA_OPTION_ID_REUSEADDR, and the
 * lab measured two ids on the same local address:port connecting to the same destination - both
 * reach ESTABLISHED. So the provider reserves the four-tuple here when a connect is issued (a
 * connection "exists" from then on, even while still in progress) and frees it when the connect
 * fails or the connector is closed.
 */
final class FourTupleTable {

    /** Local and remote endpoint of one connection. */
    record FourTuple(Endpoint local, Endpoint remote) {
        @Override
        public String toString() {
            return local + " -> " + remote;
        }
    }

    private final Map<FourTuple, Object> inUse = new HashMap<>();

    /** Reserves {@code t} for {@code owner}; false when another connection already has it. */
    synchronized boolean reserve(FourTuple t, Object owner) {
        return inUse.putIfAbsent(t, owner) == null;
    }

    /** Frees {@code t} if {@code owner} holds it (idempotent). */
    synchronized void release(FourTuple t, Object owner) {
        inUse.remove(t, owner);
    }

    synchronized boolean isInUse(FourTuple t) {
        return inUse.containsKey(t);
    }

    synchronized int size() {
        return inUse.size();
    }
}
