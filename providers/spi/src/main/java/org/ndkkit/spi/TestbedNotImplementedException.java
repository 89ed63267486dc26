package org.ndkkit.spi;

/**
 * The provider does not implement a testbed yet (a project just generated from
 * {@code ndk-provider-archetype}, or one whose adapters are still to be written). Unlike its
 * superclass this is not an environment problem: the kit reports every scenario
 * <em>unsupported</em> with reason {@code not-implemented} and this message, and the run is not
 * certified. A provider that can open a testbed on a suitable machine but not on this one throws
 * {@link TestbedUnavailableException} instead.
 *
 * @since 1.1.0
 */
public class TestbedNotImplementedException extends TestbedUnavailableException {
    private static final long serialVersionUID = 1L;

    /** @param message what is still to be implemented, for every scenario's reason */
    public TestbedNotImplementedException(String message) {
        super(message);
    }
}
