package org.ndkkit.reference.rdma;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * A {@code struct ibv_qp *} from {@link Verbs#createQp} (an "external" QP in rdma_cm terms: the
 * cm_id's {@code qp} stays NULL and the QP number travels in {@code rdma_conn_param.qp_num}).
 * Freed by {@link Verbs#destroyQp}. {@code post_send}/{@code post_recv} are read from
 * {@code qp->context->ops} at creation.
 */
public final class QueuePair extends NativeHandle {
    private final ProtectionDomain pd;
    private final CompletionQueue sendCq;
    private final CompletionQueue recvCq;
    private final int qpNum;
    private final Function postSend;
    private final Function postRecv;

    QueuePair(Pointer pointer, ProtectionDomain pd, CompletionQueue sendCq,
            CompletionQueue recvCq, int qpNum, Function postSend, Function postRecv) {
        super("ibv_qp", pointer);
        this.pd = pd;
        this.sendCq = sendCq;
        this.recvCq = recvCq;
        this.qpNum = qpNum;
        this.postSend = postSend;
        this.postRecv = postRecv;
    }

    @Override
    void released() {
        pd.removeDependant();
        sendCq.removeDependant();
        if (recvCq != sendCq) {
            recvCq.removeDependant();
        }
    }

    /** {@code qp->qp_num} (24 bits). */
    public int qpNum() {
        return qpNum;
    }

    public ProtectionDomain pd() {
        return pd;
    }

    public CompletionQueue sendCq() {
        return sendCq;
    }

    public CompletionQueue recvCq() {
        return recvCq;
    }

    Function postSendFunction() {
        return postSend;
    }

    Function postRecvFunction() {
        return postRecv;
    }

    @Override
    NativeHandle faultScope() {
        return pd.faultScope();
    }
}
