package org.ndkkit.reference.rdma;

/**
 * A Java copy of one {@code struct ibv_wc} returned by {@link Verbs#pollCq}.
 *
 * @param wrId      {@code wr_id} of the work request
 * @param status    {@code enum ibv_wc_status} ({@link VerbsConstants#IBV_WC_SUCCESS}, ...)
 * @param opcode    {@code enum ibv_wc_opcode}
 * @param vendorErr provider-specific error
 * @param byteLen   bytes received (receive completions)
 * @param immData   immediate data in network order, or the invalidated rkey
 * @param qpNum     local QP number
 * @param srcQp     remote QP number (UD)
 * @param wcFlags   {@code enum ibv_wc_flags}
 */
public record WorkCompletion(long wrId, int status, int opcode, int vendorErr, int byteLen,
        int immData, int qpNum, int srcQp, int wcFlags) {

    public boolean success() {
        return status == VerbsConstants.IBV_WC_SUCCESS;
    }
}
