/*
 * fake_verbs.c - a stand-in libibverbs.so.1 for the host tests (never shipped): one device,
 * "fakerxe0", with rxe's limits, and PD / CQ / QP objects kept in memory. QP attributes follow
 * rdma_rxe where the provider depends on them: max_rd_atomic above max_qp_rd_atom is EINVAL, and
 * both read limits are rounded up to a power of two.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>

#undef ibv_query_port

#define FAKE_EXPORT __attribute__((visibility("default")))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct ibv_device device = { .name = "fakerxe0", .dev_name = "uverbs0", .transport_type = IBV_TRANSPORT_IB };
static int live_ctx, live_pd, live_cq, live_qp;
static uint32_t next_qpn = 17;

struct fake_pd { struct ibv_pd pd; int users; };
struct fake_cq { struct ibv_cq cq; int users; };
struct fake_qp { struct ibv_qp qp; struct ibv_qp_attr attr; struct fake_pd *pd; struct fake_cq *scq, *rcq; };

FAKE_EXPORT struct ibv_device **ibv_get_device_list(int *num)
{
    struct ibv_device **list = calloc(2, sizeof *list);
    if (list == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    list[0] = &device;
    if (num != NULL)
        *num = 1;
    return list;
}

FAKE_EXPORT void ibv_free_device_list(struct ibv_device **list)
{
    free(list);
}

FAKE_EXPORT const char *ibv_get_device_name(struct ibv_device *dev)
{
    return dev->name;
}

FAKE_EXPORT struct ibv_context *ibv_open_device(struct ibv_device *dev)
{
    struct ibv_context *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    ctx->device = dev;
    ctx->cmd_fd = -1;
    ctx->async_fd = -1;
    pthread_mutex_lock(&lock);
    live_ctx++;
    pthread_mutex_unlock(&lock);
    return ctx;
}

FAKE_EXPORT int ibv_close_device(struct ibv_context *ctx)
{
    pthread_mutex_lock(&lock);
    live_ctx--;
    pthread_mutex_unlock(&lock);
    free(ctx);
    return 0;
}

FAKE_EXPORT int ibv_query_device(struct ibv_context *ctx, struct ibv_device_attr *a)
{
    (void)ctx;
    memset(a, 0, sizeof *a);
    strcpy(a->fw_ver, "0.0.0-fake");
    a->node_guid = 0x0102030405060708ull;
    a->max_mr_size = 0xffffffffffffffffull;
    a->vendor_id = 0xffffff;
    a->vendor_part_id = 0;
    a->max_qp = 1 << 16;
    a->max_qp_wr = 16384;
    a->max_sge = 32;
    a->max_sge_rd = 32;
    a->max_cq = 1 << 16;
    a->max_cqe = 32767;
    a->max_pd = 1 << 16;
    a->max_qp_rd_atom = 128;
    a->max_qp_init_rd_atom = 128;
    a->max_srq_wr = 16384;
    a->phys_port_cnt = 1;
    return 0;
}

FAKE_EXPORT int ibv_query_port(struct ibv_context *ctx, uint8_t port, struct _compat_ibv_port_attr *compat)
{
    (void)ctx;
    if (port != 1)
        return EINVAL;
    struct ibv_port_attr *a = (struct ibv_port_attr *)compat;   /* the caller passes a whole, zeroed ibv_port_attr */
    a->state = IBV_PORT_ACTIVE;
    a->max_mtu = IBV_MTU_4096;
    a->active_mtu = IBV_MTU_1024;
    a->gid_tbl_len = 1024;
    a->max_msg_sz = 0x800000;
    a->link_layer = IBV_LINK_LAYER_ETHERNET;
    return 0;
}

