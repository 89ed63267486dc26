package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;
import com.sun.jna.Structure.FieldOrder;

/**
 * libibverbs structures from {@code <infiniband/verbs.h>} (rdma-core 44.0, x86-64).
 *
 * <p>Every offset and size here is checked against gcc by {@code StructLayoutTest}.
 * {@code pthread_mutex_t} (40 bytes) and {@code pthread_cond_t} (48 bytes) are opaque and mapped
 * as {@code long[5]} / {@code long[6]} so that they keep their 8-byte alignment.
 *
 * <p>Objects that libibverbs allocates ({@code ibv_context}, {@code ibv_pd}, {@code ibv_cq},
 * {@code ibv_qp}, {@code ibv_mr}) are only ever viewed through these classes, never written.
 * Attribute structures ({@code ibv_qp_init_attr}, {@code ibv_qp_attr}, {@code ibv_device_attr},
 * {@code ibv_port_attr}, {@code ibv_wc}, work requests) are allocated in Java-owned memory by the
 * no-argument constructors and passed by pointer.
 */
public final class VerbsStructs {
    private VerbsStructs() {
    }

    /**
     * {@code union ibv_gid} (16 bytes, 8-byte aligned because of {@code global}).
     */
    @FieldOrder({"raw", "global"})
    public static class IbvGid extends NativeUnion {
        public byte[] raw = new byte[16];
        public Global global;

        public IbvGid() {
        }

        /** {@code struct { __be64 subnet_prefix; __be64 interface_id; } global}. */
        @FieldOrder({"subnet_prefix", "interface_id"})
        public static class Global extends NativeStruct {
            public long subnet_prefix;
            public long interface_id;

            public Global() {
            }
        }
    }

    /** {@code struct ibv_global_route} (24 bytes). */
    @FieldOrder({"dgid", "flow_label", "sgid_index", "hop_limit", "traffic_class"})
    public static class IbvGlobalRoute extends NativeStruct {
        public IbvGid dgid;
        public int flow_label;
        public byte sgid_index;
        public byte hop_limit;
        public byte traffic_class;

        public IbvGlobalRoute() {
        }
    }

    /** {@code struct ibv_ah_attr} (32 bytes). */
    @FieldOrder({"grh", "dlid", "sl", "src_path_bits", "static_rate", "is_global", "port_num"})
    public static class IbvAhAttr extends NativeStruct {
        public IbvGlobalRoute grh;
        public short dlid;
        public byte sl;
        public byte src_path_bits;
        public byte static_rate;
        public byte is_global;
        public byte port_num;

        public IbvAhAttr() {
        }
    }

    /** {@code struct ibv_qp_cap} (20 bytes). */
    @FieldOrder({"max_send_wr", "max_recv_wr", "max_send_sge", "max_recv_sge", "max_inline_data"})
    public static class IbvQpCap extends NativeStruct {
        public int max_send_wr;
        public int max_recv_wr;
        public int max_send_sge;
        public int max_recv_sge;
        public int max_inline_data;

        public IbvQpCap() {
        }
    }

    /** {@code struct ibv_qp_init_attr} (64 bytes). */
    @FieldOrder({"qp_context", "send_cq", "recv_cq", "srq", "cap", "qp_type", "sq_sig_all"})
    public static class IbvQpInitAttr extends NativeStruct {
        public Pointer qp_context;
        public Pointer send_cq;
        public Pointer recv_cq;
        public Pointer srq;
        public IbvQpCap cap;
        /** {@code enum ibv_qp_type}. */
        public int qp_type;
        public int sq_sig_all;

        public IbvQpInitAttr() {
        }
    }

    /**
     * {@code struct ibv_qp_attr} (144 bytes). Note {@code ah_attr} at 56 (8-byte aligned after
     * {@code cap} ends at 56) and the run of {@code uint8_t} from 124.
     */
    @FieldOrder({"qp_state", "cur_qp_state", "path_mtu", "path_mig_state", "qkey", "rq_psn",
        "sq_psn", "dest_qp_num", "qp_access_flags", "cap", "ah_attr", "alt_ah_attr", "pkey_index",
        "alt_pkey_index", "en_sqd_async_notify", "sq_draining", "max_rd_atomic",
        "max_dest_rd_atomic", "min_rnr_timer", "port_num", "timeout", "retry_cnt", "rnr_retry",
        "alt_port_num", "alt_timeout", "rate_limit"})
    public static class IbvQpAttr extends NativeStruct {
        public int qp_state;
        public int cur_qp_state;
        public int path_mtu;
        public int path_mig_state;
        public int qkey;
        public int rq_psn;
        public int sq_psn;
        public int dest_qp_num;
        public int qp_access_flags;
        public IbvQpCap cap;
        public IbvAhAttr ah_attr;
        public IbvAhAttr alt_ah_attr;
        public short pkey_index;
        public short alt_pkey_index;
        public byte en_sqd_async_notify;
        public byte sq_draining;
        public byte max_rd_atomic;
        public byte max_dest_rd_atomic;
        public byte min_rnr_timer;
        public byte port_num;
        public byte timeout;
        public byte retry_cnt;
        public byte rnr_retry;
        public byte alt_port_num;
        public byte alt_timeout;
        public int rate_limit;

