package org.ndkkit.spi;

/**
 * Optional abilities a provider declares. A scenario that needs a capability the provider does not
 * declare is reported as unsupported (never passed); the kit may also probe a declared capability
 * and report a mismatch.
 */
public enum ProviderCapability {
    /** Connections over AF_INET addresses. NDK requires both families of every provider. */
    IPV4,
    /** Connections over AF_INET6 addresses. */
    IPV6,
    /** NDKPI 2.1 functions (NdkAcceptEx, NdkCompleteConnectEx, disconnect reason). */
    NDKPI_2_1
}
