package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.RdmaTechnology;

class LimitExpressionTest {
    private static AdapterInfo info(int in, int out, int caller, int callee) {
        return new AdapterInfo(1, 2, 0, 0, 0, 0, 16, 1, 1, 1, 0, 0, in, out, 1, 1, 0, 1, 0, caller, callee, 0,
                RdmaTechnology.ROCE_V2);
    }

    private final AdapterInfo local = info(16, 8, 56, 148);
    private final AdapterInfo peer = info(32, 24, 40, 100);

    private long eval(String s) {
        assertThat(s).matches(LimitExpression.REGEX);
        return LimitExpression.evaluate(s, local, peer);
    }

    @Test
    void numbersFieldsOffsetsAndMinima() {
        assertThat(eval("4294967295")).isEqualTo(4294967295L);
        assertThat(eval("MaxInboundReadLimit")).isEqualTo(16);
        assertThat(eval("the peer's MaxOutboundReadLimit")).isEqualTo(24);
        assertThat(eval("peer's MaxCalleeData + 1")).isEqualTo(101);
        assertThat(eval("MaxCallerData - 1")).isEqualTo(55);
        assertThat(eval("min(MaxInboundReadLimit, the peer's MaxOutboundReadLimit)")).isEqualTo(16);
        assertThat(eval("min(MaxOutboundReadLimit, the peer's MaxInboundReadLimit)")).isEqualTo(8);
    }

    @Test
    void outOfRangeValuesAreRefusedClearly() {
        assertThatThrownBy(() -> LimitExpression.evaluate("4294967295 + 1", local, peer))
                .isInstanceOf(LimitExpression.OutOfRange.class).hasMessageContaining("outside the ULONG range");
        assertThatThrownBy(() -> LimitExpression.evaluate("0 - 1", local, peer)).isInstanceOf(LimitExpression.OutOfRange.class);
        assertThatThrownBy(() -> LimitExpression.evaluate("MaxNothing", local, peer)).hasMessageContaining("unknown");
    }
}
