package org.ndkkit.spi;

/**
 * Any NDK object that the consumer closes with {@code NdkCloseObject}.
 *
 * <p>Close follows NDK's asynchronous pattern: {@link NtStatus#SUCCESS} means closed and no
 * {@link CloseCompletion} will follow; {@link NtStatus#PENDING} means the completion will be called
 * exactly once, after every outstanding request on the object has completed and every event
 * callback has returned. A close never fails: any other status is a defect. After a successful
 * close, or from the moment the close completion starts, no callback of any kind arrives for the
 * object. When the object is the antecedent of open successors (a shared endpoint with connected
 * connectors, a listener with accepted connectors, a QP with a connector), the close pends until
 * the last successor is closed.
 *
 * <p>Once a close is issued the consumer does not use the object again; a provider need not, but
 * may, fail later calls on it. A second close, or a close without a completion callback, is bad
 * input: it gets an error status and no callback, and leaves the first close unaffected. "A close
 * never fails" is about the first, well-formed close.
 */
public interface NdkObject {

    /** The header's {@code ObjectType}. */
    NdkObjectType type();

    /**
     * {@code NdkCloseObject}.
     *
     * @param completion called once iff this returns {@link NtStatus#PENDING}
     * @param context    passed back to {@code completion}
     * @return {@link NtStatus#SUCCESS} or {@link NtStatus#PENDING}
     */
    NtStatus close(CloseCompletion completion, Object context);
}
