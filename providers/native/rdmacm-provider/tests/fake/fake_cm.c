/*
 * fake_cm.c - a stand-in librdmacm.so.1 for the host tests (never shipped): rdma_cm between ids
 * of one process, with the behaviours of rdma_cm on rxe the provider depends on (measured in the
 * lab, /work/shared/lab/softroce-on-this-machine.md, and read in rdma-core's cma.c):
 *   - REUSEADDR binds share an address; a listener needs its address alone; nothing checks
 *     four-tuples;
 *   - resolve_addr / resolve_route answer at once; a destination IP that is not configured (the
 *     FAKE_RDMA_ADDRS list) is a silent host: the REQ goes unanswered;
 *   - no listener on the port: REJECTED status 8; a consumer reject or a destroyed peer: 28;
 *   - private data: REQ at most 56 bytes (EINVAL above), delivered as a 56-byte field; REP 196;
 *     REJ 148; read limits are mirrored, never negotiated;
 *   - events for an incoming request's id are dropped until it is accepted;
 *   - rdma_destroy_id removes the id's unread events and waits (here: at most 5 s, then abort)
 *     until every event handed out for it was acknowledged.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rdma/rdma_cma.h>

#define FAKE_EXPORT __attribute__((visibility("default")))

enum fstate {
    F_IDLE, F_BOUND, F_ADDR, F_ROUTE, F_REQ_SENT, F_REP_RCVD, F_REQ_RCVD, F_REP_SENT, F_ESTABLISHED,
    F_DREQ_SENT, F_DREQ_RCVD, F_TIMEWAIT, F_DEAD, F_LISTEN
};

struct fid {
    struct rdma_cm_id id;
    struct fid *next;
    int state, reuse, bound, accepted, passive, destroyed;
    struct fid *peer;
    uint8_t resp, init;              /* own responder resources / initiator depth */
    uint32_t qp_num, peer_qp_num;
    int reported, acked;
};

struct qev {
    struct qev *next;
    struct fid *target, *listener;
    struct rdma_cm_event ev;
    uint8_t data[256];
};

struct fake_event {
    struct rdma_cm_event ev;
    uint8_t data[256];
    struct fid *target, *listener;
};

