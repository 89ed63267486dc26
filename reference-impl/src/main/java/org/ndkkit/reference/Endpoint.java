package org.ndkkit.reference;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.ndkkit.spi.SockAddr;

/**
 * An IP address and ND port: one end of a connection, and the key of the address table.
 *
 * @param ip   the IP address, IPv4 or IPv6
 * @param port 0..65535
 */
record Endpoint(InetAddress ip, int port) {

    Endpoint {
        Objects.requireNonNull(ip, "ip");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    static Endpoint of(SockAddr a) {
        return new Endpoint(a.ip(), a.port());
    }

    static Endpoint of(InetSocketAddress a) {
        return new Endpoint(a.getAddress(), a.getPort());
    }

    InetSocketAddress socket() {
        return new InetSocketAddress(ip, port);
    }

    /** The Windows SOCKADDR_IN or SOCKADDR_IN6 form an NDK consumer reads. */
    SockAddr sockAddr() {
        return SockAddr.of(ip, port);
    }

    Endpoint withPort(int p) {
        return new Endpoint(ip, p);
    }

    boolean isIpv4() {
        return ip instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return isIpv4() ? ip.getHostAddress() + ":" + port : "[" + ip.getHostAddress() + "]:" + port;
    }
}
