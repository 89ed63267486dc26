/*
 * Layout probe for the JNA mappings in org.ndkkit.reference.rdma.
 *
 * Compiled and run by StructLayoutTest against the installed rdma-core headers
 * (Debian: librdmacm-dev, libibverbs-dev). Output, one fact per line:
 *
 *   <struct> <sizeof>                      e.g. "rdma_cm_id 416"
 *   <struct>.<field path> <offset> <size>  e.g. "rdma_cm_id.route.addr.src_storage 32 128"
 *   const <NAME> <value>                   e.g. "const RDMA_PS_TCP 262"
 *
 * <struct> is the C tag (no "struct"/"union" keyword); field paths use the C member names,
 * including members of anonymous unions (src_storage, imm_data, bind_mw). The Java side maps
 * each <struct> to a Structure class with the same field names.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <infiniband/verbs.h>
#include <linux/netlink.h>
#include <rdma/rdma_cma.h>
#include <rdma/rdma_netlink.h>

#define SIZE(kw, T) printf("%s %zu\n", #T, sizeof(kw T))
#define FIELD(kw, T, F) \
	printf("%s.%s %zu %zu\n", #T, #F, offsetof(kw T, F), sizeof(((kw T *)0)->F))
#define S(T) SIZE(struct, T)
#define U(T) SIZE(union, T)
#define SF(T, F) FIELD(struct, T, F)
#define UF(T, F) FIELD(union, T, F)
#define CONST(N) printf("const %s %lld\n", #N, (long long)(N))

static void sockets(void)
{
	S(sockaddr_in);
	SF(sockaddr_in, sin_family);
	SF(sockaddr_in, sin_port);
	SF(sockaddr_in, sin_addr);
	SF(sockaddr_in, sin_zero);

	S(sockaddr_in6);
	SF(sockaddr_in6, sin6_family);
	SF(sockaddr_in6, sin6_port);
	SF(sockaddr_in6, sin6_flowinfo);
	SF(sockaddr_in6, sin6_addr);
	SF(sockaddr_in6, sin6_scope_id);

	S(sockaddr_storage);
	SF(sockaddr_storage, ss_family);
	SF(sockaddr_storage, __ss_padding);
	SF(sockaddr_storage, __ss_align);

	S(pollfd);
	SF(pollfd, fd);
	SF(pollfd, events);
	SF(pollfd, revents);
}

static void rdmacm(void)
{
	S(rdma_event_channel);
	SF(rdma_event_channel, fd);

	S(rdma_ib_addr);
	SF(rdma_ib_addr, sgid);
	SF(rdma_ib_addr, dgid);
	SF(rdma_ib_addr, pkey);

	S(rdma_addr);
	SF(rdma_addr, src_storage);
	SF(rdma_addr, dst_storage);
	SF(rdma_addr, addr);
	SF(rdma_addr, addr.ibaddr);
	SF(rdma_addr, addr.ibaddr.pkey);
	/* the other members of the anonymous unions must coincide with *_storage */
	SF(rdma_addr, src_addr);
	SF(rdma_addr, src_sin);
	SF(rdma_addr, src_sin6);
	SF(rdma_addr, dst_addr);
	SF(rdma_addr, dst_sin);
	SF(rdma_addr, dst_sin6);

	S(rdma_route);
	SF(rdma_route, addr);
	SF(rdma_route, path_rec);
	SF(rdma_route, num_paths);

	S(rdma_cm_id);
	SF(rdma_cm_id, verbs);
	SF(rdma_cm_id, channel);
	SF(rdma_cm_id, context);
	SF(rdma_cm_id, qp);
	SF(rdma_cm_id, route);
	SF(rdma_cm_id, route.addr);
	SF(rdma_cm_id, route.addr.src_storage);
	SF(rdma_cm_id, route.addr.dst_storage);
	SF(rdma_cm_id, route.addr.addr.ibaddr.sgid);
	SF(rdma_cm_id, route.addr.addr.ibaddr.dgid);
	SF(rdma_cm_id, route.addr.addr.ibaddr.pkey);
	SF(rdma_cm_id, route.path_rec);
	SF(rdma_cm_id, route.num_paths);
	SF(rdma_cm_id, ps);
	SF(rdma_cm_id, port_num);
	SF(rdma_cm_id, event);
	SF(rdma_cm_id, send_cq_channel);
	SF(rdma_cm_id, send_cq);
	SF(rdma_cm_id, recv_cq_channel);
	SF(rdma_cm_id, recv_cq);
	SF(rdma_cm_id, srq);
	SF(rdma_cm_id, pd);
	SF(rdma_cm_id, qp_type);

	S(rdma_conn_param);
	SF(rdma_conn_param, private_data);
	SF(rdma_conn_param, private_data_len);
	SF(rdma_conn_param, responder_resources);
	SF(rdma_conn_param, initiator_depth);
	SF(rdma_conn_param, flow_control);
	SF(rdma_conn_param, retry_count);
	SF(rdma_conn_param, rnr_retry_count);
	SF(rdma_conn_param, srq);
	SF(rdma_conn_param, qp_num);

	S(rdma_ud_param);
	SF(rdma_ud_param, private_data);
	SF(rdma_ud_param, private_data_len);
	SF(rdma_ud_param, ah_attr);
	SF(rdma_ud_param, qp_num);
	SF(rdma_ud_param, qkey);

	S(rdma_cm_event);
	SF(rdma_cm_event, id);
	SF(rdma_cm_event, listen_id);
	SF(rdma_cm_event, event);
	SF(rdma_cm_event, status);
	SF(rdma_cm_event, param);
	SF(rdma_cm_event, param.conn);
	SF(rdma_cm_event, param.conn.private_data);
	SF(rdma_cm_event, param.conn.private_data_len);
	SF(rdma_cm_event, param.conn.responder_resources);
	SF(rdma_cm_event, param.conn.initiator_depth);
	SF(rdma_cm_event, param.conn.flow_control);
	SF(rdma_cm_event, param.conn.retry_count);
	SF(rdma_cm_event, param.conn.rnr_retry_count);
	SF(rdma_cm_event, param.conn.srq);
	SF(rdma_cm_event, param.conn.qp_num);
	SF(rdma_cm_event, param.ud);
	SF(rdma_cm_event, param.ud.qp_num);
	SF(rdma_cm_event, param.ud.qkey);
}

