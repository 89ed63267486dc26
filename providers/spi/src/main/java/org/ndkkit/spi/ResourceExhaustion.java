package org.ndkkit.spi;

/**
 * While open, the adapter it was taken on has no resources left for new connections: a connect
 * request (NdkConnect, NdkConnectWithSharedEndpoint) and the create functions fail with
 * INSUFFICIENT_RESOURCES, inline or through their completion. What else it affects (accept,
 * listen, incoming requests) is the testbed's to say in its documentation. Closing it gives the
 * resources back. Objects created before it was taken keep working.
 */
public interface ResourceExhaustion extends AutoCloseable {
    /**
     * How the exhaustion is produced: a real limit, or the provider's allocations failed on
     * purpose. The kit reports it with each scenario that used it.
     *
     * @since 1.1.0
     */
    default ExhaustionMethod method() {
        return ExhaustionMethod.UNDECLARED;
    }

    /**
     * One sentence for the report on what is exhausted and how (for example "rdma_create_id and
     * rdma_connect on the LOCAL adapter fail with ENOMEM"); empty when the testbed does not say.
     *
     * @since 1.1.0
     */
    default String description() {
        return "";
    }

    @Override
    void close();
}