        public IbvQpAttr() {
        }
    }

    /** {@code struct ibv_device_attr} (232 bytes). */
    @FieldOrder({"fw_ver", "node_guid", "sys_image_guid", "max_mr_size", "page_size_cap",
        "vendor_id", "vendor_part_id", "hw_ver", "max_qp", "max_qp_wr", "device_cap_flags",
        "max_sge", "max_sge_rd", "max_cq", "max_cqe", "max_mr", "max_pd", "max_qp_rd_atom",
        "max_ee_rd_atom", "max_res_rd_atom", "max_qp_init_rd_atom", "max_ee_init_rd_atom",
        "atomic_cap", "max_ee", "max_rdd", "max_mw", "max_raw_ipv6_qp", "max_raw_ethy_qp",
        "max_mcast_grp", "max_mcast_qp_attach", "max_total_mcast_qp_attach", "max_ah", "max_fmr",
        "max_map_per_fmr", "max_srq", "max_srq_wr", "max_srq_sge", "max_pkeys",
        "local_ca_ack_delay", "phys_port_cnt"})
    public static class IbvDeviceAttr extends NativeStruct {
        public byte[] fw_ver = new byte[64];
        public long node_guid;
        public long sys_image_guid;
        public long max_mr_size;
        public long page_size_cap;
        public int vendor_id;
        public int vendor_part_id;
        public int hw_ver;
        public int max_qp;
        public int max_qp_wr;
        public int device_cap_flags;
        public int max_sge;
        public int max_sge_rd;
        public int max_cq;
        public int max_cqe;
        public int max_mr;
        public int max_pd;
        public int max_qp_rd_atom;
        public int max_ee_rd_atom;
        public int max_res_rd_atom;
        public int max_qp_init_rd_atom;
        public int max_ee_init_rd_atom;
        public int atomic_cap;
        public int max_ee;
        public int max_rdd;
        public int max_mw;
        public int max_raw_ipv6_qp;
        public int max_raw_ethy_qp;
        public int max_mcast_grp;
        public int max_mcast_qp_attach;
        public int max_total_mcast_qp_attach;
        public int max_ah;
        public int max_fmr;
        public int max_map_per_fmr;
        public int max_srq;
        public int max_srq_wr;
        public int max_srq_sge;
        public short max_pkeys;
        public byte local_ca_ack_delay;
        public byte phys_port_cnt;

        public IbvDeviceAttr() {
        }
    }

    /**
     * {@code struct ibv_port_attr} (52 bytes). The exported {@code ibv_query_port} symbol only
     * fills the first {@value Verbs#COMPAT_PORT_ATTR_SIZE} bytes ({@code _compat_ibv_port_attr},
     * everything before {@code port_cap_flags2}); see {@link Verbs#queryPort}.
     */
    @FieldOrder({"state", "max_mtu", "active_mtu", "gid_tbl_len", "port_cap_flags", "max_msg_sz",
        "bad_pkey_cntr", "qkey_viol_cntr", "pkey_tbl_len", "lid", "sm_lid", "lmc", "max_vl_num",
        "sm_sl", "subnet_timeout", "init_type_reply", "active_width", "active_speed",
        "phys_state", "link_layer", "flags", "port_cap_flags2"})
    public static class IbvPortAttr extends NativeStruct {
        public int state;
        public int max_mtu;
        public int active_mtu;
        public int gid_tbl_len;
        public int port_cap_flags;
        public int max_msg_sz;
        public int bad_pkey_cntr;
        public int qkey_viol_cntr;
        public short pkey_tbl_len;
        public short lid;
        public short sm_lid;
        public byte lmc;
        public byte max_vl_num;
        public byte sm_sl;
        public byte subnet_timeout;
        public byte init_type_reply;
        public byte active_width;
        public byte active_speed;
        public byte phys_state;
        public byte link_layer;
        public byte flags;
        public short port_cap_flags2;

        public IbvPortAttr() {
        }
    }

