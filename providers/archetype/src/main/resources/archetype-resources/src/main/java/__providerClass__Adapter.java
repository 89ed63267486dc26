package ${package};

import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/**
 * {@code NDK_ADAPTER} of the {@code ${providerName}} provider: one opened adapter, parent of the PDs, CQs,
 * connectors, shared endpoints and listeners the kit creates on it.
 *
 * <p>Every create function follows NDK's create pattern: {@link Created#inline} (SUCCESS, the object
 * now), {@link Created#pending} (the object later through the completion, called exactly once), or
 * {@link Created#failed} (an error status, no object, no completion). The completion may run on any
 * thread, even before the create call returns. The kit checks that rule on every call.
 *
 * <p>Skeleton: every create function answers {@code STATUS_NOT_SUPPORTED}, which the kit counts as a
 * failure of any scenario that needs the object; implement them before the testbed hands this adapter
 * out (README.md, step 2).
 */
final class ${providerClass}Adapter implements NdkAdapter {

    @Override
    public AdapterInfo queryAdapterInfo() {
        // TODO(vendor) step 2: NdkQueryAdapterInfo, the device's real limits (MaxCallerData, MaxCalleeData,
        // MaxInboundReadLimit, MaxOutboundReadLimit, ...): the spec's limits are written relative to them.
        throw new UnsupportedOperationException(${providerClass}Testbed.NOT_IMPLEMENTED
                + ": implement ${providerClass}Adapter.queryAdapterInfo (NdkQueryAdapterInfo)");
    }

    @Override
    public Created<NdkPd> createPd(CreateCompletion<NdkPd> completion, Object context) {
        // TODO(vendor) step 2: NdkCreatePd, returning your NdkPd.
        return Created.failed(NtStatus.NOT_SUPPORTED);
    }

    @Override
    public Created<NdkCq> createCq(int cqDepth, CreateCompletion<NdkCq> completion, Object context) {
        // TODO(vendor) step 2: NdkCreateCq (INVALID_PARAMETER above MaxCqDepth), returning your NdkCq.
        return Created.failed(NtStatus.NOT_SUPPORTED);
    }

    @Override
    public Created<NdkConnector> createConnector(CreateCompletion<NdkConnector> completion, Object context) {
        // TODO(vendor) step 2: NdkCreateConnector, returning your NdkConnector (connect, connect with shared
        // endpoint, accept, reject, complete connect, connection data, disconnect).
        return Created.failed(NtStatus.NOT_SUPPORTED);
    }

    @Override
    public Created<NdkSharedEndpoint> createSharedEndpoint(SockAddr localAddress,
                                                           CreateCompletion<NdkSharedEndpoint> completion,
                                                           Object context) {
        // TODO(vendor) step 2: NdkCreateSharedEndpoint on a local address of this adapter (port 0: an ephemeral
        // port 49152-65535; SHARING_VIOLATION, TOO_MANY_ADDRESSES, INVALID_ADDRESS as documented).
        return Created.failed(NtStatus.NOT_SUPPORTED);
    }

    @Override
    public Created<NdkListener> createListener(ConnectEventCallback connectEvent, Object connectEventContext,
                                               CreateCompletion<NdkListener> completion, Object context) {
        // TODO(vendor) step 2: NdkCreateListener, returning your NdkListener (listen, pause and resume connect
        // events, one connect event per incoming request).
        return Created.failed(NtStatus.NOT_SUPPORTED);
    }

    @Override
    public void close() {
        // TODO(vendor) step 1: close the device handle. Blocking: when it returns, every callback of every object
        // of this adapter has returned.
    }
}
