package org.ndkkit.simulated;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The simulated lab's addresses. Everything lies in the benchmarking ranges (198.18.0.0/15 and
 * 2001:2::/48), so nothing the simulator prints can be mistaken for a real network.
 */
final class Addresses {
    static final List<InetAddress> LOCAL = List.of(
            literal("198.18.0.1"), literal("198.18.0.2"), literal("2001:2::1"));
    static final List<InetAddress> PEER = List.of(
            literal("198.18.1.1"), literal("198.18.1.2"), literal("198.18.1.3"), literal("2001:2::1:1"));

    /** A peer address on which, by convention, nothing listens (whoever listens there gets connections). */
    static final IpPort NO_LISTENER = new IpPort(literal("198.18.1.3"), 4);
    /** Outside every route: NETWORK_UNREACHABLE. */
    static final IpPort NETWORK_UNREACHABLE = new IpPort(literal("198.19.255.1"), 7000);
    /** Behind the route whose gateway reports host unreachable. */
    static final IpPort HOST_UNREACHABLE = new IpPort(literal("198.18.2.1"), 7000);
    /** A host that swallows every request: the connect times out. */
    static final IpPort SILENT_HOST = new IpPort(literal("198.18.1.77"), 7000);
    /** Not an address of either adapter. */
    static final IpPort FOREIGN_LOCAL = new IpPort(literal("198.18.3.1"), 0);

    /** Nets both hosts sit on directly (/24, /24, /48: leading bytes); an address there that no adapter owns does not answer ARP. */
    static final List<Prefix> ON_LINK = List.of(
            new Prefix("198.18.0.0", 3), new Prefix("198.18.1.0", 3), new Prefix("2001:2::", 6));
    /** The route whose gateway answers every packet with "host unreachable". */
    static final Prefix HOST_UNREACHABLE_NET = new Prefix("198.18.2.0", 3);

    private Addresses() {
    }

    /** Parses an IP literal; never resolves a name. */
    static InetAddress literal(String ip) {
        if (!ip.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("not an IP literal: " + ip);
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }
}
