package org.ndkkit.reference.rdma;

/**
 * The Java side of {@code struct rdma_conn_param} for {@link RdmaCm#connect} and
 * {@link RdmaCm#accept}. Values are unsigned; the facade checks the ranges below before any native
 * call and refuses the call (EINVAL) if one is out of range.
 *
 * <p>Note the defaults of {@link #forQp(int)}: a zeroed C struct would send
 * {@code retry_count = 0} and {@code rnr_retry_count = 0} (librdmacm uses 7/7 only when the whole
 * param is NULL), so the factory sets 7/7 explicitly.
 *
 * @param privateData         copied to native memory for the duration of the call; at most 255
 *                            bytes (a {@code uint8_t} length). The kernel's own limits are lower
 *                            (56 on connect, 196 on accept) and are reported as EINVAL.
 * @param responderResources  0..255; {@link CmConstants#RDMA_MAX_RESP_RES} = device maximum
 * @param initiatorDepth      0..255; {@link CmConstants#RDMA_MAX_INIT_DEPTH} = device maximum
 * @param flowControl         0..255
 * @param retryCount          0..7 (the CM caps it at 7); ignored on accept
 * @param rnrRetryCount       0..7 (7 = retry forever)
 * @param srq                 0..255 (non-zero if the QP uses an SRQ)
 * @param qpNum               the external QP's number (24 bits); required when the cm_id has no
 *                            librdmacm-owned QP
 */
public record ConnParam(byte[] privateData, int responderResources, int initiatorDepth,
        int flowControl, int retryCount, int rnrRetryCount, int srq, int qpNum) {

    public ConnParam {
        privateData = privateData == null ? new byte[0] : privateData.clone();
    }

    /** Device-maximum read limits, retries 7/7, flow control on, no private data. */
    public static ConnParam forQp(int qpNum) {
        return new ConnParam(new byte[0], CmConstants.RDMA_MAX_RESP_RES,
                CmConstants.RDMA_MAX_INIT_DEPTH, 1, 7, 7, 0, qpNum);
    }

    public ConnParam withPrivateData(byte[] data) {
        return new ConnParam(data, responderResources, initiatorDepth, flowControl, retryCount,
                rnrRetryCount, srq, qpNum);
    }

    public ConnParam withReadLimits(int responderResources, int initiatorDepth) {
        return new ConnParam(privateData, responderResources, initiatorDepth, flowControl,
                retryCount, rnrRetryCount, srq, qpNum);
    }

    @Override
    public byte[] privateData() {
        return privateData.clone();
    }
}
