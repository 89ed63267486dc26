package org.ndkkit.spi;

/**
 * {@code NDK_ADAPTER_INFO}: the adapter's limits and capabilities, all 22 fields in header order.
 *
 * <p>ULONG fields are Java {@code int}s with unsigned meaning; SIZE_T fields are {@code long}s.
 * The fields that govern connection establishment are {@link #maxInboundReadLimit} and
 * {@link #maxOutboundReadLimit} (the caps applied to the consumer's read limits),
 * {@link #maxCallerData} (private data with a connect) and {@link #maxCalleeData} (private data with
 * an accept or reject).
 *
 * @param versionMajor           NDK_VERSION.Major
 * @param versionMinor           NDK_VERSION.Minor
 * @param vendorId               vendor OUI
 * @param deviceId               vendor-defined device id
 * @param maxRegistrationSize    largest single memory registration, bytes
 * @param maxWindowSize          largest memory window, bytes
 * @param frmrPageCount          FRMR size in pages for which the most FRMRs are supported (at least 16)
 * @param maxInitiatorRequestSge SGEs per initiator request
 * @param maxReceiveRequestSge   SGEs per receive request
 * @param maxReadRequestSge      SGEs per read request
 * @param maxTransferLength      total bytes of one send/receive/read/write
 * @param maxInlineDataSize      inline bytes in one send or write
 * @param maxInboundReadLimit    in-progress incoming reads per QP (caps InboundReadLimit)
 * @param maxOutboundReadLimit   in-progress outgoing reads per QP (caps OutboundReadLimit)
 * @param maxReceiveQueueDepth   outstanding requests per receive queue
 * @param maxInitiatorQueueDepth outstanding requests per initiator queue
 * @param maxSrqDepth            outstanding requests per SRQ, 0 = no SRQ
 * @param maxCqDepth             completions per CQ
 * @param largeRequestThreshold  size above which read/write beats send/receive
 * @param maxCallerData          private-data bytes with a connect request
 * @param maxCalleeData          private-data bytes with an accept or reject
 * @param adapterFlags           NDK_ADAPTER_FLAG_* bits, see {@link AdapterFlags}
 * @param rdmaTechnology         transport
 */
public record AdapterInfo(
        int versionMajor,
        int versionMinor,
        int vendorId,
        int deviceId,
        long maxRegistrationSize,
        long maxWindowSize,
        int frmrPageCount,
        int maxInitiatorRequestSge,
        int maxReceiveRequestSge,
        int maxReadRequestSge,
        int maxTransferLength,
        int maxInlineDataSize,
        int maxInboundReadLimit,
        int maxOutboundReadLimit,
        int maxReceiveQueueDepth,
        int maxInitiatorQueueDepth,
        int maxSrqDepth,
        int maxCqDepth,
        int largeRequestThreshold,
        int maxCallerData,
        int maxCalleeData,
        int adapterFlags,
        RdmaTechnology rdmaTechnology) {

    /** True when every bit of {@code flag} is set in {@link #adapterFlags}. */
    public boolean has(int flag) {
        return (adapterFlags & flag) == flag;
    }
}
