package org.ndkkit.spi;

/**
 * {@code NDK_QP}: a queue pair. It becomes an antecedent of a connector when it is passed to
 * connect, connect-with-shared-endpoint or accept. One QP serves at most one connection.
 */
public interface NdkQp extends NdkObject {
}
