package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

class BuffersTest {
    private final Endpoint se = new Endpoint(LabPlan.ipv4("198.18.0.1", "t"), 50123);

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
    void addressesMustBeWellFormedIpv4Unicast() {
        assertThat(Buffers.checkAddress(SockAddr.of("198.18.0.1", 1))).isNull();
        assertThat(Buffers.checkAddress(SockAddr.raw(new byte[16], 16))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkAddress(SockAddr.raw(SockAddr.of("198.18.0.1", 1).bytes(), 15)))
                .isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(Buffers.checkAddress(SockAddr.of("0.0.0.0", 1))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(Buffers.checkAddress(SockAddr.of("::1", 1))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(Buffers.checkAddress(null)).isEqualTo(NtStatus.INVALID_PARAMETER);
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
