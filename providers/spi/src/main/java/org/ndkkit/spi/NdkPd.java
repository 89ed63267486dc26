package org.ndkkit.spi;

/** {@code NDK_PD}: a protection domain; the parent of QPs. */
public interface NdkPd extends NdkObject {

    /**
     * {@code NdkCreateQp}. The CQs are antecedents of the QP.
     *
     * @param receiveCq   CQ for receive completions
     * @param initiatorCq CQ for initiator completions (may be the same CQ)
     * @param parameters  queue sizes, each within its adapter maximum
     * @param completion  called once iff the result's status is PENDING
     * @param context     passed back to {@code completion}
     * @return SUCCESS with the QP, PENDING, INVALID_PARAMETER (a size above its maximum),
     *         INSUFFICIENT_RESOURCES, or another error
     */
    Created<NdkQp> createQp(NdkCq receiveCq, NdkCq initiatorCq, QpParameters parameters,
                            CreateCompletion<NdkQp> completion, Object context);
}
