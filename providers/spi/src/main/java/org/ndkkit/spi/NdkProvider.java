package org.ndkkit.spi;

import java.util.Set;

/**
 * The entry point of an NDK provider implementation, found with {@link java.util.ServiceLoader}.
 *
 * <p>A vendor implements this interface, lists the class in
 * {@code META-INF/services/org.ndkkit.spi.NdkProvider}, and puts the jar on the kit's class path;
 * the kit selects it by {@link ProviderIdentity#name()}. The constructor must be cheap and must not
 * touch hardware: the kit instantiates every provider on the class path to list them.
 */
public interface NdkProvider {

    /** Name, version and vendor, as shown in every report. */
    ProviderIdentity identity();

    /** What the provider declares it supports. */
    Set<ProviderCapability> capabilities();

    /**
     * Opens the lab the scenarios run in: both hosts' adapters and the conditions they need.
     *
     * @throws TestbedUnavailableException when the environment cannot host the provider (no device,
     *                                     no driver, no permission); the kit reports an environment
     *                                     error, not a product failure
     */
    Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException;
}
