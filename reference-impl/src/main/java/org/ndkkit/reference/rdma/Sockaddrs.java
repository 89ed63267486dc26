package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.ndkkit.reference.rdma.SocketStructs.SockaddrIn;
import org.ndkkit.reference.rdma.SocketStructs.SockaddrIn6;
import org.ndkkit.reference.rdma.SocketStructs.SockaddrStorage;

/**
 * Conversions between {@link InetSocketAddress} and Linux {@code struct sockaddr_in} /
 * {@code sockaddr_in6} in native memory. Ports and addresses are written in network order,
 * families in host order.
 */
public final class Sockaddrs {
    private Sockaddrs() {
    }

    static final int STORAGE_SIZE = new SockaddrStorage().size();
    private static final int IN_PORT = new SockaddrIn().offsetOf("sin_port");
    private static final int IN_ADDR = new SockaddrIn().offsetOf("sin_addr");
    private static final int IN6_PORT = new SockaddrIn6().offsetOf("sin6_port");
    private static final int IN6_FLOW = new SockaddrIn6().offsetOf("sin6_flowinfo");
    private static final int IN6_ADDR = new SockaddrIn6().offsetOf("sin6_addr");
    private static final int IN6_SCOPE = new SockaddrIn6().offsetOf("sin6_scope_id");

    /**
     * A new zeroed {@code sockaddr_storage}-sized buffer holding {@code address}. The caller owns
     * the returned memory (freed by the GC when unreachable); librdmacm copies the address during
     * the call it is passed to, so it only has to stay reachable until that call returns.
     */
    public static Memory toNative(InetSocketAddress address) {
        Memory m = new Memory(STORAGE_SIZE);
        m.clear();
        write(m, address);
        return m;
    }

    /** {@link #toNative(InetSocketAddress)} in a {@link Scratch} scope: valid until the scope closes. */
    public static Pointer toNative(Scratch scratch, InetSocketAddress address) {
        Pointer p = scratch.zeroed(STORAGE_SIZE);
        write(p, address);
        return p;
    }

    /** Writes {@code address} at {@code p} (which must have room for a sockaddr_in6). */
    static void write(Pointer p, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        int port = address.getPort();
        if (ip instanceof Inet4Address) {
            p.setShort(0, (short) PosixConstants.AF_INET);
            p.setByte(IN_PORT, (byte) (port >>> 8));
            p.setByte(IN_PORT + 1, (byte) port);
            p.write(IN_ADDR, ip.getAddress(), 0, 4);
        } else if (ip instanceof Inet6Address) {
            p.setShort(0, (short) PosixConstants.AF_INET6);
            p.setByte(IN6_PORT, (byte) (port >>> 8));
            p.setByte(IN6_PORT + 1, (byte) port);
            p.setInt(IN6_FLOW, 0);
            p.write(IN6_ADDR, ip.getAddress(), 0, 16);
            p.setInt(IN6_SCOPE, ((Inet6Address) ip).getScopeId());
        } else {
            throw new IllegalArgumentException("not an IP address: " + address);
        }
    }

    /**
     * Reads a {@code sockaddr} at {@code p}: AF_INET or AF_INET6; empty for AF_UNSPEC (an id
     * that is not bound/resolved yet), AF_IB and anything else.
     */
    public static Optional<InetSocketAddress> read(Pointer p) {
        int family = p.getShort(0) & 0xFFFF;
        try {
            if (family == PosixConstants.AF_INET) {
                int port = ((p.getByte(IN_PORT) & 0xFF) << 8) | (p.getByte(IN_PORT + 1) & 0xFF);
                byte[] a = p.getByteArray(IN_ADDR, 4);
                return Optional.of(new InetSocketAddress(InetAddress.getByAddress(a), port));
            }
            if (family == PosixConstants.AF_INET6) {
                int port = ((p.getByte(IN6_PORT) & 0xFF) << 8) | (p.getByte(IN6_PORT + 1) & 0xFF);
                byte[] a = p.getByteArray(IN6_ADDR, 16);
                int scope = p.getInt(IN6_SCOPE);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, a, scope)
                        : InetAddress.getByAddress(a);
                return Optional.of(new InetSocketAddress(ip, port));
            }
        } catch (UnknownHostException e) {
            // getByAddress only throws for a wrong array length, which cannot happen here.
            throw new IllegalStateException(e);
        }
        return Optional.empty();
    }
}
