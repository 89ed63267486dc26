package org.ndkkit.reference;

import java.util.EnumSet;
import java.util.Set;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * The reference provider: NDK semantics on librdmacm and libibverbs, run on SoftRoCE.
 *
 * <p>Not implemented yet: opening its testbed reports an environment error saying so, so no
 * scenario can pass on it by accident.
 */
public final class ReferenceProvider implements NdkProvider {

    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity("reference", "0.1.0", "ndkkit",
                "NDK over librdmacm/libibverbs (not implemented yet)");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return EnumSet.of(ProviderCapability.IPV4);
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException {
        throw new TestbedUnavailableException("the reference provider is not implemented yet");
    }
}
