package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/**
 * Base of every C {@code struct} mapping in this package.
 *
 * <p>Field names are the C field names, so that {@code StructLayoutTest} can match every Java
 * field with the {@code offsetof}/{@code sizeof} that gcc computes from the real headers. The
 * layout is JNA's default (platform) alignment, which on Linux x86-64 is the SysV ABI that gcc
 * uses; nothing is packed or hand-padded except where a C field is itself opaque padding (for
 * example {@code pthread_mutex_t}, mapped as {@code long[5]} so that it keeps its 8-byte
 * alignment).
 *
 * <p>No mapping in this package uses {@code String} or {@code ByReference} fields: reading a
 * structure never dereferences a native pointer, it only copies the pointer value.
 */
public abstract class NativeStruct extends Structure {

    /** A structure backed by its own zeroed Java-owned {@link com.sun.jna.Memory}. */
    protected NativeStruct() {
        super();
    }

    /**
     * A view of native memory that someone else owns. Nothing is read until {@link #read()} is
     * called, and the caller must keep the memory alive while the view is used.
     */
    protected NativeStruct(Pointer p) {
        super(p);
    }

    /** Offset of a (top-level) field in bytes, as JNA lays it out. */
    public int offsetOf(String field) {
        return fieldOffset(field);
    }
}
