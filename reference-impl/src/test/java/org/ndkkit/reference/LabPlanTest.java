package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabPlanTest {
    private static final Map<String, String> ENV = Map.of(
            "NDK_LAB_LOCAL", "198.18.0.1,198.18.0.2",
            "NDK_LAB_PEER", "198.18.1.1, 198.18.1.2,198.18.1.3",
            "NDK_LAB_SILENT_HOST", "198.18.1.77",
            "NDK_LAB_HOST_UNREACHABLE", "198.18.2.1",
            "NDK_LAB_NETWORK_UNREACHABLE", "198.19.255.1",
            "NDK_LAB_FOREIGN", "198.18.3.1",
            "NDK_LAB_DEVICE", "rxe0",
            "NDK_LAB_CGROUP", "/sys/fs/cgroup/ndk-lab");

    @Test
    void addressesComeFromTheLabEnvironment() {
        LabPlan p = LabPlan.from(Map.of(), ENV::get);
        assertThat(p.local()).extracting(a -> a.getHostAddress()).containsExactly("198.18.0.1", "198.18.0.2");
        assertThat(p.peer()).hasSize(3);
        assertThat(p.silentHost().orElseThrow().getHostAddress()).isEqualTo("198.18.1.77");
        assertThat(p.hostUnreachable().orElseThrow().getHostAddress()).isEqualTo("198.18.2.1");
        assertThat(p.networkUnreachable().orElseThrow().getHostAddress()).isEqualTo("198.19.255.1");
        assertThat(p.foreign().orElseThrow().getHostAddress()).isEqualTo("198.18.3.1");
        assertThat(p.device()).contains("rxe0");
        assertThat(p.backlog()).isEqualTo(4);
        assertThat(p.exhaustResources()).isEqualTo("injected");
    }

    @Test
    void settingsOverrideTheEnvironment() {
        LabPlan p = LabPlan.from(Map.of("local", "10.0.0.1", "peer", "10.0.0.2", "silent-host", "10.0.0.9",
                "backlog", "2", "exhaust-resources", "cgroup"), ENV::get);
        assertThat(p.local()).extracting(a -> a.getHostAddress()).containsExactly("10.0.0.1");
        assertThat(p.peer()).extracting(a -> a.getHostAddress()).containsExactly("10.0.0.2");
        assertThat(p.silentHost().orElseThrow().getHostAddress()).isEqualTo("10.0.0.9");
        assertThat(p.backlog()).isEqualTo(2);
        assertThat(p.exhaustResources()).isEqualTo("cgroup");
    }

    @Test
    void ipv6LiteralsParseAndComeAfterTheIpv4Addresses() {
        LabPlan p = LabPlan.from(Map.of(), Map.of(
                "NDK_LAB_LOCAL", "198.18.0.1,198.18.0.2,2001:2::1",
                "NDK_LAB_PEER", "2001:2::1:1, 198.18.1.1,198.18.1.2,198.18.1.3")::get);
        assertThat(p.local()).extracting(a -> a.getHostAddress())
                .containsExactly("198.18.0.1", "198.18.0.2", "2001:2:0:0:0:0:0:1");
        assertThat(p.peer()).extracting(a -> a.getHostAddress())
                .containsExactly("198.18.1.1", "198.18.1.2", "198.18.1.3", "2001:2:0:0:0:0:1:1");
        assertThat(p.peer().get(3)).isInstanceOf(java.net.Inet6Address.class);
        assertThat(LabPlan.from(Map.of("foreign", "2001:0002:0000::0003:1"), k -> null).foreign().orElseThrow()
                .getHostAddress()).isEqualTo("2001:2:0:0:0:0:3:1");
    }

    @Test
    void malformedOrMappedIpv6IsRefusedWithoutANameLookup() {
        for (String bad : new String[] {"2001:2::1::2", "2001:2::g", "2001:2::1%ndk0", "[2001:2::1]",
                "2001:2::198.18.0.1", "lab:host"}) {
            assertThatThrownBy(() -> LabPlan.from(Map.of("local", bad), k -> null))
                    .as(bad).hasMessageContaining("not an IPv6 literal");
        }
        assertThatThrownBy(() -> LabPlan.from(Map.of("peer", "::ffff:c612:101"), k -> null))
                .hasMessageContaining("IPv4-mapped");
    }

    @Test
    void nothingSetGivesEmptyLists() {
        LabPlan p = LabPlan.from(Map.of(), k -> null);
        assertThat(p.local()).isEmpty();
        assertThat(p.silentHost()).isEmpty();
    }

    @Test
    void malformedValuesAreRefusedWithoutANameLookup() {
        assertThatThrownBy(() -> LabPlan.from(Map.of("local", "lab-host.example"), k -> null))
                .hasMessageContaining("not an IPv4 literal");
        assertThatThrownBy(() -> LabPlan.from(Map.of("local", "198.18.0.256"), k -> null))
                .hasMessageContaining("not an IPv4 literal");
        assertThatThrownBy(() -> LabPlan.from(Map.of("backlog", "0"), k -> null))
                .hasMessageContaining("backlog");
        assertThatThrownBy(() -> LabPlan.from(Map.of("exhaust-resources", "fake"), k -> null))
                .hasMessageContaining("exhaust-resources");
    }
}
