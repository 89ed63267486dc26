package org.ndkkit.reference;

import org.ndkkit.reference.rdma.CmEvent;

/** Whatever owns an rdma_cm id and handles its events (on the adapter's event thread). */
interface CmHandler {
    void onCmEvent(CmEvent event);
}
