/*
 * verbs.c - the adapter (its device context, limits and event thread) and the verbs objects:
 * NdkCreatePd, NdkCreateCq, NdkCreateQp and their closes.
 *
 * QPs are the consumer's, created with ibv_create_qp on the adapter's own device context (never
 * rdma_create_qp): an external QP to rdma_cm, whose number travels in rdma_conn_param.qp_num. A QP
 * is moved to INIT when created (receives may be posted before connecting) and to RTR/RTS with the
 * effective read limits by NdkAccept and NdkCompleteConnect.
 */
#include "rc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "status_map.h"

#define RC_QP_ACCESS (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ)

/* The largest inline size the device gives a small RC QP: it is not in ibv_device_attr. */
static uint32_t probe_max_inline(struct ibv_context *ctx)
{
    static const uint32_t sizes[] = { 1024, 512, 256, 128, 64, 32, 16 };
    uint32_t best = 0;
    struct ibv_pd *pd = ibv_alloc_pd(ctx);
    struct ibv_cq *cq = pd != NULL ? ibv_create_cq(ctx, 1, NULL, NULL, 0) : NULL;
    for (size_t i = 0; cq != NULL && i < sizeof sizes / sizeof sizes[0]; i++) {
        struct ibv_qp_init_attr init = {
            .send_cq = cq, .recv_cq = cq, .qp_type = IBV_QPT_RC,
            .cap = { .max_send_wr = 1, .max_recv_wr = 1, .max_send_sge = 1, .max_recv_sge = 1,
                     .max_inline_data = sizes[i] },
        };
        struct ibv_qp *qp = ibv_create_qp(pd, &init);
        if (qp != NULL) {
            best = sizes[i];
            ibv_destroy_qp(qp);
            break;
        }
    }
    if (cq != NULL)
        ibv_destroy_cq(cq);
    if (pd != NULL)
        ibv_dealloc_pd(pd);
    return best;
}

static uint32_t rdma_technology(struct ibv_context *ctx, const struct ibv_port_attr *port)
{
    if (ctx->device->transport_type == IBV_TRANSPORT_IWARP)
        return 1;
    if (port->link_layer == IBV_LINK_LAYER_INFINIBAND)
        return 2;
    return 4;   /* RoCE on an Ethernet link: rdma_cm uses RoCEv2 GIDs by default, rxe is RoCEv2 only */
}

static void fill_info(rc_adapter *a)
{
    const struct ibv_device_attr *d = &a->device_attr;
    ndk_adapter_info *i = &a->info;
    memset(i, 0, sizeof *i);
    i->size = sizeof *i;
    i->version_major = 1;
    i->version_minor = 2;
    i->vendor_id = d->vendor_id;
    i->device_id = d->vendor_part_id;
    i->max_registration_size = d->max_mr_size;
    i->max_window_size = d->max_mr_size;
    i->frmr_page_count = 256;
    i->max_initiator_request_sge = (uint32_t)d->max_sge;
    i->max_receive_request_sge = (uint32_t)d->max_sge;
    i->max_read_request_sge = (uint32_t)(d->max_sge_rd > 0 ? d->max_sge_rd : d->max_sge);
    i->max_transfer_length = a->port_attr.max_msg_sz;
    i->max_inline_data_size = a->max_inline;
    i->max_inbound_read_limit = rl_adapter_max((uint32_t)d->max_qp_rd_atom);
    i->max_outbound_read_limit = rl_adapter_max((uint32_t)d->max_qp_init_rd_atom);
    i->max_receive_queue_depth = (uint32_t)d->max_qp_wr;
    i->max_initiator_queue_depth = (uint32_t)d->max_qp_wr;
    i->max_srq_depth = (uint32_t)d->max_srq_wr;
    i->max_cq_depth = (uint32_t)d->max_cqe;
    i->large_request_threshold = 4096;
    i->max_caller_data = RC_MAX_CALLER_DATA;
    i->max_callee_data = RC_MAX_CALLEE_DATA;
    i->adapter_flags = 0x00010000u;   /* NDK_ADAPTER_FLAG_LOOPBACK_CONNECTIONS_SUPPORTED */
    i->rdma_technology = rdma_technology(a->verbs, &a->port_attr);
}

