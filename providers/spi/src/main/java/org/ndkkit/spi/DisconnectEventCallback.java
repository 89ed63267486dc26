package org.ndkkit.spi;

/**
 * {@code NDK_FN_DISCONNECT_EVENT_CALLBACK}: the provider tells the consumer that the peer
 * disconnected the connection.
 *
 * <p>Given to {@link NdkConnector#completeConnect} (active side) or {@link NdkConnector#accept}
 * (passive side). The provider calls it at most once per connection, and only because the
 * <em>peer</em> disconnected: never on the side that called {@link NdkConnector#disconnect}.
 */
@FunctionalInterface
public interface DisconnectEventCallback {
    /** @param disconnectEventContext the context given with the callback */
    void peerDisconnected(Object disconnectEventContext);
}
