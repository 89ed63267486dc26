package org.ndkkit.spi;

/**
 * While open, the adapter it was taken on has no resources left for new connections: a connect
 * request (and a create) fails with INSUFFICIENT_RESOURCES, inline or through its completion.
 * Closing it gives the resources back. Objects created before it was taken keep working.
 */
public interface ResourceExhaustion extends AutoCloseable {
    @Override
    void close();
}
