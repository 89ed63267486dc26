package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void regionsAreZeroedAlignedAndGivenBackWhenTheScopeCloses() {
        assertThat(Scratch.inUse()).isZero();
        try (Scratch s = Scratch.open()) {
            Pointer a = s.zeroed(3);
            a.setByte(0, (byte) 7);
            Pointer b = s.zeroed(8);
            assertThat(Pointer.nativeValue(b) - Pointer.nativeValue(a)).isEqualTo(16);
            assertThat(b.getLong(0)).isZero();
            try (Scratch inner = Scratch.open()) {
                Pointer c = inner.zeroed(4);
                assertThat(Pointer.nativeValue(c)).isGreaterThan(Pointer.nativeValue(b));
            }
            assertThat(Scratch.inUse()).isEqualTo(24);
            assertThat(a.getByte(0)).isEqualTo((byte) 7); // the outer scope's data survives the inner one
        }
        assertThat(Scratch.inUse()).isZero();
        try (Scratch s = Scratch.open()) {
            assertThat(s.zeroed(3).getByte(0)).isZero(); // reused, and zeroed again
        }
    }

    @Test
    void aRequestLargerThanWhatIsLeftGetsItsOwnMemory() {
        try (Scratch s = Scratch.open()) {
            Pointer big = s.zeroed(Scratch.SIZE + 1);
            assertThat(big).isInstanceOf(Memory.class);
            assertThat(((Memory) big).size()).isEqualTo(Scratch.SIZE + 1);
            assertThat(Scratch.inUse()).isZero();
        }
    }

    @Test
    void misuseIsRefused() {
        Scratch s = Scratch.open();
        assertThatThrownBy(() -> s.zeroed(0)).isInstanceOf(IllegalArgumentException.class);
        s.close();
        assertThatThrownBy(s::close).isInstanceOf(IllegalStateException.class);
    }
}
