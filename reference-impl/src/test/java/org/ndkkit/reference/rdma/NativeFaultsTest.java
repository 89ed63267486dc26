package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
