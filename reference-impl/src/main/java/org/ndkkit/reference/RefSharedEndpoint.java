package org.ndkkit.reference;

import org.ndkkit.reference.rdma.CmId;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/**
 * NDK_SHARED_ENDPOINT: an entry in the testbed's address table plus an rdma_cm id bound to the
 * address with RDMA_OPTION_ID_REUSEADDR (so the kernel holds the port too, and every connector's
 * own REUSEADDR id can bind to the same address). The id is only bound, never resolved or
 * connected, so it never receives an event.
 *
 * <p>Endpoint reference counting (NDK, "listeners, connectors and endpoints"): each connector
 * connecting through the endpoint holds it from its connect until its close. Closing the
 * endpoint first pends until the last of them is closed, and until then the address stays in
 * the table: a new shared endpoint or a listener on it gets SHARING_VIOLATION.
 */
final class RefSharedEndpoint implements NdkSharedEndpoint, RefAdapter.Owned {
    final RefAdapter adapter;
    final Lifetime lifetime = new Lifetime();
    private final AddressTable.Reservation reservation;
    private final CmId anchor;
    private boolean destroyed;

    RefSharedEndpoint(RefAdapter adapter, AddressTable.Reservation reservation, CmId anchor) {
        this.adapter = adapter;
        this.reservation = reservation;
        this.anchor = anchor;
    }

    Endpoint endpoint() {
        return reservation.endpoint();
    }

    @Override
    public NdkObjectType type() {
        return NdkObjectType.SHARED_ENDPOINT;
    }

    @Override
    public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
        return Buffers.writeAddress(endpoint(), address, addressLength);
    }

    @Override
    public NtStatus close(CloseCompletion completion, Object context) {
        NtStatus s = lifetime.close(this::destroy, completion, context, () -> { });
        if (!s.isPending()) {
            return s; // closed now, or refused (a second close, no completion)
        }
        adapter.log().log(adapter.host() + " NdkCloseObject(shared endpoint " + endpoint() + ") pends for "
                + lifetime.holders() + " connector(s)");
        return NtStatus.PENDING;
    }

    /** Frees the kernel's binding first, then the table entry. */
    @Override
    public void destroy() {
        synchronized (this) {
            if (destroyed) {
                return;
            }
            destroyed = true;
        }
        adapter.destroyId(anchor);
        reservation.release();
        adapter.forget(this);
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public String toString() {
        return "shared endpoint " + endpoint();
    }
}
