package org.ndkkit.reference;

import org.ndkkit.reference.rdma.CmId;
import org.ndkkit.reference.rdma.QpAttr;
import org.ndkkit.reference.rdma.QueuePair;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.reference.rdma.VerbsConstants;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NtStatus;

/**
 * NDK_QP on an {@code ibv_qp} created with {@code ibv_create_qp}: an "external" QP to rdma_cm,
 * whose number travels in {@code rdma_conn_param.qp_num} and which the provider moves through
 * INIT/RTR/RTS itself with {@code rdma_init_qp_attr} + {@code ibv_modify_qp}. It becomes an
 * antecedent of the connector it is passed to; one QP serves at most one connection at a time.
 */
final class RefQp implements NdkQp, RefAdapter.Owned {
    final RefAdapter adapter;
    final QueuePair qp;
    final RefPd pd;
    final RefCq receiveCq;
    final RefCq initiatorCq;
    final Lifetime lifetime = new Lifetime();
    private RefConnector owner;
    private boolean used;
    private boolean destroyed;
    /** The attr of every modify of this QP (they run under its lock): no native memory per modify. */
    private final QpAttr attr = new QpAttr(VerbsConstants.IBV_QPS_RESET);
    /** INIT's port, P_Key index and access flags since {@link #initialize}; -1 after a reset. */
    private int initPort = -1;
    private int initPkeyIndex = -1;
    private int initAccess = -1;

    RefQp(RefAdapter adapter, QueuePair qp, RefPd pd, RefCq receiveCq, RefCq initiatorCq) {
        this.adapter = adapter;
        this.qp = qp;
        this.pd = pd;
        this.receiveCq = receiveCq;
        this.initiatorCq = initiatorCq;
    }

    @Override
    public NdkObjectType type() {
        return NdkObjectType.QP;
    }

    int qpNum() {
        return qp.qpNum();
    }

    /**
     * Makes {@code c} the QP's connector: null, or why not. A QP another connector has gives
     * CONNECTION_ACTIVE, as ND's Connect and Accept do for a QP already connected (NDK names no
     * status); a closing QP INVALID_DEVICE_STATE.
     */
    synchronized NtStatus associate(RefConnector c) {
        if (owner != null) {
            return NtStatus.CONNECTION_ACTIVE;
        }
        if (!lifetime.acquire()) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        owner = c;
        return null;
    }

    /** Ends {@code c}'s use of the QP; may finish a pending close of the QP (outside any lock). */
    void dissociate(RefConnector c) {
        synchronized (this) {
            if (owner != c) {
                return;
            }
            owner = null;
        }
        lifetime.release();
    }

    /**
     * Moves a new QP to INIT (port 1, P_Key index 0, all remote access), as NDK lets a consumer
     * post receives on a QP before it is connected. Returns the status of the modify.
     */
    synchronized NtStatus initialize() {
        // The attrs live in native memory (QpAttr): a JNA IbvQpAttr costs ~1 ms per modify in the lab.
        int access = VerbsConstants.IBV_ACCESS_LOCAL_WRITE | VerbsConstants.IBV_ACCESS_REMOTE_WRITE
                | VerbsConstants.IBV_ACCESS_REMOTE_READ | VerbsConstants.IBV_ACCESS_REMOTE_ATOMIC;
        attr.reset(VerbsConstants.IBV_QPS_INIT).portNum(1).pkeyIndex(0).qpAccessFlags(access);
        RdmaResult<Void> r = Verbs.modifyQp(qp, attr);
        if (!r.ok()) {
            adapter.log().log(adapter.host() + " QP to INIT: " + r);
            return StatusMap.verbs(r);
        }
        initPort = 1;
        initPkeyIndex = 0;
        initAccess = access;
        return NtStatus.SUCCESS;
    }

