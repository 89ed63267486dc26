package org.ndkkit.reference.rdma;

/**
 * Linux x86-64 constants of {@code <sys/socket.h>}, {@code <poll.h>} and {@code <fcntl.h>} that
 * the binding layer uses. Named like their C macros and checked by {@code StructLayoutTest}.
 */
public final class PosixConstants {
    private PosixConstants() {
    }

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    /** Native InfiniBand addressing (rdma_cm); not used on RoCE with IP addresses. */
    public static final int AF_IB = 27;

    public static final int POLLIN = 0x001;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;

    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int O_NONBLOCK = 04000;
}
