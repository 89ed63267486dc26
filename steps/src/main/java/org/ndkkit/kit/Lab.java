package org.ndkkit.kit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * One scenario's world: the objects it created by name, every call it made and every callback it
 * received. It creates objects through the SPI only, checks NDK's completion rules on every call,
 * and at the end closes everything it created and checks the close and lifetime rules.
 */
public final class Lab {
    private final Session session;
    private final CallTrace trace = new CallTrace();
    private final List<TrackedCall> calls = new CopyOnWriteArrayList<>();
    private final List<Violation> violations = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Map<String, ConnectorRef> connectors = new LinkedHashMap<>();
    private final Map<String, ListenerRef> listeners = new LinkedHashMap<>();
    private final Map<String, EndpointRef> endpoints = new LinkedHashMap<>();
    private final List<Owned> others = new ArrayList<>();
    private final Map<Host, NdkPd> pds = new EnumMap<>(Host.class);
    private final Map<Host, NdkCq> cqs = new EnumMap<>(Host.class);
    private final Map<String, TrackedCall> closes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, TrackedCall> lastRequest = new LinkedHashMap<>();
    /** Names of the QPs and shared endpoints made on the peer (connectors and listeners know their host). */
    private final java.util.Set<String> peerObjects = new java.util.HashSet<>();
    private List<String> clauses = List.of();
    private int unnamedPassive;
    private Draws draws;

    /** An event callback (connect or disconnect event) with the object it was for. */
    public record Event(String owner, String kind, long nanos, String thread) {
    }

    private record Owned(String name, NdkObject object) {
    }

    public Lab(Session session) {
        this.session = session;
        this.countsBefore = resourceCounts();
    }

    // ----------------------------------------------------------------- leak check

    private final Availability<Map<String, Long>> countsBefore;

    /** The provider's live objects and native resources by kind, bounded like every SPI call. */
    public Availability<Map<String, Long>> resourceCounts() {
        return bounded("Testbed.resourceCounts()", () -> session.testbed().resourceCounts());
    }

    /** What the provider counted when the scenario began (unavailable when it cannot count). */
    public Availability<Map<String, Long>> countsBefore() {
        return countsBefore;
    }

    /**
     * What the provider still holds beyond its counts before the scenario, once everything is
     * closed: empty when nothing leaked. Native resources may be freed a little after the close
     * completes (a kernel's deferred work), so the check polls for up to the settle time plus the
     * leak grace ({@code ndk.leak-grace.ms}); a testbed that says it is quiescent has no such work
     * left, so what it still holds then is final.
     */
    public Map<String, String> leaks() {
        if (!countsBefore.isAvailable()) {
            return Map.of();
        }
        long deadline = System.nanoTime() + session.config().settle().toNanos() + session.config().leakGrace().toNanos();
        while (true) {
            Map<String, String> out = new TreeMap<>();
            Availability<Map<String, Long>> now = resourceCounts();
            if (!now.isAvailable()) {
                return Map.of("resource counts", "unavailable after the scenario (" + now.reasonCode() + ": " + now.detail() + ")");
            }
            Map<String, Long> before = countsBefore.get();
            now.get().forEach((kind, n) -> {
                long b = before.getOrDefault(kind, 0L);
                if (n > b) {
                    out.put(kind, (n - b) + " more (before " + b + ", after " + n + ")");
                }
            });
            if (out.isEmpty() || System.nanoTime() >= deadline) {
                return out;
            }
            if (quiescence(Duration.ZERO) == org.ndkkit.spi.Quiescence.QUIET) {
                // counted while nothing more can happen: a later count cannot differ
                trace.note("leak check: the testbed is quiescent, so the counts are final");
                return out;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return out;
            }
        }
    }

    // ----------------------------------------------------------------- basics

    public Session session() {
        return session;
    }

    public CallTrace trace() {
        return trace;
    }

    public AdapterInfo info(Host host) {
        return session.info(host);
    }

    public NdkAdapter adapter(Host host) {
        return session.testbed().adapter(host);
    }

    public Duration timeout() {
        return session.config().timeout();
    }

    /** The values this scenario draws; set by the hook that opens the scenario. */
    public void setDraws(Draws draws) {
        this.draws = draws;
    }

