package org.ndkkit.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;

/**
 * The untimed SPI calls both sides of the benchmark make (create an object, listen, close what is
 * left, close the testbed) with NDK's inline-or-pending completion waited for within a bound, the
 * worker threads that take work handed over from callbacks, and the provider settings both read.
 * Failures are {@link BenchSession.BenchFailure}s naming the call.
 */
final class SpiCalls {
    /** Ends a {@link #worker}'s loop. */
    static final Object POISON = new Object();

    private SpiCalls() {
    }

    /** The created object, whether it came inline or through the completion within {@code boundMs}. */
    static <T extends NdkObject> T create(Function<CreateCompletion<T>, Created<T>> call, String what, long boundMs) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Created<T> c = call.apply((ctx, status, object) -> {
            if (status.equals(NtStatus.SUCCESS) && object != null) {
                f.complete(object);
            } else {
                f.completeExceptionally(new BenchSession.BenchFailure(what + " completed with " + status));
            }
        });
        if (c.status().isPending()) {
            try {
                return f.get(boundMs, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new BenchSession.BenchFailure(what + ": no completion within " + boundMs + " ms (" + e + ")");
            }
        }
        if (!c.status().equals(NtStatus.SUCCESS) || c.object() == null) {
            throw new BenchSession.BenchFailure(what + " returned " + c.status());
        }
        return c.object();
    }

    /** NdkListen on {@code at}, SUCCESS inline or through the completion within {@code boundMs}. */
    static void listen(NdkListener l, SockAddr at, long boundMs) {
        CompletableFuture<NtStatus> listened = new CompletableFuture<>();
        NtStatus s = l.listen(at, (ctx, st) -> listened.complete(st), null);
        if (s.isPending()) {
            try {
                s = listened.get(boundMs, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new BenchSession.BenchFailure("NdkListen(" + at + "): no completion within " + boundMs + " ms");
            }
        }
        if (!s.equals(NtStatus.SUCCESS)) {
            throw new BenchSession.BenchFailure("NdkListen(" + at + ") returned " + s);
        }
    }

    /** A started daemon thread doing {@code work} for each item of {@code queue} until {@link #POISON}. */
    static Thread worker(String name, BlockingQueue<Object> queue, Consumer<Object> work) {
        Thread t = new Thread(() -> {
            while (true) {
                Object o;
                try {
                    o = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (o == POISON) {
                    return;
                }
                work.accept(o);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The provider settings given as {@code -Dndk.provider.KEY=VALUE}, as the kit reads them. */
    static Map<String, String> providerSettings() {
        Map<String, String> settings = new TreeMap<>();
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("ndk.provider.")) {
                settings.put(k.toString().substring("ndk.provider.".length()), v.toString());
            }
        });
        return settings;
    }

    /**
     * Closes every object at once and waits at most {@code boundMs} for them all (a close that
     * throws counts as done).
     *
     * @return how many did not complete in time (0: all closed)
     */
    static long closeAll(List<? extends NdkObject> objects, long boundMs) {
        CountDownLatch done = new CountDownLatch(objects.size());
        for (NdkObject o : objects) {
            try {
                if (!o.close(ctx -> done.countDown(), null).isPending()) {
                    done.countDown();
                }
            } catch (RuntimeException e) {
                done.countDown();
            }
        }
        try {
            done.await(boundMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done.getCount();
    }

    /** Closes the testbed on a daemon thread, at most {@code boundMs}; false when it did not end in time. */
    static boolean closeTestbed(Testbed testbed, long boundMs, String threadName) {
        Thread closer = new Thread(testbed::close, threadName);
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(boundMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !closer.isAlive();
    }
}
