package org.ndkkit.simulated;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * The {@code simulated} provider: an in-process, deterministic model of two NDK hosts that follows
 * the NDKPI connection rules and can produce every lab condition.
 *
 * <p>Settings ({@link TestbedOptions#setting}): {@code completion-path} = {@code inline} |
 * {@code pending} (default) | {@code pending-in-call}; {@code backlog} (default 4);
 * {@code max-inbound-read-limit} (16), {@code max-outbound-read-limit} (8), {@code max-caller-data}
 * (56), {@code max-callee-data} (148). An unknown completion path or a malformed number makes
 * {@link #openTestbed} throw {@link IllegalArgumentException}.
 *
 * <p>Provider-defined choices (NDKPI leaves them open) are listed in the module's README.md.
 */
public final class SimulatedProvider implements NdkProvider {

    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity("simulated", "0.1.0", "ndkkit",
                "in-process deterministic NDK simulation: two hosts on 198.18.0.0/15, one event thread");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return EnumSet.of(ProviderCapability.IPV4, ProviderCapability.IPV6);
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) {
        return new SimTestbed(Objects.requireNonNull(options, "options"));
    }
}
