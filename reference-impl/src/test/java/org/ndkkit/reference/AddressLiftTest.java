package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the reference testbed may change addresses to lift a lab condition, and the GID it waits for. */
class AddressLiftTest {

    @Test
    void onlyInTheLabsVmUnlessAskedFor(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("lab.properties"), "mode=vm\n");
        Map<String, String> vm = Map.of("NDK_LAB_NETDEV", "ndk0", "NDK_LAB_OUT", dir.toString());
        assertThat(AddressLift.whyNot(Map.of(), vm)).isNull();
        assertThat(AddressLift.whyNot(Map.of("lift-conditions", "unavailable"), vm)).contains("unavailable");

        Files.writeString(dir.resolve("lab.properties"), "mode=direct\n");
        assertThat(AddressLift.whyNot(Map.of(), vm)).contains("does not change the host's addresses");
        assertThat(AddressLift.whyNot(Map.of("lift-conditions", "ip"), vm)).isNull();
        assertThat(AddressLift.whyNot(Map.of("lift-conditions", "ip"), Map.of())).contains("NDK_LAB_NETDEV");
        assertThatThrownBy(() -> AddressLift.whyNot(Map.of("lift-conditions", "yes"), vm))
                .hasMessageContaining("'ip' or 'unavailable'");
    }

    @Test
    void theGidOfAnAddressIsHowSysfsShowsIt() throws Exception {
        assertThat(AddressLift.gid(InetAddress.getByName("198.18.2.1"))).isEqualTo("0000:0000:0000:0000:0000:ffff:c612:0201");
        assertThat(AddressLift.gid(InetAddress.getByName("2001:2::1:1"))).isEqualTo("2001:0002:0000:0000:0000:0000:0001:0001");
    }
}
