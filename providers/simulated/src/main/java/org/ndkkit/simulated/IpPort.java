package org.ndkkit.simulated;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.ndkkit.spi.SockAddr;

/**
 * An IP address and ND port: what identifies an endpoint. Equality ignores the padding and declared
 * length of the sockaddr it came from.
 */
record IpPort(InetAddress ip, int port) {

    /**
     * The address in {@code sockaddr}, or null when it is null or malformed. An IPv4-mapped IPv6
     * address counts as malformed: no simulated adapter owns one, and Java would silently turn it into
     * an IPv4 address.
     */
    static IpPort parse(SockAddr sockAddr) {
        if (sockAddr == null || !sockAddr.isWellFormed()) {
            return null;
        }
        InetAddress ip = sockAddr.ip();
        if (sockAddr.family() == SockAddr.AF_INET6 && ip instanceof Inet4Address) {
            return null;
        }
        return new IpPort(ip, sockAddr.port());
    }

    boolean isIpv4() {
        return ip instanceof Inet4Address;
    }

    boolean sameFamily(IpPort other) {
        return isIpv4() == other.isIpv4();
    }

    IpPort withPort(int newPort) {
        return new IpPort(ip, newPort);
    }

    /** The Windows SOCKADDR_IN or SOCKADDR_IN6 bytes. */
    byte[] sockaddrBytes() {
        return SockAddr.of(ip, port).bytes();
    }

    SockAddr toSockAddr() {
        return SockAddr.of(ip, port);
    }

    @Override
    public String toString() {
        return toSockAddr().toString();
    }
}
