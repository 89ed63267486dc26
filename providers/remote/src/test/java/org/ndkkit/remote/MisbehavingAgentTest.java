package org.ndkkit.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ProviderUnreachableException;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Callback;
import org.ndkkit.wire.v1.CallbackReturn;
import org.ndkkit.wire.v1.ContextEcho;
import org.ndkkit.wire.v1.CreateCompleted;
import org.ndkkit.wire.v1.ObjectRef;
import org.ndkkit.wire.v1.ObjectType;

/**
 * The kit's side against an agent that misbehaves in the ways a network and a hung machine can:
 * it never answers a call, stops answering altogether, replies before the callbacks it counted
 * have arrived, ends the session on its own. Each must end as the contract says, bounded, with a
 * {@link ProviderUnreachableException} that names the agent, never as a hang or a provider verdict.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MisbehavingAgentTest {
    private FakeAgent fake;
    private Testbed testbed;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        fake = new FakeAgent();
    }

    @AfterEach
    void stop() throws Exception {
        later.shutdownNow();
        try {
            if (testbed != null) {
                long t0 = System.nanoTime();
                testbed.close();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("closing the testbed").isLessThan(Duration.ofSeconds(5));
            }
        } finally {
            fake.close();
        }
    }

    private NdkAdapter open(String... keyValues) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("local", fake.target());
        for (int i = 0; i < keyValues.length; i += 2) {
            s.put(keyValues[i], keyValues[i + 1]);
        }
        testbed = new RemoteProvider().openTestbed(new TestbedOptions(Duration.ofSeconds(1), s));
        return testbed.adapter(Host.LOCAL);
    }

    private static Throwable thrown(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        return fail("expected the call to throw");
    }

    /** What a thread blocked in {@code call} ends with when another thread interrupts it, as the kit's watchdog does. */
    private record Interrupted(Throwable thrown, boolean flagSet, Duration afterInterrupt) {
    }

    private Interrupted interruptDuring(Supplier<?> call) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                call.get();
            } catch (Throwable t) {
                thrown.set(t);
            }
            flag.set(Thread.currentThread().isInterrupted());
        }, "kit-caller");
        caller.start();
        try {
            assertThat(fake.invokes.poll(5, TimeUnit.SECONDS)).as("the call reached the agent").isNotNull();
            long t0 = System.nanoTime();
            caller.interrupt();
            caller.join(5000);
            assertThat(caller.isAlive()).as("the interrupted call returned").isFalse();
            return new Interrupted(thrown.get(), flag.get(), Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            caller.interrupt();
            caller.join(5000);
        }
    }

    private static Callback createCompleted(long seq, Call c, long inCall) {
        return Callback.newBuilder().setSeq(seq).setSession(FakeAgent.SESSION).setInCall(inCall).setThread("fake")
                .setCreateCompleted(CreateCompleted.newBuilder().setCompletion(c.getCreatePd().getCompletion())
                        .setContext(ContextEcho.newBuilder().setId(c.getCreatePd().getContext().getId()))
                        .setNtstatus(NtStatus.SUCCESS.code())
                        .setObject(ObjectRef.newBuilder().setHandle(100 + seq).setType(ObjectType.OBJECT_TYPE_PD)))
                .build();
    }

    private static CallReply pending(Call c, long callbacksBeforeReturn) {
        return CallReply.newBuilder().setCallId(c.getCallId()).setCallbacksBeforeReturn(callbacksBeforeReturn)
                .setCreated(org.ndkkit.wire.v1.Created.newBuilder().setNtstatus(NtStatus.PENDING.code())).build();
    }

    private List<Long> returnedSeqs(int n) throws InterruptedException {
        List<Long> seqs = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            CallbackReturn r = fake.returns.poll(3, TimeUnit.SECONDS);
            if (r == null) {
                break;
            }
            assertThat(r.getSession()).isEqualTo(FakeAgent.SESSION);
            seqs.add(r.getSeq());
        }
        return seqs;
    }

    // ------------------------------------------------------------------------- silence

    @Test
    void aCallTheAgentNeverAnswersTimesOut() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "500");
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            Throwable t = thrown(adapter::queryAdapterInfo);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t).isInstanceOf(ProviderUnreachableException.class)
                    .hasMessageContaining(fake.target()).hasMessageContaining("500 ms");
            assertThat(((ProviderUnreachableException) t).timedOut()).isTrue();
            assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(2));
        }
        assertThat(fake.invokes).hasSize(2);
    }

    @Test
    void anAgentThatAnswersNothingMoreIsLostAndLaterCallsFailAtOnce() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "500", "hello-timeout-ms", "500");
        fake.helloHangsAfterOpen = true;
        Throwable first = thrown(adapter::queryAdapterInfo);
        assertThat(first).isInstanceOf(ProviderUnreachableException.class).hasMessageContaining("nor a hello after it")
                .hasMessageContaining(fake.target());
        assertThat(((ProviderUnreachableException) first).timedOut()).isTrue();
        long t0 = System.nanoTime();
        Throwable later = thrown(adapter::queryAdapterInfo);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a later call fails at once").isLessThan(Duration.ofMillis(300));
        assertThat(later).isInstanceOf(ProviderUnreachableException.class).hasMessageContaining(fake.target());
        assertThat(((ProviderUnreachableException) later).timedOut()).isTrue();
        assertThat(fake.invokes).as("the later call never reached the wire").hasSize(1);
    }

    @Test
    void anInterruptedCallWhoseAgentStoppedAnsweringIsATimeout() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "15000", "hello-timeout-ms", "500");
        fake.helloHangsAfterOpen = true;
        Interrupted r = interruptDuring(adapter::queryAdapterInfo);
        assertThat(r.thrown()).isInstanceOf(ProviderUnreachableException.class)
                .hasMessageContaining("stopped answering").hasMessageContaining(fake.target());
        assertThat(((ProviderUnreachableException) r.thrown()).timedOut()).isTrue();
        assertThat(r.afterInterrupt()).as("liveness check bounded by hello-timeout-ms").isLessThan(Duration.ofSeconds(2));
        assertThat(r.flagSet()).as("the interrupt is kept for the kit").isTrue();
        assertThat(fake.hellos.get()).as("the open and the liveness check").isEqualTo(2);
    }

    @Test
    void anInterruptedCallWhoseAgentStillAnswersIsTheProvidersBlocking() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "15000", "hello-timeout-ms", "500");
        Interrupted r = interruptDuring(adapter::queryAdapterInfo);
        assertThat(r.thrown()).isInstanceOf(IllegalStateException.class)
                .isNotInstanceOf(ProviderUnreachableException.class)
                .hasMessageContaining("interrupted while the provider").hasMessageContaining(fake.target());
        assertThat(r.afterInterrupt()).isLessThan(Duration.ofSeconds(2));
        assertThat(r.flagSet()).isTrue();
    }

    // ------------------------------------------------------------------------- callbacks_before_return

    /** The reply says the agent saw one callback before the call returned; the stream brings it 300 ms later. */
    @Test
    void aReplyWaitsForTheCallbacksTheAgentSawBeforeIt() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "5000");
        fake.onInvoke = (c, out) -> {
            out.onNext(pending(c, 1));
            out.onCompleted();
            later.schedule(() -> fake.send(createCompleted(1, c, 0)), 300, TimeUnit.MILLISECONDS);
        };
        Object ctx = new Object();
        CountDownLatch handled = new CountDownLatch(1);
        AtomicReference<Object> seenCtx = new AtomicReference<>();
        AtomicReference<NdkPd> seenPd = new AtomicReference<>();
        CreateCompletion<NdkPd> completion = (c, status, pd) -> {
            seenCtx.set(c);
            seenPd.set(pd);
            handled.countDown();
        };
        long t0 = System.nanoTime();
        Created<NdkPd> created = adapter.createPd(completion, ctx);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(created.status()).isEqualTo(NtStatus.PENDING);
        assertThat(took).as("the call returned only once the callback it counted had arrived")
                .isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(handled.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(seenCtx.get()).isSameAs(ctx);
        assertThat(seenPd.get().type()).isEqualTo(NdkObjectType.PD);
        assertThat(returnedSeqs(1)).containsExactly(1L);
    }

    @Test
    void aCountedCallbackThatNeverArrivesIsATimeout() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "500");
        fake.onInvoke = (c, out) -> {
            out.onNext(pending(c, 1));
            out.onCompleted();
        };
        long t0 = System.nanoTime();
        Throwable t = thrown(() -> adapter.createPd((c, s, o) -> { }, null));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(t).isInstanceOf(ProviderUnreachableException.class).hasMessageContaining("never arrived")
                .hasMessageContaining(fake.target());
        assertThat(((ProviderUnreachableException) t).timedOut()).isTrue();
    }

    /**
     * Two callbacks the agent made inside one call; the kit's watchdog interrupts the calling
     * thread while it runs the first one's handler, with the second already received. Both
     * handlers still run (the second on a thread of its own), and the agent hears that both
     * returned: otherwise the provider's thread stays held in its callback and every later call
     * waits for a callback the kit will never start.
     */
    @Test
    void inCallCallbacksLeftWhenTheCallIsInterruptedStillRun() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "15000", "hello-timeout-ms", "500");
        fake.onInvoke = (c, out) -> {
            fake.send(createCompleted(1, c, c.getCallId()));
            fake.send(createCompleted(2, c, c.getCallId()));
            // no reply: the provider is still in the call
        };
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> handlerThreads = new CopyOnWriteArrayList<>();
        CountDownLatch bothHandled = new CountDownLatch(2);
        CreateCompletion<NdkPd> completion = (c, status, pd) -> {
            handlerThreads.add(Thread.currentThread().getName());
            bothHandled.countDown();
            if (handlerThreads.size() == 1) {
                firstEntered.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                adapter.createPd(completion, null);
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "kit-caller");
        caller.start();
        try {
            assertThat(firstEntered.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // the second callback reaches the kit while the first handler runs
            caller.interrupt();
            caller.join(5000);
            assertThat(caller.isAlive()).isFalse();
        } finally {
            release.countDown();
            caller.interrupt();
            caller.join(5000);
        }
        assertThat(thrown.get()).as("the agent still answers: the provider is what blocked")
                .isInstanceOf(IllegalStateException.class);
        assertThat(bothHandled.await(3, TimeUnit.SECONDS)).as("both handlers ran; threads %s", handlerThreads).isTrue();
        assertThat(handlerThreads.get(0)).isEqualTo("kit-caller");
        assertThat(handlerThreads.get(1)).isNotEqualTo("kit-caller");
        assertThat(returnedSeqs(2)).as("the agent heard both handlers return").containsExactlyInAnyOrder(1L, 2L);
    }

    // ------------------------------------------------------------------------- the session ends

    @Test
    void anAgentThatEndsTheSessionFailsEveryLaterCall() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "5000");
        // until the kit has seen the stream end, its calls reach the fake, which refuses them as
        // an agent without the session would
        fake.onInvoke = (c, out) -> out.onError(io.grpc.Status.NOT_FOUND.withDescription("no session").asRuntimeException());
        assertThat(fake.awaitStream()).isTrue();
        fake.endStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Throwable t;
        do {
            t = thrown(adapter::queryAdapterInfo);
        } while (!(t instanceof ProviderUnreachableException) && System.nanoTime() < deadline);
        assertThat(t).isInstanceOf(ProviderUnreachableException.class).hasMessageContaining(fake.target())
                .hasMessageContaining("ended session " + FakeAgent.SESSION);
        assertThat(((ProviderUnreachableException) t).timedOut()).isFalse();
        // the call that saw the link end may still be on its way into the fake: count once it has landed
        int before;
        do {
            before = fake.invokes.size();
            Thread.sleep(100);
        } while (fake.invokes.size() != before);
        long t0 = System.nanoTime();
        Throwable again = thrown(adapter::queryAdapterInfo);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        assertThat(again).isInstanceOf(ProviderUnreachableException.class).hasMessageContaining(fake.target());
        assertThat(fake.invokes).as("a lost link sends nothing more").hasSize(before);
    }

    @Test
    void anAgentThatRefusesACallIsNotAProviderVerdict() throws Exception {
        NdkAdapter adapter = open("rpc-timeout-ms", "5000");
        fake.onInvoke = (c, out) -> out.onError(io.grpc.Status.INVALID_ARGUMENT.withDescription("adapter: unknown handle 1")
                .asRuntimeException());
        Throwable t = thrown(adapter::queryAdapterInfo);
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("refused")
                .hasMessageContaining("unknown handle 1").hasMessageContaining(fake.target());
    }
}
