package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A native object owned through the safety layer: a non-NULL pointer, a destroyed flag and a
 * read/write lock.
 *
 * <p>Every operation runs under the read lock of each handle it touches and first checks that
 * none is destroyed, so a destroyed object's pointer is never passed to native code (that would
 * be a use-after-free, i.e. a JVM crash). Destroying takes the write lock, so it waits for
 * operations in flight on other threads. When an operation needs several handles their read
 * locks are taken in creation order, which rules out lock-order cycles.
 *
 * <p>Handles also count their dependants (ids on a channel, PDs and CQs on an opened device,
 * QPs and MRs on a PD, QPs on a CQ): a handle with dependants is not destroyed (EBUSY), because
 * libibverbs/librdmacm would free memory the dependants still point into.
 */
public abstract class NativeHandle {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** Live handles by kind, from wrapping until a successful destroy: the leak check reads it. */
    private static final Map<String, LongAdder> LIVE = new ConcurrentHashMap<>();

    private final long sequence = SEQUENCE.incrementAndGet();
    private final String kind;
    private final Pointer pointer;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final AtomicInteger dependants = new AtomicInteger();
    private volatile boolean destroyed;

    NativeHandle(String kind, Pointer pointer) {
        if (pointer == null || Pointer.nativeValue(pointer) == 0) {
            throw new IllegalArgumentException(kind + " handle needs a non-NULL pointer");
        }
        this.kind = kind;
        this.pointer = pointer;
        LIVE.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** How many handles of each kind are live in this JVM (keys such as {@code rdma_cm_id}). */
    public static Map<String, Long> liveCounts() {
        Map<String, Long> out = new TreeMap<>();
        LIVE.forEach((k, n) -> out.put(k, n.sum()));
        return out;
    }

    /** The native address (for logging and identity; never dereference it yourself). */
    public final long address() {
        return Pointer.nativeValue(pointer);
    }

    public final boolean isDestroyed() {
        return destroyed;
    }

    /** How many live objects depend on this one. */
    public final int dependants() {
        return dependants.get();
    }

    final Pointer pointer() {
        return pointer;
    }

    final String kind() {
        return kind;
    }

    final void addDependant() {
        dependants.incrementAndGet();
    }

    final void removeDependant() {
        dependants.decrementAndGet();
    }

    /** Runs {@code body} under the read locks of {@code handles}, unless one is destroyed. */
    static <T> RdmaResult<T> using(String operation, List<? extends NativeHandle> handles,
            Supplier<RdmaResult<T>> body) {
        List<NativeHandle> sorted = new ArrayList<>(handles);
        sorted.sort(Comparator.comparingLong(h -> h.sequence));
        List<NativeHandle> locked = new ArrayList<>(sorted.size());
        try {
            for (NativeHandle h : sorted) {
                if (locked.contains(h)) {
                    continue;
                }
                h.lock.readLock().lock();
                locked.add(h);
                if (h.destroyed) {
                    return destroyed(operation, h);
                }
            }
            return faultOr(operation, sorted, body);
        } finally {
            for (int i = locked.size() - 1; i >= 0; i--) {
                locked.get(i).lock.readLock().unlock();
            }
        }
    }

    /**
     * {@link #using(String, List, Supplier)} for one handle, the common case (about 25 calls per
     * connection): the same lock, checks and fault injection, without the list, sort and
     * bookkeeping the general form needs for several handles.
     */
    static <T> RdmaResult<T> using(String operation, NativeHandle handle,
            Supplier<RdmaResult<T>> body) {
        handle.lock.readLock().lock();
        try {
            return handle.destroyed ? destroyed(operation, handle) : faultOr(operation, handle, body);
        } finally {
            handle.lock.readLock().unlock();
        }
    }

    private static <T> RdmaResult<T> destroyed(String operation, NativeHandle h) {
        return RdmaResult.rejected(operation, Errno.EBADF,
                h.kind + " 0x" + Long.toHexString(h.address()) + " is already destroyed");
    }

    /** The injected fault for {@code operation} on {@code handle} if one is armed, else {@code body}'s result. */
    private static <T> RdmaResult<T> faultOr(String operation, NativeHandle handle, Supplier<RdmaResult<T>> body) {
        int fault = NativeFaults.check(operation, handle);
        if (fault != 0) {
            return RdmaResult.nativeError(operation, fault, "injected fault (NativeFaults)");
        }
        return body.get();
    }

    private static <T> RdmaResult<T> faultOr(String operation, List<NativeHandle> handles, Supplier<RdmaResult<T>> body) {
        int fault = NativeFaults.check(operation, handles);
        if (fault != 0) {
            return RdmaResult.nativeError(operation, fault, "injected fault (NativeFaults)");
        }
        return body.get();
    }

    /**
     * The object whose calls a standing fault ({@link NativeFaults#hold}) is scoped to: the event
     * channel for rdma_cm ids, the opened device for verbs objects. Each adapter has its own of
     * both, so a fault held on one adapter leaves the other untouched.
     */
    NativeHandle faultScope() {
        return this;
    }

    /**
     * Runs the native destroy {@code body} under the write lock; on success marks the handle
     * destroyed and calls {@link #released()}. Refused while dependants exist.
     */
    static RdmaResult<Void> destroying(String operation, NativeHandle handle,
            Supplier<RdmaResult<Void>> body) {
        handle.lock.writeLock().lock();
        try {
            if (handle.destroyed) {
                return RdmaResult.rejected(operation, Errno.EBADF,
                        handle.kind + " is already destroyed");
            }
            int deps = handle.dependants.get();
            if (deps > 0) {
                return RdmaResult.rejected(operation, Errno.EBUSY, handle.kind + " still has "
                        + deps + " dependent object(s); destroy them first");
            }
            RdmaResult<Void> r = body.get();
            if (r.ok()) {
                handle.destroyed = true;
                LIVE.get(handle.kind).decrement();
                handle.released();
            }
            return r;
        } finally {
            handle.lock.writeLock().unlock();
        }
    }

    /**
     * Called once, under the write lock, after the native object was freed: subclasses release
     * their parents ({@link #removeDependant()}) and registries here.
     */
    void released() {
    }

    @Override
    public String toString() {
        return kind + "@0x" + Long.toHexString(address()) + (destroyed ? " (destroyed)" : "");
    }
}
