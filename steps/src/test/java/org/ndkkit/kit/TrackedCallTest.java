package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NtStatus;

/** The kit's own check of NDK's completion rule must catch each way a provider can break it. */
class TrackedCallTest {
    private final CallTrace trace = new CallTrace();

    private TrackedCall call() {
        TrackedCall t = new TrackedCall(TrackedCall.Kind.REQUEST, "NdkConnect(C1)", "C1", trace, false);
        t.begin();
        return t;
    }

    @Test
    void inlineFailureWithoutCompletionIsClean() {
        TrackedCall t = call();
        t.returned(NtStatus.CONNECTION_REFUSED);
        assertThat(t.await(Duration.ofMillis(10))).isEqualTo(new Outcome(NtStatus.CONNECTION_REFUSED, Outcome.Path.INLINE));
        assertThat(t.violations(true)).isEmpty();
    }

    @Test
    void aCompletionAfterAnInlineFailureIsAViolation() {
        TrackedCall t = call();
        t.requestCompletion().completed(t.context(), NtStatus.CONNECTION_REFUSED);
        t.returned(NtStatus.CONNECTION_REFUSED);
        // The completion ran before the call returned: the call had to return PENDING, too.
        assertThat(t.violations(true)).extracting(Violation::clause)
                .containsExactly("ASYNC-NO-COMPLETION-AFTER-INLINE", "ASYNC-COMPLETION-IN-CALL");
        assertThatThrownBy(() -> t.await(Duration.ofMillis(10))).hasMessageContaining("ASYNC-NO-COMPLETION-AFTER-INLINE")
                .hasMessageContaining("ASYNC-COMPLETION-IN-CALL");
    }

    @Test
    void aCompletionInsideTheCallIsLegalWhenTheCallReturnsPending() {
        TrackedCall t = call();
        t.requestCompletion().completed(t.context(), NtStatus.IO_TIMEOUT);
        t.returned(NtStatus.PENDING);
        assertThat(t.await(Duration.ofMillis(10))).isEqualTo(new Outcome(NtStatus.IO_TIMEOUT, Outcome.Path.PENDING_COMPLETED_IN_CALL));
        assertThat(t.violations(true)).isEmpty();
    }

    @Test
    void twoCompletionsAWrongContextAndNoCompletionAreViolations() {
        TrackedCall twice = call();
        twice.returned(NtStatus.PENDING);
        twice.requestCompletion().completed(twice.context(), NtStatus.SUCCESS);
        twice.requestCompletion().completed(twice.context(), NtStatus.SUCCESS);
        assertThat(twice.violations(false)).extracting(Violation::clause).containsExactly("ASYNC-PENDING-COMPLETES-ONCE");

        TrackedCall wrong = call();
        wrong.returned(NtStatus.PENDING);
        wrong.requestCompletion().completed("someone else's context", NtStatus.SUCCESS);
        assertThat(wrong.violations(true)).extracting(Violation::clause).containsExactly("ASYNC-CONTEXT-RETURNED");

        TrackedCall never = call();
        never.returned(NtStatus.PENDING);
        assertThat(never.violations(false)).isEmpty();
        assertThat(never.violations(true)).extracting(Violation::clause).containsExactly("ASYNC-PENDING-COMPLETES-ONCE");
    }

    @Test
    void aPendingCallThatNeverCompletesIsATimeoutNotAHang() {
        TrackedCall t = call();
        t.returned(NtStatus.PENDING);
        long start = System.nanoTime();
        assertThatThrownBy(() -> t.await(Duration.ofMillis(50))).isInstanceOf(KitTimeout.class)
                .hasMessageStartingWith("timeout: ").hasMessageContaining("STATUS_PENDING (0x00000103)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aNullContextMustComeBackNull() {
        TrackedCall t = new TrackedCall(TrackedCall.Kind.REQUEST, "NdkConnect(C1)", "C1", trace, true);
        t.begin();
        t.returned(NtStatus.PENDING);
        t.requestCompletion().completed(null, NtStatus.SUCCESS);
        assertThat(t.context()).isNull();
        assertThat(t.violations(true)).isEmpty();

        TrackedCall u = new TrackedCall(TrackedCall.Kind.REQUEST, "NdkConnect(C2)", "C2", trace, true);
        u.begin();
        u.returned(NtStatus.PENDING);
        u.requestCompletion().completed("invented", NtStatus.SUCCESS);
        assertThat(u.violations(true)).extracting(Violation::clause).containsExactly("ASYNC-CONTEXT-RETURNED");
    }

    @Test
    void aHeldCloseCompletionRecordsWhenItReturned() {
        TrackedCall t = new TrackedCall(TrackedCall.Kind.CLOSE, "NdkCloseObject(C1)", "C1", trace, false);
        t.begin();
        t.returned(NtStatus.PENDING);
        long before = System.nanoTime();
        t.closeCompletion(Duration.ofMillis(30)).closed(t.context());
        assertThat(t.completions()).hasSize(1);
        assertThat(t.callbackReturnedNanos() - t.completions().get(0).nanos()).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
        assertThat(t.callbackReturnedNanos()).isGreaterThan(before);
    }
}
