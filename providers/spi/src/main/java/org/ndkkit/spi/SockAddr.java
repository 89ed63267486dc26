package org.ndkkit.spi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A {@code PSOCKADDR} together with its {@code AddressLength}, exactly as an NDK consumer passes it.
 *
 * <p>The bytes follow the Windows layout ({@code SOCKADDR_IN}: 16 bytes, {@code SOCKADDR_IN6}: 28
 * bytes; family in little-endian, {@link #AF_INET} = 2, {@link #AF_INET6} = 23; port and address in
 * network order). The declared length is separate from the bytes so that malformed input (a
 * length shorter than the structure, longer than the buffer, an unknown family) can be expressed
 * and the spec can say what such input gets. A provider must read at most
 * {@code min(length, bytes.length)} bytes and must treat anything malformed as an error status,
 * never as an exception.
 */
public final class SockAddr {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 23;
    public static final int SOCKADDR_IN_SIZE = 16;
    public static final int SOCKADDR_IN6_SIZE = 28;

    private final byte[] bytes;
    private final int length;

    private SockAddr(byte[] bytes, int length) {
        this.bytes = bytes.clone();
        this.length = length;
    }

    /** Arbitrary bytes with an arbitrary declared length (unsigned 32-bit): for malformed input. */
    public static SockAddr raw(byte[] bytes, int declaredLength) {
        return new SockAddr(bytes, declaredLength);
    }

    /** A well-formed IPv4 or IPv6 address with the structure's own size as its length. */
    public static SockAddr of(InetAddress ip, int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        byte[] a = ip.getAddress();
        if (a.length == 4) {
            byte[] b = new byte[SOCKADDR_IN_SIZE];
            b[0] = (byte) AF_INET;
            b[2] = (byte) (port >>> 8);
            b[3] = (byte) port;
            System.arraycopy(a, 0, b, 4, 4);
            return new SockAddr(b, b.length);
        }
        byte[] b = new byte[SOCKADDR_IN6_SIZE];
        b[0] = (byte) AF_INET6;
        b[2] = (byte) (port >>> 8);
        b[3] = (byte) port;
        System.arraycopy(a, 0, b, 8, 16);
        return new SockAddr(b, b.length);
    }

    /** Parses a literal IP address (no name resolution is ever done). */
    public static SockAddr of(String ipLiteral, int port) {
        return of(literal(ipLiteral), port);
    }

    private static InetAddress literal(String ip) {
        if (!ip.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not an IP literal: " + ip);
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    /**
     * Decodes what a provider wrote into an output buffer ({@code NdkGetLocalAddress} and friends).
     *
     * @param buffer the buffer the provider wrote into
     * @param length the byte count the provider reported
     */
    public static SockAddr fromBuffer(byte[] buffer, int length) {
        int n = (int) Math.min(Integer.toUnsignedLong(length), buffer.length);
        return new SockAddr(Arrays.copyOf(buffer, n), length);
    }

    /** A copy of the bytes as given. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The declared {@code AddressLength}, as unsigned 32 bits. */
    public int length() {
        return length;
    }

    /** The family field, or -1 when fewer than two bytes are readable. */
    public int family() {
        return readable() >= 2 ? (bytes[0] & 0xFF) | (bytes[1] & 0xFF) << 8 : -1;
    }

    /**
     * True when family, declared length and byte count form a complete SOCKADDR_IN or SOCKADDR_IN6:
     * the declared length covers the structure and does not claim more bytes than there are.
     */
    public boolean isWellFormed() {
        int need = switch (family()) {
            case AF_INET -> SOCKADDR_IN_SIZE;
            case AF_INET6 -> SOCKADDR_IN6_SIZE;
            default -> Integer.MAX_VALUE;
        };
        long declared = Integer.toUnsignedLong(length);
        return declared >= need && declared <= bytes.length;
    }

    private int readable() {
        return (int) Math.min(Integer.toUnsignedLong(length), bytes.length);
    }

    /** The port in host order; only meaningful when {@link #isWellFormed()}. */
    public int port() {
        requireWellFormed();
        return (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
    }

    /** The IP address; only meaningful when {@link #isWellFormed()}. */
    public InetAddress ip() {
        requireWellFormed();
        byte[] a = family() == AF_INET ? Arrays.copyOfRange(bytes, 4, 8) : Arrays.copyOfRange(bytes, 8, 24);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * This IPv4 address as an IPv4-mapped SOCKADDR_IN6 ({@code ::ffff:a.b.c.d}, 28 bytes): IPv4 in
     * IPv6's clothes, which no adapter owns as an IPv6 address. Only meaningful for a well-formed
     * AF_INET address.
     */
    public SockAddr v4Mapped() {
        if (!isWellFormed() || family() != AF_INET) {
            throw new IllegalStateException("not a well-formed AF_INET address: " + this);
        }
        byte[] m = new byte[SOCKADDR_IN6_SIZE];
        m[0] = (byte) AF_INET6;
        m[2] = bytes[2];
        m[3] = bytes[3];
        m[18] = (byte) 0xFF;
        m[19] = (byte) 0xFF;
        System.arraycopy(bytes, 4, m, 20, 4);
        return new SockAddr(m, m.length);
    }

    /** The same address with another port. */
    public SockAddr withPort(int port) {
        return of(ip(), port);
    }

    private void requireWellFormed() {
        if (!isWellFormed()) {
            throw new IllegalStateException("malformed sockaddr: " + this);
        }
    }

    /** Address and port only: what identifies an endpoint, ignoring padding and declared length. */
    public boolean sameEndpoint(SockAddr other) {
        return isWellFormed() && other.isWellFormed() && family() == other.family()
                && port() == other.port() && ip().equals(other.ip());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr s && s.length == length && Arrays.equals(s.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(bytes) + length;
    }

    @Override
    public String toString() {
        if (isWellFormed()) {
            String ip = ip().getHostAddress();
            return (family() == AF_INET6 ? "[" + ip + "]" : ip) + ":" + port();
        }
        return "sockaddr{bytes=" + HexFormat.of().formatHex(bytes) + ", length="
                + Integer.toUnsignedString(length) + "}";
    }
}