static void verbs_small(void)
{
	U(ibv_gid);
	UF(ibv_gid, raw);
	UF(ibv_gid, global);
	UF(ibv_gid, global.subnet_prefix);
	UF(ibv_gid, global.interface_id);

	S(ibv_global_route);
	SF(ibv_global_route, dgid);
	SF(ibv_global_route, flow_label);
	SF(ibv_global_route, sgid_index);
	SF(ibv_global_route, hop_limit);
	SF(ibv_global_route, traffic_class);

	S(ibv_ah_attr);
	SF(ibv_ah_attr, grh);
	SF(ibv_ah_attr, dlid);
	SF(ibv_ah_attr, sl);
	SF(ibv_ah_attr, src_path_bits);
	SF(ibv_ah_attr, static_rate);
	SF(ibv_ah_attr, is_global);
	SF(ibv_ah_attr, port_num);

	S(ibv_qp_cap);
	SF(ibv_qp_cap, max_send_wr);
	SF(ibv_qp_cap, max_recv_wr);
	SF(ibv_qp_cap, max_send_sge);
	SF(ibv_qp_cap, max_recv_sge);
	SF(ibv_qp_cap, max_inline_data);

	S(ibv_qp_init_attr);
	SF(ibv_qp_init_attr, qp_context);
	SF(ibv_qp_init_attr, send_cq);
	SF(ibv_qp_init_attr, recv_cq);
	SF(ibv_qp_init_attr, srq);
	SF(ibv_qp_init_attr, cap);
	SF(ibv_qp_init_attr, cap.max_send_wr);
	SF(ibv_qp_init_attr, cap.max_inline_data);
	SF(ibv_qp_init_attr, qp_type);
	SF(ibv_qp_init_attr, sq_sig_all);

	S(ibv_qp_attr);
	SF(ibv_qp_attr, qp_state);
	SF(ibv_qp_attr, cur_qp_state);
	SF(ibv_qp_attr, path_mtu);
	SF(ibv_qp_attr, path_mig_state);
	SF(ibv_qp_attr, qkey);
	SF(ibv_qp_attr, rq_psn);
	SF(ibv_qp_attr, sq_psn);
	SF(ibv_qp_attr, dest_qp_num);
	SF(ibv_qp_attr, qp_access_flags);
	SF(ibv_qp_attr, cap);
	SF(ibv_qp_attr, ah_attr);
	SF(ibv_qp_attr, ah_attr.grh.dgid);
	SF(ibv_qp_attr, ah_attr.port_num);
	SF(ibv_qp_attr, alt_ah_attr);
	SF(ibv_qp_attr, pkey_index);
	SF(ibv_qp_attr, alt_pkey_index);
	SF(ibv_qp_attr, en_sqd_async_notify);
	SF(ibv_qp_attr, sq_draining);
	SF(ibv_qp_attr, max_rd_atomic);
	SF(ibv_qp_attr, max_dest_rd_atomic);
	SF(ibv_qp_attr, min_rnr_timer);
	SF(ibv_qp_attr, port_num);
	SF(ibv_qp_attr, timeout);
	SF(ibv_qp_attr, retry_cnt);
	SF(ibv_qp_attr, rnr_retry);
	SF(ibv_qp_attr, alt_port_num);
	SF(ibv_qp_attr, alt_timeout);
	SF(ibv_qp_attr, rate_limit);
}

