package org.ndkkit.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What counts as a well-formed SOCKADDR: the rule every provider's argument checks start from. */
class SockAddrTest {
    private final byte[] v4 = SockAddr.of("198.18.0.1", 7000).bytes();
    private final byte[] v6 = SockAddr.of("2001:2::1", 7000).bytes();

    @Test
    void theStructuresOwnSizesAreWellFormed() {
        assertThat(SockAddr.raw(v4, 16).isWellFormed()).isTrue();
        assertThat(SockAddr.raw(v6, 28).isWellFormed()).isTrue();
        assertThat(SockAddr.of("2001:2::1", 7000).toString()).isEqualTo("[2001:2:0:0:0:0:0:1]:7000");
    }

    @Test
    void aLengthShortOfTheStructureOrPastTheBufferIsMalformed() {
        assertThat(SockAddr.raw(v4, 0).isWellFormed()).isFalse();
        assertThat(SockAddr.raw(v4, 15).isWellFormed()).isFalse();
        assertThat(SockAddr.raw(v4, 17).isWellFormed()).isFalse();
        assertThat(SockAddr.raw(v4, 28).isWellFormed()).isFalse();
        assertThat(SockAddr.raw(v6, 16).isWellFormed()).isFalse();
        assertThat(SockAddr.raw(v6, 27).isWellFormed()).isFalse();
        assertThat(SockAddr.raw(v4, -1).isWellFormed()).isFalse(); // 4294967295 as ULONG
    }

    @Test
    void aLongerBufferWithALongerLengthIsStillTheStructure() {
        byte[] padded = java.util.Arrays.copyOf(v4, 128);
        assertThat(SockAddr.raw(padded, 128).isWellFormed()).isTrue();
    }

    @Test
    void anUnknownFamilyIsMalformed() {
        byte[] b = v4.clone();
        b[0] = 0x7F;
        assertThat(SockAddr.raw(b, 16).isWellFormed()).isFalse();
        b[0] = 0;
        assertThat(SockAddr.raw(b, 16).isWellFormed()).isFalse();
    }

    @Test
    void theV4MappedFormIsAnAfInet6StructureOfTheSameAddressAndPort() {
        SockAddr m = SockAddr.of("198.18.0.1", 7000).v4Mapped();
        assertThat(m.family()).isEqualTo(SockAddr.AF_INET6);
        assertThat(m.length()).isEqualTo(SockAddr.SOCKADDR_IN6_SIZE);
        assertThat(m.port()).isEqualTo(7000);
        assertThat(m.ip().getHostAddress()).isEqualTo("198.18.0.1"); // Java folds ::ffff:a.b.c.d into IPv4
    }
}
