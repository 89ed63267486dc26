package org.ndkkit.steps;

import java.util.Arrays;
import org.ndkkit.spi.SockAddr;

/**
 * The ways a {@code pDestAddress} and its {@code DestAddressLength} can disagree, each built from a
 * real destination so that a provider that ignores the disagreement would reach a listener.
 */
enum MalformedAddress {
    ZERO_LENGTH("a zero length"),
    SHORT_V4("a length one byte short of SOCKADDR_IN"),
    PAST_BUFFER("a length one byte past the end of its buffer"),
    V4_WITH_V6_LENGTH("a SOCKADDR_IN with the length of a SOCKADDR_IN6"),
    V6_WITH_V4_LENGTH("a SOCKADDR_IN6 with the length of a SOCKADDR_IN"),
    SHORT_V6("a SOCKADDR_IN6 one byte short"),
    UNKNOWN_FAMILY("an unknown address family"),
    UNSPECIFIED_FAMILY("the family AF_UNSPEC");

    final String phrase;

    MalformedAddress(String phrase) {
        this.phrase = phrase;
    }

    static MalformedAddress of(String phrase) {
        return Arrays.stream(values()).filter(m -> m.phrase.equals(phrase)).findFirst().orElseThrow();
    }

    /** The malformed form of {@code good}, a well-formed SOCKADDR_IN. */
    SockAddr from(SockAddr good) {
        byte[] v4 = good.bytes();
        return switch (this) {
            case ZERO_LENGTH -> SockAddr.raw(v4, 0);
            case SHORT_V4 -> SockAddr.raw(v4, SockAddr.SOCKADDR_IN_SIZE - 1);
            case PAST_BUFFER -> SockAddr.raw(v4, v4.length + 1);
            case V4_WITH_V6_LENGTH -> SockAddr.raw(v4, SockAddr.SOCKADDR_IN6_SIZE);
            case V6_WITH_V4_LENGTH -> SockAddr.raw(good.v4Mapped().bytes(), SockAddr.SOCKADDR_IN_SIZE);
            case SHORT_V6 -> SockAddr.raw(good.v4Mapped().bytes(), SockAddr.SOCKADDR_IN6_SIZE - 1);
            case UNKNOWN_FAMILY -> SockAddr.raw(withFamily(v4, 0x7F), v4.length);
            case UNSPECIFIED_FAMILY -> SockAddr.raw(withFamily(v4, 0), v4.length);
        };
    }

    private static byte[] withFamily(byte[] v4, int family) {
        byte[] b = v4.clone();
        b[0] = (byte) family;
        b[1] = 0;
        return b;
    }
}
