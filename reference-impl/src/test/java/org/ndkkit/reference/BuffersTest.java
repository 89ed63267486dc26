package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

class BuffersTest {
    private final Endpoint se = new Endpoint(LabPlan.ipv4("198.18.0.1", "t"), 50123);
    private final Endpoint se6 = new Endpoint(LabPlan.ipv6("2001:2::1", "t"), 50123);

    @Test
    void privateDataWithinTheLimitIsAcceptedAndOneMoreIsInvalidBufferSize() {
        assertThat(Buffers.checkPrivateData(new byte[56], 56, 56)).isNull();
        assertThat(Buffers.checkPrivateData(new byte[57], 57, 56)).isEqualTo(NtStatus.INVALID_BUFFER_SIZE);
        assertThat(Buffers.checkPrivateData(null, 0, 56)).isNull();
    }

    @Test
    void aLengthBeyondTheBufferIsAnErrorNotARead() {
        assertThat(Buffers.checkPrivateData(new byte[10], 20, 56)).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkPrivateData(null, 1, 56)).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkPrivateData(new byte[10], -1, 56)).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.copyPrivateData(new byte[] {1, 2, 3}, 2)).containsExactly(1, 2);
    }

    @Test
    void addressesMustBeWellFormedUnicast() {
        assertThat(Buffers.checkAddress(SockAddr.of("198.18.0.1", 1))).isNull();
        assertThat(Buffers.checkAddress(SockAddr.raw(new byte[16], 16))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkAddress(SockAddr.raw(SockAddr.of("198.18.0.1", 1).bytes(), 15)))
                .isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkAddress(SockAddr.of("0.0.0.0", 1))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(Buffers.checkAddress(SockAddr.of("255.255.255.255", 1))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(Buffers.checkAddress(null)).isEqualTo(NtStatus.INVALID_PARAMETER);
    }

    @Test
    void ipv6UnicastIsAcceptedInAllItsForms() {
        assertThat(Buffers.checkAddress(SockAddr.of("2001:2::1", 0))).isNull();
        assertThat(Buffers.checkAddress(SockAddr.of("2001:2::1:1", 65535))).isNull();
        // flowinfo and scope id are not part of the endpoint; extra bytes within the length are padding
        byte[] b = SockAddr.of("2001:2::1", 7).bytes();
        b[4] = 0x12;
        b[24] = 3;
        assertThat(Buffers.checkAddress(SockAddr.raw(b, 28))).isNull();
        assertThat(Buffers.checkAddress(SockAddr.raw(java.util.Arrays.copyOf(b, 32), 32))).isNull();
    }

    @Test
    void aShortOrUnusableIpv6AddressIsRefused() {
        byte[] b = SockAddr.of("2001:2::1", 7).bytes();
        assertThat(Buffers.checkAddress(SockAddr.raw(b, 27))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkAddress(SockAddr.raw(java.util.Arrays.copyOf(b, 16), 16)))
                .isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkAddress(SockAddr.of("::", 1))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(Buffers.checkAddress(SockAddr.of("ff02::1", 1))).isEqualTo(NtStatus.INVALID_ADDRESS);
    }

    @Test
    void anIpv4MappedIpv6AddressStaysAnError() {
        SockAddr mapped = LabKit.mapped(LabPlan.ipv4("198.18.0.1", "t"), 7);
        assertThat(mapped.bytes()).hasSize(28).startsWith(23, 0, 0, 7);
        assertThat(mapped.isWellFormed()).isTrue();
        assertThat(Buffers.checkAddress(mapped)).isEqualTo(NtStatus.INVALID_ADDRESS);
    }

    @Test
    void mixedFamiliesAreInvalidAddress() {
        Endpoint dest4 = new Endpoint(LabPlan.ipv4("198.18.1.1", "t"), 7000);
        Endpoint dest6 = new Endpoint(LabPlan.ipv6("2001:2::1:1", "t"), 7000);
        assertThat(Buffers.checkSameFamily(se, dest4)).isNull();
        assertThat(Buffers.checkSameFamily(se6, dest6)).isNull();
        assertThat(Buffers.checkSameFamily(se, dest6)).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(Buffers.checkSameFamily(se6, dest4)).isEqualTo(NtStatus.INVALID_ADDRESS);
    }

    @Test
    void ipv6AddressOutputIsA28ByteSockaddrIn6() {
        UlongRef len = new UlongRef(16);
        assertThat(Buffers.writeAddress(se6, new byte[16], len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(len.get()).isEqualTo(28);
        len = new UlongRef(27);
        byte[] small = new byte[27];
        assertThat(Buffers.writeAddress(se6, small, len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(small).containsOnly(0);
        assertThat(len.get()).isEqualTo(28);
        byte[] buf = new byte[64];
        len = new UlongRef(64);
        assertThat(Buffers.writeAddress(se6, buf, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(28);
        assertThat(buf[0] & 0xFF | (buf[1] & 0xFF) << 8).isEqualTo(SockAddr.AF_INET6);
        assertThat((buf[2] & 0xFF) << 8 | buf[3] & 0xFF).isEqualTo(50123);
        assertThat(java.util.Arrays.copyOfRange(buf, 4, 8)).containsOnly(0); // flowinfo
        assertThat(java.util.Arrays.copyOfRange(buf, 24, 64)).containsOnly(0); // scope id, nothing beyond
        assertThat(SockAddr.fromBuffer(buf, 28).sameEndpoint(SockAddr.of("2001:2::1", 50123))).isTrue();
    }

    @Test
    void addressOutputFollowsTheBufferProtocol() {
        UlongRef len = new UlongRef(0);
        assertThat(Buffers.writeAddress(se, null, len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(len.get()).isEqualTo(16);
        len = new UlongRef(15);
        assertThat(Buffers.writeAddress(se, new byte[15], len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(len.get()).isEqualTo(16);
        byte[] buf = new byte[128];
        len = new UlongRef(128);
        assertThat(Buffers.writeAddress(se, buf, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(16);
        assertThat(SockAddr.fromBuffer(buf, 16).sameEndpoint(SockAddr.of("198.18.0.1", 50123))).isTrue();
        // a declared length larger than the real buffer is bad input (the SPI's output-buffer rule),
        // even when the address would fit: nothing is written
        len = new UlongRef(128);
        assertThat(Buffers.writeAddress(se, new byte[8], len)).isEqualTo(NtStatus.INVALID_PARAMETER);
        byte[] roomy = new byte[19];
        len = new UlongRef(39);
        assertThat(Buffers.writeAddress(se, roomy, len)).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(roomy).containsOnly(0);
        assertThat(len.get()).isEqualTo(39);
    }

    @Test
    void connectionDataFollowsTheBufferProtocol() {
        byte[] sent = new byte[56];
        for (int i = 0; i < 20; i++) {
            sent[i] = (byte) (i + 1);
        }
        UlongRef len = new UlongRef(0);
        assertThat(Buffers.connectionData(sent, 56, null, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(56);
        byte[] small = new byte[55];
        len = new UlongRef(55);
        assertThat(Buffers.connectionData(sent, 56, small, len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(len.get()).isEqualTo(56);
        assertThat(small[19]).isEqualTo((byte) 20);
        byte[] big = new byte[120];
        len = new UlongRef(120);
        assertThat(Buffers.connectionData(sent, 56, big, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(56);
        assertThat(big[0]).isEqualTo((byte) 1);
        assertThat(Buffers.connectionData(sent, 56, null, new UlongRef(4))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.connectionData(sent, 56, big, null)).isEqualTo(NtStatus.INVALID_PARAMETER);
    }
}
