package org.ndkkit.remote;

import org.ndkkit.wire.v1.ProviderError;

/**
 * The provider behind the agent threw out of a call instead of returning: the kit sees the same
 * exception type's name and message an in-process consumer would have seen.
 */
public final class RemoteProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String type;

    RemoteProviderException(ProviderError e) {
        super(e.getType() + ": " + e.getMessage() + " (thrown by the provider behind the agent)\n" + e.getTrace());
        this.type = e.getType();
    }

    /** The class name of what the provider threw. */
    public String type() {
        return type;
    }
}