    /** The scenario's draws (a stream from the run seed alone when no hook set one). */
    public Draws draws() {
        if (draws == null) {
            draws = new Draws(session.config().runSeed(), "unnamed scenario");
        }
        return draws;
    }

    /** The line a failure gives so that it can be reproduced: the run seed and what the scenario drew. */
    public String reproduce() {
        return draws().reproduce();
    }

    public void setClauses(List<String> clauses) {
        this.clauses = List.copyOf(clauses);
    }

    public List<String> clauses() {
        return clauses;
    }

    /** A failure naming the scenario's clauses, the expectation, and the call sequence. */
    public AssertionError failure(String message) {
        return new AssertionError("[" + String.join(", ", clauses) + "] " + message + "\n" + reproduce()
                + "\nCall sequence:\n" + trace.render());
    }

    public AssertionError failure(Violation v) {
        return new AssertionError(v + "\n" + reproduce() + "\nCall sequence:\n" + trace.render());
    }

    /** Fails unless {@code actual} equals {@code expected}, naming both by name and hex. */
    public void expectStatus(String what, NtStatus expected, Outcome actual) {
        if (!actual.status().equals(expected)) {
            throw failure(what + ": expected " + expected + ", got " + actual);
        }
        trace.note(what + ": " + actual + " as expected");
    }

    public void expectStatus(String what, NtStatus expected, NtStatus actual) {
        if (!actual.equals(expected)) {
            throw failure(what + ": expected " + expected + ", got " + actual);
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ndk-kit-watchdog");
                t.setDaemon(true);
                return t;
            });