static void verbs_attrs(void)
{
	S(ibv_device_attr);
	SF(ibv_device_attr, fw_ver);
	SF(ibv_device_attr, node_guid);
	SF(ibv_device_attr, sys_image_guid);
	SF(ibv_device_attr, max_mr_size);
	SF(ibv_device_attr, page_size_cap);
	SF(ibv_device_attr, vendor_id);
	SF(ibv_device_attr, vendor_part_id);
	SF(ibv_device_attr, hw_ver);
	SF(ibv_device_attr, max_qp);
	SF(ibv_device_attr, max_qp_wr);
	SF(ibv_device_attr, device_cap_flags);
	SF(ibv_device_attr, max_sge);
	SF(ibv_device_attr, max_sge_rd);
	SF(ibv_device_attr, max_cq);
	SF(ibv_device_attr, max_cqe);
	SF(ibv_device_attr, max_mr);
	SF(ibv_device_attr, max_pd);
	SF(ibv_device_attr, max_qp_rd_atom);
	SF(ibv_device_attr, max_ee_rd_atom);
	SF(ibv_device_attr, max_res_rd_atom);
	SF(ibv_device_attr, max_qp_init_rd_atom);
	SF(ibv_device_attr, max_ee_init_rd_atom);
	SF(ibv_device_attr, atomic_cap);
	SF(ibv_device_attr, max_ee);
	SF(ibv_device_attr, max_rdd);
	SF(ibv_device_attr, max_mw);
	SF(ibv_device_attr, max_raw_ipv6_qp);
	SF(ibv_device_attr, max_raw_ethy_qp);
	SF(ibv_device_attr, max_mcast_grp);
	SF(ibv_device_attr, max_mcast_qp_attach);
	SF(ibv_device_attr, max_total_mcast_qp_attach);
	SF(ibv_device_attr, max_ah);
	SF(ibv_device_attr, max_fmr);
	SF(ibv_device_attr, max_map_per_fmr);
	SF(ibv_device_attr, max_srq);
	SF(ibv_device_attr, max_srq_wr);
	SF(ibv_device_attr, max_srq_sge);
	SF(ibv_device_attr, max_pkeys);
	SF(ibv_device_attr, local_ca_ack_delay);
	SF(ibv_device_attr, phys_port_cnt);

	S(ibv_port_attr);
	SF(ibv_port_attr, state);
	SF(ibv_port_attr, max_mtu);
	SF(ibv_port_attr, active_mtu);
	SF(ibv_port_attr, gid_tbl_len);
	SF(ibv_port_attr, port_cap_flags);
	SF(ibv_port_attr, max_msg_sz);
	SF(ibv_port_attr, bad_pkey_cntr);
	SF(ibv_port_attr, qkey_viol_cntr);
	SF(ibv_port_attr, pkey_tbl_len);
	SF(ibv_port_attr, lid);
	SF(ibv_port_attr, sm_lid);
	SF(ibv_port_attr, lmc);
	SF(ibv_port_attr, max_vl_num);
	SF(ibv_port_attr, sm_sl);
	SF(ibv_port_attr, subnet_timeout);
	SF(ibv_port_attr, init_type_reply);
	SF(ibv_port_attr, active_width);
	SF(ibv_port_attr, active_speed);
	SF(ibv_port_attr, phys_state);
	SF(ibv_port_attr, link_layer);
	SF(ibv_port_attr, flags);
	SF(ibv_port_attr, port_cap_flags2);

	S(ibv_wc);
	SF(ibv_wc, wr_id);
	SF(ibv_wc, status);
	SF(ibv_wc, opcode);
	SF(ibv_wc, vendor_err);
	SF(ibv_wc, byte_len);
	SF(ibv_wc, imm_data);
	SF(ibv_wc, invalidated_rkey);
	SF(ibv_wc, qp_num);
	SF(ibv_wc, src_qp);
	SF(ibv_wc, wc_flags);
	SF(ibv_wc, pkey_index);
	SF(ibv_wc, slid);
	SF(ibv_wc, sl);
	SF(ibv_wc, dlid_path_bits);
}

