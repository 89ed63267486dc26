package org.ndkkit.spi;

/**
 * How many RDMA reads in flight a QP really allows, as its device reports them: what
 * InboundReadLimit and OutboundReadLimit mean. On verbs these are the QP's
 * {@code max_dest_rd_atomic} (reads the peer may have in flight against this QP) and
 * {@code max_rd_atomic} (reads this QP may have in flight). Values are 32-bit unsigned.
 *
 * @param inbound  incoming RDMA reads in flight the QP accepts
 * @param outbound outgoing RDMA reads in flight the QP may issue
 */
public record QpReadLimits(long inbound, long outbound) {
}
