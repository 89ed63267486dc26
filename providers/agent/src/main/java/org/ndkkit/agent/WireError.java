package org.ndkkit.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A message the agent refuses before any of it reaches the provider (an unknown handle, a handle of
 * the wrong type or of another session, an IP address of the wrong length, a missing operation).
 * It becomes a gRPC error with a message that names what was wrong; the agent goes on serving.
 */
final class WireError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Status status;

    private WireError(Status status) {
        super(status.getDescription());
        this.status = status;
    }

    static WireError invalid(String message) {
        return new WireError(Status.INVALID_ARGUMENT.withDescription(message));
    }

    static WireError precondition(String message) {
        return new WireError(Status.FAILED_PRECONDITION.withDescription(message));
    }

    static WireError notFound(String message) {
        return new WireError(Status.NOT_FOUND.withDescription(message));
    }

    static WireError unimplemented(String message) {
        return new WireError(Status.UNIMPLEMENTED.withDescription(message));
    }

    StatusRuntimeException toGrpc() {
        return status.asRuntimeException();
    }
}
