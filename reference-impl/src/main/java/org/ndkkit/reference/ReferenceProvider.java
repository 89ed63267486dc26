package org.ndkkit.reference;

import java.util.EnumSet;
import java.util.Set;
import org.ndkkit.reference.rdma.EventChannel;
import org.ndkkit.reference.rdma.NativeLibraries;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * The reference provider: NDK semantics on librdmacm and libibverbs (through JNA), run on
 * SoftRoCE (rdma_rxe). See README.md and MAPPING.md in reference-impl/.
 *
 * <p>Settings ({@code -Dndk.provider.KEY=VALUE}): local, peer, silent-host, host-unreachable,
 * network-unreachable, foreign (addresses, over the NDK_LAB_* variables), device, cgroup,
 * backlog (default 4), exhaust-resources (unavailable | cgroup), event-log (a file),
 * accept-timeout-ms, disconnect-timeout-ms, close-disconnect-wait-ms.
 */
public final class ReferenceProvider implements NdkProvider {

    static final String HOW_TO_RUN = "run the suite in the SoftRoCE lab instead: reference-impl/lab-suite.sh "
            + "(or lab/run -- java -Dndk.provider=reference ... org.ndkkit.kit.ConformanceMain)";

    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity("reference", "0.2.0", "ndkkit",
                "NDK over librdmacm/libibverbs (rdma-core 44) through JNA, on SoftRoCE (rdma_rxe)");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return EnumSet.of(ProviderCapability.IPV4, ProviderCapability.IPV6);
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException {
        if (!NativeLibraries.allLoaded()) {
            throw new TestbedUnavailableException("the RDMA libraries cannot be loaded: "
                    + NativeLibraries.rdmacmProblem().or(NativeLibraries::ibverbsProblem)
                            .or(NativeLibraries::libcProblem).orElse("?") + "; or " + HOW_TO_RUN);
        }
        // The cheapest test for a device: rdma_create_event_channel fails with ENODEV without one.
        RdmaResult<EventChannel> probe = RdmaCm.createEventChannel();
        if (!probe.ok()) {
            throw new TestbedUnavailableException(noDevice(probe));
        }
        RdmaCm.destroyEventChannel(probe.value());
        LabPlan plan;
        try {
            plan = LabPlan.from(options);
        } catch (IllegalArgumentException e) {
            throw new TestbedUnavailableException("bad reference provider setting: " + e.getMessage());
        }
        if (plan.local().isEmpty() || plan.peer().isEmpty()) {
            throw new TestbedUnavailableException("the reference testbed needs the LOCAL and PEER hosts' addresses: "
                    + "set NDK_LAB_LOCAL and NDK_LAB_PEER (lab/run does) or ndk.provider.local / ndk.provider.peer");
        }
        return ReferenceTestbed.open(options, plan);
    }

    static String noDevice(RdmaResult<?> r) {
        if (ReferenceTestbed.noDevice(r)) {
            return "no RDMA device on this machine (rdma_create_event_channel failed with ENODEV: the kernel has no "
                    + "RDMA support or no device, e.g. no rdma_rxe link); " + HOW_TO_RUN;
        }
        return "cannot open the rdma_cm event channel: " + r + "; " + HOW_TO_RUN;
    }
}
