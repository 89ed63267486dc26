package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Endpoint reference counting: antecedents closed before their successors. */
class LifetimeTest {

    @Test
    void anObjectWithoutSuccessorsClosesAtOnce() {
        Lifetime l = new Lifetime();
        assertThat(l.closeNowOrDefer(() -> { throw new AssertionError("not deferred"); })).isTrue();
        assertThat(l.isClosing()).isTrue();
    }

    @Test
    void aCloseIssuedFirstFinishesWhenTheLastSuccessorLetsGo() {
        Lifetime se = new Lifetime();
        List<String> order = new ArrayList<>();
        assertThat(se.acquire()).isTrue(); // C1
        assertThat(se.acquire()).isTrue(); // C2
        assertThat(se.closeNowOrDefer(() -> order.add("SE closed"))).isFalse();
        assertThat(se.acquire()).as("no new successor once the close was issued").isFalse();
        order.add("C1 closed");
        se.release();
        assertThat(order).containsExactly("C1 closed");
        order.add("C2 closed");
        se.release();
        assertThat(order).containsExactly("C1 closed", "C2 closed", "SE closed");
        assertThat(se.holders()).isZero();
    }

    @Test
    void releaseWithoutAcquireIsABug() {
        assertThatThrownBy(() -> new Lifetime().release()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSecondCloseIsRefusedAndTheFirstStillCompletesOnce() {
        Lifetime pd = new Lifetime();
        List<Object> completions = new ArrayList<>();
        assertThat(pd.acquire()).isTrue(); // a QP on the PD
        assertThat(pd.close(() -> { }, completions::add, "first", () -> { })).isEqualTo(org.ndkkit.spi.NtStatus.PENDING);
        assertThat(pd.close(() -> { }, completions::add, "second", () -> { }))
                .isEqualTo(org.ndkkit.spi.NtStatus.INVALID_DEVICE_STATE);
        pd.release();
        assertThat(completions).containsExactly("first");
    }

    @Test
    void aCloseWithoutACompletionIsRefusedAndChangesNothing() {
        Lifetime pd = new Lifetime();
        assertThat(pd.acquire()).isTrue();
        assertThat(pd.close(() -> { }, null, null, () -> { })).isEqualTo(org.ndkkit.spi.NtStatus.INVALID_PARAMETER);
        assertThat(pd.isClosing()).isFalse();
        pd.release();
    }
}
