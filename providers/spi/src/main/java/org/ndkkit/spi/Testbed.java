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

    /** The connect timeout the provider was configured with (see {@link TestbedOptions}). */
    Duration connectTimeout();

    @Override
    void close();
}
