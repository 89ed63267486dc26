package org.ndkkit.spi;

/**
 * While open, the adapter it was taken on has no resources left for new connections: a connect
 * request (NdkConnect, NdkConnectWithSharedEndpoint) and the create functions fail with
 * INSUFFICIENT_RESOURCES, inline or through their completion. What else it affects (accept,
 * listen, incoming requests) is the testbed's to say in its documentation. Closing it gives the
 * resources back. Objects created before it was taken keep working.
 */
public interface ResourceExhaustion extends AutoCloseable {
    @Override
    void close();
}