static void verbs_wr(void)
{
	S(ibv_sge);
	SF(ibv_sge, addr);
	SF(ibv_sge, length);
	SF(ibv_sge, lkey);

	S(ibv_recv_wr);
	SF(ibv_recv_wr, wr_id);
	SF(ibv_recv_wr, next);
	SF(ibv_recv_wr, sg_list);
	SF(ibv_recv_wr, num_sge);

	S(ibv_mw_bind_info);
	SF(ibv_mw_bind_info, mr);
	SF(ibv_mw_bind_info, addr);
	SF(ibv_mw_bind_info, length);
	SF(ibv_mw_bind_info, mw_access_flags);

	S(ibv_send_wr);
	SF(ibv_send_wr, wr_id);
	SF(ibv_send_wr, next);
	SF(ibv_send_wr, sg_list);
	SF(ibv_send_wr, num_sge);
	SF(ibv_send_wr, opcode);
	SF(ibv_send_wr, send_flags);
	SF(ibv_send_wr, imm_data);
	SF(ibv_send_wr, invalidate_rkey);
	SF(ibv_send_wr, wr);
	SF(ibv_send_wr, wr.rdma);
	SF(ibv_send_wr, wr.rdma.remote_addr);
	SF(ibv_send_wr, wr.rdma.rkey);
	SF(ibv_send_wr, wr.atomic);
	SF(ibv_send_wr, wr.atomic.remote_addr);
	SF(ibv_send_wr, wr.atomic.compare_add);
	SF(ibv_send_wr, wr.atomic.swap);
	SF(ibv_send_wr, wr.atomic.rkey);
	SF(ibv_send_wr, wr.ud);
	SF(ibv_send_wr, wr.ud.ah);
	SF(ibv_send_wr, wr.ud.remote_qpn);
	SF(ibv_send_wr, wr.ud.remote_qkey);
	SF(ibv_send_wr, qp_type);
	SF(ibv_send_wr, qp_type.xrc.remote_srqn);
	SF(ibv_send_wr, bind_mw);
	SF(ibv_send_wr, bind_mw.mw);
	SF(ibv_send_wr, bind_mw.rkey);
	SF(ibv_send_wr, bind_mw.bind_info);
	SF(ibv_send_wr, tso);
}

