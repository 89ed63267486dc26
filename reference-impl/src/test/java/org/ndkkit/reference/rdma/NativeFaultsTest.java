package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NativeFaultsTest {
    @BeforeEach
    void startCounting() {
        NativeFaults.resetCounts();
    }

    @AfterEach
    void disarm() {
        NativeFaults.clear();
        NativeFaults.resetCounts();
    }

    @Test
    void failsExactlyTheNthCallOfTheArmedFunction() {
        NativeFaults.failNth("rdma_connect", 2, Errno.EIO);
        assertThat(NativeFaults.check("rdma_bind_addr")).isZero();
        assertThat(NativeFaults.check("rdma_connect")).isZero();
        assertThat(NativeFaults.check("rdma_connect")).isEqualTo(Errno.EIO);
        assertThat(NativeFaults.check("rdma_connect")).isZero();
        assertThat(NativeFaults.clear()).isEqualTo(1);
        assertThat(NativeFaults.callCounts()).containsEntry("rdma_connect", 3L).containsEntry("rdma_bind_addr", 1L);
    }

    @Test
    void disarmedInjectsNothing() {
        assertThat(NativeFaults.check("rdma_connect")).isZero();
        assertThat(NativeFaults.clear()).isZero();
    }

    @Test
    void badPlansAreRefused() {
        assertThatThrownBy(() -> NativeFaults.failNth("rdma_connect", 0, Errno.EIO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeFaults.failNth("rdma_connect", 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeFaults.fromProperty("rdma_connect:1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeFaults.fromProperty("rdma_connect:1:0")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NativeFaults.fromProperty(" ")).isNull();
    }

    @Test
    void aHoldFailsItsFunctionsOnItsScopeOnlyUntilClosed() {
        EventChannel mine = new EventChannel(new Memory(8), -1);
        EventChannel other = new EventChannel(new Memory(8), -1);
        CmId myId = new CmId(new Memory(new CmStructs.RdmaCmId().size()), mine);
        CmId otherId = new CmId(new Memory(new CmStructs.RdmaCmId().size()), other);
        NativeFaults.Hold h = NativeFaults.hold(Set.of("rdma_create_id", "rdma_connect"), mine, Errno.ENOMEM);
        try {
            assertThat(NativeFaults.check("rdma_create_id", mine)).isEqualTo(Errno.ENOMEM);
            assertThat(NativeFaults.check("rdma_connect", myId)).as("an id is in its channel's scope").isEqualTo(Errno.ENOMEM);
            assertThat(NativeFaults.check("rdma_connect", List.of(otherId, myId))).isEqualTo(Errno.ENOMEM);
            assertThat(NativeFaults.check("rdma_bind_addr", myId)).as("a function not held").isZero();
            assertThat(NativeFaults.check("rdma_connect", otherId)).as("another adapter's id").isZero();
            assertThat(NativeFaults.check("rdma_create_id", other)).isZero();
            assertThat(h.injected()).isEqualTo(3);
        } finally {
            h.close();
        }
        assertThat(NativeFaults.check("rdma_connect", myId)).as("released").isZero();
        h.close(); // idempotent
        assertThatThrownBy(() -> NativeFaults.hold(Set.of(), mine, Errno.ENOMEM)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeFaults.hold(Set.of("rdma_connect"), mine, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHeldCallIsRefusedByTheSafetyLayerWithoutRunningTheBody() {
        EventChannel mine = new EventChannel(new Memory(8), -1);
        try (NativeFaults.Hold h = NativeFaults.hold(Set.of("rdma_listen"), mine, Errno.ENOMEM)) {
            boolean[] ran = new boolean[1];
            RdmaResult<Void> r = NativeHandle.using("rdma_listen", mine, () -> {
                ran[0] = true;
                return RdmaResult.success("rdma_listen", null);
            });
            assertThat(r.ok()).isFalse();
            assertThat(r.errno()).isEqualTo(Errno.ENOMEM);
            assertThat(ran[0]).isFalse();
            assertThat(h.injected()).isEqualTo(1);
        }
    }

}
