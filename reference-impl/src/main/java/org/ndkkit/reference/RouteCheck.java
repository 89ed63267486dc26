package org.ndkkit.reference;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import org.ndkkit.reference.rdma.Errno;
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
 */
final class RouteCheck {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOCKADDR_IN_SIZE = 16;
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

    private RouteCheck() {
    }

    private static native int socket(int domain, int type, int protocol);

    private static native int bind(int fd, Pointer addr, int len);

    private static native int connect(int fd, Pointer addr, int len);

    private static native int close(int fd);

    /** 0 when {@code from} (port ignored) has a route to {@code to}; otherwise the errno. */
    static int lookup(InetSocketAddress from, InetSocketAddress to) {
        if (PROBLEM != null) {
            return 0; // cannot check: let rdma_cm decide
        }
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return 0;
        }
        try {
            Memory src = Sockaddrs.toNative(new InetSocketAddress(from.getAddress(), 0));
            if (bind(fd, src, SOCKADDR_IN_SIZE) != 0) {
                return 0; // the source is checked elsewhere (rdma_bind_addr)
            }
            Memory dst = Sockaddrs.toNative(new InetSocketAddress(to.getAddress(), Math.max(1, to.getPort())));
            int rc = connect(fd, dst, SOCKADDR_IN_SIZE);
            int err = rc == 0 ? 0 : Native.getLastError();
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
            return rc == 0 ? 0 : (err == 0 ? Errno.EIO : err);
        } finally {
            close(fd);
        }
    }
}
