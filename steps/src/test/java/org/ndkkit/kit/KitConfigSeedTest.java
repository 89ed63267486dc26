package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The run seed is read one way, whether it comes as {@code ndk.seed} or as the CLI's {@code --seed}. */
class KitConfigSeedTest {
    @Test
    void decimalAndHexCoverAll64Bits() {
        assertThat(KitConfig.parseSeed("19")).isEqualTo(19L);
        assertThat(KitConfig.parseSeed(" -7 ")).isEqualTo(-7L);
        assertThat(KitConfig.parseSeed("0xffffffffffffffff")).isEqualTo(-1L);
        assertThat(KitConfig.parseSeed("0X10")).isEqualTo(16L);
    }

    @Test
    void anythingElseIsRefusedWithTheValue() {
        assertThatThrownBy(() -> KitConfig.parseSeed("12ab")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'12ab'");
        assertThatThrownBy(() -> KitConfig.parseSeed("0x1ffffffffffffffff"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBadSeedPropertyFailsTheConfiguration() {
        Properties p = new Properties();
        p.setProperty("ndk.seed", "nope");
        assertThatThrownBy(() -> KitConfig.from(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ndk.seed");
    }
}
