package org.ndkkit.simulated;

import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;

/**
 * Applies the {@link CompletionPath} to outcomes, and is the only place that decides between an
 * inline status and PENDING plus a completion. Every method runs under the testbed lock; callbacks
 * are only queued here (event thread or {@link InCall}), never invoked.
 */
final class Completions {
    private final CompletionPath path;
    private final EventQueue events;

    Completions(CompletionPath path, EventQueue events) {
        this.path = path;
        this.events = events;
    }

    /**
     * A request whose outcome is known during the call. A failure in {@code inline} mode is returned;
     * everything else (every success, every failure in the pending modes) returns PENDING and owes
     * exactly one completion.
     */
    NtStatus now(SimObject target, NtStatus outcome, RequestCompletion completion, Object context,
                 InCall inCall) {
        if (path == CompletionPath.INLINE && !outcome.equals(NtStatus.SUCCESS)) {
            return outcome;
        }
        target.requestStarted();
        Runnable deliver = () -> target.deliver(completion, context, outcome);
        if (path == CompletionPath.PENDING_IN_CALL) {
            inCall.add(target.adapter.tracker, deliver);
        } else {
            events.post(target.adapter.tracker, deliver);
        }
        return NtStatus.PENDING;
    }

    /** The outcome of a request that returned PENDING earlier; always delivered on the event thread. */
    void later(SimObject target, PendingRequest request, NtStatus outcome) {
        events.post(target.adapter.tracker,
                () -> target.deliver(request.completion(), request.context(), outcome));
    }

    /** A create that succeeded: SUCCESS with the object inline, or PENDING and the create completion. */
    <T extends NdkObject> Created<T> created(SimAdapter adapter, T object, CreateCompletion<T> completion,
                                            Object context, InCall inCall) {
        if (path == CompletionPath.INLINE) {
            return Created.inline(object);
        }
        deliverCreate(adapter, completion, context, NtStatus.SUCCESS, object, inCall);
        return Created.pending();
    }

    /** A create that failed for a reason found during the call (not an argument error). */
    <T extends NdkObject> Created<T> createFailed(SimAdapter adapter, NtStatus failure,
                                                 CreateCompletion<T> completion, Object context, InCall inCall) {
        if (path == CompletionPath.INLINE) {
            return Created.failed(failure);
        }
        deliverCreate(adapter, completion, context, failure, null, inCall);
        return Created.pending();
    }

    private <T extends NdkObject> void deliverCreate(SimAdapter adapter, CreateCompletion<T> completion,
                                                     Object context, NtStatus status, T object, InCall inCall) {
        Runnable deliver = () -> Callbacks.invoke("create completion",
                () -> completion.created(context, status, object));
        if (path == CompletionPath.PENDING_IN_CALL) {
            inCall.add(adapter.tracker, deliver);
        } else {
            events.post(adapter.tracker, deliver);
        }
    }
}
