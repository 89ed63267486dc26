/*
 * connector.c - NdkConnector on rdma_cm: connect, connect-with-shared-endpoint, accept, reject,
 * complete-connect, connection data, addresses, disconnect and close, and the events behind them.
 *
 * Active side: an id of its own bound to the local address (REUSEADDR when it is a shared
 * endpoint's), rdma_resolve_addr -> rdma_resolve_route -> rdma_connect with the external QP's
 * number; CONNECT_RESPONSE completes the connect (the id has no QP, so librdmacm does not turn it
 * into ESTABLISHED); NdkCompleteConnect moves the QP to RTS and calls rdma_establish (the RTU).
 * Passive side: the id of a CONNECT_REQUEST; NdkAccept moves the QP to RTS and calls rdma_accept;
 * ESTABLISHED (the RTU) completes the accept.
 */
#include "rc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buffers.h"
#include "status_map.h"

static const char *host_name(const rc_connector *c)
{
    return c->hdr.adapter->host == NDK_HOST_LOCAL ? "LOCAL" : "PEER";
}

static uint64_t resolve_timeout_ms(const struct ndk_testbed *tb)
{
    uint64_t t = tb->connect_timeout_ms * 3 / 4;   /* ends address resolution before the connect timer */
    return t < 100 ? 100 : t > 60000 ? 60000 : t;
}

/* ----------------------------------------------------------------------------- helpers */

static void release_tuple(rc_connector *c)
{
    if (c->tuple_held)
        tt_remove(&c->hdr.tb->tuples, &c->local, &c->remote, c);
    c->tuple_held = 0;
}

static void release_port(rc_connector *c)
{
    if (c->port_held)
        pt_release(&c->hdr.tb->ports, &c->local, c);
    c->port_held = 0;
}

static void release_backlog_slot(rc_connector *c)
{
    if (c->backlog_slot && c->listener != NULL && c->listener->unanswered > 0)
        c->listener->unanswered--;
    c->backlog_slot = 0;
}

/* A QP the connection never used goes back to being free (CSE-FAILED-CONNECT-HOLDS-NOTHING). */
static void release_unused_qp(rc_connector *c)
{
    if (c->qp != NULL && !c->qp_used) {
        rc_qp *q = c->qp;
        c->qp = NULL;
        q->connector = NULL;
        rc_dependant_gone(&q->hdr);
    }
}

/* The id goes to the event thread's rdma_destroy_id; 'after' runs once it is gone. 0: no id. */
static int destroy_id(rc_connector *c, int after)
{
    if (c->id == NULL)
        return 0;
    struct rdma_cm_id *id = c->id;
    c->id = NULL;
    rc_post_destroy(c->hdr.adapter, &c->destroy, id, &c->hdr, after);
    return 1;
}

static void drop_id(rc_connector *c)
{
    destroy_id(c, AFTER_NOTHING);
}

static void save_data(rc_connector *c, const struct rdma_cm_event *ev)
{
    const struct rdma_conn_param *p = &ev->param.conn;
    c->data_length = p->private_data != NULL ? p->private_data_len : 0;
    if (c->data_length > 0)
        memcpy(c->data, p->private_data, c->data_length);
    c->have_data = 1;
}

/* The active connect ends without a connection: it holds nothing from now on. */
static void connect_failed(rc_connector *c, ndk_status status)
{
    rc_log(c->hdr.tb, "%s connector %p connect fails: %s", host_name(c), (void *)c, sm_status_name(status));
    c->state = CS_FAILED;
    rc_timer_cancel(c, T_CONNECT);
    release_tuple(c);
    release_port(c);
    release_unused_qp(c);
    drop_id(c);
    rc_request_complete(c->hdr.adapter, &c->connect_req, status);
}

/* The peer went away after accepting, before this side completed or rejected. */
static void abandon(rc_connector *c)
{
    c->state = CS_FAILED;
    release_tuple(c);
    release_port(c);
    release_unused_qp(c);
    drop_id(c);
}

static void accept_failed(rc_connector *c, ndk_status status)
{
    c->state = CS_FAILED;
    rc_timer_cancel(c, T_ACCEPT);
    if (c->qp != NULL)
        rc_qp_to_error(c->qp);
    rc_request_complete(c->hdr.adapter, &c->accept_req, status);
}

/* A request that returned PENDING, with its timer. */
static void pend(rc_connector *c, rc_req *req, ndk_request_completion fn, void *context, int timer, uint64_t ms)
{
    req->pending = 1;
    req->fn = fn;
    req->context = context;
    rc_timer_arm(c, timer, ms);
}

