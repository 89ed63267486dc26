package org.ndkkit.simulated;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * One simulated host's NDK adapter. Argument errors are returned inline; failures the adapter's
 * state causes (exhausted resources, an address that is not local or is in use) follow the
 * completion path.
 */
final class SimAdapter implements NdkAdapter {
    /** How long {@link #close} waits for callbacks already queued to return. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    final SimContext ctx;
    final Host host;
    final List<InetAddress> addresses;
    final CallbackTracker tracker;
    final AdapterInfo info;

    private boolean closed;      // guarded by ctx.lock
    private int exhaustions;     // guarded by ctx.lock: open ResourceExhaustion handles

    SimAdapter(SimContext ctx, Host host, List<InetAddress> addresses) {
        this.ctx = ctx;
        this.host = host;
        this.addresses = addresses;
        this.info = AdapterInfos.of(ctx.settings, host);
        this.tracker = new CallbackTracker(ctx.activity);
    }

    @Override
    public AdapterInfo queryAdapterInfo() {
        return info;
    }

    @Override
    public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = createRefusal(completion);
            if (refused != null) {
                return Created.failed(refused);
            }
            if (exhausted()) {
                return ctx.completions.createFailed(this, NtStatus.INSUFFICIENT_RESOURCES, completion, context, inCall);
            }
            return ctx.completions.created(this, (NdkPd) new SimPd(ctx, this), completion, context, inCall);
        });
    }

    /** CqDepth 0 or above MaxCqDepth is INVALID_PARAMETER, inline. */
    @Override
    public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = createRefusal(completion);
            if (refused != null) {
                return Created.failed(refused);
            }
            if (cqDepth == 0 || Args.exceeds(cqDepth, info.maxCqDepth())) {
                return Created.failed(NtStatus.INVALID_PARAMETER);
            }
            if (exhausted()) {
                return ctx.completions.createFailed(this, NtStatus.INSUFFICIENT_RESOURCES, completion, context, inCall);
            }
            return ctx.completions.created(this, (NdkCq) new SimCq(ctx, this, cqDepth), completion, context, inCall);
        });
    }

    @Override
    public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = createRefusal(completion);
            if (refused != null) {
                return Created.failed(refused);
            }
            if (exhausted()) {
                return ctx.completions.createFailed(this, NtStatus.INSUFFICIENT_RESOURCES, completion, context, inCall);
            }
            return ctx.completions.created(this, (NdkConnector) SimConnector.active(ctx, this),
                    completion, context, inCall);
        });
    }

    /**
     * A null or malformed address is INVALID_ADDRESS inline. Then, by the completion path:
     * INSUFFICIENT_RESOURCES, INVALID_ADDRESS (not this adapter's IP), SHARING_VIOLATION (taken, also
     * by a closed shared endpoint or listener whose connectors are still open), TOO_MANY_ADDRESSES
     * (port 0 and no ephemeral port free).
     */
    @Override
    public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                           CreateCompletion<NdkSharedEndpoint> completion,
                                                           Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = createRefusal(completion);
            if (refused != null) {
                return Created.failed(refused);
            }
            IpPort requested = IpPort.parse(localAddress);
            if (requested == null) {
                return Created.failed(NtStatus.INVALID_ADDRESS);
            }
            NtStatus failure = null;
            EndpointTable.Bound bound = null;
            if (exhausted()) {
                failure = NtStatus.INSUFFICIENT_RESOURCES;
            } else if (!ctx.network.owns(this, requested.ip())) {
                failure = NtStatus.INVALID_ADDRESS;
            } else {
                bound = ctx.network.endpoints.bind(requested, EndpointTable.Kind.SHARED_ENDPOINT, null);
                failure = bound.failure();
            }
            if (failure != null) {
                return ctx.completions.createFailed(this, failure, completion, context, inCall);
            }
            return ctx.completions.created(this, (NdkSharedEndpoint) new SimSharedEndpoint(ctx, this, bound.binding()),
                    completion, context, inCall);
        });
    }

    @Override
    public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                               CreateCompletion<NdkListener> completion, Object context) {
        return ctx.call(inCall -> {
            NtStatus refused = createRefusal(completion);
            if (refused != null) {
                return Created.failed(refused);
            }
            if (connectEvent == null) {
                return Created.failed(NtStatus.INVALID_PARAMETER);
            }
            if (exhausted()) {
                return ctx.completions.createFailed(this, NtStatus.INSUFFICIENT_RESOURCES, completion, context, inCall);
            }
            return ctx.completions.created(this,
                    (NdkListener) new SimListener(ctx, this, connectEvent, connectEventContext),
                    completion, context, inCall);
        });
    }

    /**
     * Marks the adapter closed (later creates return INVALID_DEVICE_STATE; objects already created
     * keep working) and waits, at most {@link #CLOSE_WAIT}, until every callback already queued or
     * running for this adapter's objects has returned.
     */
    @Override
    public void close() {
        ctx.locked(() -> {
            closed = true;
        });
        if (!ctx.events.onEventThread()) {
            tracker.awaitIdle(CLOSE_WAIT);
        }
    }

    /** Under the lock. */
    boolean exhausted() {
        return exhaustions > 0;
    }

    /** Under the lock. */
    void exhaust() {
        exhaustions++;
    }

    /** Under the lock. */
    void replenish() {
        exhaustions--;
    }

    /** Under the lock. */
    NtStatus createRefusal(Object completion) {
        if (closed) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        return completion == null ? NtStatus.INVALID_PARAMETER : null;
    }

    @Override
    public String toString() {
        return "simulated adapter of " + host;
    }
}