FAKE_EXPORT struct ibv_pd *ibv_alloc_pd(struct ibv_context *ctx)
{
    struct fake_pd *p = calloc(1, sizeof *p);
    if (p == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    p->pd.context = ctx;
    pthread_mutex_lock(&lock);
    live_pd++;
    pthread_mutex_unlock(&lock);
    return &p->pd;
}

FAKE_EXPORT int ibv_dealloc_pd(struct ibv_pd *pd)
{
    struct fake_pd *p = (struct fake_pd *)pd;
    pthread_mutex_lock(&lock);
    if (p->users > 0) {
        pthread_mutex_unlock(&lock);
        return EBUSY;
    }
    live_pd--;
    pthread_mutex_unlock(&lock);
    free(p);
    return 0;
}

FAKE_EXPORT struct ibv_cq *ibv_create_cq(struct ibv_context *ctx, int cqe, void *cq_context,
                                          struct ibv_comp_channel *channel, int comp_vector)
{
    (void)channel;
    (void)comp_vector;
    if (cqe < 1 || cqe > 32767) {
        errno = EINVAL;
        return NULL;
    }
    struct fake_cq *q = calloc(1, sizeof *q);
    if (q == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    q->cq.context = ctx;
    q->cq.cq_context = cq_context;
    q->cq.cqe = cqe;
    pthread_mutex_lock(&lock);
    live_cq++;
    pthread_mutex_unlock(&lock);
    return &q->cq;
}

FAKE_EXPORT int ibv_destroy_cq(struct ibv_cq *cq)
{
    struct fake_cq *q = (struct fake_cq *)cq;
    pthread_mutex_lock(&lock);
    if (q->users > 0) {
        pthread_mutex_unlock(&lock);
        return EBUSY;
    }
    live_cq--;
    pthread_mutex_unlock(&lock);
    free(q);
    return 0;
}

FAKE_EXPORT struct ibv_qp *ibv_create_qp(struct ibv_pd *pd, struct ibv_qp_init_attr *init)
{
    if (init->qp_type != IBV_QPT_RC || init->cap.max_send_wr > 16384 || init->cap.max_recv_wr > 16384
        || init->cap.max_send_sge > 32 || init->cap.max_recv_sge > 32 || init->cap.max_inline_data > 256) {
        errno = EINVAL;
        return NULL;
    }
    struct fake_qp *q = calloc(1, sizeof *q);
    if (q == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_lock(&lock);
    q->qp.context = pd->context;
    q->qp.qp_context = init->qp_context;
    q->qp.pd = pd;
    q->qp.send_cq = init->send_cq;
    q->qp.recv_cq = init->recv_cq;
    q->qp.qp_num = next_qpn++;
    q->qp.state = IBV_QPS_RESET;
    q->qp.qp_type = IBV_QPT_RC;
    q->pd = (struct fake_pd *)pd;
    q->scq = (struct fake_cq *)init->send_cq;
    q->rcq = (struct fake_cq *)init->recv_cq;
    q->pd->users++;
    q->scq->users++;
    q->rcq->users++;
    live_qp++;
    pthread_mutex_unlock(&lock);
    return &q->qp;
}

static uint8_t roundup_pow2(uint8_t v)
{
    uint8_t r = 1;
    if (v == 0)
        return 0;
    while (r < v && r < 128)
        r <<= 1;
    return r;
}

FAKE_EXPORT int ibv_modify_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr, int mask)
{
    struct fake_qp *q = (struct fake_qp *)qp;
    if ((mask & IBV_QP_MAX_QP_RD_ATOMIC) && attr->max_rd_atomic > 128)
        return EINVAL;
    pthread_mutex_lock(&lock);
    if (mask & IBV_QP_STATE) {
        enum ibv_qp_state from = qp->state, to = attr->qp_state;
        int ok = to == IBV_QPS_RESET || to == IBV_QPS_ERR || (from == IBV_QPS_RESET && to == IBV_QPS_INIT)
              || (from == IBV_QPS_INIT && (to == IBV_QPS_INIT || to == IBV_QPS_RTR))
              || (from == IBV_QPS_RTR && to == IBV_QPS_RTS) || (from == IBV_QPS_RTS && to == IBV_QPS_RTS);
        if (!ok) {
            pthread_mutex_unlock(&lock);
            return EINVAL;
        }
        qp->state = to;
        q->attr.qp_state = to;
    }
    if (mask & IBV_QP_MAX_QP_RD_ATOMIC)
        q->attr.max_rd_atomic = roundup_pow2(attr->max_rd_atomic);
    if (mask & IBV_QP_MAX_DEST_RD_ATOMIC)
        q->attr.max_dest_rd_atomic = roundup_pow2(attr->max_dest_rd_atomic);
    if (mask & IBV_QP_ACCESS_FLAGS)
        q->attr.qp_access_flags = attr->qp_access_flags;
    if (mask & IBV_QP_DEST_QPN)
        q->attr.dest_qp_num = attr->dest_qp_num;
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int ibv_query_qp(struct ibv_qp *qp, struct ibv_qp_attr *attr, int mask, struct ibv_qp_init_attr *init)
{
    (void)mask;
    struct fake_qp *q = (struct fake_qp *)qp;
    pthread_mutex_lock(&lock);
    *attr = q->attr;
    pthread_mutex_unlock(&lock);
    if (init != NULL)
        memset(init, 0, sizeof *init);
    return 0;
}

FAKE_EXPORT int ibv_destroy_qp(struct ibv_qp *qp)
{
    struct fake_qp *q = (struct fake_qp *)qp;
    pthread_mutex_lock(&lock);
    q->pd->users--;
    q->scq->users--;
    q->rcq->users--;
    live_qp--;
    pthread_mutex_unlock(&lock);
    free(q);
    return 0;
}

/* For the tests: what is alive. */
FAKE_EXPORT void fake_verbs_counts(int *ctx, int *pd, int *cq, int *qp)
{
    pthread_mutex_lock(&lock);
    *ctx = live_ctx;
    *pd = live_pd;
    *cq = live_cq;
    *qp = live_qp;
    pthread_mutex_unlock(&lock);
}
