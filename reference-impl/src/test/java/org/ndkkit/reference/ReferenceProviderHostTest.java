package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ndkkit.reference.rdma.RequiresRdmaCore;
import org.junit.jupiter.api.condition.DisabledIf;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/** What the provider does on a machine without RDMA (the host; CI). */
class ReferenceProviderHostTest {

    static boolean hasRdmaDevice() throws IOException {
        Path dir = Path.of("/sys/class/infiniband");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    @Test
    void theKitFindsItByName() {
        assertThat(Providers.byName("reference")).isInstanceOf(ReferenceProvider.class);
        assertThat(new ReferenceProvider().capabilities()).containsExactlyInAnyOrder(ProviderCapability.IPV4, ProviderCapability.IPV6);
    }

    @Test
    @DisabledIf("hasRdmaDevice")
    @RequiresRdmaCore
    void withoutAnRdmaDeviceOpeningTheTestbedIsAnEnvironmentErrorThatSaysHowToRunInTheLab() {
        assertThatThrownBy(() -> new ReferenceProvider().openTestbed(
                new TestbedOptions(Duration.ofMillis(1500), Map.of("local", "198.18.0.1", "peer", "198.18.1.1"))))
                .isInstanceOf(TestbedUnavailableException.class)
                .hasMessageContaining("no RDMA device")
                .hasMessageContaining("ENODEV")
                .hasMessageContaining("lab-suite.sh");
    }

    static boolean rdmaCoreLoads() {
        return org.ndkkit.reference.rdma.NativeLibraries.allLoaded();
    }

    /** Without rdma-core (a vendor's workstation) the same environment error names the missing library. */
    @Test
    @DisabledIf("rdmaCoreLoads")
    void withoutRdmaCoreOpeningTheTestbedIsAnEnvironmentErrorThatNamesTheLibrary() {
        assertThatThrownBy(() -> new ReferenceProvider().openTestbed(
                new TestbedOptions(Duration.ofMillis(1500), Map.of("local", "198.18.0.1", "peer", "198.18.1.1"))))
                .isInstanceOf(TestbedUnavailableException.class)
                .hasMessageContaining("librdmacm")
                .hasMessageContaining("lab-suite.sh");
    }
}
