package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;

/** One asynchronous request: its inline status and every completion it got. */
final class Req implements RequestCompletion {
    final String name;
    final Object context = new Object();
    final List<Object> contexts = new CopyOnWriteArrayList<>();
    final List<NtStatus> statuses = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Lab lab;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Thread caller;
    private volatile boolean returned;
    volatile boolean completedInsideCall;
    volatile NtStatus inline;
    /** Runs inside the completion, after it is recorded. */
    volatile Runnable inside = () -> { };

    Req(String name, Lab lab) {
        this.name = name;
        this.lab = lab;
    }

    NtStatus run(Supplier<NtStatus> call) {
        caller = Thread.currentThread();
        inline = call.get();
        returned = true;
        return inline;
    }

    @Override
    public void completed(Object ctx, NtStatus status) {
        contexts.add(ctx);
        statuses.add(status);
        threads.add(Thread.currentThread());
        if (!returned && Thread.currentThread() == caller) {
            completedInsideCall = true;
        }
        lab.log.add(name + " " + status.name());
        inside.run();
        done.countDown();
    }

    /** The final status: the inline one, or the completion's after PENDING. */
    NtStatus outcome() {
        if (!inline.isPending()) {
            return inline;
        }
        await();
        return statuses.get(0);
    }

    boolean isComplete() {
        return done.getCount() == 0;
    }

    void await() {
        try {
            assertThat(done.await(Lab.WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(name + " completes").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** NDK's rule: one completion with the caller's context iff PENDING, none otherwise. */
    void assertContract() {
        lab.quiet();
        if (inline.isPending()) {
            assertThat(statuses).as(name + " completions").hasSize(1);
            assertThat(contexts.get(0)).isSameAs(context);
        } else {
            assertThat(statuses).as(name + " completions after inline " + inline).isEmpty();
        }
    }
}
