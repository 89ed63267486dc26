package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;
import org.ndkkit.reference.rdma.SocketStructs.SockaddrStorage;
import org.ndkkit.reference.rdma.VerbsStructs.IbvAhAttr;
import org.ndkkit.reference.rdma.VerbsStructs.IbvGid;

/**
 * librdmacm structures from {@code <rdma/rdma_cma.h>} (rdma-core 44.0, x86-64).
 *
 * <p>Every offset and size here is checked against gcc by {@code StructLayoutTest}. Sizes:
 * {@code rdma_cm_id} 416, {@code rdma_route} 312, {@code rdma_addr} 296, {@code rdma_ib_addr} 40,
 * {@code rdma_conn_param} 24, {@code rdma_ud_param} 56, {@code rdma_cm_event} 80.
 */
public final class CmStructs {
    private CmStructs() {
    }

    /** {@code struct rdma_event_channel { int fd; }}. */
    @FieldOrder({"fd"})
    public static class RdmaEventChannel extends NativeStruct {
        public int fd;

        public RdmaEventChannel() {
        }

        public RdmaEventChannel(Pointer p) {
            super(p);
        }
    }

    /**
     * {@code struct rdma_ib_addr}: 40 bytes, not 34, because {@code union ibv_gid} has 8-byte
     * alignment (its {@code global} member holds two {@code __be64}).
     */
    @FieldOrder({"sgid", "dgid", "pkey"})
    public static class RdmaIbAddr extends NativeStruct {
        public IbvGid sgid;
        public IbvGid dgid;
        /** Network order. */
        public short pkey;

        public RdmaIbAddr() {
        }
    }

    /**
     * {@code struct rdma_addr}. The C struct has two anonymous unions
     * ({@code src_addr/src_sin/src_sin6/src_storage} and the same for {@code dst}); they are
     * mapped by their largest member, {@code src_storage}/{@code dst_storage} (128 bytes each).
     */
    @FieldOrder({"src_storage", "dst_storage", "addr"})
    public static class RdmaAddr extends NativeStruct {
        public SockaddrStorage src_storage;
        public SockaddrStorage dst_storage;
        public AddrUnion addr;

        public RdmaAddr() {
        }

        /** The named but untagged {@code union { struct rdma_ib_addr ibaddr; } addr}. */
        @FieldOrder({"ibaddr"})
        public static class AddrUnion extends NativeUnion {
            public RdmaIbAddr ibaddr;

            public AddrUnion() {
            }
        }
    }

    /** {@code struct rdma_route} (312 bytes). */
    @FieldOrder({"addr", "path_rec", "num_paths"})
    public static class RdmaRoute extends NativeStruct {
        public RdmaAddr addr;
        /** {@code struct ibv_sa_path_rec *}. */
        public Pointer path_rec;
        public int num_paths;

        public RdmaRoute() {
        }
    }

    /**
     * {@code struct rdma_cm_id} (416 bytes). Owned by librdmacm: created by
     * {@code rdma_create_id} (or for a passive connection by librdmacm on CONNECT_REQUEST) and
     * freed by {@code rdma_destroy_id}. A Java instance made with {@link #RdmaCmId(Pointer)} is
     * only a view.
     */
    @FieldOrder({"verbs", "channel", "context", "qp", "route", "ps", "port_num", "event",
        "send_cq_channel", "send_cq", "recv_cq_channel", "recv_cq", "srq", "pd", "qp_type"})
    public static class RdmaCmId extends NativeStruct {
        /** {@code struct ibv_context *}: owned by librdmacm's device list, never close it. */
        public Pointer verbs;
        public Pointer channel;
        public Pointer context;
        /** Set only by {@code rdma_create_qp}; NULL with an external QP. */
        public Pointer qp;
        public RdmaRoute route;
        /** {@code enum rdma_port_space}. */
        public int ps;
        public byte port_num;
        public Pointer event;
        public Pointer send_cq_channel;
        public Pointer send_cq;
        public Pointer recv_cq_channel;
        public Pointer recv_cq;
        public Pointer srq;
        public Pointer pd;
        /** {@code enum ibv_qp_type}. */
        public int qp_type;

        public RdmaCmId() {
        }

        public RdmaCmId(Pointer p) {
            super(p);
        }
    }

    /**
     * {@code struct rdma_conn_param} (24 bytes): seven {@code uint8_t} after the pointer, then
     * {@code qp_num} aligned to 16.
     */
    @FieldOrder({"private_data", "private_data_len", "responder_resources", "initiator_depth",
        "flow_control", "retry_count", "rnr_retry_count", "srq", "qp_num"})
    public static class RdmaConnParam extends NativeStruct {
        public Pointer private_data;
        public byte private_data_len;
        public byte responder_resources;
        public byte initiator_depth;
        public byte flow_control;
        public byte retry_count;
        public byte rnr_retry_count;
        public byte srq;
        public int qp_num;

        public RdmaConnParam() {
        }

        public RdmaConnParam(Pointer p) {
            super(p);
        }
    }

    /** {@code struct rdma_ud_param} (56 bytes). */
    @FieldOrder({"private_data", "private_data_len", "ah_attr", "qp_num", "qkey"})
    public static class RdmaUdParam extends NativeStruct {
        public Pointer private_data;
        public byte private_data_len;
        public IbvAhAttr ah_attr;
        public int qp_num;
        public int qkey;

        public RdmaUdParam() {
        }
    }

    /**
     * {@code struct rdma_cm_event} (80 bytes). Allocated by {@code rdma_get_cm_event}, freed by
     * {@code rdma_ack_cm_event}; {@code param.conn.private_data} points into the same allocation.
     */
    @FieldOrder({"id", "listen_id", "event", "status", "param"})
    public static class RdmaCmEvent extends NativeStruct {
        public Pointer id;
        public Pointer listen_id;
        /** {@code enum rdma_cm_event_type}. */
        public int event;
        public int status;
        public Param param;

        public RdmaCmEvent() {
        }

        public RdmaCmEvent(Pointer p) {
            super(p);
        }

        /** Reads the whole event interpreting {@code param} as {@code conn}. */
        public RdmaCmEvent readAsConn() {
            param.setType("conn");
            read();
            return this;
        }

        /** {@code union { struct rdma_conn_param conn; struct rdma_ud_param ud; } param}. */
        @FieldOrder({"conn", "ud"})
        public static class Param extends NativeUnion {
            public RdmaConnParam conn;
            public RdmaUdParam ud;

            public Param() {
            }
        }
    }
}
