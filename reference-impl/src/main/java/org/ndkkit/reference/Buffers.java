package org.ndkkit.reference;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * The consumer's buffers: private data in (a buffer plus a declared length that may disagree
 * with it), and NDK's output-buffer protocol for addresses and connection data. Nothing here
 * reads or writes past a Java array.
 */
final class Buffers {
    private Buffers() {
    }

    /**
     * Checks private data before anything is sent: STATUS_INVALID_PARAMETER when the declared
     * length is more than the buffer holds (a null buffer holds nothing), then
     * STATUS_INVALID_BUFFER_SIZE when it is above {@code max} (MaxCallerData / MaxCalleeData);
     * null when acceptable.
     */
    static NtStatus checkPrivateData(byte[] buffer, int declaredLength, int max) {
        long len = Integer.toUnsignedLong(declaredLength);
        long have = buffer == null ? 0 : buffer.length;
        if (len > have) {
            return NtStatus.INVALID_PARAMETER;
        }
        if (len > Integer.toUnsignedLong(max)) {
            return NtStatus.INVALID_BUFFER_SIZE;
        }
        return null;
    }

    /** The first {@code declaredLength} bytes (after {@link #checkPrivateData} accepted them). */
    static byte[] copyPrivateData(byte[] buffer, int declaredLength) {
        return declaredLength == 0 || buffer == null ? new byte[0] : Arrays.copyOf(buffer, declaredLength);
    }

    /**
     * Checks a consumer's SOCKADDR: STATUS_INVALID_PARAMETER when malformed (length, family or
     * bytes), STATUS_INVALID_ADDRESS for a well-formed address this provider cannot use (the
     * wildcard, multicast, IPv4 broadcast, or an IPv4-mapped IPv6 address); null when it is a
     * usable IPv4 or IPv6 unicast address.
     */
    static NtStatus checkAddress(SockAddr a) {
        if (a == null || !a.isWellFormed()) {
            return NtStatus.INVALID_PARAMETER;
        }
        InetAddress ip = a.ip();
        // ::ffff:a.b.c.d in a SOCKADDR_IN6: Java hands it back as the IPv4 address, which would
        // quietly turn an AF_INET6 request into an IPv4 one (the simulated provider refuses it too).
        boolean mapped = a.family() == SockAddr.AF_INET6 && ip instanceof Inet4Address;
        if (mapped || ip.isAnyLocalAddress() || ip.isMulticastAddress()
                || ip instanceof Inet4Address ip4 && isLimitedBroadcast(ip4)) {
            return NtStatus.INVALID_ADDRESS;
        }
        return null;
    }

    /**
     * A connect's source and destination must be of one family: STATUS_INVALID_ADDRESS before
     * rdma_cm is asked (its {@code rdma_resolve_addr} says EINVAL, which the connect mapping would
     * report as NETWORK_UNREACHABLE); null when they match.
     */
    static NtStatus checkSameFamily(Endpoint source, Endpoint destination) {
        return source.isIpv4() == destination.isIpv4() ? null : NtStatus.INVALID_ADDRESS;
    }

    /** 255.255.255.255, compared as bytes (the text form cost a string per connect). */
    private static boolean isLimitedBroadcast(Inet4Address ip) {
        for (byte b : ip.getAddress()) {
            if (b != (byte) 0xFF) {
                return false;
            }
        }
        return true;
    }

    /**
     * NdkGet*Address: writes the SOCKADDR_IN (16 bytes) or SOCKADDR_IN6 (28) when the buffer
     * holds it (SUCCESS, length = bytes written), otherwise BUFFER_TOO_SMALL with the required size
     * in the length.
     */
    static NtStatus writeAddress(Endpoint address, byte[] out, UlongRef length) {
        if (length == null) {
            return NtStatus.INVALID_PARAMETER;
        }
        // a length that claims more room than the array has is bad input: nothing is written
        if (length.unsigned() > (out == null ? 0 : out.length)) {
            return NtStatus.INVALID_PARAMETER;
        }
        byte[] bytes = address.sockAddr().bytes();
        long room = length.unsigned();
        if (room < bytes.length) {
            length.set(bytes.length);
            return NtStatus.BUFFER_TOO_SMALL;
        }
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        length.set(bytes.length);
        return NtStatus.SUCCESS;
    }

    /**
     * NdkGetConnectionData's private-data part: with no buffer and length 0, SUCCESS and the
     * required size; with a buffer, copies min(length, required) bytes and returns SUCCESS when
     * the length was at least the required size, BUFFER_TOO_SMALL otherwise; always stores the
     * required size. A null buffer with a non-zero length is INVALID_PARAMETER.
     *
     * @param data     what the peer's message carried (the whole private-data field of the CM
     *                 message: rdma_cm pads it with zeros, so it may be longer than what was sent)
     * @param required the required data size (RDS) to report, at least {@code data.length}
     */
    static NtStatus connectionData(byte[] data, int required, byte[] out, UlongRef length) {
        if (length == null) {
            return NtStatus.INVALID_PARAMETER;
        }
        long asked = length.unsigned();
        if (out == null) {
            if (asked != 0) {
                return NtStatus.INVALID_PARAMETER;
            }
            length.set(required);
            return NtStatus.SUCCESS;
        }
        if (asked > out.length) {
            return NtStatus.INVALID_PARAMETER; // claims more room than the array has: write nothing
        }
        int n = (int) Math.min(asked, Math.min(required, data.length));
        System.arraycopy(data, 0, out, 0, n);
        length.set(required);
        return asked >= required ? NtStatus.SUCCESS : NtStatus.BUFFER_TOO_SMALL;
    }
}
