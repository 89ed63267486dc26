package org.ndkkit.cli.testproviders;

import java.util.Set;
import org.ndkkit.simulated.SimulatedProvider;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;

/**
 * Test provider {@code lying}: the simulated provider, but its adapters declare a MaxCallerData 8
 * bytes larger than they accept, so PD-CALLER-LIMIT fails and the max-caller-data probe finds it.
 */
public final class LyingProvider implements NdkProvider {
    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity("lying", "2.1.0", "ndkkit-tests", "simulated, declaring 8 bytes more MaxCallerData than it takes");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return new SimulatedProvider().capabilities();
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) {
        return new Wrapped(new SimulatedProvider().openTestbed(options), i -> new AdapterInfo(i.versionMajor(),
                i.versionMinor(), i.vendorId(), i.deviceId(), i.maxRegistrationSize(), i.maxWindowSize(), i.frmrPageCount(),
                i.maxInitiatorRequestSge(), i.maxReceiveRequestSge(), i.maxReadRequestSge(), i.maxTransferLength(),
                i.maxInlineDataSize(), i.maxInboundReadLimit(), i.maxOutboundReadLimit(), i.maxReceiveQueueDepth(),
                i.maxInitiatorQueueDepth(), i.maxSrqDepth(), i.maxCqDepth(), i.largeRequestThreshold(),
                i.maxCallerData() + 8, i.maxCalleeData(), i.adapterFlags(), i.rdmaTechnology()), () -> { });
    }
}
