package org.ndkkit.spi;

/**
 * {@code NDK_SHARED_ENDPOINT}: an explicit local endpoint (IP and ND port) that several connectors
 * use for outgoing connections to different destinations.
 *
 * <p>Lifetime: it is an antecedent of every connector connected through it. Its address stays in
 * use while the endpoint object or any such connector is open; closing the endpoint first pends
 * until the last of those connectors is closed.
 */
public interface NdkSharedEndpoint extends NdkObject {

    /**
     * {@code NdkGetSharedEndpointLocalAddress}: synchronous. Reports the endpoint's address, with the
     * provider-chosen port when it was created with port 0.
     *
     * @return SUCCESS, or BUFFER_TOO_SMALL with the required size in {@code addressLength}
     */
    NtStatus getLocalAddress(byte[] address, UlongRef addressLength);
}
