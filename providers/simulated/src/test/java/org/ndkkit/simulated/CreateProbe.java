package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;

/** Records a create completion. */
final class CreateProbe<T extends NdkObject> implements CreateCompletion<T> {
    final Object context = new Object();
    private final AtomicInteger count = new AtomicInteger();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile NtStatus status;
    private volatile T object;

    @Override
    public void created(Object ctx, NtStatus st, T obj) {
        assertThat(ctx).isSameAs(context);
        status = st;
        object = obj;
        count.incrementAndGet();
        done.countDown();
    }

    void await() {
        try {
            assertThat(done.await(Lab.WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("create completion").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    int count() {
        return count.get();
    }

    NtStatus status() {
        return status;
    }

    T object() {
        return object;
    }
}
