package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * Native memory for the arguments of one native call (a sockaddr, an option value, an
 * {@code rdma_conn_param} and its private data, an out-parameter), taken from a block that belongs
 * to the calling thread and given back when the scope closes:
 *
 * <pre>
 * try (Scratch s = Scratch.open()) {
 *     Pointer sa = s.zeroed(Sockaddrs.STORAGE_SIZE);
 *     ...native call...
 * }
 * </pre>
 *
 * <p>Why: a JNA {@link Memory} per argument costs a {@code malloc}, an entry in JNA's map of live
 * blocks and a {@code Cleaner} registration (then a {@code free} on the cleaner thread). In the lab's
 * emulated VM those were among the largest Java costs of a connection (profiled with JFR at N=100).
 * librdmacm and libibverbs copy what they are given during the call, so nothing needs the memory
 * after the scope. Scopes nest (a call may prepare two arguments); a request larger than what is
 * left falls back to a {@code Memory} of its own, freed by the GC as before.
 */
public final class Scratch implements AutoCloseable {
    /** Enough for every argument of any one call in this package (the largest is a 256-byte private data). */
    static final int SIZE = 2048;
    private static final int ALIGN = 16;
    private static final int MAX_DEPTH = 8;
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final Memory block = new Memory(SIZE);
    private final long[] marks = new long[MAX_DEPTH];
    private int depth;
    private long top;

    private Scratch() {
    }

    /** Opens a scope on this thread's block; close it (try-with-resources) on the same thread. */
    public static Scratch open() {
        Scratch s = LOCAL.get();
        if (s.depth == MAX_DEPTH) {
            throw new IllegalStateException("scratch scopes nested deeper than " + MAX_DEPTH);
        }
        s.marks[s.depth++] = s.top;
        return s;
    }

    /** {@code size} zeroed bytes, valid until this scope closes. */
    public Pointer zeroed(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be > 0, was " + size);
        }
        long at = (top + ALIGN - 1) & -ALIGN;
        if (at + size > SIZE) {
            Memory own = new Memory(size);
            own.clear();
            return own;
        }
        top = at + size;
        Pointer p = block.share(at, size);
        p.setMemory(0, size, (byte) 0);
        return p;
    }

    /** How many bytes of this thread's block are in use (0 outside every scope). */
    static long inUse() {
        return LOCAL.get().top;
    }

    @Override
    public void close() {
        if (depth == 0) {
            throw new IllegalStateException("scratch scope closed twice");
        }
        top = marks[--depth];
    }
}
