package org.ndkkit.reference.rdma;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** Raw direct mapping of the few libc calls needed to wait on an event channel's fd. */
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
}