int rc_adapter_open(struct ndk_testbed *tb, ndk_host host, struct ibv_device *dev, rc_adapter **out, char *why,
                    size_t why_size)
{
    rc_adapter *a = calloc(1, sizeof *a);
    *out = NULL;
    if (a == NULL) {
        snprintf(why, why_size, "out of memory opening the adapter");
        return -1;
    }
    rc_obj_init(&a->hdr, NDK_OBJECT_ADAPTER, tb, a);
    a->host = host;
    a->wake_fd = -1;
    a->ips = host == NDK_HOST_LOCAL ? tb->local : tb->peer;
    a->ip_count = host == NDK_HOST_LOCAL ? tb->local_count : tb->peer_count;
    snprintf(a->device_name, sizeof a->device_name, "%s", ibv_get_device_name(dev));
    a->channel = rdma_create_event_channel();
    if (a->channel == NULL) {
        snprintf(why, why_size, "rdma_create_event_channel failed: %s", strerror(errno));
        goto fail;
    }
    int flags = fcntl(a->channel->fd, F_GETFL);
    if (flags < 0 || fcntl(a->channel->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        snprintf(why, why_size, "cannot make the rdma_cm channel non-blocking: %s", strerror(errno));
        goto fail;
    }
    a->verbs = ibv_open_device(dev);
    if (a->verbs == NULL) {
        snprintf(why, why_size, "ibv_open_device(%s) failed: %s", a->device_name, strerror(errno));
        goto fail;
    }
    int rc = ibv_query_device(a->verbs, &a->device_attr);
    if (rc != 0) {
        snprintf(why, why_size, "ibv_query_device(%s) failed: %s", a->device_name, strerror(rc));
        goto fail;
    }
    a->port_num = 1;
    for (uint8_t p = 1; p <= a->device_attr.phys_port_cnt; p++) {
        struct ibv_port_attr pa;
        if (ibv_query_port(a->verbs, p, &pa) == 0 && pa.state == IBV_PORT_ACTIVE) {
            a->port_num = p;
            break;
        }
    }
    rc = ibv_query_port(a->verbs, a->port_num, &a->port_attr);
    if (rc != 0) {
        snprintf(why, why_size, "ibv_query_port(%s, %u) failed: %s", a->device_name, a->port_num, strerror(rc));
        goto fail;
    }
    a->max_inline = probe_max_inline(a->verbs);
    fill_info(a);
    a->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (a->wake_fd < 0) {
        snprintf(why, why_size, "eventfd failed: %s", strerror(errno));
        goto fail;
    }
    if (rc_register(&a->hdr) != 0) {
        snprintf(why, why_size, "out of memory registering the adapter");
        goto fail;
    }
    rc = rc_adapter_start(a);
    if (rc != 0) {
        rc_unregister(&a->hdr);
        snprintf(why, why_size, "cannot start the adapter's event thread: %s", strerror(rc));
        goto fail;
    }
    *out = a;
    return 0;
fail:
    rc_adapter_free(a);
    return -1;
}

void rc_adapter_release(rc_adapter *a)
{
    if (a->verbs != NULL)
        ibv_close_device(a->verbs);
    if (a->channel != NULL)
        rdma_destroy_event_channel(a->channel);
    if (a->wake_fd >= 0)
        close(a->wake_fd);
    a->verbs = NULL;
    a->channel = NULL;
    a->wake_fd = -1;
}

void rc_adapter_free(rc_adapter *a)
{
    if (a == NULL)
        return;
    rc_adapter_release(a);
    a->hdr.magic = 0;
    free(a);
}

int rc_adapter_owns_ip(const rc_adapter *a, const nd_addr *ip)
{
    for (size_t i = 0; i < a->ip_count; i++)
        if (nd_same_ip(&a->ips[i], ip))
            return 1;
    for (size_t i = 0; i < a->lifted_count; i++)
        if (nd_same_ip(&a->lifted[i], ip))
            return 1;
    return 0;
}

ndk_status rc_query_adapter_info(ndk_object *adapter, ndk_adapter_info *info)
{
    if (info == NULL || info->size < sizeof info->size)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    rc_adapter *a = rc_object(adapter, NDK_OBJECT_ADAPTER);
    if (a == NULL) {
        pthread_mutex_unlock(&rc_lock);
        return NDK_STATUS_INVALID_HANDLE;
    }
    uint32_t n = info->size < sizeof a->info ? info->size : (uint32_t)sizeof a->info;
    memcpy(info, &a->info, n);
    info->size = n;
    pthread_mutex_unlock(&rc_lock);
    return NDK_STATUS_SUCCESS;
}

ndk_status rc_create_pd(ndk_object *adapter, ndk_create_completion completion, void *context, ndk_object **pd)
{
    (void)completion;
    (void)context;
    ndk_status st;
    if (pd != NULL)
        *pd = NULL;
    pthread_mutex_lock(&rc_lock);
    rc_pd *p = rc_new_object(adapter, pd, sizeof *p, NDK_OBJECT_PD, COUNT_PD, &st);
    if (p != NULL && (p->pd = ibv_alloc_pd(p->hdr.adapter->verbs)) == NULL) {
        st = sm_create_errno(errno != 0 ? errno : ENOMEM);
        rc_obj_free(&p->hdr, COUNT_PD);
    } else if (p != NULL) {
        *pd = &p->hdr;
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_create_cq(ndk_object *adapter, uint32_t depth, ndk_create_completion completion, void *context,
                        ndk_object **cq)
{
    (void)completion;
    (void)context;
    ndk_status st = NDK_STATUS_INVALID_PARAMETER;
    if (cq != NULL)
        *cq = NULL;
    pthread_mutex_lock(&rc_lock);
    rc_adapter *a = rc_object(adapter, NDK_OBJECT_ADAPTER);
    rc_cq *q = NULL;
    if (a != NULL && (depth == 0 || depth > a->info.max_cq_depth))
        ;                                                    /* above MaxCqDepth: INVALID_PARAMETER */
    else if ((q = rc_new_object(adapter, cq, sizeof *q, NDK_OBJECT_CQ, COUNT_CQ, &st)) != NULL
             && (q->cq = ibv_create_cq(a->verbs, (int)depth, NULL, NULL, 0)) == NULL) {
        st = sm_create_errno(errno != 0 ? errno : ENOMEM);
        rc_obj_free(&q->hdr, COUNT_CQ);
    } else if (q != NULL) {
        *cq = &q->hdr;
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

static int qp_to_init(struct ibv_qp *qp, uint8_t port)
{
    struct ibv_qp_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.qp_state = IBV_QPS_INIT;
    attr.pkey_index = 0;
    attr.port_num = port;
    attr.qp_access_flags = RC_QP_ACCESS;
    return ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
}

static ndk_status qp_sizes_ok(const rc_adapter *a, const ndk_qp_parameters *p)
{
    const ndk_adapter_info *i = &a->info;
    if (p->receive_queue_depth > i->max_receive_queue_depth || p->initiator_queue_depth > i->max_initiator_queue_depth
        || p->max_receive_request_sge > i->max_receive_request_sge
        || p->max_initiator_request_sge > i->max_initiator_request_sge || p->inline_data_size > i->max_inline_data_size)
        return NDK_STATUS_INVALID_PARAMETER;
    return NDK_STATUS_SUCCESS;
}

ndk_status rc_create_qp(ndk_object *pd, ndk_object *receive_cq, ndk_object *initiator_cq, const ndk_qp_parameters *p,
                        ndk_create_completion completion, void *context, ndk_object **qp)
{
    (void)completion;
    (void)context;
    if (qp != NULL)
        *qp = NULL;
    if (qp == NULL || p == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st = NDK_STATUS_SUCCESS;
    rc_pd *ppd = rc_object(pd, NDK_OBJECT_PD);
    rc_cq *rcq = rc_object(receive_cq, NDK_OBJECT_CQ);
    rc_cq *icq = rc_object(initiator_cq, NDK_OBJECT_CQ);
    rc_adapter *a = ppd != NULL ? ppd->hdr.adapter : NULL;
    if (ppd == NULL || rcq == NULL || icq == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (ppd->hdr.closing || rcq->hdr.closing || icq->hdr.closing || a->hdr.tb->closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (rcq->hdr.adapter != a || icq->hdr.adapter != a)
        st = NDK_STATUS_INVALID_PARAMETER;
    else if ((st = qp_sizes_ok(a, p)) != NDK_STATUS_SUCCESS)
        ;
    else if (rc_inject(a, INJ_CREATE) != 0)
        st = NDK_STATUS_INSUFFICIENT_RESOURCES;
    rc_qp *q = NULL;
    if (st == NDK_STATUS_SUCCESS && (q = calloc(1, sizeof *q)) == NULL)
        st = NDK_STATUS_INSUFFICIENT_RESOURCES;
    if (q != NULL) {
        rc_obj_init(&q->hdr, NDK_OBJECT_QP, a->hdr.tb, a);
        struct ibv_qp_init_attr init = {
            .qp_context = q, .send_cq = icq->cq, .recv_cq = rcq->cq, .qp_type = IBV_QPT_RC, .sq_sig_all = 0,
            .cap = { .max_send_wr = p->initiator_queue_depth, .max_recv_wr = p->receive_queue_depth,
                     .max_send_sge = p->max_initiator_request_sge, .max_recv_sge = p->max_receive_request_sge,
                     .max_inline_data = p->inline_data_size },
        };
        q->qp = ibv_create_qp(ppd->pd, &init);
        int rc = q->qp == NULL ? (errno != 0 ? errno : ENOMEM) : qp_to_init(q->qp, a->port_num);
        if (rc != 0)
            st = sm_create_errno(rc);
        else if (rc_obj_add(&q->hdr, COUNT_QP) != 0)
            st = NDK_STATUS_INSUFFICIENT_RESOURCES;
        if (st != NDK_STATUS_SUCCESS) {
            if (q->qp != NULL)
                ibv_destroy_qp(q->qp);
            free(q);
        } else {
            q->pd = ppd;
            q->receive_cq = rcq;
            q->initiator_cq = icq;
            ppd->hdr.dependants++;
            rcq->hdr.dependants++;
            icq->hdr.dependants++;
            *qp = &q->hdr;
        }
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

/* Frees the native object (lock held). */
static void destroy_native(ndk_object *o)
{
    int rc = 0;
    switch (o->type) {
    case NDK_OBJECT_QP:
        rc = ibv_destroy_qp(((rc_qp *)o)->qp);
        break;
    case NDK_OBJECT_CQ:
        rc = ibv_destroy_cq(((rc_cq *)o)->cq);
        break;
    case NDK_OBJECT_PD:
        rc = ibv_dealloc_pd(((rc_pd *)o)->pd);
        break;
    default:
        break;
    }
    if (rc != 0)
        rc_log(o->tb, "destroying a verbs object (type %d) failed: %s", (int)o->type, strerror(rc));
}

static int count_kind(const ndk_object *o)
{
    return o->type == NDK_OBJECT_QP ? COUNT_QP : o->type == NDK_OBJECT_CQ ? COUNT_CQ : COUNT_PD;
}

void rc_after_close_verbs(ndk_object *o)
{
    if (o->type == NDK_OBJECT_QP) {
        rc_qp *q = (rc_qp *)o;
        rc_dependant_gone(&q->pd->hdr);
        rc_dependant_gone(&q->receive_cq->hdr);
        rc_dependant_gone(&q->initiator_cq->hdr);
    }
    rc_obj_free(o, count_kind(o));
}

ndk_status rc_close_verbs(ndk_object *o)
{
    o->closing = 1;
    if (o->dependants > 0)
        return NDK_STATUS_PENDING;   /* a QP with its connection, a CQ or PD with QPs: LT-QP-CLOSE-PENDS */
    o->finalized = 1;
    destroy_native(o);
    rc_after_close_verbs(o);
    return NDK_STATUS_SUCCESS;
}

void rc_finalize_verbs(ndk_object *o)
{
    destroy_native(o);
    rc_queue_close(o);
}

int rc_qp_to_rts(rc_qp *qp, struct rdma_cm_id *id, uint32_t inbound, uint32_t outbound)
{
    struct ibv_qp_attr attr;
    int mask, rc;
    memset(&attr, 0, sizeof attr);
    attr.qp_state = IBV_QPS_INIT;
    if (rdma_init_qp_attr(id, &attr, &mask) != 0)
        return errno != 0 ? errno : EINVAL;
    attr.qp_access_flags = RC_QP_ACCESS;
    if ((rc = ibv_modify_qp(qp->qp, &attr, mask | IBV_QP_ACCESS_FLAGS)) != 0)
        return rc;
    memset(&attr, 0, sizeof attr);
    attr.qp_state = IBV_QPS_RTR;
    if (rdma_init_qp_attr(id, &attr, &mask) != 0)
        return errno != 0 ? errno : EINVAL;
    attr.max_dest_rd_atomic = (uint8_t)inbound;     /* InboundReadLimit: reads the peer may have in flight here */
    if ((rc = ibv_modify_qp(qp->qp, &attr, mask | IBV_QP_MAX_DEST_RD_ATOMIC)) != 0)
        return rc;
    memset(&attr, 0, sizeof attr);
    attr.qp_state = IBV_QPS_RTS;
    if (rdma_init_qp_attr(id, &attr, &mask) != 0)
        return errno != 0 ? errno : EINVAL;
    attr.max_rd_atomic = (uint8_t)outbound;         /* OutboundReadLimit: reads this QP may have in flight */
    return ibv_modify_qp(qp->qp, &attr, mask | IBV_QP_MAX_QP_RD_ATOMIC);
}

void rc_qp_to_error(rc_qp *qp)
{
    struct ibv_qp_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.qp_state = IBV_QPS_ERR;
    ibv_modify_qp(qp->qp, &attr, IBV_QP_STATE);
}

void rc_qp_reset(rc_qp *qp)
{
    struct ibv_qp_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.qp_state = IBV_QPS_RESET;
    if (ibv_modify_qp(qp->qp, &attr, IBV_QP_STATE) == 0)
        qp_to_init(qp->qp, qp->hdr.adapter->port_num);
}
