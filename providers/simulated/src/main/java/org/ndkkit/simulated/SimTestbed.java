package org.ndkkit.simulated;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.QpReadLimits;
import org.ndkkit.spi.Quiescence;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * Two simulated hosts on one in-process network, each with its own adapter:
 *
 * <ul>
 *   <li>LOCAL owns 198.18.0.1, 198.18.0.2 and 2001:2::1; PEER owns 198.18.1.1, 198.18.1.2,
 *       198.18.1.3 and 2001:2::1:1.</li>
 *   <li>NO_LISTENER is 198.18.1.3 port 4, where by convention nothing listens (a scenario that does
 *       listen there simply gets connections); NETWORK_UNREACHABLE is 198.19.255.1:7000 (no route);
 *       HOST_UNREACHABLE is 198.18.2.1:7000 (a route whose gateway reports host unreachable; any
 *       address on the hosts' own nets that no adapter owns behaves the same); SILENT_HOST is
 *       198.18.1.77:7000 (never answers: IO_TIMEOUT after the connect timeout);
 *       FOREIGN_LOCAL_ADDRESS is 198.18.3.1 port 0.</li>
 * </ul>
 */
final class SimTestbed implements Testbed {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final TestbedOptions options;
    private final SimContext ctx;
    private final SimAdapter local;
    private final SimAdapter peer;
    private boolean closed; // guarded by ctx.lock

    SimTestbed(TestbedOptions options) {
        this.options = options;
        this.ctx = new SimContext(SimSettings.from(options));
        this.local = new SimAdapter(ctx, Host.LOCAL, Addresses.LOCAL);
        this.peer = new SimAdapter(ctx, Host.PEER, Addresses.PEER);
        ctx.network.attach(local, Addresses.LOCAL);
        ctx.network.attach(peer, Addresses.PEER);
    }

    @Override
    public NdkAdapter adapter(Host host) {
        return simAdapter(host);
    }

    @Override
    public List<InetAddress> addresses(Host host) {
        return simAdapter(host).addresses;
    }

    @Override
    public Availability<SockAddr> address(LabCondition condition) {
        return Availability.of(conditionAddress(condition).toSockAddr());
    }

    private static IpPort conditionAddress(LabCondition condition) {
        return switch (Objects.requireNonNull(condition, "condition")) {
            case NO_LISTENER -> Addresses.NO_LISTENER;
            case NETWORK_UNREACHABLE -> Addresses.NETWORK_UNREACHABLE;
            case HOST_UNREACHABLE -> Addresses.HOST_UNREACHABLE;
            case SILENT_HOST -> Addresses.SILENT_HOST;
            case FOREIGN_LOCAL_ADDRESS -> Addresses.FOREIGN_LOCAL;
        };
    }

    @Override
    public Availability<ResourceExhaustion> exhaustResources(Host host) {
        SimAdapter adapter = simAdapter(host);
        ctx.locked(adapter::exhaust);
        return Availability.of(new UndoHandle(ctx, adapter::replenish,
                "the simulated " + host + " adapter refuses every new allocation"));
    }

    @Override
    public Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp) {
        Objects.requireNonNull(localIp, "localIp");
        ctx.lock.lock();
        try {
            if (!ctx.network.isTestbedAddress(localIp)) {
                return Availability.unavailable("not-a-testbed-address",
                        localIp.getHostAddress() + " is not an address of either simulated host");
            }
            ctx.network.endpoints.holdEphemeral(localIp);
        } finally {
            ctx.lock.unlock();
        }
        return Availability.of(new UndoHandle(ctx, () -> ctx.network.endpoints.releaseEphemeral(localIp),
                "the simulation treats every ephemeral port of " + localIp.getHostAddress() + " as taken"));
    }

    /** The lifted destination becomes an address of the PEER host until the handle is closed. */
    @Override
    public Availability<LiftedCondition> lift(LabCondition condition) {
        IpPort a = conditionAddress(condition);
        if (condition == LabCondition.NO_LISTENER || condition == LabCondition.FOREIGN_LOCAL_ADDRESS) {
            return Availability.unavailable("nothing-to-lift", condition + " is not a network condition");
        }
        ctx.locked(() -> ctx.network.lend(a.ip(), peer));
        return Availability.of(new UndoHandle(ctx, () -> ctx.network.takeBack(a.ip())));
    }

    /** The limits the QP was established with; unavailable before it served a connection. */
    @Override
    public Availability<QpReadLimits> qpReadLimits(NdkQp qp) {
        if (!(qp instanceof SimQp q)) {
            return Availability.unavailable("not-a-simulated-qp", "the QP is not one of this testbed's");
        }
        int[] l = ctx.locked(q::readLimits);
        return l == null ? Availability.unavailable("qp-not-established", "the QP has not served an established connection")
                : Availability.of(new QpReadLimits(Integer.toUnsignedLong(l[0]), Integer.toUnsignedLong(l[1])));
    }

    @Override
    public Availability<Integer> listenerBacklog() {
        return Availability.of(ctx.settings.backlog());
    }

    /** No hardware: the facts say so, with the settings that shape its behaviour. */
    @Override
    public java.util.Map<String, String> identity() {
        return java.util.Map.of("device", "none (simulated in process)", "driver", "none (simulated)",
                "firmware", "none (simulated)", "completion-path", ctx.settings.completionPath().name().toLowerCase());
    }

    @Override
    public Duration connectTimeout() {
        return options.connectTimeout();
    }

    /** Live objects by type, bound addresses and taken four-tuples, on both hosts. */
    @Override
    public Availability<Map<String, Long>> resourceCounts() {
        Map<String, Long> counts = new TreeMap<>();
        ctx.live.forEach((type, n) -> counts.put(type.name().toLowerCase(Locale.ROOT).replace('_', '-'), n.sum()));
        ctx.locked(() -> {
            counts.put("bound-address", (long) ctx.network.endpoints.bound());
            counts.put("four-tuple", (long) ctx.network.fourTuples());
        });
        return Availability.of(counts);
    }

    /** Closes both adapters (each waiting for its queued callbacks) and stops the event thread. */
    @Override
    public void close() {
        ctx.lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            ctx.lock.unlock();
        }
        local.close();
        peer.close();
        ctx.events.shutdown(SHUTDOWN_WAIT);
    }

    /**
     * Exact: quiescent when no callback of either adapter's objects is queued or running (on the
     * event thread or inside a call), no timer (a silent host's connect timeout) is pending or
     * running, and no consumer call is in progress. A timer that fires counts until the completion
     * it queues is counted, a call that cancels one until the call returns, so QUIET is never
     * answered while a completion is still owed.
     * Requests that wait on the consumer (a connect the peer has not accepted) do not count: only a
     * consumer's call can move them. Inside a callback the answer is BUSY (that callback runs);
     * once the testbed is closed, QUIET (its event thread is stopped).
     */
    @Override
    public Quiescence awaitQuiescence(Duration max) {
        Objects.requireNonNull(max, "max");
        if (ctx.locked(() -> closed)) {
            return Quiescence.QUIET;
        }
        if (ctx.events.onEventThread()) {
            return Quiescence.BUSY;
        }
        return ctx.activity.awaitIdle(max) ? Quiescence.QUIET : Quiescence.BUSY;
    }

    /** For tests: waits until every callback queued so far (not timers) has run. */
    boolean awaitQuiet(Duration max) {
        return ctx.events.awaitIdle(max);
    }

    private SimAdapter simAdapter(Host host) {
        return Objects.requireNonNull(host, "host") == Host.PEER ? peer : local;
    }
}
