package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NativeFaultsTest {
    @AfterEach
    void disarm() {
        NativeFaults.clear();
        NativeFaults.resetCounts();
    }

    @Test
    void failsExactlyTheNthCallOfTheArmedFunction() {
        NativeFaults.failNth("rdma_connect", 2, Errno.EIO);
        assertThat(NativeFaults.check("rdma_bind_addr")).isEmpty();
        assertThat(NativeFaults.check("rdma_connect")).isEmpty();
        assertThat(NativeFaults.check("rdma_connect")).isEqualTo(Optional.of(Errno.EIO));
        assertThat(NativeFaults.check("rdma_connect")).isEmpty();
        assertThat(NativeFaults.clear()).isEqualTo(1);
        assertThat(NativeFaults.callCounts()).containsEntry("rdma_connect", 3L).containsEntry("rdma_bind_addr", 1L);
    }

    @Test
    void disarmedInjectsNothing() {
        assertThat(NativeFaults.check("rdma_connect")).isEmpty();
        assertThat(NativeFaults.clear()).isZero();
    }

    @Test
    void badPlansAreRefused() {
        assertThatThrownBy(() -> NativeFaults.failNth("rdma_connect", 0, Errno.EIO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NativeFaults.fromProperty("rdma_connect:1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NativeFaults.fromProperty(" ")).isNull();
    }
}