    /**
     * {@code struct ibv_wc} (48 bytes). {@code imm_data} is one member of an anonymous union
     * with {@code invalidated_rkey}.
     */
    @FieldOrder({"wr_id", "status", "opcode", "vendor_err", "byte_len", "imm_data", "qp_num",
        "src_qp", "wc_flags", "pkey_index", "slid", "sl", "dlid_path_bits"})
    public static class IbvWc extends NativeStruct {
        public long wr_id;
        public int status;
        public int opcode;
        public int vendor_err;
        public int byte_len;
        public int imm_data;
        public int qp_num;
        public int src_qp;
        public int wc_flags;
        public short pkey_index;
        public short slid;
        public byte sl;
        public byte dlid_path_bits;

        public IbvWc() {
        }

        public IbvWc(Pointer p) {
            super(p);
        }
    }

    /** {@code struct ibv_sge} (16 bytes). */
    @FieldOrder({"addr", "length", "lkey"})
    public static class IbvSge extends NativeStruct {
        public long addr;
        public int length;
        public int lkey;

        public IbvSge() {
        }

        public IbvSge(Pointer p) {
            super(p);
        }
    }

    /** {@code struct ibv_recv_wr} (32 bytes). */
    @FieldOrder({"wr_id", "next", "sg_list", "num_sge"})
    public static class IbvRecvWr extends NativeStruct {
        public long wr_id;
        public Pointer next;
        public Pointer sg_list;
        public int num_sge;

        public IbvRecvWr() {
        }
    }

    /** {@code struct ibv_mw_bind_info} (32 bytes). */
    @FieldOrder({"mr", "addr", "length", "mw_access_flags"})
    public static class IbvMwBindInfo extends NativeStruct {
        public Pointer mr;
        public long addr;
        public long length;
        public int mw_access_flags;

        public IbvMwBindInfo() {
        }
    }

    /**
     * {@code struct ibv_send_wr} (128 bytes). The last anonymous union ({@code bind_mw} /
     * {@code tso}) is mapped by its larger member {@code bind_mw}. For RDMA and atomic opcodes
     * call {@code wr.setType("rdma")} (or {@code "atomic"}, {@code "ud"}) before writing: JNA
     * writes only the active member of a union.
     */
    @FieldOrder({"wr_id", "next", "sg_list", "num_sge", "opcode", "send_flags", "imm_data", "wr",
        "qp_type", "bind_mw"})
    public static class IbvSendWr extends NativeStruct {
        public long wr_id;
        public Pointer next;
        public Pointer sg_list;
        public int num_sge;
        public int opcode;
        public int send_flags;
        /** Anonymous union with {@code invalidate_rkey}. */
        public int imm_data;
        public Wr wr;
        public QpType qp_type;
        public BindMw bind_mw;

        public IbvSendWr() {
        }

        /** {@code union { rdma; atomic; ud; } wr}. */
        @FieldOrder({"rdma", "atomic", "ud"})
        public static class Wr extends NativeUnion {
            public Rdma rdma;
            public Atomic atomic;
            public Ud ud;

            public Wr() {
            }
        }

        @FieldOrder({"remote_addr", "rkey"})
        public static class Rdma extends NativeStruct {
            public long remote_addr;
            public int rkey;

            public Rdma() {
            }
        }

        @FieldOrder({"remote_addr", "compare_add", "swap", "rkey"})
        public static class Atomic extends NativeStruct {
            public long remote_addr;
            public long compare_add;
            public long swap;
            public int rkey;

            public Atomic() {
            }
        }

        @FieldOrder({"ah", "remote_qpn", "remote_qkey"})
        public static class Ud extends NativeStruct {
            public Pointer ah;
            public int remote_qpn;
            public int remote_qkey;

            public Ud() {
            }
        }

        /** {@code union { struct { uint32_t remote_srqn; } xrc; } qp_type}. */
        @FieldOrder({"xrc"})
        public static class QpType extends NativeUnion {
            public Xrc xrc;

            public QpType() {
            }
        }

        @FieldOrder({"remote_srqn"})
        public static class Xrc extends NativeStruct {
            public int remote_srqn;

            public Xrc() {
            }
        }

        @FieldOrder({"mw", "rkey", "bind_info"})
        public static class BindMw extends NativeStruct {
            public Pointer mw;
            public int rkey;
            public IbvMwBindInfo bind_info;

            public BindMw() {
            }
        }
    }

    /** {@code struct ibv_pd} (16 bytes), view only. */
    @FieldOrder({"context", "handle"})
    public static class IbvPd extends NativeStruct {
        public Pointer context;
        public int handle;

        public IbvPd() {
        }

