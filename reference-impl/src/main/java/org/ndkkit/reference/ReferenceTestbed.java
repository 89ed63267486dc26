package org.ndkkit.reference;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.NativeHandle;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.QpReadLimits;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * The reference provider's testbed: the LOCAL and PEER adapters (two NdkAdapters on the same rdma
 * device, each with its own event channel and thread, owning the lab's NDK_LAB_LOCAL and
 * NDK_LAB_PEER addresses), the lab's condition addresses, and the tables shared by both hosts.
 */
final class ReferenceTestbed implements Testbed {
    /** The first ND port tried for the NO_LISTENER destination (outside the ephemeral range). */
    static final int NO_LISTENER_PORT = 7900;
    /** The ND port given with the unreachable and silent destinations. */
    static final int CONDITION_PORT = 7000;

    private final TestbedOptions options;
    private final LabPlan plan;
    private final EventLog log;
    private final AddressTable addressTable = new AddressTable();
    private final FourTupleTable fourTuples = new FourTupleTable();
    private RefAdapter local;
    private RefAdapter peer;
    private String deviceName;
    /** Injected exhaustions handed out, released at the latest when the testbed closes. */
    private final List<InjectedExhaustion> injected = new ArrayList<>();

    private ReferenceTestbed(TestbedOptions options, LabPlan plan, EventLog log) {
        this.options = options;
        this.plan = plan;
        this.log = log;
    }

    static ReferenceTestbed open(TestbedOptions options, LabPlan plan) throws TestbedUnavailableException {
        EventLog log = plan.eventLog().map(p -> new EventLog(Path.of(p))).orElse(EventLog.none());
        ReferenceTestbed t = new ReferenceTestbed(options, plan, log);
        String device = plan.device().orElse(null);
        if (device == null) {
            RdmaResult<List<String>> names = Verbs.deviceNames();
            if (!names.ok() || names.value().isEmpty()) {
                throw new TestbedUnavailableException("no RDMA device: ibv_get_device_list found none ("
                        + names + "); " + ReferenceProvider.HOW_TO_RUN);
            }
            device = names.value().get(0);
        }
        t.deviceName = device;
        t.local = RefAdapter.open(Host.LOCAL, t, plan.local(), device, log);
        try {
            t.peer = RefAdapter.open(Host.PEER, t, plan.peer(), device, log);
        } catch (TestbedUnavailableException | RuntimeException e) {
            t.local.close();
            throw e;
        }
        return t;
    }

    TestbedOptions options() {
        return options;
    }

    LabPlan plan() {
        return plan;
    }

    AddressTable addressTable() {
        return addressTable;
    }

    FourTupleTable fourTuples() {
        return fourTuples;
    }

    @Override
    public NdkAdapter adapter(Host host) {
        return host == Host.LOCAL ? local : peer;
    }

    @Override
    public List<InetAddress> addresses(Host host) {
        return host == Host.LOCAL ? plan.local() : plan.peer();
    }

    @Override
    public Availability<SockAddr> address(LabCondition condition) {
        return switch (condition) {
            case NO_LISTENER -> {
                if (plan.peer().isEmpty()) {
                    yield Availability.unavailable("too-few-addresses", "the peer host has no address");
                }
                InetAddress ip = plan.peer().get(0);
                for (int port = NO_LISTENER_PORT; port < AddressTable.EPHEMERAL_LOW; port++) {
                    if (!addressTable.isTaken(new Endpoint(ip, port))) {
                        yield Availability.of(SockAddr.of(ip, port));
                    }
                }
                yield Availability.unavailable("no-free-port", "every port of " + ip.getHostAddress() + " is taken");
            }
            case NETWORK_UNREACHABLE -> condition(plan.networkUnreachable(), CONDITION_PORT, "no-network-unreachable-address",
                    "no address without a route is configured (NDK_LAB_NETWORK_UNREACHABLE / ndk.provider.network-unreachable)");
            case HOST_UNREACHABLE -> condition(plan.hostUnreachable(), CONDITION_PORT, "no-host-unreachable-address",
                    "no address behind an unreachable route is configured (NDK_LAB_HOST_UNREACHABLE / ndk.provider.host-unreachable)");
            case SILENT_HOST -> condition(plan.silentHost(), CONDITION_PORT, "no-silent-host",
                    "no on-link address that never answers is configured (NDK_LAB_SILENT_HOST / ndk.provider.silent-host)");
            case FOREIGN_LOCAL_ADDRESS -> condition(plan.foreign(), 0, "no-foreign-address",
                    "no address configured nowhere is known (NDK_LAB_FOREIGN / ndk.provider.foreign)");
        };
    }

    private static Availability<SockAddr> condition(Optional<InetAddress> ip, int port, String code, String detail) {
        return ip.map(a -> Availability.of(SockAddr.of(a, port))).orElseGet(() -> Availability.unavailable(code, detail));
    }

