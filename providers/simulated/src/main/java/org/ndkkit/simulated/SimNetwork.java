package org.ndkkit.simulated;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire between the two simulated hosts: who owns which IP, where a destination routes to,
 * which addresses are taken ({@link EndpointTable}) and which four-tuples have a connection attempt
 * or connection.
 *
 * <p>Not thread-safe: used under the testbed lock.
 */
final class SimNetwork {

    /** What happens to a request sent to a destination IP. */
    enum Verdict {
        /** An adapter owns the IP: the request reaches whatever listens there. */
        DELIVER,
        /** No route to the destination's network. */
        NETWORK_UNREACHABLE,
        /** A route exists but the host does not answer ARP, or the gateway says it is unreachable. */
        HOST_UNREACHABLE,
        /** The host swallows the request; only the connect timer ends the attempt. */
        SILENT
    }

    final EndpointTable endpoints;
    private final Map<InetAddress, SimAdapter> owners = new HashMap<>();
    private final Map<FourTuple, SimConnector> tuples = new HashMap<>();

    SimNetwork(SimRandom random) {
        endpoints = new EndpointTable(random);
    }

    void attach(SimAdapter adapter, List<InetAddress> addresses) {
        for (InetAddress ip : addresses) {
            owners.put(ip, adapter);
        }
    }

    /** Makes {@code ip} one of {@code adapter}'s addresses, as a healed network would. */
    void lend(InetAddress ip, SimAdapter adapter) {
        if (owners.putIfAbsent(ip, adapter) != null) {
            throw new IllegalStateException(ip.getHostAddress() + " already belongs to an adapter");
        }
    }

    /** Undoes {@link #lend}: the address routes as before. */
    void takeBack(InetAddress ip) {
        owners.remove(ip);
    }

    boolean owns(SimAdapter adapter, InetAddress ip) {
        return owners.get(ip) == adapter;
    }

    boolean isTestbedAddress(InetAddress ip) {
        return owners.containsKey(ip);
    }

    Verdict route(InetAddress destination) {
        if (owners.containsKey(destination)) {
            return Verdict.DELIVER;
        }
        if (destination.equals(Addresses.SILENT_HOST.ip())) {
            return Verdict.SILENT;
        }
        if (Addresses.HOST_UNREACHABLE_NET.contains(destination)) {
            return Verdict.HOST_UNREACHABLE;
        }
        for (Prefix onLink : Addresses.ON_LINK) {
            if (onLink.contains(destination)) {
                return Verdict.HOST_UNREACHABLE;
            }
        }
        return Verdict.NETWORK_UNREACHABLE;
    }

    /** The listener bound to exactly this address (listening, paused or closing), or null. */
    SimListener listenerAt(IpPort address) {
        EndpointTable.Binding b = endpoints.at(address);
        return b != null && b.owner instanceof SimListener l ? l : null;
    }

    boolean tupleInUse(FourTuple tuple) {
        return tuples.containsKey(tuple);
    }

    void claim(FourTuple tuple, SimConnector connector) {
        tuples.put(tuple, connector);
    }

    void release(FourTuple tuple, SimConnector connector) {
        tuples.remove(tuple, connector);
    }

    /** How many four-tuples are taken (for the leak check); under the lock. */
    int fourTuples() {
        return tuples.size();
    }
}
