package org.ndkkit.simulated;

import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/**
 * An explicit local endpoint for outgoing connections. It holds one reference on its address and
 * each connector connected through it holds another (NDK's L29), so the address stays taken and the
 * endpoint's close pends until the last of them is closed.
 */
final class SimSharedEndpoint extends SimObject implements NdkSharedEndpoint {
    final EndpointTable.Binding binding;

    SimSharedEndpoint(SimContext ctx, SimAdapter adapter, EndpointTable.Binding binding) {
        super(ctx, adapter, NdkObjectType.SHARED_ENDPOINT);
        this.binding = binding;
    }

    IpPort address() {
        return binding.address;
    }

    /** INVALID_DEVICE_STATE once the close was issued; otherwise NDK's buffer protocol. */
    @Override
    public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
        return ctx.call(inCall -> isCloseIssued()
                ? NtStatus.INVALID_DEVICE_STATE
                : AddressOut.write(binding.address, address, addressLength));
    }

    /**
     * Under the lock: a connector starts a connection attempt through this endpoint. It holds the
     * returned address reference and this endpoint (as successor) until the attempt fails or the
     * connector is closed.
     */
    EndpointTable.Binding attach() {
        ctx.network.endpoints.retain(binding);
        retainSuccessor();
        return binding;
    }

    @Override
    void releaseResources() {
        ctx.network.endpoints.release(binding);
    }
}
