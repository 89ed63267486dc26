package org.ndkkit.spi;

/**
 * {@code NDK_FN_CONNECT_EVENT_CALLBACK}: the provider announces one incoming connection request on
 * a listener by handing the consumer a new connector that represents it.
 *
 * <p>The consumer then calls {@link NdkConnector#getConnectionData}, and
 * {@link NdkConnector#accept} or {@link NdkConnector#reject}, on that connector. The listener is an
 * antecedent of the connector. No connect event may arrive after the listener's close was issued,
 * or while connect events are paused.
 */
@FunctionalInterface
public interface ConnectEventCallback {
    /**
     * @param connectEventContext the context given to {@link NdkAdapter#createListener}
     * @param connector           a new connector for the incoming request, owned by the consumer
     */
    void connectRequest(Object connectEventContext, NdkConnector connector);
}