    /**
     * In the lab's VM: the condition's address is added to the lab's netdev and owned by the PEER
     * adapter until the handle is closed (AddressLift); elsewhere unavailable.
     */
    @Override
    public Availability<LiftedCondition> lift(LabCondition condition) {
        Optional<InetAddress> ip = switch (condition) {
            case NETWORK_UNREACHABLE -> plan.networkUnreachable();
            case HOST_UNREACHABLE -> plan.hostUnreachable();
            case SILENT_HOST -> plan.silentHost();
            case NO_LISTENER, FOREIGN_LOCAL_ADDRESS -> Optional.empty();
        };
        if (ip.isEmpty()) {
            return Availability.unavailable("cannot-lift-condition", "no " + condition + " address to make reachable");
        }
        String whyNot = AddressLift.whyNot(options.settings(), System.getenv());
        if (whyNot != null) {
            return Availability.unavailable("cannot-lift-condition", whyNot);
        }
        return AddressLift.lift(peer, ip.get(), deviceName, System.getenv(), condition);
    }

    /** {@code ibv_query_qp} on the QP: what the device was told, not what the connection data says. */
    @Override
    public Availability<QpReadLimits> qpReadLimits(NdkQp qp) {
        if (!(qp instanceof RefQp q)) {
            return Availability.unavailable("not-a-reference-qp", "the QP is not one of this provider's");
        }
        String[] why = new String[1];
        boolean[] queried = new boolean[1];
        int[] l = q.deviceReadLimits(why, queried);
        if (l != null) {
            return Availability.of(new QpReadLimits(l[0], l[1]));
        }
        // Only a QP read and found outside RTS is "not established"; a failed query is a missing reading.
        return Availability.unavailable(queried[0] ? "qp-not-established" : "qp-query-failed", why[0]);
    }

    /**
     * By default injected ({@code exhaust-resources=injected}, see {@link InjectedExhaustion}): on
     * rdma_rxe no real limit makes a connect or a shared endpoint fail, since the only one, the
     * rdma cgroup's {@code hca_object} count, charges verbs objects (PD/CQ/QP/MR) but not rdma_cm
     * ids. {@code injected-async} makes the connect fail through its completion instead;
     * {@code cgroup} applies the real cgroup limit (PD/CQ/QP creates then fail with
     * INSUFFICIENT_RESOURCES, connects do not); {@code unavailable} offers none.
     */
    @Override
    public Availability<ResourceExhaustion> exhaustResources(Host host) {
        InjectedExhaustion.Mode mode = InjectedExhaustion.Mode.ofSetting(plan.exhaustResources());
        if (mode != null) {
            InjectedExhaustion e = ((RefAdapter) adapter(host)).exhaust(mode);
            synchronized (injected) {
                injected.add(e);
            }
            return Availability.of(e);
        }
        if (!plan.exhaustResources().equals("cgroup")) {
            return Availability.unavailable("cannot-exhaust-resources",
                    "exhaust-resources=unavailable: on rdma_rxe the only real limit is the rdma cgroup's hca_object count, "
                            + "which charges verbs objects (PD/CQ/QP/MR) but not rdma_cm ids, and this provider allocates no "
                            + "verbs object per connect or per shared endpoint, so no real limit makes those fail");
        }
        if (plan.cgroup().isEmpty()) {
            return Availability.unavailable("no-rdma-cgroup",
                    "no cgroup with the rdma controller is configured (NDK_LAB_CGROUP / ndk.provider.cgroup)");
        }
        try {
            String device = plan.device().orElse("rxe0");
            return Availability.of(CgroupLimit.take(Path.of(plan.cgroup().get()), device));
        } catch (IOException e) {
            return Availability.unavailable("no-rdma-cgroup", "the rdma cgroup limit could not be set up: " + e.getMessage());
        }
    }

    @Override
    public Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp) {
        return Availability.of(addressTable.exhaustEphemeral(localIp));
    }

    @Override
    public Availability<Integer> listenerBacklog() {
        return Availability.of(plan.backlog());
    }

    /**
     * Each adapter's device, firmware and IDs ({@code local.*}, {@code peer.*}; the same device on
     * a one-machine lab), the kernel driver and the librdmacm/libibverbs files in use.
     */
    @Override
    public Map<String, String> identity() {
        Map<String, String> out = new TreeMap<>(DeviceIdentity.machine(deviceName));
        local.identity().forEach((k, v) -> out.put("local." + k, v));
        peer.identity().forEach((k, v) -> out.put("peer." + k, v));
        return out;
    }

    @Override
    public Duration connectTimeout() {
        return options.connectTimeout();
    }

    /**
     * Three views: the NDK address and four-tuple reservations this provider keeps itself, the
     * native handles its safety layer holds ({@code native:KIND}), and the kernel's count
     * ({@code rdma:KIND}, unless the setting {@code kernel-counts=off}).
     */
    @Override
    public Availability<Map<String, Long>> resourceCounts() {
        Map<String, Long> counts = new TreeMap<>();
        counts.put("bound-address", (long) addressTable.size());
        counts.put("four-tuple", (long) fourTuples.size());
        NativeHandle.liveCounts().forEach((kind, n) -> counts.put("native:" + kind, n));
        if (!options.setting("kernel-counts", "on").equals("off")) {
            KernelResources.read().ifPresent(counts::putAll);
        }
        return Availability.of(counts);
    }

    @Override
    public void close() {
        synchronized (injected) {
            injected.forEach(InjectedExhaustion::close);
            injected.clear();
        }
        if (peer != null) {
            peer.close();
        }
        if (local != null) {
            local.close();
        }
    }

    static boolean noDevice(RdmaResult<?> r) {
        return r.errno() == Errno.ENODEV;
    }
}
