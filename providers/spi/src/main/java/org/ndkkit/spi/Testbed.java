package org.ndkkit.spi;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The lab a provider runs the scenarios in: two hosts (the {@link Host#LOCAL} side that connects and
 * the {@link Host#PEER} side that listens), each with an opened adapter and addresses, plus the
 * conditions scenarios need (unreachable destinations, a silent host, exhausted resources).
 *
 * <p>The two hosts may be the same machine and the same device (loopback through one adapter) as
 * long as their addresses differ. Anything a testbed cannot produce it reports as
 * {@link Availability#unavailable}; the kit then reports the scenario unsupported with that reason.
 * Closing the testbed releases everything it opened.
 */
public interface Testbed extends AutoCloseable {

    /** The opened adapter of a host. The same adapter object for every call. */
    NdkAdapter adapter(Host host);

    /**
     * The host's usable IP addresses, at least one; distinct from the other host's. Scenarios that
     * need several distinct destinations use several of the peer's addresses and are unsupported
     * when there are too few.
     */
    List<InetAddress> addresses(Host host);

    /** An address that exhibits {@code condition}, with an ND port where it matters. */
    Availability<SockAddr> address(LabCondition condition);

    /**
     * Makes the host's adapter run out of the resources a new connection needs, until the returned
     * handle is closed.
     */
    Availability<ResourceExhaustion> exhaustResources(Host host);

    /**
     * Takes every ephemeral ND port (49152-65535) on the given local IP, so that creating a shared
     * endpoint or listening with port 0 fails with TOO_MANY_ADDRESSES, until the handle is closed.
     */
    Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp);

    /**
     * How many connection requests a listener holds unanswered (connect events whose connector the
     * consumer has not yet accepted, rejected or closed) before it refuses further ones with
     * CONNECTION_REFUSED.
     */
    Availability<Integer> listenerBacklog();

    /**
     * Lifts a network condition ({@link LabCondition#NETWORK_UNREACHABLE},
     * {@link LabCondition#HOST_UNREACHABLE}, {@link LabCondition#SILENT_HOST}) until the returned
     * handle is closed: the address {@link #address} gives for it becomes a reachable address of
     * the PEER host, where a listener can listen. Unavailable by default, and for conditions that
     * have nothing to heal.
     */
    default Availability<LiftedCondition> lift(LabCondition condition) {
        return Availability.unavailable("cannot-lift-condition", "the testbed cannot make the " + condition
                + " destination reachable");
    }

    /**
     * The network between the two hosts, when they are separate machines joined by a link this
     * testbed can disturb. Unavailable by default (one machine, or a link the testbed does not
     * control); the kit then reports the network-fault scenarios unsupported with the reason.
     */
    default Availability<NetworkLink> link() {
        return Availability.unavailable("no-link-control", "the testbed cannot disturb the network between its hosts");
    }

    /**
     * How long a four-tuple may stay taken after the close of its connector completed: zero for
     * most transports; an iWARP provider whose TCP holds the tuple in TIME_WAIT after an active
     * close declares that time. The kit waits it out before reusing a four-tuple.
     */
    default Duration fourTupleReleaseDelay() {
        return Duration.ZERO;
    }

    /**
     * What {@code qp} really allows now, read from the device rather than from the connection
     * data: so the kit can check that the effective read limits NdkGetConnectionData reports are
     * the ones the QP uses once its connection is established. Unavailable by default; a testbed
     * that cannot read its QPs' attributes leaves the kit checking the negotiation only. A testbed
     * that read the QP and found no established connection's attributes returns unavailable with the
     * reason code {@code qp-not-established}: the kit asks only after the connection was completed,
     * so it reads that answer as the provider's failure, not as a missing capability.
     */
    default Availability<QpReadLimits> qpReadLimits(NdkQp qp) {
        return Availability.unavailable("no-qp-attributes", "the testbed cannot read a QP's read limits from its device");
    }

    /**
     * What is under test, as key/value facts for the report and the certification bundle: the
     * driver, firmware and device each host's adapter runs on, and the libraries between the
     * provider and the device. Keys are lower-case and hyphenated, with a {@code local.} or
     * {@code peer.} prefix for facts of one host (for example {@code local.device},
     * {@code local.firmware}, {@code driver}, {@code driver-version}); values are single lines.
     * Read once, after the testbed opened. Empty by default (the report then says the provider
     * declared no identity).
     *
     * @since 1.1.0
     */
    default java.util.Map<String, String> identity() {
        return java.util.Map.of();
    }

    /**
     * Waits, at most {@code max}, until the provider is quiescent (see {@link Quiescence#QUIET}):
     * no callback running or queued, nothing scheduled that could lead to one, no completion
     * outstanding that the provider would deliver without a further call from the consumer. So
     * that nothing more can happen until the consumer calls again. Requests that wait on the
     * consumer (a connect the peer has not yet accepted, a connect event not yet claimed) do not
     * stop a provider from being quiescent; a connect that a timer will end does.
     *
     * <p>The kit asks when it watches a window in which nothing more should happen (no second
     * completion, no callback after a close, no completion of a close whose successors are open)
     * and when it lets a scenario settle: on {@code QUIET} it ends the window early, on anything
     * else it watches the whole window. It asks only while none of its own calls into the provider
     * is in progress, and never from inside a callback.
     *
     * <p>What a provider may answer:
     * <ul>
     *   <li>{@link Quiescence#QUIET}, as soon as it is quiescent, and only when it knows it (it
     *       counts its own queued and running callbacks and its timers, for example). A provider
     *       whose answer could be wrong must not give it: the kit would end a window early and
     *       could miss a late callback that breaks a rule.</li>
     *   <li>{@link Quiescence#BUSY}, when {@code max} passed and it was still not quiescent. It
     *       should wait up to {@code max} first rather than answer at once.</li>
     *   <li>{@link Quiescence#UNKNOWN}, at once, when it cannot tell: always conforming (the
     *       default). A provider behind a transport, or over a device whose firmware or kernel may
     *       still act on its own, answers this unless it can see all of that work.</li>
     * </ul>
     * Must return within about {@code max} and must not change the provider's state. Called from
     * inside a callback of the provider, it answers {@code BUSY} or {@code UNKNOWN} (a callback is
     * running).
     *
     * @param max how long to wait at most; zero asks without waiting
     * @return whether the provider became quiescent within {@code max}
     * @since 1.3.0
     */
    default Quiescence awaitQuiescence(Duration max) {
        return Quiescence.UNKNOWN;
    }

    /** The connect timeout the provider was configured with (see {@link TestbedOptions}). */
    Duration connectTimeout();

    /**
     * What the provider holds right now, counted by kind, on both hosts together: its live NDK
     * objects (keys such as {@code connector}, {@code shared-endpoint}, {@code listener},
     * {@code qp}, {@code cq}, {@code pd}) and, where it can see them, the native resources under
     * them (keys with a prefix, such as {@code rdma:cm_id}, {@code rdma:qp} as the kernel counts
     * them). The kit reads this before and after every scenario: once the scenario's objects are
     * all closed, every count must be back at its value before the scenario, or the scenario fails
     * naming what leaked. An object counts from its creation until its close completes (or its
     * close returns SUCCESS inline). The adapters themselves and anything the testbed holds for its
     * own conditions may be counted too, as long as the count is the same before and after.
     *
     * <p>Must not block for long (it runs twice per scenario) and must not change any count. A
     * provider that cannot count returns {@link Availability#unavailable}; the kit then reports
     * that the leak check did not run, and never counts that as a pass.
     */
    default Availability<java.util.Map<String, Long>> resourceCounts() {
        return Availability.unavailable("no-resource-counts", "the provider does not count its live objects");
    }

    @Override
    void close();
}
