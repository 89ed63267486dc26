package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NtStatus;

/** A timed-out wait leaves a thread dump that shows where the provider's threads were stuck. */
class ThreadDumpTest {
    @Test
    void aPendingCallThatNeverCompletesLeavesADumpWithTheStuckThread() throws Exception {
        ThreadDump.drain();
        Object gate = new Object();
        Thread stuck = new Thread(() -> {
            synchronized (gate) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "provider-event-thread-under-test");
        stuck.setDaemon(true);
        stuck.start();
        try {
            TrackedCall t = new TrackedCall(TrackedCall.Kind.REQUEST, "NdkConnect(C1)", "C1", new CallTrace(), false);
            t.begin();
            t.returned(NtStatus.PENDING);
            assertThatThrownBy(() -> t.await(Duration.ofMillis(50))).isInstanceOf(KitTimeout.class);
            assertThat(ThreadDump.drain()).singleElement().asString()
                    .contains("NdkConnect(C1)")
                    .contains("\"provider-event-thread-under-test\"")
                    .contains("java.lang.Object.wait");
            assertThat(ThreadDump.drain()).isEmpty();
        } finally {
            stuck.interrupt();
        }
    }
}
