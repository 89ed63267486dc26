package org.ndkkit.spi;

/**
 * While open, a lab condition is gone: the destination {@link Testbed#address} gave for it is a
 * reachable address of the {@link Host#PEER} host, on which the peer can listen. Closing it puts
 * the condition back (the address unreachable or silent again), so the next scenario finds the lab
 * as before. Scenarios use it to show that a connect which failed with a retryable status succeeds
 * when retried once the network has healed.
 */
public interface LiftedCondition extends AutoCloseable {
    @Override
    void close();
}
