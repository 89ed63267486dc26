package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import org.ndkkit.reference.rdma.VerbsStructs.IbvQpAttr;

/**
 * A {@code struct ibv_qp_attr} kept in native memory with its {@code IBV_QP_*} mask, for the
 * connection path: {@link RdmaCm#initQpAttrNative} fills it, a few fields are set, and
 * {@link Verbs#modifyQp(QueuePair, QpAttr)} passes the same memory on. Nothing is copied through
 * a JNA {@link IbvQpAttr} (whose construction, read and write go through reflection over about
 * 50 nested fields: about 1 ms per modify in the SoftRoCE lab's emulated VM, against 20-30 us for
 * the native call itself; a connection needs six modifies).
 *
 * <p>The offsets are {@link IbvQpAttr}'s, which {@code StructLayoutTest} checks against gcc. Each
 * setter also adds its field's bit to the mask. Not thread-safe; use it on one thread.
 */
public final class QpAttr {
    private static final IbvQpAttr LAYOUT = new IbvQpAttr();
    static final int SIZE = LAYOUT.size();
    private static final int QP_STATE = LAYOUT.offsetOf("qp_state");
    private static final int QP_ACCESS_FLAGS = LAYOUT.offsetOf("qp_access_flags");
    private static final int PKEY_INDEX = LAYOUT.offsetOf("pkey_index");
    private static final int MAX_RD_ATOMIC = LAYOUT.offsetOf("max_rd_atomic");
    private static final int MAX_DEST_RD_ATOMIC = LAYOUT.offsetOf("max_dest_rd_atomic");
    private static final int PORT_NUM = LAYOUT.offsetOf("port_num");

    /** Where rdma_init_qp_attr writes the mask: just past the struct, in the same block. */
    static final int MASK_OUT = (SIZE + 7) & ~7;

    final Memory memory = new Memory(MASK_OUT + 8L);
    private int mask;

    /** A zeroed attr with {@code qp_state} set (and {@code IBV_QP_STATE} in the mask). */
    public QpAttr(int qpState) {
        reset(qpState);
    }

    /**
     * Zeroes the attr and sets {@code qp_state}, as a new one would be: one attr serves every modify
     * of a QP (a new JNA {@code Memory} per modify cost a malloc, a map entry and a Cleaner).
     */
    public QpAttr reset(int qpState) {
        memory.clear();
        memory.setInt(QP_STATE, qpState);
        mask = VerbsConstants.IBV_QP_STATE;
        return this;
    }

    public int portNum() {
        return memory.getByte(PORT_NUM) & 0xFF;
    }

    public int pkeyIndex() {
        return memory.getShort(PKEY_INDEX) & 0xFFFF;
    }

    public int qpState() {
        return memory.getInt(QP_STATE);
    }

    public int mask() {
        return mask;
    }

    /** Replaces the mask (rdma_init_qp_attr reports the one to modify with). */
    void mask(int m) {
        mask = m;
    }

    public QpAttr qpAccessFlags(int flags) {
        memory.setInt(QP_ACCESS_FLAGS, flags);
        mask |= VerbsConstants.IBV_QP_ACCESS_FLAGS;
        return this;
    }

    public QpAttr pkeyIndex(int index) {
        memory.setShort(PKEY_INDEX, (short) index);
        mask |= VerbsConstants.IBV_QP_PKEY_INDEX;
        return this;
    }

    public QpAttr portNum(int port) {
        memory.setByte(PORT_NUM, (byte) port);
        mask |= VerbsConstants.IBV_QP_PORT;
        return this;
    }

    /** {@code max_rd_atomic}: outstanding RDMA reads/atomics this side initiates (RTS). */
    public QpAttr maxRdAtomic(int n) {
        memory.setByte(MAX_RD_ATOMIC, (byte) n);
        mask |= VerbsConstants.IBV_QP_MAX_QP_RD_ATOMIC;
        return this;
    }

    /** {@code max_dest_rd_atomic}: incoming RDMA reads/atomics this side serves (RTR). */
    public QpAttr maxDestRdAtomic(int n) {
        memory.setByte(MAX_DEST_RD_ATOMIC, (byte) n);
        mask |= VerbsConstants.IBV_QP_MAX_DEST_RD_ATOMIC;
        return this;
    }

    public int qpAccessFlags() {
        return memory.getInt(QP_ACCESS_FLAGS);
    }

    public int maxRdAtomic() {
        return memory.getByte(MAX_RD_ATOMIC) & 0xFF;
    }

    public int maxDestRdAtomic() {
        return memory.getByte(MAX_DEST_RD_ATOMIC) & 0xFF;
    }
}