        public IbvPd(Pointer p) {
            super(p);
        }
    }

    /** {@code struct ibv_mr} (48 bytes), view only. */
    @FieldOrder({"context", "pd", "addr", "length", "handle", "lkey", "rkey"})
    public static class IbvMr extends NativeStruct {
        public Pointer context;
        public Pointer pd;
        public Pointer addr;
        /** {@code size_t}. */
        public long length;
        public int handle;
        public int lkey;
        public int rkey;

        public IbvMr() {
        }

        public IbvMr(Pointer p) {
            super(p);
        }
    }

    /** {@code struct ibv_cq} (128 bytes), view only. */
    @FieldOrder({"context", "channel", "cq_context", "handle", "cqe", "mutex", "cond",
        "comp_events_completed", "async_events_completed"})
    public static class IbvCq extends NativeStruct {
        public Pointer context;
        public Pointer channel;
        public Pointer cq_context;
        public int handle;
        public int cqe;
        public long[] mutex = new long[5];
        public long[] cond = new long[6];
        public int comp_events_completed;
        public int async_events_completed;

        public IbvCq() {
        }

        public IbvCq(Pointer p) {
            super(p);
        }
    }

    /** {@code struct ibv_qp} (160 bytes), view only. */
    @FieldOrder({"context", "qp_context", "pd", "send_cq", "recv_cq", "srq", "handle", "qp_num",
        "state", "qp_type", "mutex", "cond", "events_completed"})
    public static class IbvQp extends NativeStruct {
        public Pointer context;
        public Pointer qp_context;
        public Pointer pd;
        public Pointer send_cq;
        public Pointer recv_cq;
        public Pointer srq;
        public int handle;
        public int qp_num;
        public int state;
        public int qp_type;
        public long[] mutex = new long[5];
        public long[] cond = new long[6];
        public int events_completed;

        public IbvQp() {
        }

        public IbvQp(Pointer p) {
            super(p);
        }
    }

    /**
     * {@code struct ibv_context_ops} (256 bytes, 32 function pointers). The data-path verbs
     * ({@code ibv_poll_cq}, {@code ibv_req_notify_cq}, {@code ibv_post_send},
     * {@code ibv_post_recv}, {@code ibv_post_srq_recv}) are static inline in verbs.h and call
     * through these pointers; they are not exported by libibverbs.so.1.
     */
    @FieldOrder({"_compat_query_device", "_compat_query_port", "_compat_alloc_pd",
        "_compat_dealloc_pd", "_compat_reg_mr", "_compat_rereg_mr", "_compat_dereg_mr",
        "alloc_mw", "bind_mw", "dealloc_mw", "_compat_create_cq", "poll_cq", "req_notify_cq",
        "_compat_cq_event", "_compat_resize_cq", "_compat_destroy_cq", "_compat_create_srq",
        "_compat_modify_srq", "_compat_query_srq", "_compat_destroy_srq", "post_srq_recv",
        "_compat_create_qp", "_compat_query_qp", "_compat_modify_qp", "_compat_destroy_qp",
        "post_send", "post_recv", "_compat_create_ah", "_compat_destroy_ah",
        "_compat_attach_mcast", "_compat_detach_mcast", "_compat_async_event"})
    public static class IbvContextOps extends NativeStruct {
        public Pointer _compat_query_device;
        public Pointer _compat_query_port;
        public Pointer _compat_alloc_pd;
        public Pointer _compat_dealloc_pd;
        public Pointer _compat_reg_mr;
        public Pointer _compat_rereg_mr;
        public Pointer _compat_dereg_mr;
        public Pointer alloc_mw;
        public Pointer bind_mw;
        public Pointer dealloc_mw;
        public Pointer _compat_create_cq;
        public Pointer poll_cq;
        public Pointer req_notify_cq;
        public Pointer _compat_cq_event;
        public Pointer _compat_resize_cq;
        public Pointer _compat_destroy_cq;
        public Pointer _compat_create_srq;
        public Pointer _compat_modify_srq;
        public Pointer _compat_query_srq;
        public Pointer _compat_destroy_srq;
        public Pointer post_srq_recv;
        public Pointer _compat_create_qp;
        public Pointer _compat_query_qp;
        public Pointer _compat_modify_qp;
        public Pointer _compat_destroy_qp;
        public Pointer post_send;
        public Pointer post_recv;
        public Pointer _compat_create_ah;
        public Pointer _compat_destroy_ah;
        public Pointer _compat_attach_mcast;
        public Pointer _compat_detach_mcast;
        public Pointer _compat_async_event;

        public IbvContextOps() {
        }
    }

