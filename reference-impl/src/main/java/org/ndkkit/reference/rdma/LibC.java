package org.ndkkit.reference.rdma;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Raw direct mapping of the few libc calls needed to wait on an event channel's fd (and to wake the
 * waiter), and to talk RDMA netlink ({@link RdmaNetlink}).
 */
final class LibC {
    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}; nfds_t is unsigned long. */
    static native int poll(Pointer fds, long nfds, int timeoutMs);

    /**
     * {@code fcntl(fd, cmd, int arg)}: variadic in C, called here with a fixed prototype. On
     * x86-64 SysV that is safe for integer arguments: the third argument travels in %rdx either
     * way, and glibc's va_arg reads it from the register save area (%al only decides whether the
     * vector registers are saved too).
     */
    static native int fcntl(int fd, int cmd, int arg);

    /** {@code int eventfd(unsigned int initval, int flags)}. */
    static native int eventfd(int initval, int flags);

    /** {@code ssize_t read(int fd, void *buf, size_t count)}. */
    static native long read(int fd, Pointer buf, long count);

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}. */
    static native long write(int fd, Pointer buf, long count);

    /** {@code int close(int fd)}. */
    static native int close(int fd);

    /** {@code int socket(int domain, int type, int protocol)}. */
    static native int socket(int domain, int type, int protocol);

    /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)}. */
    static native long sendto(int fd, Pointer buf, long len, int flags, Pointer to, int toLen);

    /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)}. */
    static native long recv(int fd, Pointer buf, long len, int flags);
}
