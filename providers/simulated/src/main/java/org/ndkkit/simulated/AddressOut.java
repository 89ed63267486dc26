package org.ndkkit.simulated;

import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/**
 * NDK's output-buffer protocol for addresses (NdkGetLocalAddress, NdkGetPeerAddress,
 * NdkGetSharedEndpointLocalAddress, NdkGetListenerLocalAddress).
 */
final class AddressOut {
    private AddressOut() {
    }

    /**
     * Writes {@code address} as a Windows SOCKADDR_IN (16 bytes) or SOCKADDR_IN6 (28 bytes).
     *
     * @return SUCCESS with {@code *length} = bytes written; BUFFER_TOO_SMALL with {@code *length} = the
     *         size needed when {@code *length} is smaller (a null buffer with 0 included);
     *         INVALID_PARAMETER when {@code length} is null, or {@code *length} claims room the buffer
     *         does not have; INVALID_DEVICE_STATE when there is no address yet
     */
    static NtStatus write(IpPort address, byte[] buffer, UlongRef length) {
        if (length == null) {
            return NtStatus.INVALID_PARAMETER;
        }
        if (address == null) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        // a length that claims more room than the array has is bad input: nothing is written
        if (length.unsigned() > (buffer == null ? 0 : buffer.length)) {
            return NtStatus.INVALID_PARAMETER;
        }
        byte[] sockaddr = address.sockaddrBytes();
        if (length.unsigned() < sockaddr.length) {
            length.set(sockaddr.length);
            return NtStatus.BUFFER_TOO_SMALL;
        }
        // here sockaddr.length <= *length <= buffer.length: the buffer holds it
        System.arraycopy(sockaddr, 0, buffer, 0, sockaddr.length);
        length.set(sockaddr.length);
        return NtStatus.SUCCESS;
    }
}
