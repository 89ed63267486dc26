package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import com.sun.jna.Union;

/**
 * Base of every C {@code union} mapping in this package (see {@link NativeStruct}).
 *
 * <p>JNA reads and writes a union's structure-typed members only when that member is made active
 * with {@link #setType(String)}; primitive and array members are always read.
 */
public abstract class NativeUnion extends Union {

    protected NativeUnion() {
        super();
    }

    protected NativeUnion(Pointer p) {
        super(p);
    }

    /** Offset of a member: always 0 for a union, exposed for symmetry with {@link NativeStruct}. */
    public int offsetOf(String field) {
        return fieldOffset(field);
    }
}
