package org.ndkkit.simulated;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address prefix of whole bytes, such as 198.18.2.0/24, for the simulated routing table. The
 * simulated lab's nets all end on a byte boundary, so a prefix is its leading bytes.
 */
record Prefix(byte[] leading, int family) {

    /** {@code literalNetwork}/{@code bytes * 8}: an IPv4 or IPv6 literal and how many leading bytes count. */
    Prefix(String literalNetwork, int bytes) {
        this(Arrays.copyOf(Addresses.literal(literalNetwork).getAddress(), bytes),
                Addresses.literal(literalNetwork).getAddress().length);
    }

    boolean contains(InetAddress ip) {
        byte[] a = ip.getAddress();
        return a.length == family && Arrays.equals(leading, 0, leading.length, a, 0, leading.length);
    }
}
