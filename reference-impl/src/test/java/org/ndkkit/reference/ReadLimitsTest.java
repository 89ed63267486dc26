package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadLimitsTest {
    @Test
    void valuesAboveTheMaximumAreCappedAsUnsigned() {
        assertThat(ReadLimits.cap(129, 128)).isEqualTo(128);
        assertThat(ReadLimits.cap(-1, 128)).as("4294967295 is the largest ULONG, not -1").isEqualTo(128);
        assertThat(ReadLimits.cap(128, 128)).isEqualTo(128);
        assertThat(ReadLimits.cap(127, 128)).isEqualTo(127);
        assertThat(ReadLimits.cap(0, 128)).isZero();
    }

    @Test
    void theEffectiveValueIsTheLowerOfOwnAndPeerOpposite() {
        // active asks in 2; the peer accepts with outbound 1, 2, 3
        assertThat(ReadLimits.effective(ReadLimits.cap(2, 128), ReadLimits.cap(1, 128))).isEqualTo(1);
        assertThat(ReadLimits.effective(ReadLimits.cap(2, 128), ReadLimits.cap(2, 128))).isEqualTo(2);
        assertThat(ReadLimits.effective(ReadLimits.cap(2, 128), ReadLimits.cap(3, 128))).isEqualTo(2);
        // both above every maximum: the lower adapter maximum
        assertThat(ReadLimits.effective(ReadLimits.cap(-1, 128), ReadLimits.cap(-1, 16))).isEqualTo(16);
        assertThat(ReadLimits.effective(0, 128)).isZero();
    }

    @Test
    void theWireValueFitsAUint8() {
        assertThat(ReadLimits.wire(128)).isEqualTo(128);
        assertThat(ReadLimits.wire(1000)).isEqualTo(255);
        assertThat(ReadLimits.wire(-1)).isEqualTo(255);
    }
}
