package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;

/**
 * glibc socket structures (x86-64): {@code sockaddr_in}, {@code sockaddr_in6},
 * {@code sockaddr_storage} and {@code pollfd}.
 *
 * <p>Byte order: {@code *_family} is host order; {@code *_port} and the address bytes are network
 * order. The Java fields hold the raw memory image; use {@link Sockaddrs} to convert from and to
 * {@link java.net.InetSocketAddress}.
 */
public final class SocketStructs {
    private SocketStructs() {
    }

    /** {@code struct sockaddr_in} (16 bytes). */
    @FieldOrder({"sin_family", "sin_port", "sin_addr", "sin_zero"})
    public static class SockaddrIn extends NativeStruct {
        public short sin_family;
        /** Network order (raw memory image). */
        public short sin_port;
        /** {@code struct in_addr}: network-order bytes, kept as an int so the alignment is 4. */
        public int sin_addr;
        public byte[] sin_zero = new byte[8];

        public SockaddrIn() {
        }

        public SockaddrIn(Pointer p) {
            super(p);
        }
    }

    /** {@code struct sockaddr_in6} (28 bytes). */
    @FieldOrder({"sin6_family", "sin6_port", "sin6_flowinfo", "sin6_addr", "sin6_scope_id"})
    public static class SockaddrIn6 extends NativeStruct {
        public short sin6_family;
        /** Network order (raw memory image). */
        public short sin6_port;
        public int sin6_flowinfo;
        /** {@code struct in6_addr}: 16 network-order bytes. */
        public byte[] sin6_addr = new byte[16];
        public int sin6_scope_id;

        public SockaddrIn6() {
        }

        public SockaddrIn6(Pointer p) {
            super(p);
        }
    }

    /**
     * {@code struct sockaddr_storage} (128 bytes, 8-byte aligned because of {@code __ss_align},
     * which matters where it is embedded: {@code rdma_addr}).
     */
    @FieldOrder({"ss_family", "__ss_padding", "__ss_align"})
    public static class SockaddrStorage extends NativeStruct {
        public short ss_family;
        public byte[] __ss_padding = new byte[118];
        public long __ss_align;

        public SockaddrStorage() {
        }

        public SockaddrStorage(Pointer p) {
            super(p);
        }
    }

    /** {@code struct pollfd} (8 bytes). */
    @FieldOrder({"fd", "events", "revents"})
    public static class PollFd extends NativeStruct {
        public int fd;
        public short events;
        public short revents;

        public PollFd() {
        }
    }
}
