/*
 * status_map.h - rdma_cm / verbs outcomes to NTSTATUS (pure).
 *
 * errno values are Linux's; rdma_cm event numbers are rdma_cma.h's enum (ADDR_RESOLVED 0 ...
 * TIMEWAIT_EXIT 15); an event's status is a negative errno, except REJECTED's, which is the IB CM
 * reject reason (8 no listener on the service id, 28 consumer reject, ...).
 */
#ifndef RC_STATUS_MAP_H
#define RC_STATUS_MAP_H

#include "ndk_provider.h"

/* An inline failure of rdma_resolve_addr / rdma_resolve_route / rdma_connect / rdma_create_id. */
ndk_status sm_connect_errno(int err);

/* An inline failure of rdma_bind_addr / rdma_listen. */
ndk_status sm_bind_errno(int err);

/* An inline failure of a create (ibv_alloc_pd, ibv_create_cq, ibv_create_qp, ibv_modify_qp). */
ndk_status sm_create_errno(int err);

/* The provider's own route lookup: a status, or SUCCESS when the route gives no reason to fail. */
ndk_status sm_route_errno(int err);

/* ADDR_ERROR / ROUTE_ERROR with their (negative errno) status. */
ndk_status sm_resolve_error(int event_status);

/* The status an active connect ends with for a failure event (REJECTED, UNREACHABLE, ...). */
ndk_status sm_connect_event(int event, int event_status);

const char *sm_status_name(ndk_status s);
const char *sm_event_name(int event);

#endif
