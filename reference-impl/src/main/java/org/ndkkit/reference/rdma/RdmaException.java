package org.ndkkit.reference.rdma;

/**
 * A failed {@link RdmaResult} turned into a checked exception by {@link RdmaResult#orElseThrow()}
 * (for callers that prefer exceptions). Never thrown by the facades themselves.
 */
public final class RdmaException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient RdmaResult<?> result;

    public RdmaException(RdmaResult<?> result) {
        super(result.toString());
        this.result = result;
    }

    public RdmaResult<?> result() {
        return result;
    }

    public int errno() {
        return result.errno();
    }
}
