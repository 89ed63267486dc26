package org.ndkkit.reference.rdma;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fault injection at the native boundary: makes calls of librdmacm/libibverbs functions fail with a
 * chosen errno, as if the library had returned it, without calling it. Two kinds:
 * <ul>
 *   <li>{@link #failNth}: the n-th call of one function, anywhere. Used to prove that every error
 *       path of the provider gives back what it took before the failing call (ids, reservations,
 *       QPs).</li>
 *   <li>{@link #hold}: every call of a set of functions on one adapter's objects, until released.
 *       This is the testbed's injected resource exhaustion (Driver Verifier's low-resources
 *       simulation, done where the provider meets the libraries).</li>
 * </ul>
 * Only calls that go through the safety layer's {@code using} are seen; destroys are never
 * failed, since a failed destroy leaks by definition.
 *
 * <p>Off unless armed. The lab programs arm it with {@link #failNth}; a run can also arm it at start
 * with the system property {@code ndk.reference.fault=FUNCTION:N:ERRNO}.
 */
public final class NativeFaults {
    private record Plan(String function, int nth, int errno) {
    }

    private static volatile Plan plan = fromProperty(System.getProperty("ndk.reference.fault"));
    private static final AtomicInteger CALLS_OF_PLANNED = new AtomicInteger();
    private static final AtomicInteger INJECTED = new AtomicInteger();
    private static final Map<String, LongAdder> CALLS = new ConcurrentHashMap<>();
    /**
     * Calls are counted only from the first {@link #resetCounts} on: a map update per native call
     * (about 25 a connection) showed in the connection path's profile, and only the fault
     * programs read the counts.
     */
    private static volatile boolean counting;

    /** Standing faults; almost always empty, so a call pays one volatile read for them. */
    private static final CopyOnWriteArrayList<Hold> HOLDS = new CopyOnWriteArrayList<>();

    private NativeFaults() {
    }

    /**
     * A standing fault: every call of one of {@link #functions()} on an object of {@link #scope}
     * fails with {@link #errno()} until {@link #close()}.
     */
    public static final class Hold implements AutoCloseable {
        private final Set<String> functions;
        private final NativeHandle scope;
        private final int errno;
        private final AtomicInteger injected = new AtomicInteger();

        private Hold(Set<String> functions, NativeHandle scope, int errno) {
            this.functions = Set.copyOf(functions);
            this.scope = scope;
            this.errno = errno;
        }

        public Set<String> functions() {
            return functions;
        }

        public int errno() {
            return errno;
        }

        /** How many calls it failed so far. */
        public int injected() {
            return injected.get();
        }

        /** Releases it; idempotent. */
        @Override
        public void close() {
            HOLDS.remove(this);
        }
    }

    /**
     * Fails every call of {@code functions} whose object belongs to {@code scope} (an event
     * channel or an opened device: see {@link NativeHandle#faultScope()}) with {@code errno},
     * until the returned hold is closed.
     */
    public static Hold hold(Set<String> functions, NativeHandle scope, int errno) {
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("a hold needs at least one function");
        }
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be > 0, was " + errno);
        }
        Hold h = new Hold(functions, Objects.requireNonNull(scope, "scope"), errno);
        HOLDS.add(h);
        return h;
    }

    /** Arms a fault: the {@code nth} (1-based) call of {@code function} from now fails with {@code errno}. */
    public static synchronized void failNth(String function, int nth, int errno) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth is 1-based, was " + nth);
        }
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be > 0, was " + errno);
        }
        CALLS_OF_PLANNED.set(0);
        INJECTED.set(0);
        plan = new Plan(function, nth, errno);
    }

    /** Disarms; returns how many faults were injected since the last arming. */
    public static synchronized int clear() {
        plan = null;
        return INJECTED.get();
    }

    /** How often each function was called through the safety layer since {@link #resetCounts}. */
    public static Map<String, Long> callCounts() {
        Map<String, Long> out = new TreeMap<>();
        CALLS.forEach((f, n) -> out.put(f, n.sum()));
        return out;
    }

    /** Starts (or restarts) counting calls from zero. */
    public static void resetCounts() {
        CALLS.clear();
        counting = true;
    }

    /** The errno to fail this call on {@code handle} with, or 0 when no fault is armed for it. */
    static int check(String function, NativeHandle handle) {
        if (!HOLDS.isEmpty()) {
            int held = held(function, handle.faultScope());
            if (held != 0) {
                count(function);
                return held;
            }
        }
        return check(function);
    }

    /** {@link #check(String, NativeHandle)} for a call on several objects: held if any is in scope. */
    static int check(String function, List<NativeHandle> handles) {
        if (!HOLDS.isEmpty()) {
            for (NativeHandle h : handles) {
                int held = held(function, h.faultScope());
                if (held != 0) {
                    count(function);
                    return held;
                }
            }
        }
        return check(function);
    }

    private static int held(String function, NativeHandle scope) {
        for (Hold h : HOLDS) {
            if (h.scope == scope && h.functions.contains(function)) {
                h.injected.incrementAndGet();
                return h.errno;
            }
        }
        return 0;
    }

    private static void count(String function) {
        if (counting) {
            CALLS.computeIfAbsent(function, f -> new LongAdder()).increment();
        }
    }

    /** The errno to fail this call with, or 0 when no fault is armed for it. */
    static int check(String function) {
        if (counting) {
            CALLS.computeIfAbsent(function, f -> new LongAdder()).increment();
        }
        Plan p = plan;
        if (p == null || !p.function().equals(function)) {
            return 0;
        }
        if (CALLS_OF_PLANNED.incrementAndGet() != p.nth()) {
            return 0;
        }
        INJECTED.incrementAndGet();
        return p.errno();
    }

    static Plan fromProperty(String spec) {
        if (spec == null || spec.isBlank()) {
            return null;
        }
        String[] f = spec.split(":");
        if (f.length != 3) {
            throw new IllegalArgumentException("ndk.reference.fault must be FUNCTION:N:ERRNO, was " + spec);
        }
        int nth = Integer.parseInt(f[1]);
        int errno = Integer.parseInt(f[2]);
        if (nth < 1 || errno <= 0) {
            throw new IllegalArgumentException("ndk.reference.fault: N must be >= 1 and ERRNO > 0, was " + spec);
        }
        return new Plan(f[0], nth, errno);
    }
}
