package org.ndkkit.reference;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.PosixConstants;
import org.ndkkit.reference.rdma.Scratch;
import org.ndkkit.reference.rdma.Sockaddrs;

/**
 * The kernel's route lookup from a local IP to a destination, the way a connect looks it up:
 * {@code connect()} of a UDP socket bound to the source IP (it sends nothing). Returns 0 when
 * there is a route, else the errno: ENETUNREACH (no route), EHOSTUNREACH (an 'unreachable' route),
 * EACCES (a 'prohibit' route), EINVAL (a 'blackhole' route).
 *
 * <p>Why the provider does this itself: Linux 6.1's rdma_cm, for an id already bound to a source
 * address (every NDK connect has one: the shared endpoint's), looks the route up with the
 * source's netdev as the output interface, and {@code ip_route_output_key} then treats a failed
 * lookup as "destination on-link": {@code rdma_resolve_addr} succeeds, ADDR_RESOLVED and
 * ROUTE_RESOLVED follow, and the REQ is dropped like a silent host's (lab/lib/probe.c cases
 * BOUND_SRC_NET_UNREACH / BOUND_SRC_HOST_UNREACH). NDK wants NETWORK_UNREACHABLE and
 * HOST_UNREACHABLE, which only a lookup without an output interface gives (an unbound id's
 * {@code rdma_resolve_addr} fails inline with exactly these errnos, measured in the lab).
 *
 * <p>One per adapter, closed with it.
 */
final class RouteCheck {
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;
    private static final String PROBLEM;

    static {
        String p = null;
        try {
            Native.register(RouteCheck.class, Platform.C_LIBRARY_NAME);
        } catch (LinkageError | RuntimeException e) {
            p = "cannot bind libc socket/bind/connect: " + e;
        }
        PROBLEM = p;
    }

    /** One UDP socket per source IP (AF_INET or AF_INET6), bound to it, re-connected for each lookup. */
    private final Map<InetAddress, Integer> sockets = new HashMap<>();
    private boolean closed;

    private static native int socket(int domain, int type, int protocol);

    private static native int bind(int fd, Pointer addr, int len);

    private static native int connect(int fd, Pointer addr, int len);

    private static native int close(int fd);

    /**
     * 0 when {@code from} (port ignored) has a route to {@code to}; otherwise the errno. The
     * socket of {@code from} is kept for the next lookup: a socket, a bind (which takes an
     * ephemeral UDP port) and a close per connect were three system calls more per connection
     * than rdma_cm's own path, on the connect's critical path. A UDP socket may be connected
     * again to another destination; every connect looks the route up afresh.
     */
    synchronized int lookup(InetSocketAddress from, InetSocketAddress to) {
        if (PROBLEM != null || closed) {
            return 0; // cannot check: let rdma_cm decide
        }
        InetAddress src = from.getAddress();
        boolean v6 = src instanceof Inet6Address;
        if (v6 != to.getAddress() instanceof Inet6Address) {
            return 0; // mixed families are refused before (Buffers.checkSameFamily)
        }
        int len = v6 ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE;
        Integer fd = sockets.get(src);
        try (Scratch s = Scratch.open()) {
            if (fd == null) {
                int f = socket(v6 ? PosixConstants.AF_INET6 : PosixConstants.AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (f < 0) {
                    return 0;
                }
                if (bind(f, Sockaddrs.toNative(s, new InetSocketAddress(src, 0)), len) != 0) {
                    close(f);
                    return 0; // the source is checked elsewhere (rdma_bind_addr)
                }
                fd = f;
                sockets.put(src, f);
            }
            Pointer dst = Sockaddrs.toNative(s, new InetSocketAddress(to.getAddress(), Math.max(1, to.getPort())));
            int rc = connect(fd, dst, len);
            int err = rc == 0 ? 0 : Native.getLastError();
            return rc == 0 ? 0 : (err == 0 ? Errno.EIO : err);
        }
    }

    /** Closes every socket; later lookups return 0 (no check). */
    synchronized void close() {
        closed = true;
        sockets.values().forEach(RouteCheck::close);
        sockets.clear();
    }

    /** How many sockets are open (one per source IP looked up from). */
    synchronized int openSockets() {
        return sockets.size();
    }
}
