package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The libraries load and behave as expected on this host: with no RDMA device,
 * {@code rdma_create_event_channel()} fails with ENODEV; with one (a device under
 * /sys/class/infiniband, e.g. rxe0 in the SoftRoCE lab VM) it succeeds.
 */
@RequiresRdmaCore
class NativeLibrariesTest {

    private static boolean hostHasRdmaDevice() throws IOException {
        Path dir = Path.of("/sys/class/infiniband");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    @Test
    void librariesLoad() {
        assertThat(NativeLibraries.rdmacmProblem()).as("librdmacm.so.1").isEmpty();
        assertThat(NativeLibraries.ibverbsProblem()).as("libibverbs.so.1").isEmpty();
        assertThat(NativeLibraries.libcProblem()).as("libc").isEmpty();
        assertThat(NativeLibraries.allLoaded()).isTrue();
    }

    @Test
    void eventChannelFailsWithEnodevWithoutRdmaAndWorksWithIt() throws IOException {
        RdmaResult<EventChannel> r = RdmaCm.createEventChannel();
        if (hostHasRdmaDevice()) {
            assertThat(r.ok()).as(r.toString()).isTrue();
            EventChannel ch = r.value();
            assertThat(ch.fd()).isGreaterThanOrEqualTo(0);
            // Nothing happened on the channel: an immediate look finds no event.
            RdmaResult<java.util.Optional<CmEvent>> ev = RdmaCm.getCmEvent(ch, 0);
            assertThat(ev.ok()).as(ev.toString()).isTrue();
            assertThat(ev.value()).isEmpty();
            assertThat(RdmaCm.destroyEventChannel(ch).ok()).isTrue();
            assertThat(ch.isDestroyed()).isTrue();
        } else {
            assertThat(r.ok()).as(r.toString()).isFalse();
            assertThat(r.kind()).isEqualTo(RdmaResult.Kind.NATIVE_ERROR);
            assertThat(r.errno()).as(r.toString()).isEqualTo(Errno.ENODEV);
            assertThat(r.errnoName()).isEqualTo("ENODEV");
        }
    }

    @Test
    void deviceListIsEmptyOrAFailureWithoutRdma() throws IOException {
        RdmaResult<List<String>> r = Verbs.deviceNames();
        if (hostHasRdmaDevice()) {
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(r.value()).isNotEmpty();
        } else if (r.ok()) {
            assertThat(r.value()).isEmpty();
        } else {
            assertThat(r.kind()).isEqualTo(RdmaResult.Kind.NATIVE_ERROR);
        }
    }

    @Test
    void stringHelpersCallIntoTheLibraries() {
        assertThat(RdmaCm.eventStr(CmConstants.RDMA_CM_EVENT_ESTABLISHED))
                .isEqualTo("RDMA_CM_EVENT_ESTABLISHED");
        assertThat(RdmaCm.eventStr(CmConstants.RDMA_CM_EVENT_REJECTED))
                .isEqualTo("RDMA_CM_EVENT_REJECTED");
        assertThat(Verbs.wcStatusStr(VerbsConstants.IBV_WC_SUCCESS)).isEqualTo("success");
        assertThat(Verbs.wcStatusStr(VerbsConstants.IBV_WC_RETRY_EXC_ERR))
                .isEqualTo("transport retry counter exceeded");
    }
}
