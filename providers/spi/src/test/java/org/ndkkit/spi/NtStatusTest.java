package org.ndkkit.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NtStatusTest {
    @Test
    void anUnknownCodeKeepsItsNumberAndIsNeverMappedToAGenericError() {
        NtStatus s = NtStatus.of(0xC0DE1234);
        assertThat(s.code()).isEqualTo(0xC0DE1234);
        assertThat(s.isKnown()).isFalse();
        assertThat(s.name()).isNull();
        assertThat(s.hex()).isEqualTo("0xC0DE1234");
        assertThat(s.toString()).isEqualTo("NTSTATUS (0xC0DE1234)");
        assertThat(s.isError()).isTrue();
        assertThat(s).isNotEqualTo(NtStatus.UNSUCCESSFUL).isNotEqualTo(NtStatus.INTERNAL_ERROR)
                .isEqualTo(NtStatus.of(0xC0DE1234));
    }

    @Test
    void knownCodesComeBackAsTheirNamedConstant() {
        assertThat(NtStatus.of(0xC00000B5)).isSameAs(NtStatus.IO_TIMEOUT);
        assertThat(NtStatus.IO_TIMEOUT).hasToString("STATUS_IO_TIMEOUT (0xC00000B5)");
        assertThat(NtStatus.named("IO_TIMEOUT")).isSameAs(NtStatus.IO_TIMEOUT);
        assertThat(NtStatus.named("STATUS_CONNECTION_REFUSED")).isSameAs(NtStatus.CONNECTION_REFUSED);
        assertThatThrownBy(() -> NtStatus.named("STATUS_NO_SUCH_THING")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void severityFollowsTheTopBits() {
        assertThat(NtStatus.SUCCESS.isSuccess()).isTrue();
        assertThat(NtStatus.PENDING.isSuccess()).isTrue();
        assertThat(NtStatus.PENDING.isPending()).isTrue();
        assertThat(NtStatus.BUFFER_OVERFLOW.isSuccess()).isFalse();
        assertThat(NtStatus.BUFFER_OVERFLOW.isError()).isFalse(); // a warning
        assertThat(NtStatus.CONNECTION_REFUSED.isError()).isTrue();
    }
}
