package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * {@link SoftRoceSmoke} under JUnit: runs only where the SoftRoCE lab is set up (lab/run exports
 * NDK_LAB=1 and the host/guest has a device under /sys/class/infiniband). On a host without
 * RDMA the binding layer is covered by the other tests of this package.
 */
class SoftRoceLoopbackTest {

    static boolean inRdmaLab() throws IOException {
        Path dir = Path.of("/sys/class/infiniband");
        if (!"1".equals(System.getenv("NDK_LAB")) || !Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    @Test
    @EnabledIf("inRdmaLab")
    void oneRcConnectionWithExternalQpsOverRxeLoopback() {
        assertThat(SoftRoceSmoke.run(System.out)).isEmpty();
    }
}