    /**
     * Makes one call into the provider, bounded by the run's timeout: a call that has not returned
     * by then is a provider that blocks (or never returns) instead of returning STATUS_PENDING. The
     * calling thread is interrupted so that the scenario can end, and the scenario ends as
     * {@code timeout} naming ASYNC-NO-BLOCKING.
     */
    public <R> R bounded(String label, java.util.function.Supplier<R> call) {
        Thread caller = Thread.currentThread();
        Object lock = new Object();
        boolean[] state = new boolean[2]; // [0] returned, [1] fired
        long ms = timeout().toMillis();
        java.util.concurrent.ScheduledFuture<?> dog = WATCHDOG.schedule(() -> {
            synchronized (lock) {
                if (!state[0]) {
                    state[1] = true;
                    ThreadDump.take(label + " had not returned after " + ms + " ms");
                    caller.interrupt();
                }
            }
        }, ms, TimeUnit.MILLISECONDS);
        R result = null;
        RuntimeException thrown = null;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            thrown = e;
        } finally {
            dog.cancel(false);
        }
        boolean fired;
        synchronized (lock) {
            state[0] = true;
            fired = state[1];
        }
        if (thrown instanceof org.ndkkit.spi.ProviderCrashedException crash) {
            // The provider crashed behind its transport: that is the story, whatever the bound did
            // meanwhile (finding it out may take a moment while the agent starts a new worker).
            Thread.interrupted();
            session.providerCrashed(crash);
            trace.note(label + ": the provider crashed: " + crash.getMessage());
            throw crash;
        }
        if (fired) {
            Thread.interrupted();
            if (thrown instanceof org.ndkkit.spi.ProviderUnreachableException lost) {
                // Not the provider blocking: the agent serving it stopped answering.
                trace.note(label + ": " + lost.getMessage());
                throw new KitTimeout(lost.getMessage());
            }
            trace.note(label + " did not return within " + ms + " ms");
            throw new KitTimeout("[ASYNC-NO-BLOCKING] " + label + " did not return within " + ms
                    + " ms: the provider blocked instead of returning (STATUS_PENDING when the outcome is not yet known)");
        }
        if (thrown != null) {
            throw thrown;
        }
        return result;
    }

    public TrackedCall track(TrackedCall.Kind kind, String label, String owner) {
        return track(kind, label, owner, false);
    }

    private TrackedCall track(TrackedCall.Kind kind, String label, String owner, boolean nullContext) {
        TrackedCall c = new TrackedCall(kind, label, owner, trace, nullContext);
        calls.add(c);
        return c;
    }

    // ----------------------------------------------------------------- creation

    /** Creates an object through NDK's create pattern and fails the scenario if the create fails. */
    <T extends NdkObject> T create(String label, String owner, Function<TrackedCall, Created<T>> call) {
        CreateResult<T> r = tryCreate(label, owner, call);
        if (r.object() == null) {
            throw failure(label + " failed: " + r.outcome());
        }
        return r.object();
    }

    /** The result of a create: its outcome and, on success, the object. */
    public record CreateResult<T>(Outcome outcome, T object) {
    }

    /** Creates an object through NDK's create pattern; the outcome may be a failure. */
    @SuppressWarnings("unchecked")
    public <T extends NdkObject> CreateResult<T> tryCreate(String label, String owner,
                                                           Function<TrackedCall, Created<T>> call) {
        TrackedCall t = track(TrackedCall.Kind.CREATE, label, owner);
        t.begin();
        Created<T> created = bounded(label, () -> call.apply(t));
        if (created == null) {
            t.returned(NtStatus.UNSUCCESSFUL);
            throw failure(label + " returned null instead of a status");
        }
        t.returned(created.status());
        Outcome o = t.await(timeout());
        T object;
        if (o.path() == Outcome.Path.INLINE) {
            object = created.object();
            if (o.status().equals(NtStatus.SUCCESS) && object == null) {
                throw failure(new Violation("CREATE-COMPLETION-PATTERN", label + " returned STATUS_SUCCESS inline without an object"));
            }
            if (!o.status().equals(NtStatus.SUCCESS) && object != null) {
                throw failure(new Violation("CREATE-COMPLETION-PATTERN", label + " returned " + o.status() + " inline with an object"));
            }
        } else {
            TrackedCall.Completion c = t.completions().get(0);
            object = (T) c.object();
            if (o.status().isSuccess() != (object != null)) {
                throw failure(new Violation("CREATE-COMPLETION-PATTERN", label + " completed with " + o.status()
                        + (object == null ? " and no object" : " and an object")));
            }
        }
        return new CreateResult<>(o, o.status().isSuccess() ? object : null);
    }

    public NdkPd pd(Host host) {
        return pds.computeIfAbsent(host, h -> {
            return create("NdkCreatePd(" + h + ")", "PD-" + h, t -> adapter(h).createPd(t.createCompletion(), t.context()));
        });
    }

    public NdkCq cq(Host host) {
        return cqs.computeIfAbsent(host, h -> create("NdkCreateCq(" + h + ")", "CQ-" + h,
                t -> adapter(h).createCq(64, t.createCompletion(), t.context())));
    }

    public NdkQp newQp(Host host, String owner) {
        NdkCq cq = cq(host);
        NdkQp qp = create("NdkCreateQp(" + owner + ")", "QP-" + owner,
                t -> pd(host).createQp(cq, cq, QpParameters.small(), t.createCompletion(), t.context()));
        others.add(new Owned("QP-" + owner, qp));
        if (host == Host.PEER) {
            peerObjects.add("QP-" + owner);
        }
        return qp;
    }

    /** A connector on {@code host} with its own QP, named for the steps. */
    public ConnectorRef newConnector(String name, Host host) {
        if (connectors.containsKey(name)) {
            throw new IllegalArgumentException("the scenario already has a connector named " + name);
        }
        NdkConnector c = create("NdkCreateConnector(" + name + ")", name,
                t -> adapter(host).createConnector(t.createCompletion(), t.context()));
        ConnectorRef ref = new ConnectorRef(name, host, c, newQp(host, name));
        connectors.put(name, ref);
        return ref;
    }

    public ConnectorRef connector(String name) {
        ConnectorRef c = connectors.get(name);
        if (c == null) {
            throw new IllegalArgumentException("the scenario has no connector named " + name + " (known: " + connectors.keySet() + ")");
        }
        return c;
    }

    public CreateResult<NdkSharedEndpoint> tryCreateSharedEndpoint(String name, SockAddr address) {
        return tryCreateSharedEndpoint(name, Host.LOCAL, address);
    }

    public CreateResult<NdkSharedEndpoint> tryCreateSharedEndpoint(String name, Host host, SockAddr address) {
        return tryCreate("NdkCreateSharedEndpoint(" + name + (host == Host.PEER ? " on the peer" : "") + ", " + address + ")",
                name, t -> adapter(host).createSharedEndpoint(address, t.createCompletion(), t.context()));
    }

    public EndpointRef newSharedEndpoint(String name, SockAddr address) {
        return newSharedEndpoint(name, Host.LOCAL, address);
    }

    public EndpointRef newSharedEndpoint(String name, Host host, SockAddr address) {
        CreateResult<NdkSharedEndpoint> r = tryCreateSharedEndpoint(name, host, address);
        if (r.object() == null) {
            throw failure("NdkCreateSharedEndpoint(" + address + ") failed: " + r.outcome());
        }
        if (host == Host.PEER) {
            peerObjects.add(name);
        }
        return registerEndpoint(name, r.object());
    }

    /**
     * The peer's provider process ended abruptly (the testbed killed it): every object the scenario
     * made on the peer is gone with it. From here the kit neither closes those objects nor judges
     * their calls (a request of theirs still pending can no longer complete); the leak check still
     * runs, and the PD and CQ are made anew on the peer's next adapter when a step needs them.
     *
     * @return the names of the objects given up, in the order the scenario knew them
     */
    public List<String> forgetPeerObjects() {
        List<String> gone = new ArrayList<>();
        for (ListenerRef l : listeners.values()) {
            if (l.host() == Host.PEER) {
                for (ListenerRef.Incoming in : l.incoming()) {
                    if (!in.named()) {
                        in.name(nameUnnamedPassive());
                        gone.add(in.name);
                    }
                }
            }
        }
        connectors.values().removeIf(c -> c.host() == Host.PEER && gone.add(c.name()));
        listeners.values().removeIf(l -> l.host() == Host.PEER && gone.add(l.name()));
        endpoints.keySet().removeIf(n -> peerObjects.contains(n) && gone.add(n));
        others.removeIf(o -> peerObjects.contains(o.name()) && gone.add(o.name()));
        if (pds.remove(Host.PEER) != null) {
            gone.add("PD-PEER");
        }
        if (cqs.remove(Host.PEER) != null) {
            gone.add("CQ-PEER");
        }
        calls.removeIf(t -> gone.contains(t.owner()));
        closes.keySet().removeIf(gone::contains);
        peerObjects.clear();
        trace.note("the peer's provider is gone, and with it " + String.join(", ", gone)
                + ": the kit no longer closes them or judges their calls");
        return gone;
    }

    public EndpointRef registerEndpoint(String name, NdkSharedEndpoint se) {
        SockAddr actual = readAddress("NdkGetSharedEndpointLocalAddress(" + name + ")", se::getLocalAddress);
        EndpointRef ref = new EndpointRef(name, se, actual);
        endpoints.put(name, ref);
        return ref;
    }

    public EndpointRef endpoint(String name) {
        EndpointRef e = endpoints.get(name);
        if (e == null) {
            throw new IllegalArgumentException("the scenario has no shared endpoint named " + name);
        }
        return e;
    }

    /** Keeps an object the scenario created by other means so it is closed at the end. */
    public void adopt(String name, NdkObject object) {
        others.add(new Owned(name, object));
    }

    /** A listener on {@code host}: created, then listening on {@code address}; fails the scenario otherwise. */
    public ListenerRef newListener(String name, Host host, SockAddr address) {
        ListenerRef ref = newIdleListener(name, host);
        NdkListener l = ref.listener;
        TrackedCall listen = listen(ref, address);
        expectStatus("NdkListen(" + name + ")", NtStatus.SUCCESS, listen.await(timeout()));
        ref.address = readAddress("NdkGetListenerLocalAddress(" + name + ")", l::getLocalAddress);
        return ref;
    }

    /** A listener on {@code host}, created but not listening yet. */
    public ListenerRef newIdleListener(String name, Host host) {
        ListenerRef ref = new ListenerRef(name, host, this);
        ref.listener = create("NdkCreateListener(" + name + ")", name,
                t -> adapter(host).createListener(ref::onConnectEvent, name, t.createCompletion(), t.context()));
        listeners.put(name, ref);
        return ref;
    }

    /** NdkListen on a listener of the scenario, tracked; the caller judges the outcome. */
    public TrackedCall listen(ListenerRef ref, SockAddr address) {
        return request("NdkListen(" + ref.name() + ", " + address + ")", ref.name(),
                t -> ref.listener.listen(address, t.requestCompletion(), t.context()));
    }

    public ListenerRef listener(String name) {
        ListenerRef l = listeners.get(name);
        if (l == null) {
            throw new IllegalArgumentException("the scenario has no listener named " + name);
        }
        return l;
    }

    /** Names a passive connector the scenario received from a listener. */
    public ConnectorRef registerPassive(String name, NdkConnector c) {
        if (connectors.containsKey(name)) {
            throw new IllegalArgumentException("the scenario already has a connector named " + name);
        }
        ConnectorRef ref = new ConnectorRef(name, Host.PEER, c, null);
        connectors.put(name, ref);
        return ref;
    }

    String nameUnnamedPassive() {
        return "incoming#" + (++unnamedPassive);
    }

    // ----------------------------------------------------------------- calls

    /** Makes an asynchronous request call, tracked under {@code label} on {@code owner}. */
    public TrackedCall request(String label, String owner, Function<TrackedCall, NtStatus> call) {
        return request(label, owner, false, call);
    }

    /** As {@link #request(String, String, Function)}; with {@code nullContext} the call passes NULL as its context. */
    public TrackedCall request(String label, String owner, boolean nullContext, Function<TrackedCall, NtStatus> call) {
        TrackedCall t = track(TrackedCall.Kind.REQUEST, label, owner, nullContext);
        t.begin();
        NtStatus s = bounded(label, () -> call.apply(t));
        t.returned(s == null ? NtStatus.UNSUCCESSFUL : s);
        if (s == null) {
            throw failure(label + " returned null instead of an NTSTATUS");
        }
        lastRequest.put(label.replaceAll("\\(.*", "") + "/" + owner, t);
        return t;
    }

    /** The latest request of a function (e.g. "NdkConnectWithSharedEndpoint") on an object. */
    public TrackedCall lastRequest(String function, String owner) {
        TrackedCall t = lastRequest.get(function + "/" + owner);
        if (t == null) {
            throw new IllegalStateException("the scenario made no " + function + " call on " + owner);
        }
        return t;
    }

    /** The latest request of a function on an object, or null when there was none. */
    public TrackedCall lastRequestOrNull(String function, String owner) {
        return lastRequest.get(function + "/" + owner);
    }

    /** A synchronous call, traced. */
    public NtStatus sync(String label, java.util.function.Supplier<NtStatus> call) {
        NtStatus s = bounded(label, call);
        trace.call(label + " -> " + s);
        return s;
    }

    /** Reads an address through NDK's buffer protocol with a SOCKADDR_STORAGE-sized buffer; must succeed. */
    public SockAddr readAddress(String label, BiFunction<byte[], UlongRef, NtStatus> call) {
        byte[] buf = new byte[128];
        UlongRef len = new UlongRef(buf.length);
        NtStatus s = sync(label + "(buffer 128)", () -> call.apply(buf, len));
        expectStatus(label, NtStatus.SUCCESS, s);
        SockAddr a = SockAddr.fromBuffer(buf, len.get());
        if (!a.isWellFormed()) {
            throw failure(label + " wrote a malformed address: " + a);
        }
        trace.note(label + " = " + a);
        return a;
    }

    /** The disconnect-event callback the steps give to accept and complete-connect. */
    public void disconnectEvent(String owner, Object context) {
        if (!owner.equals(context)) {
            violations.add(new Violation("DISC-EVENT-ONCE-ON-PEER", "disconnect event of " + owner + " carried context "
                    + context + ", expected " + owner));
        }
        event(owner, "disconnect event");
    }

    void event(String owner, String kind) {
        Event e = new Event(owner, kind, System.nanoTime(), Thread.currentThread().getName());
        events.add(e);
        trace.callback(kind + " on " + owner);
    }

    public List<Event> events(String owner, String kind) {
        return events.stream().filter(e -> e.owner.equals(owner) && e.kind.equals(kind)).toList();
    }

    /**
     * Waits (bounded) until {@code condition} holds. The condition is tested again as soon as the
     * trace grows (a call, a callback, a note), and at the latest every {@value #RECHECK_MS} ms for
     * conditions on state the trace does not show.
     */
    public boolean eventually(Duration bound, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            long seen = trace.size();
            if (condition.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                trace.awaitGrowth(seen, Math.min(left, TimeUnit.MILLISECONDS.toNanos(RECHECK_MS)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static final long RECHECK_MS = 20;

    /**
     * A window in which the kit watches that nothing more happens (a stray or second callback, a
     * completion that must not come yet), and after which it checks: {@code ndk.settle.ms} long.
     * It ends early only when the testbed says its provider is quiescent (nothing more can happen
     * until the consumer calls again); a provider that cannot say (UNKNOWN) or is still busy gets
     * the whole window, and so does every provider with {@code ndk.quiescence=ignore}.
     */
    public void settle() {
        Duration window = session.config().settle();
        long end = System.nanoTime() + window.toNanos();
        Duration ask = window.compareTo(timeout().dividedBy(2)) > 0 ? timeout().dividedBy(2) : window;
        if (quiescence(ask) == org.ndkkit.spi.Quiescence.QUIET) {
            return;
        }
        long left = end - System.nanoTime();
        if (left > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Asks the testbed whether its provider is quiescent, waiting at most {@code max}; UNKNOWN when
     * the run ignores quiescence ({@code ndk.quiescence=ignore}) or the testbed fails to answer.
     */
    public org.ndkkit.spi.Quiescence quiescence(Duration max) {
        if (!session.config().useQuiescence()) {
            return org.ndkkit.spi.Quiescence.UNKNOWN;
        }
        org.ndkkit.spi.Quiescence q;
        try {
            q = bounded("Testbed.awaitQuiescence(" + max.toMillis() + " ms)", () -> session.testbed().awaitQuiescence(max));
        } catch (KitTimeout | org.ndkkit.spi.ProviderCrashedException e) {
            throw e;
        } catch (RuntimeException e) {
            trace.note("Testbed.awaitQuiescence failed (" + e + "): the window runs its full length");
            return org.ndkkit.spi.Quiescence.UNKNOWN;
        }
        return q == null ? org.ndkkit.spi.Quiescence.UNKNOWN : q;
    }

    // ----------------------------------------------------------------- close

    /** Issues NdkCloseObject on an object, tracked; at most once per name. */
    public TrackedCall close(String name, NdkObject object) {
        return close(name, object, java.time.Duration.ZERO);
    }

    /** As {@link #close(String, NdkObject)}, with a close completion that takes {@code hold} before it returns. */
    public TrackedCall close(String name, NdkObject object, java.time.Duration hold) {
        TrackedCall t;
        synchronized (closes) {
            if (closes.containsKey(name)) {
                return closes.get(name);
            }
            t = track(TrackedCall.Kind.CLOSE, "NdkCloseObject(" + name + ")", name);
            closes.put(name, t);
        }
        t.begin();
        NtStatus s = bounded(t.label(), () -> object.close(t.closeCompletion(hold), t.context()));
        t.returned(s == null ? NtStatus.UNSUCCESSFUL : s);
        if (s == null || !(s.equals(NtStatus.SUCCESS) || s.isPending())) {
            violations.add(new Violation("CLOSE-NEVER-FAILS", "NdkCloseObject(" + name + ") returned " + s
                    + "; a close returns only STATUS_SUCCESS or STATUS_PENDING"));
        }
        return t;
    }

    /** Any object the scenario knows by name: connector, listener, shared endpoint, or e.g. "QP-C1". */
    public NdkObject objectNamed(String name) {
        if (connectors.containsKey(name)) {
            return connectors.get(name).connector();
        }
        if (listeners.containsKey(name)) {
            return listeners.get(name).listener();
        }
        if (endpoints.containsKey(name)) {
            return endpoints.get(name).endpoint();
        }
        for (Owned o : others) {
            if (o.name().equals(name)) {
                return o.object();
            }
        }
        throw new IllegalArgumentException("the scenario has no object named " + name);
    }

    /** Every close the scenario issued. */
    public List<TrackedCall> closes() {
        synchronized (closes) {
            return new ArrayList<>(closes.values());
        }
    }

    /** Every call of one kind. */
    public List<TrackedCall> calls(TrackedCall.Kind kind) {
        return calls.stream().filter(c -> c.kind() == kind).toList();
    }

    /** Violations recorded by callbacks so far (checked again at the end). */
    public List<Violation> pendingViolations() {
        return List.copyOf(violations);
    }

    public TrackedCall closeOf(String name) {
        return closes.get(name);
    }

    /** True once the close of {@code name} has returned to the consumer. */
    public boolean closeReturned(String name) {
        TrackedCall t = closes.get(name);
        return t != null && t.inline() != null;
    }

    /**
     * Closes everything the scenario created (connectors first, then listeners, shared endpoints,
     * QPs, CQs, PDs), waits for every close, then checks the completion, close and lifetime rules
     * over the whole scenario.
     *
     * @return the violations found; empty when the provider kept every rule
     */
    public List<Violation> closeEverythingAndCheck() {
        for (ListenerRef l : listeners.values()) {
            for (ListenerRef.Incoming in : l.incoming()) {
                if (!in.named()) {
                    ConnectorRef ref = new ConnectorRef(nameUnnamedPassive(), Host.PEER, in.connector(), null);
                    connectors.put(ref.name(), ref);
                    in.name(ref.name());
                }
            }
        }
        List<TrackedCall> issued = new ArrayList<>();
        for (ConnectorRef c : connectors.values()) {
            issued.add(close(c.name(), c.connector()));
        }
        for (ListenerRef l : listeners.values()) {
            if (l.listener != null) {
                issued.add(close(l.name(), l.listener));
            }
        }
        for (EndpointRef e : endpoints.values()) {
            issued.add(close(e.name(), e.endpoint()));
        }
        for (Owned o : others) {
            issued.add(close(o.name(), o.object()));
        }
        for (Map.Entry<Host, NdkCq> e : cqs.entrySet()) {
            issued.add(close("CQ-" + e.getKey(), e.getValue()));
        }
        for (Map.Entry<Host, NdkPd> e : pds.entrySet()) {
            issued.add(close("PD-" + e.getKey(), e.getValue()));
        }
        List<Violation> found = new ArrayList<>(violations);
        long deadline = System.nanoTime() + timeout().toNanos();
        List<TrackedCall> allCloses;
        synchronized (closes) {
            allCloses = new ArrayList<>(closes.values());
        }
        for (TrackedCall t : allCloses) {
            long left = Math.max(1, deadline - System.nanoTime());
            if (t.inline() != null && t.inline().isPending()) {
                try {
                    t.await(Duration.ofNanos(left));
                } catch (KitTimeout e) {
                    found.add(new Violation("CLOSE-COMPLETION-PATTERN", t.label() + " returned STATUS_PENDING and did not complete within "
                            + timeout().toMillis() + " ms"));
                }
            }
        }
        settle();
        for (TrackedCall t : calls) {
            found.addAll(t.violations(true));
        }
        found.addAll(callbacksAfterClose());
        Map<String, String> leaked = leaks();
        if (!leaked.isEmpty()) {
            found.add(new Violation("LIFE-CLOSE-RELEASES", "every object of the scenario is closed, yet the provider still holds: "
                    + leaked.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", "))));
        } else {
            trace.note(countsBefore.isAvailable() ? "leak check: every resource count back at its value before the scenario"
                    : "leak check not run: " + countsBefore.reasonCode() + ": " + countsBefore.detail());
        }
        return found;
    }

    /** Any callback for any object after its close completed (or returned STATUS_SUCCESS). */
    private List<Violation> callbacksAfterClose() {
        List<String> owners;
        synchronized (closes) {
            owners = new ArrayList<>(closes.keySet());
        }
        List<Violation> v = new ArrayList<>();
        for (String owner : owners) {
            v.addAll(callbacksAfterClose(owner));
        }
        return v;
    }

    /** Any callback for {@code owner} after its close completed (or returned STATUS_SUCCESS). */
    public List<Violation> callbacksAfterClose(String owner) {
        List<Violation> v = new ArrayList<>();
        TrackedCall close = closes.get(owner);
        if (close != null && close.isDone()) {
            long closedAt = close.doneNanos();
            for (TrackedCall t : calls) {
                if (t == close || !t.owner().equals(owner) || t.kind() == TrackedCall.Kind.CLOSE) {
                    continue;
                }
                for (TrackedCall.Completion c : t.completions()) {
                    if (c.nanos() > closedAt) {
                        v.add(new Violation("LT-NO-CALLBACK-AFTER-CLOSE", t.label() + " completed with " + c.status()
                                + " after " + close.label() + " had completed"));
                    }
                }
            }
            for (Event ev : events) {
                if (ev.owner.equals(owner) && ev.nanos > closedAt) {
                    v.add(new Violation("LT-NO-CALLBACK-AFTER-CLOSE", ev.kind + " on " + owner + " after "
                            + close.label() + " had completed"));
                }
            }
        }
        return v;
    }

    void recordViolation(Violation v) {
        violations.add(v);
    }

    // ----------------------------------------------------------------- named objects

    /** A connector known to the scenario by name. */
    public static final class ConnectorRef {
        private final String name;
        private final Host host;
        private final NdkConnector connector;
        private NdkQp qp;

        ConnectorRef(String name, Host host, NdkConnector connector, NdkQp qp) {
            this.name = name;
            this.host = host;
            this.connector = connector;
            this.qp = qp;
        }

        public String name() {
            return name;
        }

        public Host host() {
            return host;
        }

        public NdkConnector connector() {
            return connector;
        }

        public NdkQp qp() {
            return qp;
        }

        void qp(NdkQp qp) {
            this.qp = qp;
        }
    }

    /** Gives a passive connector its own QP (for accept), created on first need. */
    public NdkQp qpFor(ConnectorRef c) {
        if (c.qp() == null) {
            c.qp(newQp(c.host(), c.name()));
        }
        return c.qp();
    }

    /** A shared endpoint and the address it reported. */
    public record EndpointRef(String name, NdkSharedEndpoint endpoint, SockAddr address) {
    }

    /** A listener, its address, and the connect events it delivered. */
    public static final class ListenerRef {
        private final String name;
        private final Host host;
        private final Lab lab;
        private final LinkedBlockingQueue<Incoming> unclaimed = new LinkedBlockingQueue<>();
        private final List<Incoming> all = new CopyOnWriteArrayList<>();
        NdkListener listener;
        SockAddr address;

        /** One connect event's connector. */
        public static final class Incoming {
            private final NdkConnector connector;
            private volatile String name;

            Incoming(NdkConnector connector) {
                this.connector = connector;
            }

            public NdkConnector connector() {
                return connector;
            }

            boolean named() {
                return name != null;
            }

            void name(String n) {
                name = n;
            }
        }

        ListenerRef(String name, Host host, Lab lab) {
            this.name = name;
            this.host = host;
            this.lab = lab;
        }

        void onConnectEvent(Object context, NdkConnector connector) {
            if (!name.equals(context)) {
                lab.recordViolation(new Violation("LISTEN-CONNECT-EVENT", "connect event on " + name + " carried context "
                        + context + ", expected " + name));
            }
            // An event the provider started while the close call was in progress may be legal (the
            // close waits for it); one that starts after the close returned never is.
            if (lab.closeReturned(name)) {
                lab.recordViolation(new Violation("LT-LISTENER-CLOSE-STOPS-EVENTS", "connect event on " + name
                        + " after its close was issued"));
            }
            lab.event(name, "connect event");
            Incoming in = new Incoming(connector);
            all.add(in);
            unclaimed.add(in);
        }

        public String name() {
            return name;
        }

        public Host host() {
            return host;
        }

        public NdkListener listener() {
            return listener;
        }

        public SockAddr address() {
            return address;
        }

        List<Incoming> incoming() {
            return all;
        }

        public int eventCount() {
            return all.size();
        }

        /** Connect events no step has claimed yet. */
        public int unclaimedCount() {
            return unclaimed.size();
        }

        /** Takes the next connect event's connector, waiting at most {@code bound}; null if none came. */
        public NdkConnector nextRequest(Duration bound, String nameItAs) {
            try {
                Incoming in = unclaimed.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
                if (in == null) {
                    return null;
                }
                in.name(nameItAs);
                return in.connector();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
