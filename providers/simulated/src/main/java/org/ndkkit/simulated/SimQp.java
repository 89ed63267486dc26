package org.ndkkit.simulated;

import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkQp;

/**
 * A queue pair. It serves at most one connection: from connect or accept until that attempt fails
 * or the connector is closed, the connector is its successor and its close pends.
 */
final class SimQp extends SimObject implements NdkQp {
    private final SimPd pd;
    private final SimCq receiveCq;
    private final SimCq initiatorCq;
    private SimConnector user; // guarded by ctx.lock
    /** What the QP allows once its connection is established, as a device would be told: {inbound, outbound}. */
    private int[] readLimits; // guarded by ctx.lock

    SimQp(SimContext ctx, SimPd pd, SimCq receiveCq, SimCq initiatorCq) {
        super(ctx, pd.adapter, NdkObjectType.QP);
        this.pd = pd;
        this.receiveCq = receiveCq;
        this.initiatorCq = initiatorCq;
        pd.retainSuccessor();
        receiveCq.retainSuccessor();
        initiatorCq.retainSuccessor();
    }

    boolean inUse() {
        return user != null;
    }

    void attach(SimConnector connector) {
        user = connector;
        retainSuccessor();
    }

    void detach(SimConnector connector) {
        if (user == connector) {
            user = null;
            releaseSuccessor();
        }
    }

    /** The connection was established: the QP now allows the effective read limits. */
    void establish(int inbound, int outbound) {
        readLimits = new int[] {inbound, outbound};
    }

    /** {inbound, outbound} as last established, or null before the QP served a connection. */
    int[] readLimits() {
        return readLimits == null ? null : readLimits.clone();
    }

    @Override
    boolean holdsClosingAntecedent() {
        return pd.isCloseIssued() || receiveCq.isCloseIssued() || initiatorCq.isCloseIssued();
    }

    @Override
    void releaseAntecedents() {
        pd.releaseSuccessor();
        receiveCq.releaseSuccessor();
        initiatorCq.releaseSuccessor();
    }
}
