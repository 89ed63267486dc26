package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NtStatus;

/** One close call: its status and its completion. */
final class Closing implements CloseCompletion {
    final String name;
    final Object context = new Object();
    final AtomicInteger completions = new AtomicInteger();
    volatile NtStatus status;
    private final Lab lab;
    private final CountDownLatch done = new CountDownLatch(1);

    Closing(String name, Lab lab) {
        this.name = name;
        this.lab = lab;
    }

    @Override
    public void closed(Object ctx) {
        assertThat(ctx).isSameAs(context);
        lab.log.add("closed " + name);
        completions.incrementAndGet();
        done.countDown();
    }

    /** Closed for good: SUCCESS, or PENDING and its one completion. */
    void awaitClosed() {
        if (status.equals(NtStatus.SUCCESS)) {
            lab.quiet();
            assertThat(completions.get()).as(name + " close completions after SUCCESS").isZero();
            return;
        }
        try {
            assertThat(done.await(Lab.WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(name + " close completes").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        lab.quiet();
        assertThat(completions.get()).isEqualTo(1);
    }

    boolean completed() {
        return completions.get() > 0;
    }
}
