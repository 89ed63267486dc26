package org.ndkkit.spi;

/**
 * {@code NDK_ADAPTER}: an opened NDK adapter, parent of PDs, CQs, connectors, shared endpoints and
 * listeners.
 *
 * <p>Every create function follows NDK's create pattern: the inline status says SUCCESS (object in
 * the result), PENDING (object through the {@link CreateCompletion}, called exactly once), or an
 * error (no object, no completion). A provider may call the completion on any thread, even before
 * the create call returns.
 */
public interface NdkAdapter extends AutoCloseable {

    /** {@code NdkQueryAdapterInfo}: the adapter's limits. Blocking, never null. */
    AdapterInfo queryAdapterInfo();

    /** {@code NdkCreatePd}. Documented failures: INSUFFICIENT_RESOURCES. */
    Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context);

    /**
     * {@code NdkCreateCq}.
     *
     * @param cqDepth at most {@link AdapterInfo#maxCqDepth()}, else INVALID_PARAMETER
     */
    Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context);

    /** {@code NdkCreateConnector}. Documented failures: INSUFFICIENT_RESOURCES. */
    Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context);

    /**
     * {@code NdkCreateSharedEndpoint}: reserves a local address (IP and ND port) from which many
     * outgoing connections to different destinations can be made.
     *
     * @param localAddress a local address of this adapter; port 0 lets the provider choose an
     *                     ephemeral port (49152-65535)
     * @return SUCCESS, PENDING, or the documented failures INSUFFICIENT_RESOURCES,
     *         SHARING_VIOLATION (address in use), TOO_MANY_ADDRESSES (port 0 and no ephemeral port
     *         free), INVALID_ADDRESS (not a local address of the adapter)
     */
    Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                    CreateCompletion<NdkSharedEndpoint> completion,
                                                    Object context);

    /**
     * {@code NdkCreateListener}.
     *
     * @param connectEvent        called once per incoming connection request
     * @param connectEventContext passed back to {@code connectEvent}
     */
    Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                        CreateCompletion<NdkListener> completion, Object context);

    /**
     * Closes the adapter ({@code CLOSE_NDK_ADAPTER_HANDLER}): blocking; when it returns, every
     * callback on every object descending from this adapter has returned. A consumer never calls it
     * from inside a callback.
     */
    @Override
    void close();
}