    /**
     * {@code struct ibv_context} (328 bytes), view only. {@code abi_compat} is
     * {@code UINTPTR_MAX} when the context is embedded in a {@link VerbsContext} (always the case
     * for rdma-core providers).
     */
    @FieldOrder({"device", "ops", "cmd_fd", "async_fd", "num_comp_vectors", "mutex", "abi_compat"})
    public static class IbvContext extends NativeStruct {
        public Pointer device;
        public IbvContextOps ops;
        public int cmd_fd;
        public int async_fd;
        public int num_comp_vectors;
        public long[] mutex = new long[5];
        public Pointer abi_compat;

        public IbvContext() {
        }

        public IbvContext(Pointer p) {
            super(p);
        }
    }

    /** {@code struct _ibv_device_ops} (16 bytes). */
    @FieldOrder({"_dummy1", "_dummy2"})
    public static class IbvDeviceOps extends NativeStruct {
        public Pointer _dummy1;
        public Pointer _dummy2;

        public IbvDeviceOps() {
        }
    }

    /** {@code struct ibv_device} (664 bytes), view only. */
    @FieldOrder({"_ops", "node_type", "transport_type", "name", "dev_name", "dev_path",
        "ibdev_path"})
    public static class IbvDevice extends NativeStruct {
        public IbvDeviceOps _ops;
        public int node_type;
        public int transport_type;
        public byte[] name = new byte[64];
        public byte[] dev_name = new byte[64];
        public byte[] dev_path = new byte[256];
        public byte[] ibdev_path = new byte[256];

        public IbvDevice() {
        }

        public IbvDevice(Pointer p) {
            super(p);
        }
    }

    /**
     * {@code struct verbs_context} (648 bytes): the extended context that every rdma-core provider
     * allocates. It "grows up": the {@code ibv_context} a user sees is its <em>last</em> member,
     * so the extension lives at negative offsets from the {@code ibv_context *} (container_of).
     * Used here only for {@code query_port} (the inline {@code ___ibv_query_port}).
     */
    @FieldOrder({"query_port", "advise_mr", "alloc_null_mr", "read_counters",
        "attach_counters_point_flow", "create_counters", "destroy_counters", "reg_dm_mr",
        "alloc_dm", "free_dm", "modify_flow_action_esp", "destroy_flow_action",
        "create_flow_action_esp", "modify_qp_rate_limit", "alloc_parent_domain", "dealloc_td",
        "alloc_td", "modify_cq", "post_srq_ops", "destroy_rwq_ind_table", "create_rwq_ind_table",
        "destroy_wq", "modify_wq", "create_wq", "query_rt_values", "create_cq_ex", "priv",
        "query_device_ex", "ibv_destroy_flow", "ABI_placeholder2", "ibv_create_flow",
        "ABI_placeholder1", "open_qp", "create_qp_ex", "get_srq_num", "create_srq_ex",
        "open_xrcd", "close_xrcd", "_ABI_placeholder3", "sz", "context"})
    public static class VerbsContext extends NativeStruct {
        public Pointer query_port;
        public Pointer advise_mr;
        public Pointer alloc_null_mr;
        public Pointer read_counters;
        public Pointer attach_counters_point_flow;
        public Pointer create_counters;
        public Pointer destroy_counters;
        public Pointer reg_dm_mr;
        public Pointer alloc_dm;
        public Pointer free_dm;
        public Pointer modify_flow_action_esp;
        public Pointer destroy_flow_action;
        public Pointer create_flow_action_esp;
        public Pointer modify_qp_rate_limit;
        public Pointer alloc_parent_domain;
        public Pointer dealloc_td;
        public Pointer alloc_td;
        public Pointer modify_cq;
        public Pointer post_srq_ops;
        public Pointer destroy_rwq_ind_table;
        public Pointer create_rwq_ind_table;
        public Pointer destroy_wq;
        public Pointer modify_wq;
        public Pointer create_wq;
        public Pointer query_rt_values;
        public Pointer create_cq_ex;
        public Pointer priv;
        public Pointer query_device_ex;
        public Pointer ibv_destroy_flow;
        public Pointer ABI_placeholder2;
        public Pointer ibv_create_flow;
        public Pointer ABI_placeholder1;
        public Pointer open_qp;
        public Pointer create_qp_ex;
        public Pointer get_srq_num;
        public Pointer create_srq_ex;
        public Pointer open_xrcd;
        public Pointer close_xrcd;
        public long _ABI_placeholder3;
        /** {@code size_t}: how many bytes of this struct precede {@code context} are valid. */
        public long sz;
        public IbvContext context;

        public VerbsContext() {
        }
    }
}