    /**
     * What the device says this QP allows, {inbound, outbound} = {max_dest_rd_atomic,
     * max_rd_atomic} from {@code ibv_query_qp}; null (with the reason in {@code why[0]}) unless the
     * QP is in RTS, the only state in which both are the connection's. {@code queried[0]} tells a QP
     * read and found outside RTS from a query that failed.
     */
    synchronized int[] deviceReadLimits(String[] why, boolean[] queried) {
        RdmaResult<Verbs.QpQuery> q = Verbs.queryQp(qp, VerbsConstants.IBV_QP_STATE | VerbsConstants.IBV_QP_MAX_QP_RD_ATOMIC
                | VerbsConstants.IBV_QP_MAX_DEST_RD_ATOMIC);
        if (!q.ok()) {
            why[0] = q.toString();
            return null;
        }
        queried[0] = true;
        var a = q.value().attr();
        if (a.qp_state != VerbsConstants.IBV_QPS_RTS) {
            why[0] = "the QP is in state " + a.qp_state + ", not RTS: it serves no established connection";
            return null;
        }
        return new int[] {a.max_dest_rd_atomic & 0xFF, a.max_rd_atomic & 0xFF};
    }

    /**
     * RESET (when used for a connection before) then INIT (from RESET, or INIT to INIT on a new
     * QP, keeping the receives already posted), RTR and RTS with the attributes rdma_cm negotiated for
     * {@code id}, except the read limits and access flags, which are NDK's effective values:
     * {@code max_dest_rd_atomic} = effective inbound, {@code max_rd_atomic} = effective outbound,
     * remote read/atomic access only when inbound reads are allowed.
     */
    synchronized NtStatus toRts(CmId id, int inbound, int outbound) {
        if (used) {
            NtStatus s = modifyState(VerbsConstants.IBV_QPS_RESET);
            if (!s.equals(NtStatus.SUCCESS)) {
                return s;
            }
            initPort = initPkeyIndex = initAccess = -1;
        }
        used = true;
        for (int state : TO_RTS) {
            RdmaResult<QpAttr> a = RdmaCm.initQpAttrNative(id, state, attr);
            if (!a.ok()) {
                adapter.log().log(adapter.host() + " " + a);
                return StatusMap.answerCall(a);
            }
            if (state == VerbsConstants.IBV_QPS_INIT) {
                int access = VerbsConstants.IBV_ACCESS_LOCAL_WRITE | VerbsConstants.IBV_ACCESS_REMOTE_WRITE
                        | (inbound != 0 ? VerbsConstants.IBV_ACCESS_REMOTE_READ | VerbsConstants.IBV_ACCESS_REMOTE_ATOMIC : 0);
                attr.qpAccessFlags(access);
                if (attr.portNum() == initPort && attr.pkeyIndex() == initPkeyIndex && access == initAccess) {
                    // Already INIT with exactly these attributes (a new QP, see initialize): the
                    // INIT-to-INIT modify would change nothing, and it is a system call into the
                    // device's driver on each side of every connection.
                    continue;
                }
            } else if (state == VerbsConstants.IBV_QPS_RTR) {
                attr.maxDestRdAtomic(ReadLimits.wire(inbound));
            } else {
                attr.maxRdAtomic(ReadLimits.wire(outbound));
            }
            RdmaResult<Void> m = Verbs.modifyQp(qp, attr);
            if (!m.ok()) {
                adapter.log().log(adapter.host() + " " + m);
                return StatusMap.verbs(m);
            }
        }
        return NtStatus.SUCCESS;
    }

    /** Moves the QP to ERR, which flushes its outstanding requests (disconnect). */
    synchronized void toError() {
        if (used && !destroyed) {
            modifyState(VerbsConstants.IBV_QPS_ERR);
        }
    }

    private static final int[] TO_RTS = {VerbsConstants.IBV_QPS_INIT, VerbsConstants.IBV_QPS_RTR, VerbsConstants.IBV_QPS_RTS};

    private NtStatus modifyState(int state) {
        RdmaResult<Void> r = Verbs.modifyQp(qp, attr.reset(state));
        if (!r.ok()) {
            adapter.log().log(adapter.host() + " " + r);
            return StatusMap.verbs(r);
        }
        return NtStatus.SUCCESS;
    }

    @Override
    public NtStatus close(CloseCompletion completion, Object context) {
        return lifetime.close(this::destroy, completion, context, this::releaseAntecedents);
    }

    private boolean released;

    private void releaseAntecedents() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        initiatorCq.lifetime.release();
        receiveCq.lifetime.release();
        pd.lifetime.release();
    }

    @Override
    public synchronized void destroy() {
        if (!destroyed) {
            destroyed = true;
            RdmaResult<Void> r = Verbs.destroyQp(qp);
            if (!r.ok()) {
                adapter.log().problem(adapter.host() + " " + r);
            }
            adapter.forget(this);
        }
    }

    @Override
    public int rank() {
        return 1;
    }
}
