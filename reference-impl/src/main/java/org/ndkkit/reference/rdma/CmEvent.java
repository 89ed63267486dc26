package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Java copy of one {@code struct rdma_cm_event}, interpreted as a connected-mode
 * ({@code param.conn}) event.
 *
 * <p>Ownership: the native event was allocated by {@code rdma_get_cm_event} and is freed by
 * {@code rdma_ack_cm_event}. Everything in this object (including the private data) is copied
 * out, so it stays valid after the ack. The ack itself matters to librdmacm: it blocks
 * {@code rdma_destroy_id} of the event's id (for CONNECT_REQUEST: of the <em>listening</em> id)
 * until every event handed out for it is acked. {@link RdmaCm#getCmEvent} returns events un-acked
 * (ack with {@link #close()} or {@link RdmaCm#ackCmEvent}); {@link RdmaCm#nextCmEvent} acks
 * before returning.
 */
public final class CmEvent implements AutoCloseable {
    private final RdmaCmEventType type;
    private final int rawType;
    private final int status;
    private final CmId id;
    private final CmId listenId;
    private final byte[] privateData;
    private final int privateDataLen;
    private final int responderResources;
    private final int initiatorDepth;
    private final int flowControl;
    private final int retryCount;
    private final int rnrRetryCount;
    private final int srq;
    private final int qpNum;
    private final Pointer nativeEvent;
    /** The id whose librdmacm event accounting this event belongs to. */
    private final CmId accountedTo;
    private final AtomicBoolean acked = new AtomicBoolean();

    CmEvent(int rawType, int status, CmId id, CmId listenId, byte[] privateData,
            int privateDataLen, int responderResources, int initiatorDepth, int flowControl,
            int retryCount, int rnrRetryCount, int srq, int qpNum, Pointer nativeEvent,
            CmId accountedTo) {
        this.type = RdmaCmEventType.of(rawType);
        this.rawType = rawType;
        this.status = status;
        this.id = id;
        this.listenId = listenId;
        this.privateData = privateData;
        this.privateDataLen = privateDataLen;
        this.responderResources = responderResources;
        this.initiatorDepth = initiatorDepth;
        this.flowControl = flowControl;
        this.retryCount = retryCount;
        this.rnrRetryCount = rnrRetryCount;
        this.srq = srq;
        this.qpNum = qpNum;
        this.nativeEvent = nativeEvent;
        this.accountedTo = accountedTo;
    }

    public RdmaCmEventType type() {
        return type;
    }

    /** The native {@code enum rdma_cm_event_type} value. */
    public int rawType() {
        return rawType;
    }

    /**
     * {@code event->status}: for REJECTED the IB CM reject reason (8 = no listener, 28 = consumer
     * reject); for UNREACHABLE, ADDR_ERROR, ROUTE_ERROR, DISCONNECTED a negative errno.
     */
    public int status() {
        return status;
    }

    /**
     * The id the event is about. For CONNECT_REQUEST this is a <em>new</em> id created by
     * librdmacm for the incoming connection, now owned by the caller (destroy it or accept/reject).
     */
    public CmId id() {
        return id;
    }

    /** The listening id, for CONNECT_REQUEST only. */
    public Optional<CmId> listenId() {
        return Optional.ofNullable(listenId);
    }

    /** Copy of the private data buffer (its length is the field size: 56/196/148, see spec). */
    public byte[] privateData() {
        return privateData.clone();
    }

    /** {@code param.conn.private_data_len} as reported (0..255). */
    public int privateDataLen() {
        return privateDataLen;
    }

    public int responderResources() {
        return responderResources;
    }

    public int initiatorDepth() {
        return initiatorDepth;
    }

    public int flowControl() {
        return flowControl;
    }

    public int retryCount() {
        return retryCount;
    }

    public int rnrRetryCount() {
        return rnrRetryCount;
    }

    public int srq() {
        return srq;
    }

    /** The peer's QP number ({@code param.conn.qp_num}). */
    public int qpNum() {
        return qpNum;
    }

    public boolean isAcked() {
        return acked.get();
    }

    Pointer nativeEvent() {
        return nativeEvent;
    }

    CmId accountedTo() {
        return accountedTo;
    }

    /** Marks acked; false if it already was. */
    boolean markAcked() {
        return acked.compareAndSet(false, true);
    }

    void unmarkAcked() {
        acked.set(false);
    }

    /** Acks the event if that has not happened yet (never throws). */
    @Override
    public void close() {
        if (!acked.get()) {
            RdmaCm.ackCmEvent(this);
        }
    }

    @Override
    public String toString() {
        return "CmEvent[" + type + (type == RdmaCmEventType.UNKNOWN ? "(" + rawType + ")" : "")
                + ", status=" + status + ", id=" + id + (listenId != null ? ", listen=" + listenId
                : "") + ", pdlen=" + privateDataLen + ", rr=" + responderResources + ", depth="
                + initiatorDepth + ", qpn=" + qpNum + (acked.get() ? ", acked" : "") + "]";
    }
}
