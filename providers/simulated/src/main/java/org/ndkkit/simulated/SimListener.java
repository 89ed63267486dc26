package org.ndkkit.simulated;

import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * A listener. It takes an incoming request when it is listening, not paused, not closing and holds
 * fewer unanswered requests than the backlog; otherwise the request is refused as if nothing
 * listened. Every connector it delivered holds a reference on it and on its address (NDK's L26)
 * until that connector is closed or rejected.
 */
final class SimListener extends SimObject implements NdkListener {
    private final ConnectEventCallback connectEvent;
    private final Object connectEventContext;
    // guarded by ctx.lock
    private EndpointTable.Binding binding;
    private boolean paused;
    private int unanswered;

    SimListener(SimContext ctx, SimAdapter adapter, ConnectEventCallback connectEvent, Object connectEventContext) {
        super(ctx, adapter, NdkObjectType.LISTENER);
        this.connectEvent = connectEvent;
        this.connectEventContext = connectEventContext;
    }

    /**
     * Inline: INVALID_DEVICE_STATE (closing), INVALID_PARAMETER (no completion),
     * ADDRESS_ALREADY_ASSOCIATED (already listening, as ND2 does), INVALID_ADDRESS (null or malformed).
     * By the completion path: INVALID_ADDRESS (not this adapter's IP), SHARING_VIOLATION,
     * TOO_MANY_ADDRESSES. Success is PENDING, then SUCCESS; requests are taken from the call on.
     */
    @Override
    public NtStatus listen(SockAddr address, RequestCompletion completion, Object context) {
        return ctx.call(inCall -> {
            if (isCloseIssued()) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            if (completion == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            if (binding != null) {
                return NtStatus.ADDRESS_ALREADY_ASSOCIATED;
            }
            IpPort requested = IpPort.parse(address);
            if (requested == null) {
                return NtStatus.INVALID_ADDRESS;
            }
            if (!ctx.network.owns(adapter, requested.ip())) {
                return ctx.completions.now(this, NtStatus.INVALID_ADDRESS, completion, context, inCall);
            }
            EndpointTable.Bound bound = ctx.network.endpoints.bind(requested, EndpointTable.Kind.LISTENER, this);
            if (bound.failure() != null) {
                return ctx.completions.now(this, bound.failure(), completion, context, inCall);
            }
            binding = bound.binding();
            return ctx.completions.now(this, NtStatus.SUCCESS, completion, context, inCall);
        });
    }

    /** INVALID_DEVICE_STATE before a successful listen or once the close was issued. */
    @Override
    public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
        return ctx.call(inCall -> isCloseIssued()
                ? NtStatus.INVALID_DEVICE_STATE
                : AddressOut.write(address(), address, addressLength));
    }

    /** Ignored once the close was issued (the listener then refuses everything anyway). */
    @Override
    public void controlConnectEvents(boolean pause) {
        ctx.locked(() -> {
            if (!isCloseIssued()) {
                paused = pause;
            }
        });
    }

    /** Under the lock: the listening address, or null before a successful listen. */
    IpPort address() {
        return binding == null ? null : binding.address;
    }

    /** Under the lock. */
    boolean takesRequests() {
        return binding != null && !isCloseIssued() && !paused
                && unanswered < ctx.settings.backlog();
    }

    /** Under the lock: queues the connect event for a request {@link #takesRequests} admitted. */
    void offer(SimConnector request) {
        unanswered++;
        ctx.events.post(adapter.tracker, () -> deliver(request));
    }

    /** Under the lock: a request left the backlog (answered, closed, or dropped before delivery). */
    void answered() {
        unanswered--;
    }

    /**
     * Under the lock: a delivered connector now depends on this listener (as successor) and holds the
     * returned reference on its address, until it is closed or rejects.
     */
    EndpointTable.Binding attach() {
        ctx.network.endpoints.retain(binding);
        retainSuccessor();
        return binding;
    }

    /**
     * Event thread. The listener may have been paused or closed, or the active side may have given up,
     * since the request was admitted; then no event is made and the active side is refused.
     */
    private void deliver(SimConnector request) {
        boolean go;
        ctx.lock.lock();
        try {
            go = request.activeStillWaiting() && binding != null && !paused && beginEvent();
            if (go) {
                request.deliveredBy(this);
            } else {
                request.refuseUndelivered();
            }
        } finally {
            ctx.lock.unlock();
        }
        if (go) {
            try {
                Callbacks.invoke("connect event", () -> connectEvent.connectRequest(connectEventContext, request));
            } finally {
                ctx.locked(this::endEvent);
            }
        }
    }

    @Override
    void releaseResources() {
        if (binding != null) {
            ctx.network.endpoints.release(binding);
        }
    }
}