static void verbs_objects(void)
{
	S(ibv_pd);
	SF(ibv_pd, context);
	SF(ibv_pd, handle);

	S(ibv_mr);
	SF(ibv_mr, context);
	SF(ibv_mr, pd);
	SF(ibv_mr, addr);
	SF(ibv_mr, length);
	SF(ibv_mr, handle);
	SF(ibv_mr, lkey);
	SF(ibv_mr, rkey);

	S(ibv_cq);
	SF(ibv_cq, context);
	SF(ibv_cq, channel);
	SF(ibv_cq, cq_context);
	SF(ibv_cq, handle);
	SF(ibv_cq, cqe);
	SF(ibv_cq, mutex);
	SF(ibv_cq, cond);
	SF(ibv_cq, comp_events_completed);
	SF(ibv_cq, async_events_completed);

	S(ibv_qp);
	SF(ibv_qp, context);
	SF(ibv_qp, qp_context);
	SF(ibv_qp, pd);
	SF(ibv_qp, send_cq);
	SF(ibv_qp, recv_cq);
	SF(ibv_qp, srq);
	SF(ibv_qp, handle);
	SF(ibv_qp, qp_num);
	SF(ibv_qp, state);
	SF(ibv_qp, qp_type);
	SF(ibv_qp, mutex);
	SF(ibv_qp, cond);
	SF(ibv_qp, events_completed);

	S(ibv_context_ops);
	SF(ibv_context_ops, _compat_query_device);
	SF(ibv_context_ops, _compat_query_port);
	SF(ibv_context_ops, _compat_alloc_pd);
	SF(ibv_context_ops, _compat_dealloc_pd);
	SF(ibv_context_ops, _compat_reg_mr);
	SF(ibv_context_ops, _compat_rereg_mr);
	SF(ibv_context_ops, _compat_dereg_mr);
	SF(ibv_context_ops, alloc_mw);
	SF(ibv_context_ops, bind_mw);
	SF(ibv_context_ops, dealloc_mw);
	SF(ibv_context_ops, _compat_create_cq);
	SF(ibv_context_ops, poll_cq);
	SF(ibv_context_ops, req_notify_cq);
	SF(ibv_context_ops, _compat_cq_event);
	SF(ibv_context_ops, _compat_resize_cq);
	SF(ibv_context_ops, _compat_destroy_cq);
	SF(ibv_context_ops, _compat_create_srq);
	SF(ibv_context_ops, _compat_modify_srq);
	SF(ibv_context_ops, _compat_query_srq);
	SF(ibv_context_ops, _compat_destroy_srq);
	SF(ibv_context_ops, post_srq_recv);
	SF(ibv_context_ops, _compat_create_qp);
	SF(ibv_context_ops, _compat_query_qp);
	SF(ibv_context_ops, _compat_modify_qp);
	SF(ibv_context_ops, _compat_destroy_qp);
	SF(ibv_context_ops, post_send);
	SF(ibv_context_ops, post_recv);
	SF(ibv_context_ops, _compat_create_ah);
	SF(ibv_context_ops, _compat_destroy_ah);
	SF(ibv_context_ops, _compat_attach_mcast);
	SF(ibv_context_ops, _compat_detach_mcast);
	SF(ibv_context_ops, _compat_async_event);

	S(ibv_context);
	SF(ibv_context, device);
	SF(ibv_context, ops);
	SF(ibv_context, ops.poll_cq);
	SF(ibv_context, ops.req_notify_cq);
	SF(ibv_context, ops.post_srq_recv);
	SF(ibv_context, ops.post_send);
	SF(ibv_context, ops.post_recv);
	SF(ibv_context, cmd_fd);
	SF(ibv_context, async_fd);
	SF(ibv_context, num_comp_vectors);
	SF(ibv_context, mutex);
	SF(ibv_context, abi_compat);

	S(_ibv_device_ops);
	SF(_ibv_device_ops, _dummy1);
	SF(_ibv_device_ops, _dummy2);

	S(ibv_device);
	SF(ibv_device, _ops);
	SF(ibv_device, node_type);
	SF(ibv_device, transport_type);
	SF(ibv_device, name);
	SF(ibv_device, dev_name);
	SF(ibv_device, dev_path);
	SF(ibv_device, ibdev_path);

	S(verbs_context);
	SF(verbs_context, query_port);
	SF(verbs_context, advise_mr);
	SF(verbs_context, alloc_null_mr);
	SF(verbs_context, read_counters);
	SF(verbs_context, attach_counters_point_flow);
	SF(verbs_context, create_counters);
	SF(verbs_context, destroy_counters);
	SF(verbs_context, reg_dm_mr);
	SF(verbs_context, alloc_dm);
	SF(verbs_context, free_dm);
	SF(verbs_context, modify_flow_action_esp);
	SF(verbs_context, destroy_flow_action);
	SF(verbs_context, create_flow_action_esp);
	SF(verbs_context, modify_qp_rate_limit);
	SF(verbs_context, alloc_parent_domain);
	SF(verbs_context, dealloc_td);
	SF(verbs_context, alloc_td);
	SF(verbs_context, modify_cq);
	SF(verbs_context, post_srq_ops);
	SF(verbs_context, destroy_rwq_ind_table);
	SF(verbs_context, create_rwq_ind_table);
	SF(verbs_context, destroy_wq);
	SF(verbs_context, modify_wq);
	SF(verbs_context, create_wq);
	SF(verbs_context, query_rt_values);
	SF(verbs_context, create_cq_ex);
	SF(verbs_context, priv);
	SF(verbs_context, query_device_ex);
	SF(verbs_context, ibv_destroy_flow);
	SF(verbs_context, ABI_placeholder2);
	SF(verbs_context, ibv_create_flow);
	SF(verbs_context, ABI_placeholder1);
	SF(verbs_context, open_qp);
	SF(verbs_context, create_qp_ex);
	SF(verbs_context, get_srq_num);
	SF(verbs_context, create_srq_ex);
	SF(verbs_context, open_xrcd);
	SF(verbs_context, close_xrcd);
	SF(verbs_context, _ABI_placeholder3);
	SF(verbs_context, sz);
	SF(verbs_context, context);
	SF(verbs_context, context.abi_compat);
}

