package org.ndkkit.spi;

/**
 * {@code NDK_LISTENER}: accepts incoming connection requests on a local address and reports each
 * through its {@link ConnectEventCallback}.
 *
 * <p>From the moment its close is issued, the provider makes no new connect event and refuses
 * further incoming requests; the close pends until every connector accepted over it is closed.
 */
public interface NdkListener extends NdkObject {

    /**
     * {@code NdkListen}: start listening on {@code address} (port 0: the provider chooses).
     *
     * @return SUCCESS, PENDING, INSUFFICIENT_RESOURCES, SHARING_VIOLATION, INVALID_ADDRESS,
     *         TOO_MANY_ADDRESSES
     */
    NtStatus listen(SockAddr address, RequestCompletion completion, Object context);

    /** {@code NdkGetListenerLocalAddress}: synchronous; SUCCESS or BUFFER_TOO_SMALL. */
    NtStatus getLocalAddress(byte[] address, UlongRef addressLength);

    /**
     * {@code NdkControlConnectEvents}: while paused, incoming requests are treated as if no
     * listener existed on the address (the connecting side sees CONNECTION_REFUSED).
     */
    void controlConnectEvents(boolean pause);
}
