package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.agent.AgentServer;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * The callback rules of ndk.wire.v1, end to end: a scripted provider behind an in-JVM agent, driven
 * through {@code remote}. The kit must see each completion when and where an in-process consumer
 * would: one made inside the call on the calling thread, one made on another thread before the call
 * returned before the call returns, one made after it returned after; calls its handler makes run
 * on the provider thread that is blocked in that callback; contexts keep their identity; and a
 * defect (a completion called twice) is not hidden by the wire.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CallbackOrderTest {
    private static final long WAIT_S = 5;

    private ScriptedProvider provider;
    private AgentServer agent;
    private Testbed testbed;
    private NdkConnector connector;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Thread> providerThreads = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        provider = new ScriptedProvider();
        agent = AgentServer.start(provider, Map.of(), new InetSocketAddress("127.0.0.1", 0), false);
        testbed = new RemoteProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(5), Map.of(
                "local", "127.0.0.1:" + agent.port(), "rpc-timeout-ms", "5000", "callback-timeout-ms", "10000")));
        connector = testbed.adapter(Host.LOCAL).createConnector(null, null).object();
        assertThat(connector).isNotNull();
    }

    @AfterEach
    void close() throws InterruptedException {
        try {
            if (testbed != null) {
                long t0 = System.nanoTime();
                testbed.close();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            agent.close();
            for (Thread t : providerThreads) {
                t.join(WAIT_S * 1000);
            }
        }
    }

    private NtStatus connect(RequestCompletion completion, Object context) {
        return connector.connect(null, null, null, 0, 0, null, 0, completion, context);
    }

    /** A provider thread that makes a callback on its own (not on a call's thread). */
    private Thread providerThread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        providerThreads.add(t);
        t.start();
        return t;
    }

    /**
     * Waits until the completion {@code t} makes has been made: {@code t} is parked in it (the agent
     * holds it for the kit's handler), or it has already returned from it.
     */
    private static void awaitMade(Thread t, AtomicBoolean completionReturned) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!completionReturned.get() && t.getState() != Thread.State.WAITING
                && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                fail(t.getName() + " never came to wait in its completion (state " + t.getState() + ")");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * How many of the session's callbacks the kit has started to deliver, in order (its
     * {@link DeliveryClock}). The contract: a call returns only once every callback the agent
     * observed before the call returned has started. (The handler's first line may run a moment
     * later, on its own thread, so that is what is checked, not the handler's first line.)
     */
    private long deliveriesStarted() {
        try {
            java.lang.reflect.Field f = AgentLink.class.getDeclaredField("clock");
            f.setAccessible(true);
            return ((DeliveryClock) f.get(((RemoteHandle) connector).link())).contiguous();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("AgentLink has no DeliveryClock named clock", e);
        }
    }

    private static void await(CountDownLatch l, String what) {
        try {
            assertThat(l.await(WAIT_S, TimeUnit.SECONDS)).as(what).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted waiting for " + what);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------- (a)-(c) when

    /** (a) Completed on the calling thread inside the call, which then returns PENDING (NDK's L12). */
    @Test
    void aCompletionInsideTheCallRunsOnTheCallingThreadBeforeItReturns() {
        provider.connect = (c, ctx) -> {
            events.add("provider: completes");
            c.completed(ctx, NtStatus.SUCCESS);
            events.add("provider: its completion returned");
            return NtStatus.PENDING;
        };
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        AtomicReference<NtStatus> status = new AtomicReference<>();
        NtStatus st = connect((ctx, s) -> {
            events.add("kit: handler starts");
            handlerThread.set(Thread.currentThread());
            status.set(s);
            sleep(50);
            events.add("kit: handler returns");
        }, "ctx");
        events.add("kit: call returned");

        assertThat(st).isEqualTo(NtStatus.PENDING);
        assertThat(status.get()).isEqualTo(NtStatus.SUCCESS);
        assertThat(handlerThread.get()).as("the kit's calling thread").isSameAs(caller);
        // the provider's completion returns only once the kit's handler has: as in-process
        assertThat(events).containsExactly("provider: completes", "kit: handler starts", "kit: handler returns",
                "provider: its completion returned", "kit: call returned");
    }

    /**
     * (b) Completed on another provider thread before the call returned: the kit has started to
     * deliver it when the call returns, and runs the handler on a thread of its own.
     */
    @Test
    void aCompletionFromAnotherThreadBeforeTheReturnIsDeliveredBeforeTheCallReturns() {
        for (int round = 1; round <= 20; round++) {
            events.clear();
            provider.connect = (c, ctx) -> {
                CountDownLatch completing = new CountDownLatch(1);
                AtomicBoolean completionReturned = new AtomicBoolean();
                Thread x = providerThread("scripted-completer", () -> {
                    completing.countDown();
                    c.completed(ctx, NtStatus.SUCCESS);
                    completionReturned.set(true);
                    events.add("provider: its completion returned");
                });
                await(completing, "the other thread starts its completion");
                awaitMade(x, completionReturned);
                events.add("provider: returns PENDING");
                return NtStatus.PENDING;
            };
            Thread caller = Thread.currentThread();
            AtomicReference<Thread> handlerThread = new AtomicReference<>();
            CountDownLatch handled = new CountDownLatch(1);
            NtStatus st = connect((ctx, s) -> {
                handlerThread.set(Thread.currentThread());
                handled.countDown();
            }, "ctx");
            long started = deliveriesStarted();
            events.add("kit: call returned");
            await(handled, "the handler");

            assertThat(st).isEqualTo(NtStatus.PENDING);
            assertThat(started).as("round %d: callbacks the kit had started when the call returned", round)
                    .isGreaterThanOrEqualTo(round);
            assertThat(handlerThread.get()).isNotSameAs(caller);
            assertThat(handlerThread.get().getName()).startsWith("ndk-remote-callback-");
        }
    }

    /** (c) Completed after the call returned: delivered after it, on a thread of the kit's own. */
    @Test
    void aCompletionAfterTheReturnIsDeliveredAfterIt() {
        AtomicReference<RequestCompletion> stored = new AtomicReference<>();
        AtomicReference<Object> storedCtx = new AtomicReference<>();
        provider.connect = (c, ctx) -> {
            stored.set(c);
            storedCtx.set(ctx);
            events.add("provider: returns PENDING");
            return NtStatus.PENDING;
        };
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        NtStatus st = connect((ctx, s) -> {
            events.add("kit: handler starts");
            handlerThread.set(Thread.currentThread());
            handled.countDown();
        }, "ctx");
        events.add("kit: call returned");
        sleep(100);
        assertThat(events).doesNotContain("kit: handler starts");
        assertThat(deliveriesStarted()).isZero();

        providerThread("scripted-late", () -> stored.get().completed(storedCtx.get(), NtStatus.IO_TIMEOUT));
        await(handled, "the late completion");
        assertThat(st).isEqualTo(NtStatus.PENDING);
        assertThat(events).containsExactly("provider: returns PENDING", "kit: call returned", "kit: handler starts");
        assertThat(handlerThread.get()).isNotSameAs(caller);
    }

    /**
     * A completion of an earlier request, made on another provider thread while the kit's calling
     * thread is in a later, unrelated call: it is seen before that call returns (the agent observed
     * it first) but never runs inside it, on the calling thread.
     */
    @Test
    void anEarlierRequestsCompletionDuringALaterCallDoesNotRunInsideIt() {
        AtomicReference<RequestCompletion> stored = new AtomicReference<>();
        AtomicReference<Object> storedCtx = new AtomicReference<>();
        provider.connect = (c, ctx) -> {
            stored.set(c);
            storedCtx.set(ctx);
            return NtStatus.PENDING;
        };
        AtomicReference<Thread> firstHandler = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        assertThat(connect((ctx, s) -> {
            firstHandler.set(Thread.currentThread());
            events.add("kit: first request's handler");
            handled.countDown();
        }, "first")).isEqualTo(NtStatus.PENDING);

        provider.connect = (c, ctx) -> {
            AtomicBoolean completionReturned = new AtomicBoolean();
            Thread x = providerThread("scripted-earlier", () -> {
                stored.get().completed(storedCtx.get(), NtStatus.SUCCESS);
                completionReturned.set(true);
            });
            awaitMade(x, completionReturned);
            return NtStatus.PENDING;
        };
        assertThat(deliveriesStarted()).isZero();
        assertThat(connect((ctx, s) -> { }, "second")).isEqualTo(NtStatus.PENDING);
        assertThat(deliveriesStarted()).as("started before the second call returned").isEqualTo(1);
        await(handled, "the first request's completion");
        assertThat(firstHandler.get()).as("not on the calling thread").isNotSameAs(Thread.currentThread());
        assertThat(events).containsExactly("kit: first request's handler");
    }

    // ------------------------------------------------------------------------- (d) where nested calls run

    /** (d) The kit's handler closes the connector from inside an in-call completion. */
    @Test
    void aCallFromAnInCallHandlerRunsOnTheThreadBlockedInTheCallback() {
        AtomicReference<String> completer = new AtomicReference<>();
        provider.connect = (c, ctx) -> {
            completer.set(Thread.currentThread().getName());
            c.completed(ctx, NtStatus.SUCCESS);
            return NtStatus.PENDING;
        };
        AtomicReference<NtStatus> closed = new AtomicReference<>();
        NtStatus st = connect((ctx, s) -> closed.set(connector.close(c -> { }, "close-ctx")), "ctx");
        assertThat(st).isEqualTo(NtStatus.PENDING);
        assertThat(closed.get()).isEqualTo(NtStatus.SUCCESS);
        assertThat(provider.closeThreads).containsExactly(completer.get());
    }

    /** (d) The same from a completion made on a provider thread of its own. */
    @Test
    void aCallFromAnOutOfCallHandlerRunsOnTheThreadBlockedInTheCallback() {
        AtomicReference<RequestCompletion> stored = new AtomicReference<>();
        AtomicReference<Object> storedCtx = new AtomicReference<>();
        provider.connect = (c, ctx) -> {
            stored.set(c);
            storedCtx.set(ctx);
            return NtStatus.PENDING;
        };
        AtomicReference<NtStatus> closed = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        assertThat(connect((ctx, s) -> {
            closed.set(connector.close(c -> { }, null));
            handled.countDown();
        }, "ctx")).isEqualTo(NtStatus.PENDING);
        providerThread("scripted-completer", () -> stored.get().completed(storedCtx.get(), NtStatus.SUCCESS));
        await(handled, "the handler");
        assertThat(closed.get()).isEqualTo(NtStatus.SUCCESS);
        assertThat(provider.closeThreads).containsExactly("scripted-completer");
    }

    // ------------------------------------------------------------------------- (e) contexts

    @Test
    void contextsKeepTheirIdentity() {
        provider.connect = (c, ctx) -> {
            c.completed(ctx, NtStatus.SUCCESS);
            return NtStatus.PENDING;
        };
        List<Object> seen = new ArrayList<>();
        RequestCompletion record = (ctx, s) -> seen.add(ctx == null ? "null" : ctx);
        Object mine = new Object();
        connect(record, mine);
        connect(record, mine);
        connect(record, null);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).isSameAs(mine);
        assertThat(seen.get(1)).isSameAs(mine);
        assertThat(seen.get(2)).isEqualTo("null");
        // on the provider's side: one object for one kit context, and NULL for NULL
        assertThat(provider.contextsGiven.get(0)).isNotNull().isNotEqualTo("null").isNotSameAs(mine);
        assertThat(provider.contextsGiven.get(1)).isSameAs(provider.contextsGiven.get(0));
        assertThat(provider.contextsGiven.get(2)).isEqualTo("null");

        // a context of another request comes back as that request's object
        Object other = new Object();
        Object firstGiven = provider.contextsGiven.get(0);
        provider.connect = (c, ctx) -> {
            c.completed(firstGiven, NtStatus.SUCCESS);
            return NtStatus.PENDING;
        };
        connect(record, other);
        assertThat(seen.get(3)).isSameAs(mine);

        // a context the provider invents: a distinct object, never the kit's, never NULL
        provider.connect = (c, ctx) -> {
            c.completed(new Object() {
                @Override
                public String toString() {
                    return "invented by the provider";
                }
            }, NtStatus.SUCCESS);
            return NtStatus.PENDING;
        };
        connect(record, mine);
        connect(record, mine);
        assertThat(seen.get(4)).isNotNull().isNotEqualTo("null").isNotSameAs(mine).isNotSameAs(other);
        assertThat(seen.get(4).toString()).contains("never given").contains("invented by the provider");
        assertThat(seen.get(5)).isNotSameAs(seen.get(4)).isNotSameAs(mine);
    }

    // ------------------------------------------------------------------------- (f) defects cross the wire

    @Test
    void aCompletionCalledTwiceReachesTheKitTwice() {
        provider.connect = (c, ctx) -> {
            c.completed(ctx, NtStatus.SUCCESS);
            c.completed(ctx, NtStatus.CONNECTION_REFUSED);
            return NtStatus.PENDING;
        };
        List<NtStatus> inCall = new CopyOnWriteArrayList<>();
        Object mine = new Object();
        List<Object> contexts = new CopyOnWriteArrayList<>();
        assertThat(connect((ctx, s) -> {
            inCall.add(s);
            contexts.add(ctx);
        }, mine)).isEqualTo(NtStatus.PENDING);
        assertThat(inCall).containsExactly(NtStatus.SUCCESS, NtStatus.CONNECTION_REFUSED);
        assertThat(contexts).containsExactly(mine, mine);

        // the same from a thread of the provider's own, after the call returned
        AtomicReference<RequestCompletion> stored = new AtomicReference<>();
        AtomicReference<Object> storedCtx = new AtomicReference<>();
        provider.connect = (c, ctx) -> {
            stored.set(c);
            storedCtx.set(ctx);
            return NtStatus.PENDING;
        };
        CountDownLatch twice = new CountDownLatch(2);
        assertThat(connect((ctx, s) -> twice.countDown(), "late")).isEqualTo(NtStatus.PENDING);
        providerThread("scripted-twice", () -> {
            stored.get().completed(storedCtx.get(), NtStatus.SUCCESS);
            stored.get().completed(storedCtx.get(), NtStatus.SUCCESS);
        });
        await(twice, "both completions");
    }

    /** A kit handler that throws ends at the wire: the provider's completion returns, and the call too. */
    @Test
    void aHandlerThatThrowsDoesNotHoldTheProvider() {
        provider.connect = (c, ctx) -> {
            c.completed(ctx, NtStatus.SUCCESS);
            events.add("provider: its completion returned");
            return NtStatus.PENDING;
        };
        NtStatus st = connect((ctx, s) -> {
            throw new IllegalStateException("the kit's handler fails");
        }, null);
        assertThat(st).isEqualTo(NtStatus.PENDING);
        assertThat(events).containsExactly("provider: its completion returned");
        // and the link still works
        provider.connect = (c, ctx) -> NtStatus.CONNECTION_REFUSED;
        assertThat(connect((ctx, s) -> { }, null)).isEqualTo(NtStatus.CONNECTION_REFUSED);
    }
}
