package org.ndkkit.simulated;

import org.ndkkit.spi.AdapterFlags;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.RdmaTechnology;

/** Builds the NDK_ADAPTER_INFO both simulated adapters report. */
final class AdapterInfos {
    private AdapterInfos() {
    }

    /**
     * The local adapter's MaxInboundReadLimit and MaxOutboundReadLimit default to different values
     * (16 and 8) so that a provider or a suite that swaps inbound and outbound is caught. The peer
     * adapter reads more (32 and 32) so that the local adapter's own caps stay visible through the
     * minimum with the peer's values.
     */
    static AdapterInfo of(SimSettings s, org.ndkkit.spi.Host host) {
        boolean peer = host == org.ndkkit.spi.Host.PEER;
        return new AdapterInfo(
                1, 2,                 // NDKPI 1.2
                0x1AB, 1,             // vendor OUI, device id
                1L << 32,             // MaxRegistrationSize: 4 GiB
                1L << 32,             // MaxWindowSize
                16,                   // FRMRPageCount: the documented minimum
                4, 4, 4,              // initiator, receive, read SGEs
                1 << 30,              // MaxTransferLength: 1 GiB
                64,                   // MaxInlineDataSize
                peer ? s.peerMaxInboundReadLimit() : s.maxInboundReadLimit(),
                peer ? s.peerMaxOutboundReadLimit() : s.maxOutboundReadLimit(),
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
