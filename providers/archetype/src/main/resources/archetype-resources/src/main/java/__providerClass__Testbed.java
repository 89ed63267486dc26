package ${package};

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedNotImplementedException;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * The lab the kit runs the spec in for {@code ${providerName}}: two hosts, {@link Host#LOCAL} (connects)
 * and {@link Host#PEER} (listens), each with an opened adapter and addresses, and the conditions some
 * scenarios need. The two hosts may be one machine and one device (loopback) as long as their addresses
 * differ.
 *
 * <p>Whatever the testbed cannot produce it reports as {@link Availability#unavailable} with a stable
 * reason code and a sentence; the kit then reports the scenarios that need it {@code unsupported}
 * (never passed, never failed). Every {@code TODO(vendor)} below is one thing to implement; README.md
 * gives the order.
 */
public final class ${providerClass}Testbed implements Testbed {

    /** The reason code of everything this skeleton does not do yet. */
    static final String NOT_IMPLEMENTED = "not-implemented";

    private final NdkAdapter local;
    private final NdkAdapter peer;
    private final List<InetAddress> localAddresses;
    private final List<InetAddress> peerAddresses;
    private final Duration connectTimeout;

    ${providerClass}Testbed(NdkAdapter local, NdkAdapter peer, List<InetAddress> localAddresses,
                            List<InetAddress> peerAddresses, Duration connectTimeout) {
        this.local = Objects.requireNonNull(local, "local");
        this.peer = Objects.requireNonNull(peer, "peer");
        this.localAddresses = List.copyOf(localAddresses);
        this.peerAddresses = List.copyOf(peerAddresses);
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /**
     * Opens both hosts' adapters ({@code NdkOpenAdapter}) and finds their addresses.
     *
     * @param options the connect timeout the kit wants for a silent host (configure the provider's own
     *                connect timer with it) and the settings given with {@code ndk-cli run -s KEY=VALUE}
     * @throws TestbedUnavailableException when the machine cannot host the provider (no device, no driver,
     *                                     no permission): the kit reports an environment error (exit 2)
     */
    static ${providerClass}Testbed open(TestbedOptions options) throws TestbedUnavailableException {
        // TODO(vendor) step 1: open the adapter of each host (${providerClass}Adapter over your device; which
        // device can come from a setting: options.setting("local-device", "..."), given as -s local-device=...),
        // list each host's IP addresses (distinct between the hosts, at least one each; more peer addresses let
        // more scenarios run), set the provider's connect timer to options.connectTimeout(), then:
        //   return new ${providerClass}Testbed(localAdapter, peerAdapter, localAddresses, peerAddresses,
        //           options.connectTimeout());
        // Until then the kit cannot run a single scenario of the spec: it reports every one unsupported
        // (not-implemented) with this message, and the run is not certified.
        throw new TestbedNotImplementedException("the ${providerName} provider is a skeleton: "
                + "its testbed does not yet open an adapter on either host; implement "
                + ${providerClass}Testbed.class.getSimpleName() + ".open (README.md, step 1)");
    }

    @Override
    public NdkAdapter adapter(Host host) {
        return host == Host.LOCAL ? local : peer;
    }

    @Override
    public List<InetAddress> addresses(Host host) {
        return host == Host.LOCAL ? localAddresses : peerAddresses;
    }

    @Override
    public Availability<SockAddr> address(LabCondition condition) {
        // TODO(vendor) step 4: an address (and ND port where it matters) that shows each condition:
        //   NO_LISTENER            a peer address and port where nothing listens (CONNECTION_REFUSED)
        //   NETWORK_UNREACHABLE    a destination in a network with no route (NETWORK_UNREACHABLE)
        //   HOST_UNREACHABLE       a destination whose route reports the host unreachable (HOST_UNREACHABLE)
        //   SILENT_HOST            a destination that never answers (IO_TIMEOUT from the connect timer)
        //   FOREIGN_LOCAL_ADDRESS  an address that is not one of the LOCAL adapter's (INVALID_ADDRESS)
        // Return Availability.of(SockAddr.of(ip, port)) for each one the lab can make; keep an honest
        // Availability.unavailable(code, sentence) for the others.
        return Availability.unavailable(NOT_IMPLEMENTED, "the ${providerName} testbed does not yet produce "
                + describe(condition) + ": implement address(" + condition + ")");
    }

    @Override
    public Availability<ResourceExhaustion> exhaustResources(Host host) {
        // TODO(vendor) step 5: make the host's adapter run out of what a new connection needs (connect and the
        // create functions then fail with INSUFFICIENT_RESOURCES) until the returned handle is closed.
        return Availability.unavailable(NOT_IMPLEMENTED, "the ${providerName} testbed cannot yet exhaust the "
                + host.name().toLowerCase() + " adapter's resources: implement exhaustResources(" + host + ")");
    }

    @Override
    public Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp) {
        // TODO(vendor) step 5: take every ephemeral ND port (49152-65535) on localIp, so that a shared endpoint
        // or listener on port 0 fails with TOO_MANY_ADDRESSES, until the handle is closed.
        return Availability.unavailable(NOT_IMPLEMENTED, "the ${providerName} testbed cannot yet take every "
                + "ephemeral port of " + localIp.getHostAddress() + ": implement exhaustEphemeralPorts");
    }

    @Override
    public Availability<Integer> listenerBacklog() {
        // TODO(vendor) step 5: how many connection requests a listener holds unanswered before it refuses
        // further ones with CONNECTION_REFUSED.
        return Availability.unavailable(NOT_IMPLEMENTED, "the ${providerName} testbed does not yet declare its "
                + "listener backlog: implement listenerBacklog()");
    }

    @Override
    public Availability<Map<String, Long>> resourceCounts() {
        // TODO(vendor) step 3: the provider's live objects by kind ("connector", "shared-endpoint", "listener",
        // "qp", "cq", "pd"), and native resources where you can see them ("rdma:cm_id", ...). The kit reads them
        // before and after every scenario and fails a scenario that leaks; until this is implemented the leak
        // check does not run (LIFE-CLOSE-RELEASES is unsupported, never passed).
        return Availability.unavailable(NOT_IMPLEMENTED, "the ${providerName} provider does not yet count its "
                + "live objects: implement resourceCounts()");
    }

    // TODO(vendor) optional: the SPI's defaults answer these as unavailable, with the reason codes the kit's
    // documentation uses; override them when the lab can do more:
    //   link()                      a lab of two machines whose link the testbed can disturb (loss, delay,
    //                               reordering, link down, peer paused): the network-fault scenarios
    //                               (default: no-link-control)
    //   qpReadLimits(NdkQp)         a QP's effective read limits read from the device, so the kit checks that
    //                               the QP uses the negotiated ones (default: no-qp-attributes)
    //   lift(LabCondition)          a network condition healed until the handle is closed (cannot-lift-condition)
    //   fourTupleReleaseDelay()     how long a closed connection's four-tuple stays taken (default: zero)

    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public void close() {
        // TODO(vendor) step 1: release everything the testbed opened, adapters last. Blocking; must not throw.
        local.close();
        if (peer != local) {
            peer.close();
        }
    }

    private static String describe(LabCondition c) {
        return switch (c) {
            case NO_LISTENER -> "a destination where nothing listens";
            case NETWORK_UNREACHABLE -> "an unreachable network";
            case HOST_UNREACHABLE -> "an unreachable host";
            case SILENT_HOST -> "a silent host";
            case FOREIGN_LOCAL_ADDRESS -> "a foreign local address";
            default -> "the condition " + c;
        };
    }
}