static void fill_conn_param(struct rdma_conn_param *p, const void *data, uint32_t length, uint32_t inbound,
                            uint32_t outbound, const rc_qp *qp)
{
    memset(p, 0, sizeof *p);
    p->private_data = length > 0 ? data : NULL;
    p->private_data_len = (uint8_t)length;
    p->responder_resources = (uint8_t)inbound;   /* InboundReadLimit */
    p->initiator_depth = (uint8_t)outbound;      /* OutboundReadLimit */
    p->flow_control = 1;
    p->retry_count = 7;
    p->rnr_retry_count = 7;
    p->qp_num = qp->qp->qp_num;
}

/* ------------------------------------------------------------------------------ create */

ndk_status rc_create_connector(ndk_object *adapter, ndk_create_completion completion, void *context, ndk_object **out)
{
    (void)completion;
    (void)context;
    ndk_status st;
    if (out != NULL)
        *out = NULL;
    pthread_mutex_lock(&rc_lock);
    rc_connector *c = rc_new_object(adapter, out, sizeof *c, NDK_OBJECT_CONNECTOR, COUNT_CONNECTOR, &st);
    if (c != NULL) {
        c->state = CS_IDLE;
        *out = &c->hdr;
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

rc_connector *rc_connector_new_passive(rc_adapter *a, rc_listener *l, struct rdma_cm_id *id)
{
    rc_connector *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    rc_obj_init(&c->hdr, NDK_OBJECT_CONNECTOR, a->hdr.tb, a);
    if (rc_obj_add(&c->hdr, COUNT_CONNECTOR) != 0) {
        free(c);
        return NULL;
    }
    c->passive = 1;
    c->state = CS_REQUEST;
    c->id = id;
    id->context = c;
    a->hdr.tb->counts[COUNT_CM_ID]++;
    c->listener = l;
    l->hdr.dependants++;          /* LT-LISTENER-CLOSE-PENDS */
    l->unanswered++;
    c->backlog_slot = 1;
    return c;
}

/* ----------------------------------------------------------------------------- connect */

static ndk_status check_connector_idle(const rc_connector *c)
{
    if (c->hdr.closing)
        return NDK_STATUS_INVALID_DEVICE_STATE;
    if (c->passive)
        return NDK_STATUS_CONNECTION_ACTIVE;
    switch (c->state) {
    case CS_IDLE:
        return NDK_STATUS_SUCCESS;
    case CS_FAILED: case CS_DISCONNECTED:
        return NDK_STATUS_INVALID_DEVICE_STATE;   /* NDK never says a connector may connect twice */
    default:
        return NDK_STATUS_CONNECTION_ACTIVE;      /* CSE-CONNECTOR-BUSY */
    }
}

static ndk_status check_qp_free(const rc_qp *q, const rc_adapter *a)
{
    if (q->hdr.adapter != a)
        return NDK_STATUS_INVALID_PARAMETER;      /* CSE-OTHER-ADAPTER */
    if (q->hdr.closing)
        return NDK_STATUS_INVALID_DEVICE_STATE;
    if (q->connector != NULL)
        return NDK_STATUS_CONNECTION_ACTIVE;      /* CSE-QP-ASSOCIATED */
    return NDK_STATUS_SUCCESS;
}

/*
 * The common part of NdkConnect and NdkConnectWithSharedEndpoint (lock held): the connector, the
 * QP and the shared endpoint are validated; 'local' is the source (port 0 only for NdkConnect).
 */
static ndk_status start_connect(rc_connector *c, rc_qp *qp, rc_se *se, nd_addr local, const uint8_t *destination,
                                uint32_t destination_length, uint32_t inbound, uint32_t outbound, const void *pdata,
                                uint32_t pdata_length, ndk_request_completion completion, void *context)
{
    rc_adapter *a = c->hdr.adapter;
    struct ndk_testbed *tb = c->hdr.tb;
    nd_addr dst;
    ndk_status st;
    if (nd_parse_sockaddr(destination, destination_length, &dst) != ND_PARSE_OK)
        return NDK_STATUS_INVALID_PARAMETER;                  /* CSE-MALFORMED-DESTINATION */
    if (nd_ip_unusable(&dst) || dst.port == 0 || dst.family != local.family)
        return NDK_STATUS_INVALID_ADDRESS;                    /* CSE-FAMILY-MISMATCH and unusable addresses */
    if ((st = pd_check(pdata, pdata_length, RC_MAX_CALLER_DATA)) != NDK_STATUS_SUCCESS)
        return st;                                            /* PD-CALLER-OVER-LIMIT: nothing is sent */
    if (se == NULL && local.port != 0 && pt_owner(&tb->ports, &local) != NULL)
        return NDK_STATUS_SHARING_VIOLATION;                  /* LT-SE-ADDRESS-HELD for NdkConnect */
    if (local.port != 0 && tt_owner(&tb->tuples, &local, &dst) != NULL)
        return NDK_STATUS_ADDRESS_ALREADY_EXISTS;             /* CSE-ADDRESS-ALREADY-EXISTS */
    if ((st = sm_route_errno(rc_route_check(&local, &dst))) != NDK_STATUS_SUCCESS)
        return st;                                            /* CSE-NETWORK-/HOST-UNREACHABLE */

    struct rdma_cm_id *id = NULL;
    int err = rc_create_id(a, &id, c, INJ_CONNECT);
    if (err != 0)
        return sm_connect_errno(err);                         /* injected: CSE-INSUFFICIENT-RESOURCES */
    if (se != NULL) {
        if ((err = rc_bind_id(id, &local, 1)) != 0) {
            rc_destroy_id_now(tb, id);
            return sm_bind_errno(err);
        }
    } else if ((st = rc_take_address(tb, &local, c, id, 0)) != NDK_STATUS_SUCCESS) {
        rc_destroy_id_now(tb, id);
        return st;
    } else {
        c->port_held = 1;
    }
    c->local = local;
    c->remote = dst;
    if ((err = tt_insert(&tb->tuples, &local, &dst, c)) != 0) {
        release_port(c);
        rc_destroy_id_now(tb, id);
        return err == EEXIST ? NDK_STATUS_ADDRESS_ALREADY_EXISTS : NDK_STATUS_INSUFFICIENT_RESOURCES;
    }
    c->tuple_held = 1;
    struct sockaddr_storage ds;
    nd_to_linux(&dst, &ds);
    if (rdma_resolve_addr(id, NULL, (struct sockaddr *)&ds, (int)resolve_timeout_ms(tb)) != 0) {
        err = errno;
        release_tuple(c);
        release_port(c);
        rc_destroy_id_now(tb, id);    /* the resolution never started: no event to wait for */
        return sm_connect_errno(err);
    }
    c->id = id;
    c->have_addresses = 1;
    c->qp = qp;
    qp->connector = c;
    qp->hdr.dependants++;             /* LT-QP-CLOSE-PENDS */
    if (se != NULL) {
        c->se = se;
        se->hdr.dependants++;         /* LT-SE-CLOSE-PENDS, LT-SE-ADDRESS-HELD */
    }
    c->req_inbound = rl_cap(inbound, a->info.max_inbound_read_limit);     /* LIM-INBOUND-CAP */
    c->req_outbound = rl_cap(outbound, a->info.max_outbound_read_limit);  /* LIM-OUTBOUND-CAP */
    c->send_length = pdata_length;
    if (pdata_length > 0)
        memcpy(c->send_data, pdata, pdata_length);
    c->state = CS_RESOLVING_ADDR;
    pend(c, &c->connect_req, completion, context, T_CONNECT, tb->connect_timeout_ms);   /* CSE-IO-TIMEOUT */
    char l[64], r[64];
    nd_addr_str(&local, l, sizeof l);
    nd_addr_str(&dst, r, sizeof r);
    rc_log(tb, "%s connector %p connects %s -> %s (in %u out %u, %u bytes)", host_name(c), (void *)c, l, r,
           c->req_inbound, c->req_outbound, pdata_length);
    return NDK_STATUS_PENDING;
}

ndk_status rc_connect_with_shared_endpoint(ndk_object *connector, ndk_object *qp, ndk_object *se,
                                           const uint8_t *destination, uint32_t destination_length, uint32_t inbound,
                                           uint32_t outbound, const void *pdata, uint32_t pdata_length,
                                           ndk_request_completion completion, void *context)
{
    if (completion == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    rc_qp *q = rc_object(qp, NDK_OBJECT_QP);
    rc_se *s = rc_object(se, NDK_OBJECT_SHARED_ENDPOINT);
    if (c == NULL || q == NULL || s == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if ((st = check_connector_idle(c)) != NDK_STATUS_SUCCESS)
        ;
    else if ((st = check_qp_free(q, c->hdr.adapter)) != NDK_STATUS_SUCCESS)
        ;
    else if (s->hdr.adapter != c->hdr.adapter)
        st = NDK_STATUS_INVALID_PARAMETER;                   /* CSE-OTHER-ADAPTER */
    else if (s->hdr.closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;                /* CSE-SE-CLOSING */
    else
        st = start_connect(c, q, s, s->addr, destination, destination_length, inbound, outbound, pdata,
                           pdata_length, completion, context);
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_connect(ndk_object *connector, ndk_object *qp, const uint8_t *source, uint32_t source_length,
                      const uint8_t *destination, uint32_t destination_length, uint32_t inbound, uint32_t outbound,
                      const void *pdata, uint32_t pdata_length, ndk_request_completion completion, void *context)
{
    if (completion == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    nd_addr local;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    rc_qp *q = rc_object(qp, NDK_OBJECT_QP);
    if (c == NULL || q == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if ((st = check_connector_idle(c)) != NDK_STATUS_SUCCESS)
        ;
    else if ((st = check_qp_free(q, c->hdr.adapter)) != NDK_STATUS_SUCCESS)
        ;
    else if ((st = rc_parse_local(c->hdr.adapter, source, source_length, &local)) != NDK_STATUS_SUCCESS)
        ;
    else
        st = start_connect(c, q, NULL, local, destination, destination_length, inbound, outbound, pdata,
                           pdata_length, completion, context);
    pthread_mutex_unlock(&rc_lock);
    return st;
}

/* --------------------------------------------------------------------- complete, accept */

ndk_status rc_complete_connect(ndk_object *connector, ndk_disconnect_event fn, void *fn_context,
                               ndk_request_completion completion, void *context)
{
    (void)context;
    if (completion == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st = NDK_STATUS_SUCCESS;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    int rc;
    if (c == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (c->hdr.closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (c->passive || c->state != CS_CONNECTED)
        st = NDK_STATUS_CONNECTION_INVALID;                  /* SEQ-COMPLETE-CONNECT-INVALID */
    else if (c->peer_abandoned) {
        abandon(c);
        st = NDK_STATUS_CONNECTION_ABORTED;
    } else if ((rc = rc_qp_to_rts(c->qp, c->id, c->eff_inbound, c->eff_outbound)) != 0) {
        rc_qp_reset(c->qp);
        st = sm_create_errno(rc);       /* still CS_CONNECTED: the consumer may reject or close */
    } else {
        c->qp_used = 1;
        if (rdma_establish(c->id) != 0) {
            rc_qp_to_error(c->qp);
            abandon(c);
            st = NDK_STATUS_CONNECTION_ABORTED;
        } else {
            c->state = CS_ESTABLISHED;  /* the RTU is out: the peer's accept completes (SEQ-ACCEPT-AFTER-COMPLETE) */
            c->disconnect_fn = fn;
            c->disconnect_context = fn_context;
        }
    }
    if (c != NULL)
        rc_log(c->hdr.tb, "%s connector %p complete-connect: %s", host_name(c), (void *)c, sm_status_name(st));
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_accept(ndk_object *connector, ndk_object *qp, uint32_t inbound, uint32_t outbound, const void *pdata,
                     uint32_t pdata_length, ndk_disconnect_event fn, void *fn_context,
                     ndk_request_completion completion, void *context)
{
    if (completion == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st = NDK_STATUS_SUCCESS;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    rc_qp *q = rc_object(qp, NDK_OBJECT_QP);
    rc_adapter *a = c != NULL ? c->hdr.adapter : NULL;
    uint32_t in = 0, out = 0;
    int rc;
    if (c == NULL || q == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (c->hdr.closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (!c->passive || c->state != CS_REQUEST)
        st = c->passive && c->state == CS_ACCEPTING ? NDK_STATUS_CONNECTION_ACTIVE : NDK_STATUS_CONNECTION_INVALID;
    else if ((st = check_qp_free(q, a)) != NDK_STATUS_SUCCESS)
        ;
    else if ((st = pd_check(pdata, pdata_length, RC_MAX_CALLEE_DATA)) != NDK_STATUS_SUCCESS)
        ;                                                    /* PD-CALLEE-OVER-LIMIT: nothing is sent */
    else if (c->peer_abandoned) {                            /* ACCEPT-PEER-ABANDONED */
        c->state = CS_FAILED;
        release_backlog_slot(c);
        drop_id(c);
        st = NDK_STATUS_CONNECTION_ABORTED;
    } else {
        in = rl_effective(inbound, a->info.max_inbound_read_limit, c->peer_outbound);
        out = rl_effective(outbound, a->info.max_outbound_read_limit, c->peer_inbound);
        if ((rc = rc_qp_to_rts(q, c->id, in, out)) == EINVAL) {
            /* the CM left REQ_RCVD: the peer's REJ arrived before its event was read (ACCEPT-PEER-ABANDONED) */
            rc_qp_reset(q);
            c->state = CS_FAILED;
            release_backlog_slot(c);
            drop_id(c);
            st = NDK_STATUS_CONNECTION_ABORTED;
        } else if (rc != 0) {
            rc_qp_reset(q);
            st = sm_create_errno(rc);
        }
    }
    if (st == NDK_STATUS_SUCCESS) {
        struct rdma_conn_param param;
        fill_conn_param(&param, pdata, pdata_length, in, out, q);
        if (rdma_accept(c->id, &param) != 0) {
            int err = errno;
            rc_qp_reset(q);
            if (err == ENOMEM || err == ENOBUFS) {
                st = NDK_STATUS_INSUFFICIENT_RESOURCES;
            } else {
                c->state = CS_FAILED;                        /* the connecting peer abandoned */
                release_backlog_slot(c);
                drop_id(c);
                st = NDK_STATUS_CONNECTION_ABORTED;
            }
        } else {
            c->qp = q;
            q->connector = c;
            q->hdr.dependants++;
            c->qp_used = 1;
            c->eff_inbound = in;
            c->eff_outbound = out;
            release_backlog_slot(c);
            c->state = CS_ACCEPTING;
            c->disconnect_fn = fn;
            c->disconnect_context = fn_context;
            pend(c, &c->accept_req, completion, context, T_ACCEPT, c->hdr.tb->accept_timeout_ms);
            st = NDK_STATUS_PENDING;
        }
    }
    if (c != NULL)
        rc_log(c->hdr.tb, "%s connector %p accept (in %u out %u, %u bytes): %s", host_name(c), (void *)c, in, out,
               pdata_length, sm_status_name(st));
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_reject(ndk_object *connector, const void *pdata, uint32_t pdata_length)
{
    pthread_mutex_lock(&rc_lock);
    ndk_status st = NDK_STATUS_SUCCESS;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    if (c == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (c->hdr.closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if ((st = pd_check(pdata, pdata_length, RC_MAX_CALLEE_DATA)) != NDK_STATUS_SUCCESS)
        ;                                                    /* PD-CALLEE-OVER-LIMIT: the request stays */
    else if (c->passive && c->state == CS_REQUEST) {
        int failed = rdma_reject(c->id, pdata, (uint8_t)pdata_length) != 0;
        c->state = CS_FAILED;
        release_backlog_slot(c);
        st = failed ? NDK_STATUS_CONNECTION_ABORTED : NDK_STATUS_SUCCESS;
    } else if (!c->passive && c->state == CS_CONNECTED) {
        /* SEQ-ACTIVE-REJECT: the peer's accept fails (REJECTED on its side) */
        int failed = c->peer_abandoned || rdma_reject(c->id, pdata, (uint8_t)pdata_length) != 0;
        c->state = CS_FAILED;
        release_tuple(c);
        release_port(c);
        release_unused_qp(c);
        st = failed ? NDK_STATUS_CONNECTION_ABORTED : NDK_STATUS_SUCCESS;
    } else {
        st = NDK_STATUS_CONNECTION_INVALID;
    }
    if (c != NULL)
        rc_log(c->hdr.tb, "%s connector %p reject (%u bytes): %s", host_name(c), (void *)c, pdata_length,
               sm_status_name(st));
    pthread_mutex_unlock(&rc_lock);
    return st;
}

/* ------------------------------------------------------------------ data and addresses */

ndk_status rc_get_connection_data(ndk_object *connector, uint32_t *inbound, uint32_t *outbound, void *pdata,
                                  uint32_t *pdata_length)
{
    if (pdata_length == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    if (c == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (!c->have_data)
        st = NDK_STATUS_CONNECTION_INVALID;   /* nothing received yet */
    else
        st = buf_connection_data(c->data, c->data_length, c->eff_inbound, c->eff_outbound, inbound, outbound, pdata,
                                 pdata_length);
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_get_local_address(ndk_object *object, uint8_t *sockaddr, uint32_t *length)
{
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    if (!rc_registered(object) || object->magic != RC_OBJ_MAGIC) {
        st = NDK_STATUS_INVALID_HANDLE;
    } else if (object->type == NDK_OBJECT_SHARED_ENDPOINT) {
        st = buf_write_address(&((rc_se *)object)->addr, sockaddr, length);
    } else if (object->type == NDK_OBJECT_LISTENER) {
        rc_listener *l = (rc_listener *)object;
        st = l->listening ? buf_write_address(&l->addr, sockaddr, length) : NDK_STATUS_INVALID_DEVICE_STATE;
    } else if (object->type == NDK_OBJECT_CONNECTOR) {
        rc_connector *c = (rc_connector *)object;
        st = c->have_addresses ? buf_write_address(&c->local, sockaddr, length) : NDK_STATUS_CONNECTION_INVALID;
    } else {
        st = NDK_STATUS_INVALID_PARAMETER;
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_get_peer_address(ndk_object *connector, uint8_t *sockaddr, uint32_t *length)
{
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    if (c == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else
        st = c->have_addresses ? buf_write_address(&c->remote, sockaddr, length) : NDK_STATUS_CONNECTION_INVALID;
    pthread_mutex_unlock(&rc_lock);
    return st;
}

/* ---------------------------------------------------------------------------- disconnect */

ndk_status rc_disconnect(ndk_object *connector, ndk_request_completion completion, void *context)
{
    if (completion == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    rc_connector *c = rc_object(connector, NDK_OBJECT_CONNECTOR);
    if (c == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (c->hdr.closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (c->disconnect_called)
        st = NDK_STATUS_INVALID_DEVICE_STATE; /* this side disconnected already */
    else if (c->state == CS_DISCONNECTED) {
        c->disconnect_called = 1;
        st = NDK_STATUS_SUCCESS;              /* the peer disconnected first: nothing is left to end */
    }
    else if (c->state == CS_DISCONNECTING)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (c->state != CS_ESTABLISHED)
        st = NDK_STATUS_CONNECTION_INVALID;
    else {
        c->disconnect_called = 1;
        rc_qp_to_error(c->qp);                /* NdkDisconnect flushes the QP */
        if (rdma_disconnect(c->id) != 0) {
            c->state = CS_DISCONNECTED;
            st = NDK_STATUS_SUCCESS;
        } else {
            c->state = CS_DISCONNECTING;
            pend(c, &c->disconnect_req, completion, context, T_DISCONNECT, c->hdr.tb->disconnect_timeout_ms);
            st = NDK_STATUS_PENDING;
        }
    }
    if (c != NULL)
        rc_log(c->hdr.tb, "%s connector %p disconnect: %s", host_name(c), (void *)c, sm_status_name(st));
    pthread_mutex_unlock(&rc_lock);
    return st;
}

/* DISCONNECTED on an established connection (or one this side is disconnecting). */
static void on_disconnected(rc_connector *c, int status)
{
    if (c->state == CS_DISCONNECTING) {
        c->state = CS_DISCONNECTED;
        rc_timer_cancel(c, T_DISCONNECT);
        rc_request_complete(c->hdr.adapter, &c->disconnect_req,
                            status == -ETIMEDOUT ? NDK_STATUS_IO_TIMEOUT : NDK_STATUS_SUCCESS);
    } else if (c->state == CS_ESTABLISHED) {
        c->state = CS_DISCONNECTED;
        rdma_disconnect(c->id);               /* the DREP: the peer's disconnect ends now, not after ~100 s */
        rc_qp_to_error(c->qp);
        if (c->disconnect_fn != NULL && !c->disconnect_event_made) {   /* DISC-EVENT-ONCE-ON-PEER */
            c->disconnect_event_made = 1;
            c->disconnect_cb.kind = CB_DISCONNECT_EVENT;
            c->disconnect_cb.disconnect_fn = c->disconnect_fn;
            c->disconnect_cb.context = c->disconnect_context;
            rc_enqueue_cb(c->hdr.adapter, &c->disconnect_cb);
        }
    }
}

/* ------------------------------------------------------------------------------ events */

static int connecting(const rc_connector *c)
{
    return c->state == CS_RESOLVING_ADDR || c->state == CS_RESOLVING_ROUTE || c->state == CS_CONNECTING;
}

static void active_event(rc_connector *c, struct rdma_cm_event *ev)
{
    rc_adapter *a = c->hdr.adapter;
    switch (ev->event) {
    case RDMA_CM_EVENT_ADDR_RESOLVED: {
        if (c->state != CS_RESOLVING_ADDR)
            return;
        int err = rc_inject(a, INJ_ROUTE);
        if (err == 0 && rdma_resolve_route(c->id, (int)resolve_timeout_ms(c->hdr.tb)) != 0)
            err = errno != 0 ? errno : EINVAL;
        if (err != 0)
            connect_failed(c, sm_connect_errno(err));
        else
            c->state = CS_RESOLVING_ROUTE;
        return;
    }
    case RDMA_CM_EVENT_ROUTE_RESOLVED: {
        if (c->state != CS_RESOLVING_ROUTE)
            return;
        struct rdma_conn_param param;
        fill_conn_param(&param, c->send_data, c->send_length, c->req_inbound, c->req_outbound, c->qp);
        if (rdma_connect(c->id, &param) != 0)
            connect_failed(c, sm_connect_errno(errno != 0 ? errno : EINVAL));
        else
            c->state = CS_CONNECTING;
        return;
    }
    case RDMA_CM_EVENT_CONNECT_RESPONSE:
        if (c->state != CS_CONNECTING)
            return;
        save_data(c, ev);               /* PD-ACCEPT-DELIVERED: the REP's 196-byte field */
        /* the REP carries the passive side's effective limits, mirrored: LIM-INBOUND-PEER, LIM-OUTBOUND-PEER */
        c->eff_inbound = rl_effective(c->req_inbound, a->info.max_inbound_read_limit, ev->param.conn.responder_resources);
        c->eff_outbound = rl_effective(c->req_outbound, a->info.max_outbound_read_limit, ev->param.conn.initiator_depth);
        c->state = CS_CONNECTED;
        rc_timer_cancel(c, T_CONNECT);
        rc_request_complete(a, &c->connect_req, NDK_STATUS_SUCCESS);
        return;
    case RDMA_CM_EVENT_REJECTED:
        if (connecting(c)) {
            save_data(c, ev);           /* PD-REJECT-DELIVERED: the REJ's 148-byte field */
            c->eff_inbound = c->eff_outbound = 0;
            connect_failed(c, NDK_STATUS_CONNECTION_REFUSED);
        } else if (c->state == CS_CONNECTED) {
            c->peer_abandoned = 1;
        }
        return;
    case RDMA_CM_EVENT_DISCONNECTED:
        if (c->state == CS_CONNECTED)
            c->peer_abandoned = 1;
        else
            on_disconnected(c, ev->status);
        return;
    case RDMA_CM_EVENT_ADDR_ERROR: case RDMA_CM_EVENT_ROUTE_ERROR: case RDMA_CM_EVENT_UNREACHABLE:
    case RDMA_CM_EVENT_CONNECT_ERROR: case RDMA_CM_EVENT_DEVICE_REMOVAL:
        if (connecting(c))
            connect_failed(c, sm_connect_event((int)ev->event, ev->status));
        else if (c->state == CS_CONNECTED)
            c->peer_abandoned = 1;
        return;
    default:
        return;                         /* TIMEWAIT_EXIT, ADDR_CHANGE, ... */
    }
}

static void passive_event(rc_connector *c, struct rdma_cm_event *ev)
{
    switch (ev->event) {
    case RDMA_CM_EVENT_ESTABLISHED:
        if (c->state == CS_ACCEPTING) {
            c->state = CS_ESTABLISHED;
            rc_timer_cancel(c, T_ACCEPT);
            rc_request_complete(c->hdr.adapter, &c->accept_req, NDK_STATUS_SUCCESS);
        }
        return;
    case RDMA_CM_EVENT_REJECTED: case RDMA_CM_EVENT_CONNECT_ERROR:
        if (c->state == CS_ACCEPTING)
            accept_failed(c, NDK_STATUS_CONNECTION_ABORTED);   /* SEQ-ACTIVE-REJECT, or the active side closed */
        else if (c->state == CS_REQUEST)
            c->peer_abandoned = 1;      /* ACCEPT-PEER-ABANDONED: the active side closed before the answer */
        return;
    case RDMA_CM_EVENT_UNREACHABLE:
        if (c->state == CS_ACCEPTING)
            accept_failed(c, NDK_STATUS_IO_TIMEOUT);           /* the peer never completed the connection */
        return;
    case RDMA_CM_EVENT_DEVICE_REMOVAL:
        if (c->state == CS_ACCEPTING)
            accept_failed(c, NDK_STATUS_DEVICE_REMOVED);
        return;
    case RDMA_CM_EVENT_DISCONNECTED:
        if (c->state == CS_ACCEPTING)
            accept_failed(c, NDK_STATUS_CONNECTION_ABORTED);
        else
            on_disconnected(c, ev->status);
        return;
    default:
        return;
    }
}

static void close_finish(rc_connector *c);

void rc_connector_event(rc_connector *c, struct rdma_cm_event *ev)
{
    if (ev->id != c->id)
        return;                         /* an id already on its way to rdma_destroy_id */
    if (c->hdr.closing) {
        /* no callback any more; a DISCONNECTED still ends the connection here: answer a DREQ at once,
           so that neither this close nor the peer's disconnect waits for a timer */
        if (ev->event == RDMA_CM_EVENT_DISCONNECTED) {
            if (c->state == CS_ESTABLISHED)
                rdma_disconnect(c->id);
            if (c->state == CS_ESTABLISHED || c->state == CS_DISCONNECTING)
                c->state = CS_DISCONNECTED;
            if (c->close_wait) {
                c->close_wait = 0;
                rc_timer_cancel(c, T_CLOSE_WAIT);
                close_finish(c);
            }
        }
        return;
    }
    if (c->passive)
        passive_event(c, ev);
    else
        active_event(c, ev);
}

void rc_connector_timer(rc_connector *c, int which)
{
    switch (which) {
    case T_CONNECT:
        if (connecting(c) && !c->hdr.closing)
            connect_failed(c, NDK_STATUS_IO_TIMEOUT);          /* destroying the id tells the peer (REJ) */
        break;
    case T_ACCEPT:
        if (c->state == CS_ACCEPTING && !c->hdr.closing) {
            accept_failed(c, NDK_STATUS_IO_TIMEOUT);
            drop_id(c);                 /* destroy, not reject: a reject in REP-sent keeps the REP retrying */
        }
        break;
    case T_DISCONNECT:
        if (c->state == CS_DISCONNECTING) {
            c->state = CS_DISCONNECTED;
            rc_request_complete(c->hdr.adapter, &c->disconnect_req, NDK_STATUS_IO_TIMEOUT);
        }
        break;
    case T_CLOSE_WAIT:
        if (c->close_wait) {
            c->close_wait = 0;
            close_finish(c);
        }
        break;
    default:
        break;
    }
}

/* --------------------------------------------------------------------------------- close */

ndk_status rc_close_connector(rc_connector *c)
{
    if (c->state == CS_IDLE && c->id == NULL && !c->destroy.queued) {
        c->hdr.closing = 1;
        c->hdr.finalized = 1;
        rc_timer_cancel_all(c);
        rc_obj_free(&c->hdr, COUNT_CONNECTOR);
        return NDK_STATUS_SUCCESS;
    }
    c->hdr.closing = 1;
    rc_timer_cancel_all(c);
    /* LT-CLOSE-COMPLETES-PENDING: every pending request completes before the close */
    rc_request_complete(c->hdr.adapter, &c->connect_req, NDK_STATUS_CANCELLED);
    rc_request_complete(c->hdr.adapter, &c->accept_req, NDK_STATUS_CANCELLED);
    rc_request_complete(c->hdr.adapter, &c->disconnect_req, NDK_STATUS_CANCELLED);
    release_backlog_slot(c);
    rc_post_task(&c->hdr);
    return NDK_STATUS_PENDING;
}

/* On the event thread (lock held): disconnect an established connection first, then destroy. */
void rc_connector_task(rc_connector *c)
{
    struct ndk_testbed *tb = c->hdr.tb;
    if (c->id != NULL && (c->state == CS_ESTABLISHED || c->state == CS_DISCONNECTING) && tb->close_wait_ms > 0) {
        if (c->state == CS_ESTABLISHED) {
            rc_qp_to_error(c->qp);
            if (rdma_disconnect(c->id) != 0) {
                close_finish(c);
                return;
            }
            c->state = CS_DISCONNECTING;
        }
        c->close_wait = 1;          /* the peer gets its disconnect event from our DREQ */
        rc_timer_arm(c, T_CLOSE_WAIT, tb->close_wait_ms);
        return;
    }
    close_finish(c);
}

static void connector_closed(rc_connector *c)
{
    release_tuple(c);               /* CSE-FOUR-TUPLE-RELEASED */
    release_port(c);
    release_backlog_slot(c);
    if (c->qp != NULL && c->qp_used)
        rc_qp_to_error(c->qp);
    rc_queue_close(&c->hdr);
}

static void close_finish(rc_connector *c)
{
    if (destroy_id(c, AFTER_CONNECTOR_CLOSE)) {
        /* connector_closed once the id is gone */
    } else if (c->destroy.queued) {
        c->destroy.after = AFTER_CONNECTOR_CLOSE;    /* the id of a failed attempt is still being destroyed */
    } else {
        connector_closed(c);
    }
}

void rc_connector_destroyed(rc_connector *c, int after)
{
    if (after == AFTER_CONNECTOR_CLOSE) {
        connector_closed(c);
        return;
    }
    /* AFTER_DISCARD_REQUEST: a request the consumer never saw */
    rc_listener *l = c->listener;
    c->listener = NULL;
    rc_timer_cancel_all(c);
    rc_obj_free(&c->hdr, COUNT_CONNECTOR);
    rc_dependant_gone(&l->hdr);
}

void rc_discard_request(rc_connector *c)
{
    c->hdr.closing = 1;
    c->state = CS_FAILED;
    release_backlog_slot(c);
    if (c->id != NULL)
        rdma_reject(c->id, NULL, 0);
    if (!destroy_id(c, AFTER_DISCARD_REQUEST))
        rc_connector_destroyed(c, AFTER_DISCARD_REQUEST);
}

void rc_after_close_connector(rc_connector *c)
{
    rc_qp *q = c->qp;
    rc_se *s = c->se;
    rc_listener *l = c->listener;
    c->qp = NULL;
    c->se = NULL;
    c->listener = NULL;
    rc_timer_cancel_all(c);
    rc_obj_free(&c->hdr, COUNT_CONNECTOR);
    if (q != NULL) {
        q->connector = NULL;
        rc_dependant_gone(&q->hdr);
    }
    if (s != NULL)
        rc_dependant_gone(&s->hdr);
    if (l != NULL)
        rc_dependant_gone(&l->hdr);
}