static void constants(void)
{
	/* rdma_cma.h */
	CONST(RDMA_PS_IPOIB);
	CONST(RDMA_PS_TCP);
	CONST(RDMA_PS_UDP);
	CONST(RDMA_PS_IB);
	CONST(RDMA_OPTION_ID);
	CONST(RDMA_OPTION_IB);
	CONST(RDMA_OPTION_ID_TOS);
	CONST(RDMA_OPTION_ID_REUSEADDR);
	CONST(RDMA_OPTION_ID_AFONLY);
	CONST(RDMA_OPTION_ID_ACK_TIMEOUT);
	CONST(RDMA_MAX_RESP_RES);
	CONST(RDMA_MAX_INIT_DEPTH);
	CONST(RDMA_UDP_QKEY);
	CONST(RDMA_CM_EVENT_ADDR_RESOLVED);
	CONST(RDMA_CM_EVENT_ADDR_ERROR);
	CONST(RDMA_CM_EVENT_ROUTE_RESOLVED);
	CONST(RDMA_CM_EVENT_ROUTE_ERROR);
	CONST(RDMA_CM_EVENT_CONNECT_REQUEST);
	CONST(RDMA_CM_EVENT_CONNECT_RESPONSE);
	CONST(RDMA_CM_EVENT_CONNECT_ERROR);
	CONST(RDMA_CM_EVENT_UNREACHABLE);
	CONST(RDMA_CM_EVENT_REJECTED);
	CONST(RDMA_CM_EVENT_ESTABLISHED);
	CONST(RDMA_CM_EVENT_DISCONNECTED);
	CONST(RDMA_CM_EVENT_DEVICE_REMOVAL);
	CONST(RDMA_CM_EVENT_MULTICAST_JOIN);
	CONST(RDMA_CM_EVENT_MULTICAST_ERROR);
	CONST(RDMA_CM_EVENT_ADDR_CHANGE);
	CONST(RDMA_CM_EVENT_TIMEWAIT_EXIT);

	/* verbs.h */
	CONST(IBV_QPT_RC);
	CONST(IBV_QPT_UC);
	CONST(IBV_QPT_UD);
	CONST(IBV_QPS_RESET);
	CONST(IBV_QPS_INIT);
	CONST(IBV_QPS_RTR);
	CONST(IBV_QPS_RTS);
	CONST(IBV_QPS_SQD);
	CONST(IBV_QPS_SQE);
	CONST(IBV_QPS_ERR);
	CONST(IBV_QPS_UNKNOWN);
	CONST(IBV_QP_STATE);
	CONST(IBV_QP_CUR_STATE);
	CONST(IBV_QP_EN_SQD_ASYNC_NOTIFY);
	CONST(IBV_QP_ACCESS_FLAGS);
	CONST(IBV_QP_PKEY_INDEX);
	CONST(IBV_QP_PORT);
	CONST(IBV_QP_QKEY);
	CONST(IBV_QP_AV);
	CONST(IBV_QP_PATH_MTU);
	CONST(IBV_QP_TIMEOUT);
	CONST(IBV_QP_RETRY_CNT);
	CONST(IBV_QP_RNR_RETRY);
	CONST(IBV_QP_RQ_PSN);
	CONST(IBV_QP_MAX_QP_RD_ATOMIC);
	CONST(IBV_QP_ALT_PATH);
	CONST(IBV_QP_MIN_RNR_TIMER);
	CONST(IBV_QP_SQ_PSN);
	CONST(IBV_QP_MAX_DEST_RD_ATOMIC);
	CONST(IBV_QP_PATH_MIG_STATE);
	CONST(IBV_QP_CAP);
	CONST(IBV_QP_DEST_QPN);
	CONST(IBV_QP_RATE_LIMIT);
	CONST(IBV_ACCESS_LOCAL_WRITE);
	CONST(IBV_ACCESS_REMOTE_WRITE);
	CONST(IBV_ACCESS_REMOTE_READ);
	CONST(IBV_ACCESS_REMOTE_ATOMIC);
	CONST(IBV_MTU_256);
	CONST(IBV_MTU_512);
	CONST(IBV_MTU_1024);
	CONST(IBV_MTU_2048);
	CONST(IBV_MTU_4096);
	CONST(IBV_PORT_NOP);
	CONST(IBV_PORT_DOWN);
	CONST(IBV_PORT_INIT);
	CONST(IBV_PORT_ARMED);
	CONST(IBV_PORT_ACTIVE);
	CONST(IBV_PORT_ACTIVE_DEFER);
	CONST(IBV_LINK_LAYER_UNSPECIFIED);
	CONST(IBV_LINK_LAYER_INFINIBAND);
	CONST(IBV_LINK_LAYER_ETHERNET);
	CONST(IBV_WC_SUCCESS);
	CONST(IBV_WC_LOC_LEN_ERR);
	CONST(IBV_WC_LOC_QP_OP_ERR);
	CONST(IBV_WC_LOC_PROT_ERR);
	CONST(IBV_WC_WR_FLUSH_ERR);
	CONST(IBV_WC_REM_ACCESS_ERR);
	CONST(IBV_WC_REM_OP_ERR);
	CONST(IBV_WC_RETRY_EXC_ERR);
	CONST(IBV_WC_RNR_RETRY_EXC_ERR);
	CONST(IBV_WC_FATAL_ERR);
	CONST(IBV_WC_GENERAL_ERR);
	CONST(IBV_WC_SEND);
	CONST(IBV_WC_RDMA_WRITE);
	CONST(IBV_WC_RDMA_READ);
	CONST(IBV_WC_RECV);
	CONST(IBV_WC_RECV_RDMA_WITH_IMM);
	CONST(IBV_WC_GRH);
	CONST(IBV_WC_WITH_IMM);
	CONST(IBV_WR_RDMA_WRITE);
	CONST(IBV_WR_RDMA_WRITE_WITH_IMM);
	CONST(IBV_WR_SEND);
	CONST(IBV_WR_SEND_WITH_IMM);
	CONST(IBV_WR_RDMA_READ);
	CONST(IBV_SEND_FENCE);
	CONST(IBV_SEND_SIGNALED);
	CONST(IBV_SEND_SOLICITED);
	CONST(IBV_SEND_INLINE);

	/* libc */
	CONST(AF_INET);
	CONST(AF_INET6);
	CONST(AF_IB);
	CONST(POLLIN);
	CONST(POLLERR);
	CONST(POLLHUP);
	CONST(POLLNVAL);
	CONST(F_GETFL);
	CONST(F_SETFL);
	CONST(O_NONBLOCK);

	/* errno */
	CONST(EPERM);
	CONST(ENOENT);
	CONST(EINTR);
	CONST(EIO);
	CONST(EBADF);
	CONST(EAGAIN);
	CONST(ENOMEM);
	CONST(EACCES);
	CONST(EFAULT);
	CONST(EBUSY);
	CONST(EEXIST);
	CONST(ENODEV);
	CONST(EINVAL);
	CONST(ENOSPC);
	CONST(ERANGE);
	CONST(ENOSYS);
	CONST(EPROTONOSUPPORT);
	CONST(EOPNOTSUPP);
	CONST(EAFNOSUPPORT);
	CONST(EADDRINUSE);
	CONST(EADDRNOTAVAIL);
	CONST(ENETUNREACH);
	CONST(ECONNABORTED);
	CONST(ECONNRESET);
	CONST(ETIMEDOUT);
	CONST(ECONNREFUSED);
	CONST(EHOSTUNREACH);
	CONST(EALREADY);

	/* linux/netlink.h, rdma/rdma_netlink.h, sys/socket.h (NetlinkConstants) */
	CONST(AF_NETLINK);
	CONST(NETLINK_RDMA);
	CONST(NLM_F_REQUEST);
	CONST(NLM_F_DUMP);
	CONST(NLMSG_ERROR);
	CONST(NLMSG_DONE);
	CONST(NLA_F_NESTED);
	CONST(NLA_F_NET_BYTEORDER);
	CONST(RDMA_NL_NLDEV);
	CONST(RDMA_NLDEV_CMD_RES_GET);
	CONST(RDMA_NLDEV_ATTR_RES_SUMMARY);
	CONST(RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY);
	CONST(RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_NAME);
	CONST(RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_CURR);
	CONST(SOCK_RAW);
	CONST(SOCK_CLOEXEC);
}

int main(void)
{
	sockets();
	rdmacm();
	verbs_small();
	verbs_attrs();
	verbs_wr();
	verbs_objects();
	constants();
	return 0;
}