struct chan {
    struct rdma_event_channel ch;   /* first: the caller sees its fd */
    struct qev *head, *tail;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t acked = PTHREAD_COND_INITIALIZER;
static struct fid *ids;
static int live_ids;
static struct ibv_context fake_verbs;
static char configured[1024];
static uint16_t next_port = 40000;

static int ip_configured(const struct sockaddr *sa)
{
    char text[INET6_ADDRSTRLEN] = "";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof text);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof text);
    const char *list = configured[0] != '\0' ? configured : getenv("FAKE_RDMA_ADDRS");
    if (list == NULL || text[0] == '\0')
        return 0;
    size_t n = strlen(text);
    for (const char *p = list; (p = strstr(p, text)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static int same_ip(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family)
        return 0;
    if (a->sa_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static uint16_t port_of(const struct sockaddr *a)
{
    return ntohs(a->sa_family == AF_INET ? ((const struct sockaddr_in *)a)->sin_port
                                         : ((const struct sockaddr_in6 *)a)->sin6_port);
}

static void set_port(struct sockaddr *a, uint16_t port)
{
    if (a->sa_family == AF_INET)
        ((struct sockaddr_in *)a)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

static size_t sa_len(const struct sockaddr *a)
{
    return a->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static struct sockaddr *src_of(struct fid *f)
{
    return (struct sockaddr *)&f->id.route.addr.src_addr;
}

static struct sockaddr *dst_of(struct fid *f)
{
    return (struct sockaddr *)&f->id.route.addr.dst_addr;
}

/* Queues an event for f (lock held). Events for an unaccepted incoming id are dropped, like ucma. */
static void post(struct fid *f, enum rdma_cm_event_type type, int status, const void *data, uint8_t field,
                 uint8_t len, uint8_t resp, uint8_t init, struct fid *listener)
{
    if (f == NULL || f->destroyed || (f->passive && !f->accepted && type != RDMA_CM_EVENT_CONNECT_REQUEST))
        return;
    struct qev *q = calloc(1, sizeof *q);
    if (q == NULL)
        abort();
    q->target = f;
    q->listener = listener;
    q->ev.event = type;
    q->ev.status = status;
    q->ev.id = &f->id;
    q->ev.listen_id = listener != NULL ? &listener->id : NULL;
    if (field > 0) {
        memcpy(q->data, data, len);
        q->ev.param.conn.private_data_len = field;
    }
    q->ev.param.conn.responder_resources = resp;
    q->ev.param.conn.initiator_depth = init;
    struct chan *c = (struct chan *)(listener != NULL ? listener->id.channel : f->id.channel);
    if (c->tail != NULL)
        c->tail->next = q;
    else
        c->head = q;
    c->tail = q;
    uint64_t one = 1;
    if (write(c->ch.fd, &one, sizeof one) < 0)
        abort();
}

FAKE_EXPORT void fake_cm_configure(const char *addresses)
{
    pthread_mutex_lock(&lock);
    snprintf(configured, sizeof configured, "%s", addresses != NULL ? addresses : "");
    pthread_mutex_unlock(&lock);
}

FAKE_EXPORT int fake_cm_live_ids(void)
{
    pthread_mutex_lock(&lock);
    int n = live_ids;
    pthread_mutex_unlock(&lock);
    return n;
}

FAKE_EXPORT struct ibv_context **rdma_get_devices(int *num)
{
    struct ibv_context **list = calloc(2, sizeof *list);
    if (list != NULL)
        list[0] = &fake_verbs;
    if (num != NULL)
        *num = list != NULL ? 1 : 0;
    return list;
}

FAKE_EXPORT void rdma_free_devices(struct ibv_context **list)
{
    free(list);
}

FAKE_EXPORT struct rdma_event_channel *rdma_create_event_channel(void)
{
    struct chan *c = calloc(1, sizeof *c);
    if (c == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    c->ch.fd = eventfd(0, EFD_CLOEXEC);
    return &c->ch;
}

FAKE_EXPORT void rdma_destroy_event_channel(struct rdma_event_channel *ch)
{
    struct chan *c = (struct chan *)ch;
    close(c->ch.fd);
    while (c->head != NULL) {
        struct qev *n = c->head->next;
        free(c->head);
        c->head = n;
    }
    free(c);
}

static struct fid *new_fid(struct rdma_event_channel *ch, void *context)
{
    struct fid *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->id.channel = ch;
    f->id.context = context;
    f->id.ps = RDMA_PS_TCP;
    f->id.qp_type = IBV_QPT_RC;
    f->id.port_num = 1;
    f->next = ids;
    ids = f;
    live_ids++;
    return f;
}

FAKE_EXPORT int rdma_create_id(struct rdma_event_channel *ch, struct rdma_cm_id **id, void *context,
                               enum rdma_port_space ps)
{
    (void)ps;
    pthread_mutex_lock(&lock);
    struct fid *f = new_fid(ch, context);
    pthread_mutex_unlock(&lock);
    if (f == NULL) {
        errno = ENOMEM;
        return -1;
    }
    *id = &f->id;
    return 0;
}

FAKE_EXPORT int rdma_set_option(struct rdma_cm_id *id, int level, int name, void *val, size_t len)
{
    struct fid *f = (struct fid *)id;
    if (level != RDMA_OPTION_ID || name != RDMA_OPTION_ID_REUSEADDR || len != sizeof(int)) {
        errno = ENOSYS;
        return -1;
    }
    pthread_mutex_lock(&lock);
    f->reuse = *(int *)val != 0;
    pthread_mutex_unlock(&lock);
    return 0;
}

static int fail(int err)
{
    pthread_mutex_unlock(&lock);
    errno = err;
    return -1;
}

FAKE_EXPORT int rdma_bind_addr(struct rdma_cm_id *id, struct sockaddr *addr)
{
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (f->bound)
        return fail(EINVAL);
    if (!ip_configured(addr))
        return fail(EADDRNOTAVAIL);
    uint16_t port = port_of(addr);
    for (struct fid *o = ids; o != NULL; o = o->next) {
        if (o == f || !o->bound || o->destroyed || !same_ip(src_of(o), addr) || port_of(src_of(o)) != port || port == 0)
            continue;
        if (f->reuse && o->reuse && o->state != F_LISTEN)
            continue;
        return fail(EADDRINUSE);
    }
    memcpy(src_of(f), addr, sa_len(addr));
    if (port == 0)
        set_port(src_of(f), next_port++);
    f->bound = 1;
    f->state = F_BOUND;
    f->id.verbs = &fake_verbs;
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int rdma_listen(struct rdma_cm_id *id, int backlog)
{
    (void)backlog;
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (!f->bound || f->state != F_BOUND)
        return fail(EINVAL);
    for (struct fid *o = ids; o != NULL; o = o->next)
        if (o != f && o->bound && !o->destroyed && same_ip(src_of(o), src_of(f)) && port_of(src_of(o)) == port_of(src_of(f)))
            return fail(EADDRINUSE);
    f->state = F_LISTEN;
    f->reuse = 0;
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int rdma_resolve_addr(struct rdma_cm_id *id, struct sockaddr *src, struct sockaddr *dst, int timeout_ms)
{
    (void)timeout_ms;
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (src != NULL || !f->bound || f->state != F_BOUND)
        return fail(EINVAL);   /* the provider always binds first */
    if (dst->sa_family != src_of(f)->sa_family)
        return fail(EINVAL);
    memcpy(dst_of(f), dst, sa_len(dst));
    f->state = F_ADDR;
    post(f, RDMA_CM_EVENT_ADDR_RESOLVED, 0, NULL, 0, 0, 0, 0, NULL);
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int rdma_resolve_route(struct rdma_cm_id *id, int timeout_ms)
{
    (void)timeout_ms;
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (f->state != F_ADDR)
        return fail(EINVAL);
    f->state = F_ROUTE;
    post(f, RDMA_CM_EVENT_ROUTE_RESOLVED, 0, NULL, 0, 0, 0, 0, NULL);
    pthread_mutex_unlock(&lock);
    return 0;
}

static struct fid *find_listener(const struct sockaddr *dst)
{
    for (struct fid *o = ids; o != NULL; o = o->next)
        if (!o->destroyed && o->state == F_LISTEN && same_ip(src_of(o), dst) && port_of(src_of(o)) == port_of(dst))
            return o;
    return NULL;
}

FAKE_EXPORT int rdma_connect(struct rdma_cm_id *id, struct rdma_conn_param *p)
{
    struct fid *f = (struct fid *)id;
    static const uint8_t zeros[148];
    pthread_mutex_lock(&lock);
    if (f->state != F_ROUTE || p == NULL || p->qp_num == 0)
        return fail(EINVAL);
    if ((p->responder_resources != 0xFF && p->responder_resources > 128)
        || (p->initiator_depth != 0xFF && p->initiator_depth > 128) || p->private_data_len > 56)
        return fail(EINVAL);
    f->resp = p->responder_resources;
    f->init = p->initiator_depth;
    f->qp_num = p->qp_num;
    f->state = F_REQ_SENT;
    if (!ip_configured(dst_of(f))) {          /* a silent host: the REQ is never answered */
        pthread_mutex_unlock(&lock);
        return 0;
    }
    struct fid *l = find_listener(dst_of(f));
    if (l == NULL) {
        f->state = F_DEAD;
        post(f, RDMA_CM_EVENT_REJECTED, 8, zeros, 148, 148, 0, 0, NULL);
        pthread_mutex_unlock(&lock);
        return 0;
    }
    struct fid *n = new_fid(l->id.channel, l->id.context);
    if (n == NULL)
        abort();
    n->passive = 1;
    n->bound = 1;
    n->state = F_REQ_RCVD;
    n->id.verbs = &fake_verbs;
    memcpy(src_of(n), dst_of(f), sa_len(dst_of(f)));
    memcpy(dst_of(n), src_of(f), sa_len(src_of(f)));
    n->peer = f;
    n->peer_qp_num = p->qp_num;
    n->resp = p->initiator_depth;            /* the kernel's mirror of the REQ */
    n->init = p->responder_resources;
    f->peer = n;
    uint8_t data[56] = { 0 };
    if (p->private_data_len > 0)
        memcpy(data, p->private_data, p->private_data_len);
    post(n, RDMA_CM_EVENT_CONNECT_REQUEST, 0, data, 56, 56, p->initiator_depth, p->responder_resources, l);
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int rdma_accept(struct rdma_cm_id *id, struct rdma_conn_param *p)
{
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (p == NULL || !f->passive || f->state != F_REQ_RCVD || f->peer == NULL || f->peer->state != F_REQ_SENT)
        return fail(EINVAL);
    if (p->private_data_len > 196 || (p->responder_resources != 0xFF && p->responder_resources > 128)
        || (p->initiator_depth != 0xFF && p->initiator_depth > 128))
        return fail(EINVAL);
    f->accepted = 1;
    f->resp = p->responder_resources;
    f->init = p->initiator_depth;
    f->qp_num = p->qp_num;
    f->state = F_REP_SENT;
    struct fid *a = f->peer;
    a->state = F_REP_RCVD;
    a->peer_qp_num = p->qp_num;
    uint8_t data[196] = { 0 };
    if (p->private_data_len > 0)
        memcpy(data, p->private_data, p->private_data_len);
    post(a, RDMA_CM_EVENT_CONNECT_RESPONSE, 0, data, 196, 196, p->initiator_depth, p->responder_resources, NULL);
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int rdma_establish(struct rdma_cm_id *id)
{
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (f->state != F_REP_RCVD || f->peer == NULL || f->peer->state != F_REP_SENT)
        return fail(EINVAL);
    f->state = F_ESTABLISHED;
    f->peer->state = F_ESTABLISHED;
    post(f->peer, RDMA_CM_EVENT_ESTABLISHED, 0, NULL, 0, 0, 0, 0, NULL);
    pthread_mutex_unlock(&lock);
    return 0;
}

FAKE_EXPORT int rdma_reject(struct rdma_cm_id *id, const void *data, uint8_t len)
{
    struct fid *f = (struct fid *)id;
    uint8_t field[148] = { 0 };
    pthread_mutex_lock(&lock);
    if (len > 148)
        return fail(EINVAL);
    if (len > 0)
        memcpy(field, data, len);
    if (f->passive && f->state == F_REQ_RCVD && f->peer != NULL && f->peer->state == F_REQ_SENT) {
        f->peer->state = F_DEAD;
        post(f->peer, RDMA_CM_EVENT_REJECTED, 28, field, 148, 148, 0, 0, NULL);
    } else if (!f->passive && f->state == F_REP_RCVD && f->peer != NULL && f->peer->state == F_REP_SENT) {
        f->peer->state = F_DEAD;
        post(f->peer, RDMA_CM_EVENT_REJECTED, 28, field, 148, 148, 0, 0, NULL);
    } else {
        return fail(EINVAL);
    }
    f->state = F_DEAD;
    pthread_mutex_unlock(&lock);
    return 0;
}

/* One side's DREQ or DREP (lock held). */
static int disconnect_locked(struct fid *f)
{
    struct fid *p = f->peer;
    if (f->state == F_ESTABLISHED) {
        f->state = F_DREQ_SENT;
        if (p != NULL && p->state == F_ESTABLISHED) {
            p->state = F_DREQ_RCVD;
            post(p, RDMA_CM_EVENT_DISCONNECTED, 0, NULL, 0, 0, 0, 0, NULL);
        } else if (p != NULL && p->state == F_DREQ_SENT) {   /* both at once: each gets one DISCONNECTED */
            p->state = F_TIMEWAIT;
            f->state = F_TIMEWAIT;
            post(p, RDMA_CM_EVENT_DISCONNECTED, 0, NULL, 0, 0, 0, 0, NULL);
            post(f, RDMA_CM_EVENT_DISCONNECTED, 0, NULL, 0, 0, 0, 0, NULL);
        }
        return 0;
    }
    if (f->state == F_DREQ_RCVD) {                          /* the DREP */
        f->state = F_TIMEWAIT;
        if (p != NULL && p->state == F_DREQ_SENT) {
            p->state = F_TIMEWAIT;
            post(p, RDMA_CM_EVENT_DISCONNECTED, 0, NULL, 0, 0, 0, 0, NULL);
        }
        return 0;
    }
    return EINVAL;
}

FAKE_EXPORT int rdma_disconnect(struct rdma_cm_id *id)
{
    pthread_mutex_lock(&lock);
    int err = disconnect_locked((struct fid *)id);
    if (err != 0)
        return fail(err);
    pthread_mutex_unlock(&lock);
    return 0;
}

static void drop_events(struct fid *f)
{
    for (struct fid *o = ids; o != NULL; o = o->next) {
        struct chan *c = (struct chan *)o->id.channel;
        if (c == NULL)
            continue;
        struct qev **pp = &c->head, *prev = NULL;
        while (*pp != NULL) {
            struct qev *q = *pp;
            if (q->target == f || q->listener == f) {
                *pp = q->next;
                if (c->tail == q)
                    c->tail = prev;
                free(q);
            } else {
                prev = q;
                pp = &q->next;
            }
        }
    }
}

static void destroy_locked(struct fid *f);

static void unlink_fid(struct fid *f)
{
    for (struct fid **pp = &ids; *pp != NULL; pp = &(*pp)->next)
        if (*pp == f) {
            *pp = f->next;
            break;
        }
    for (struct fid *o = ids; o != NULL; o = o->next)
        if (o->peer == f)
            o->peer = NULL;
}

/* An incoming request whose CONNECT_REQUEST nobody read: it goes without ever reaching the user. */
static int unread_request(struct fid *n)
{
    struct chan *c = (struct chan *)n->id.channel;
    for (struct qev *q = c->head; q != NULL; q = q->next)
        if (q->target == n && q->ev.event == RDMA_CM_EVENT_CONNECT_REQUEST)
            return 1;
    return 0;
}

static void discard_request(struct fid *n)
{
    destroy_locked(n);
    unlink_fid(n);
    free(n);
}

/* What the peer sees when f goes away (lock held): cm_destroy_id's REJ, DREQ or DREP. */
static void notify_peer(struct fid *f)
{
    static const uint8_t zeros[148];
    struct fid *p = f->peer;
    if (p == NULL || p->destroyed)
        return;
    switch (f->state) {
    case F_REQ_SENT:
        if (p->state == F_REQ_RCVD) {
            f->peer = NULL;
            p->peer = NULL;
            if (unread_request(p))
                discard_request(p);
            return;
        }
        break;
    case F_REP_RCVD: case F_REQ_RCVD: case F_REP_SENT:
        if (p->state == F_REP_SENT || p->state == F_REQ_SENT || p->state == F_REP_RCVD) {
            p->state = F_DEAD;
            post(p, RDMA_CM_EVENT_REJECTED, 28, zeros, 148, 148, 0, 0, NULL);
        }
        break;
    case F_ESTABLISHED: case F_DREQ_RCVD:
        disconnect_locked(f);
        break;
    default:
        break;
    }
    p->peer = NULL;
    f->peer = NULL;
}

static void destroy_locked(struct fid *f)
{
    notify_peer(f);
    if (f->state == F_LISTEN) {            /* requests not yet read go with their listener */
        struct chan *c = (struct chan *)f->id.channel;
        for (;;) {
            struct fid *n = NULL;
            for (struct qev *q = c->head; q != NULL && n == NULL; q = q->next)
                if (q->listener == f && q->target != NULL && !q->target->destroyed)
                    n = q->target;
            if (n == NULL)
                break;
            discard_request(n);
        }
    }
    f->destroyed = 1;
    drop_events(f);
    live_ids--;
}

FAKE_EXPORT int rdma_destroy_id(struct rdma_cm_id *id)
{
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    destroy_locked(f);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    while (f->acked < f->reported)
        if (pthread_cond_timedwait(&acked, &lock, &until) == ETIMEDOUT) {
            fprintf(stderr, "fake librdmacm: rdma_destroy_id waited 5 s for unacknowledged events: the real one "
                    "would block forever\n");
            abort();
        }
    unlink_fid(f);
    pthread_mutex_unlock(&lock);
    free(f);
    return 0;
}

FAKE_EXPORT int rdma_get_cm_event(struct rdma_event_channel *ch, struct rdma_cm_event **event)
{
    struct chan *c = (struct chan *)ch;
    pthread_mutex_lock(&lock);
    struct qev *q = c->head;
    while (q != NULL && q->target == NULL) {   /* a request whose id went with its listener */
        c->head = q->next;
        if (c->tail == q)
            c->tail = NULL;
        free(q);
        q = c->head;
    }
    if (q == NULL) {
        uint64_t v;
        if (read(ch->fd, &v, sizeof v) < 0 && errno != EAGAIN) {
            /* nothing to clear */
        }
        return fail(EAGAIN);
    }
    c->head = q->next;
    if (c->tail == q)
        c->tail = NULL;
    struct fake_event *e = calloc(1, sizeof *e);
    if (e == NULL)
        abort();
    e->ev = q->ev;
    memcpy(e->data, q->data, sizeof e->data);
    if (e->ev.param.conn.private_data_len > 0)
        e->ev.param.conn.private_data = e->data;
    e->target = q->listener != NULL ? q->listener : q->target;   /* a request is accounted to its listener */
    e->target->reported++;
    free(q);
    pthread_mutex_unlock(&lock);
    *event = &e->ev;
    return 0;
}

FAKE_EXPORT int rdma_ack_cm_event(struct rdma_cm_event *event)
{
    struct fake_event *e = (struct fake_event *)event;
    pthread_mutex_lock(&lock);
    e->target->acked++;
    pthread_cond_broadcast(&acked);
    pthread_mutex_unlock(&lock);
    free(e);
    return 0;
}

FAKE_EXPORT int rdma_init_qp_attr(struct rdma_cm_id *id, struct ibv_qp_attr *attr, int *mask)
{
    struct fid *f = (struct fid *)id;
    pthread_mutex_lock(&lock);
    if (f->state != F_REQ_RCVD && f->state != F_REP_RCVD && f->state != F_REP_SENT && f->state != F_ESTABLISHED)
        return fail(EINVAL);
    switch (attr->qp_state) {
    case IBV_QPS_INIT:
        attr->pkey_index = 0;
        attr->port_num = 1;
        attr->qp_access_flags = IBV_ACCESS_REMOTE_WRITE | (f->resp ? IBV_ACCESS_REMOTE_READ : 0);
        *mask = IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS;
        break;
    case IBV_QPS_RTR:
        attr->path_mtu = IBV_MTU_1024;
        attr->dest_qp_num = f->peer_qp_num;
        attr->rq_psn = 1;
        attr->max_dest_rd_atomic = f->resp;
        attr->min_rnr_timer = 0;
        *mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN
              | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
        break;
    case IBV_QPS_RTS:
        attr->timeout = 14;
        attr->retry_cnt = 7;
        attr->rnr_retry = 7;
        attr->sq_psn = 1;
        attr->max_rd_atomic = f->init;
        *mask = IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN
              | IBV_QP_MAX_QP_RD_ATOMIC;
        break;
    default:
        return fail(EINVAL);
    }
    pthread_mutex_unlock(&lock);
    return 0;
}
