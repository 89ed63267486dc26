package org.ndkkit.simulated;

import org.ndkkit.spi.AdapterFlags;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.RdmaTechnology;

/** Builds the NDK_ADAPTER_INFO both simulated adapters report. */
final class AdapterInfos {
    private AdapterInfos() {
    }

    /**
     * MaxInboundReadLimit and MaxOutboundReadLimit default to different values (16 and 8) so that a
     * provider or a suite that swaps inbound and outbound is caught.
     */
    static AdapterInfo of(SimSettings s) {
        return new AdapterInfo(
                1, 2,                 // NDKPI 1.2
                0x1AB, 1,             // vendor OUI, device id
                1L << 32,             // MaxRegistrationSize: 4 GiB
                1L << 32,             // MaxWindowSize
                16,                   // FRMRPageCount: the documented minimum
                4, 4, 4,              // initiator, receive, read SGEs
                1 << 30,              // MaxTransferLength: 1 GiB
                64,                   // MaxInlineDataSize
                s.maxInboundReadLimit(),
                s.maxOutboundReadLimit(),
                1024, 1024,           // receive and initiator queue depth
                0,                    // MaxSrqDepth: no SRQ
                4096,                 // MaxCqDepth
                64 * 1024,            // LargeRequestThreshold
                s.maxCallerData(),
                s.maxCalleeData(),
                AdapterFlags.LOOPBACK_CONNECTIONS_SUPPORTED,
                RdmaTechnology.ROCE_V2);
    }
}
