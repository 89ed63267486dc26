package org.ndkkit.spi;

/**
 * A fault a {@link NetworkLink} is making. Closing it heals the fault and returns once it is
 * healed; closing twice does nothing the second time.
 */
public interface LinkFault extends AutoCloseable {
    @Override
    void close();
}
