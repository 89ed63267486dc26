package org.ndkkit.simulated;

import java.net.InetAddress;

/** An address prefix such as 198.18.2.0/24, for the simulated routing table. */
record Prefix(InetAddress network, int bits) {

    static Prefix of(String literalNetwork, int bits) {
        return new Prefix(Addresses.literal(literalNetwork), bits);
    }

    boolean contains(InetAddress ip) {
        byte[] net = network.getAddress();
        byte[] a = ip.getAddress();
        if (net.length != a.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != a[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (net[full] & mask) == (a[full] & mask);
    }
}
