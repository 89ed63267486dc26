package org.ndkkit.reference;

/**
 * Read-limit arithmetic. NDK: a limit above the adapter maximum is capped, never refused; the
 * effective inbound limit is min(own inbound, MaxInboundReadLimit, the peer's outbound) and the
 * effective outbound limit min(own outbound, MaxOutboundReadLimit, the peer's inbound), where the
 * peer's values are the ones its own adapter already capped.
 *
 * <p>rdma_cm does not do this: it only mirrors responder_resources / initiator_depth into the
 * peer's event (the lab saw the client's 5/3 arrive as 3/5 and no minimum taken anywhere). So the
 * provider computes it: the request carries the active side's capped values, the accept carries
 * the passive side's capped values, and each side takes the minimum itself. Values are ULONGs
 * (Java ints with unsigned meaning).
 */
final class ReadLimits {
    /** {@code rdma_conn_param} carries the limits in {@code uint8_t} fields. */
    static final int WIRE_MAX = 255;

    private ReadLimits() {
    }

    /** min(requested, max), both unsigned. */
    static int cap(int requested, int max) {
        return (int) Math.min(Integer.toUnsignedLong(requested), Integer.toUnsignedLong(max));
    }

    /** The effective value: min(own capped value, the peer's opposite capped value). */
    static int effective(int ownCapped, int peerOppositeCapped) {
        return (int) Math.min(Integer.toUnsignedLong(ownCapped), Integer.toUnsignedLong(peerOppositeCapped));
    }

    /** A capped value as it travels in rdma_conn_param (never above 255). */
    static int wire(int capped) {
        return (int) Math.min(Integer.toUnsignedLong(capped), WIRE_MAX);
    }
}
