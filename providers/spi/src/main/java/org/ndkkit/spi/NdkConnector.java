package org.ndkkit.spi;

/**
 * {@code NDK_CONNECTOR}: one end of a connection, created with
 * {@link NdkAdapter#createConnector} (active side) or handed to the consumer by a listener's
 * {@link ConnectEventCallback} (passive side).
 *
 * <p>Asynchronous functions return their status inline. Only {@link NtStatus#PENDING} obliges the
 * provider to call the {@link RequestCompletion}, exactly once, with the caller's context; after
 * any other inline status the completion must never be called. Read limits, lengths and other
 * {@code ULONG} parameters are Java {@code int}s with unsigned meaning; private data is a buffer
 * plus an explicit length, which may disagree with the buffer's size (the provider must then fail
 * the call, never read past the buffer or throw). The same holds for output buffers: when a
 * length claims more room than the array has, the provider returns an error status
 * (the simulated provider uses STATUS_INVALID_PARAMETER) and writes nothing.
 */
public interface NdkConnector extends NdkObject {

    /**
     * {@code NdkConnect}: connect from a dedicated local address.
     *
     * @return SUCCESS, PENDING, or INSUFFICIENT_RESOURCES, NETWORK_UNREACHABLE, HOST_UNREACHABLE,
     *         CONNECTION_REFUSED, IO_TIMEOUT, SHARING_VIOLATION, INVALID_ADDRESS,
     *         TOO_MANY_ADDRESSES, ADDRESS_ALREADY_EXISTS, inline or through the completion
     */
    NtStatus connect(NdkQp qp, SockAddr source, SockAddr destination, int inboundReadLimit,
                     int outboundReadLimit, byte[] privateData, int privateDataLength,
                     RequestCompletion completion, Object context);

    /**
     * {@code NdkConnectWithSharedEndpoint}: connect from the shared endpoint's local address to
     * {@code destination}. Many connectors may share the endpoint as long as their destinations
     * differ.
     *
     * <p>Read limits: the effective inbound limit is min(inboundReadLimit,
     * MaxInboundReadLimit, the peer's outbound limit); the effective outbound limit is
     * min(outboundReadLimit, MaxOutboundReadLimit, the peer's inbound limit). A value above the
     * adapter maximum is capped, never refused. Effective values are read with
     * {@link #getConnectionData}.
     *
     * @param qp                the QP to associate with the connection
     * @param sharedEndpoint    determines the local address
     * @param destination       destination IP and ND port with its declared length
     * @param privateData       sent with the request; up to MaxCallerData bytes
     * @param privateDataLength declared length of {@code privateData}
     * @return SUCCESS, PENDING, or INSUFFICIENT_RESOURCES, NETWORK_UNREACHABLE, HOST_UNREACHABLE,
     *         CONNECTION_REFUSED (no listener, backlog full, peer rejected, listener paused or
     *         closing), IO_TIMEOUT, ADDRESS_ALREADY_EXISTS (the four-tuple already has a
     *         connection), inline or through the completion; other errors for bad input
     */
    NtStatus connectWithSharedEndpoint(NdkQp qp, NdkSharedEndpoint sharedEndpoint, SockAddr destination,
                                       int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                                       int privateDataLength, RequestCompletion completion, Object context);

    /**
     * {@code NdkCompleteConnect}: the active side finishes a connection its peer accepted.
     *
     * @param disconnectEvent        called once when the peer disconnects (optional)
     * @param disconnectEventContext passed back to {@code disconnectEvent}
     * @return SUCCESS, PENDING, CONNECTION_INVALID (not connecting), CONNECTION_ABORTED (the
     *         accepting peer abandoned), IO_TIMEOUT
     */
    NtStatus completeConnect(DisconnectEventCallback disconnectEvent, Object disconnectEventContext,
                             RequestCompletion completion, Object context);

    /**
     * {@code NdkAccept}: the passive side accepts the request this connector represents. The
     * accept completes once the active side has called {@link #completeConnect}.
     *
     * @param privateData up to MaxCalleeData bytes sent back to the active side
     * @return SUCCESS, PENDING, CONNECTION_ABORTED (the connecting peer abandoned), IO_TIMEOUT
     *         (the peer never completed the connection)
     */
    NtStatus accept(NdkQp qp, int inboundReadLimit, int outboundReadLimit, byte[] privateData,
                    int privateDataLength, DisconnectEventCallback disconnectEvent,
                    Object disconnectEventContext, RequestCompletion completion, Object context);

    /**
     * {@code NdkReject}: synchronous. The passive side rejects an incoming request, or the active
     * side rejects a connection whose connect completed but whose terms it dislikes.
     *
     * @param privateData up to MaxCalleeData bytes sent to the peer
     * @return SUCCESS or CONNECTION_ABORTED (the peer already abandoned)
     */
    NtStatus reject(byte[] privateData, int privateDataLength);

    /**
     * {@code NdkGetConnectionData}: synchronous. Reads the effective read limits and the private
     * data the peer sent with its connect, accept or reject.
     *
     * <p>With a null buffer and {@code *privateDataLength == 0} it returns SUCCESS and stores the
     * required size. With a buffer it copies min(length, required) bytes, returns SUCCESS when the
     * length was at least the required size and BUFFER_TOO_SMALL otherwise, and in both cases
     * stores the required size in {@code privateDataLength}.
     *
     * @param inboundReadLimit  receives the effective inbound read limit (optional: may be null)
     * @param outboundReadLimit receives the effective outbound read limit (optional: may be null)
     * @param privateData       output buffer (may be null)
     * @param privateDataLength in: buffer size; out: required size (never null)
     */
    NtStatus getConnectionData(UlongRef inboundReadLimit, UlongRef outboundReadLimit, byte[] privateData,
                               UlongRef privateDataLength);

    /**
     * {@code NdkGetLocalAddress}: synchronous. Writes the connection's local address.
     *
     * @param address       output buffer (may be null when the length is 0)
     * @param addressLength in: buffer size; out: bytes written, or the required size with
     *                      BUFFER_TOO_SMALL
     */
    NtStatus getLocalAddress(byte[] address, UlongRef addressLength);

    /** {@code NdkGetPeerAddress}: as {@link #getLocalAddress}, for the remote address. */
    NtStatus getPeerAddress(byte[] address, UlongRef addressLength);

    /**
     * {@code NdkDisconnect}: starts a graceful disconnect and then flushes the QP. The peer's
     * disconnect event fires once; this side's does not.
     *
     * @return SUCCESS, PENDING, IO_TIMEOUT
     */
    NtStatus disconnect(RequestCompletion completion, Object context);
}
