/*
 * core.c - the handle registry, object lifetime (antecedents and dependants), the adapters'
 * callback, task and destroy queues, connector timers, and the event loop of each adapter.
 */
#include "rc.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "status_map.h"

pthread_mutex_t rc_lock = PTHREAD_MUTEX_INITIALIZER;

#define RC_POLL_MAX_MS 250

uint64_t rc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------------------- registry */

/* Live handles, so that a closed, foreign or made-up handle gets an error instead of a crash. */
#define REG_BUCKETS 4096u
typedef struct reg_node {
    struct reg_node *next;
    const void *object;
} reg_node;
static reg_node *registry[REG_BUCKETS];

static size_t reg_bucket(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return (size_t)((v >> 4) ^ (v >> 16)) % REG_BUCKETS;
}

int rc_registered(const void *object)
{
    if (object == NULL)
        return 0;
    for (reg_node *n = registry[reg_bucket(object)]; n != NULL; n = n->next)
        if (n->object == object)
            return 1;
    return 0;
}

int rc_register(ndk_object *o)
{
    reg_node *n = malloc(sizeof *n);
    if (n == NULL)
        return ENOMEM;
    size_t b = reg_bucket(o);
    n->object = o;
    n->next = registry[b];
    registry[b] = n;
    return 0;
}

void rc_unregister(ndk_object *o)
{
    for (reg_node **pp = &registry[reg_bucket(o)]; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->object == o) {
            reg_node *n = *pp;
            *pp = n->next;
            free(n);
            return;
        }
    }
}

void *rc_object(ndk_object *handle, ndk_object_type type)
{
    if (!rc_registered(handle) || handle->magic != RC_OBJ_MAGIC || handle->type != type)
        return NULL;
    return handle;
}

void rc_obj_init(ndk_object *o, ndk_object_type type, struct ndk_testbed *tb, rc_adapter *a)
{
    o->magic = RC_OBJ_MAGIC;
    o->type = type;
    o->tb = tb;
    o->adapter = a;
}

int rc_obj_add(ndk_object *o, int count_kind)
{
    if (rc_register(o) != 0)
        return ENOMEM;
    struct ndk_testbed *tb = o->tb;
    o->live_prev = NULL;
    o->live_next = tb->live;
    if (tb->live != NULL)
        tb->live->live_prev = o;
    tb->live = o;
    tb->counts[count_kind]++;
    return 0;
}

void rc_obj_free(ndk_object *o, int count_kind)
{
    struct ndk_testbed *tb = o->tb;
    rc_unregister(o);
    if (o->live_prev != NULL)
        o->live_prev->live_next = o->live_next;
    else if (tb->live == o)
        tb->live = o->live_next;
    if (o->live_next != NULL)
        o->live_next->live_prev = o->live_prev;
    tb->counts[count_kind]--;
    o->magic = 0;
    free(o);
}

void *rc_new_object(ndk_object *adapter, void *out, size_t size, ndk_object_type type, int count_kind,
                    ndk_status *status)
{
    rc_adapter *a = rc_object(adapter, NDK_OBJECT_ADAPTER);
    ndk_object *o = NULL;
    *status = NDK_STATUS_SUCCESS;
    if (out == NULL)
        *status = NDK_STATUS_INVALID_PARAMETER;
    else if (a == NULL)
        *status = NDK_STATUS_INVALID_HANDLE;
    else if (a->hdr.tb->closing)
        *status = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (rc_inject(a, INJ_CREATE) != 0 || (o = calloc(1, size)) == NULL)
        *status = NDK_STATUS_INSUFFICIENT_RESOURCES;   /* injected: SE-INSUFFICIENT-RESOURCES and the other creates */
    else {
        rc_obj_init(o, type, a->hdr.tb, a);
        if (rc_obj_add(o, count_kind) != 0) {
            free(o);
            o = NULL;
            *status = NDK_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    return o;
}

/* ---------------------------------------------------------------------------------- queues */

void rc_wake(rc_adapter *a)
{
    uint64_t one = 1;
    if (a->wake_fd >= 0 && write(a->wake_fd, &one, sizeof one) < 0) {
        /* the counter is saturated: the thread is awake anyway */
    }
}

void rc_enqueue_cb(rc_adapter *a, rc_cb *cb)
{
    if (cb->queued)
        return;
    cb->queued = 1;
    cb->next = NULL;
    if (a->cb_tail != NULL)
        a->cb_tail->next = cb;
    else
        a->cb_head = cb;
    a->cb_tail = cb;
    rc_wake(a);
}

void rc_request_complete(rc_adapter *a, rc_req *req, ndk_status status)
{
    if (!req->pending)
        return;
    req->pending = 0;
    req->cb.kind = CB_REQUEST;
    req->cb.request_fn = req->fn;
    req->cb.context = req->context;
    req->cb.status = status;
    rc_log(a->hdr.tb, "%s request completes with %s", a->host == NDK_HOST_LOCAL ? "LOCAL" : "PEER",
           sm_status_name(status));
    rc_enqueue_cb(a, &req->cb);
}

void rc_post_task(ndk_object *o)
{
    rc_adapter *a = o->adapter;
    if (o->task_queued)
        return;
    o->task_queued = 1;
    o->task_next = NULL;
    if (a->task_tail != NULL)
        a->task_tail->task_next = o;
    else
        a->task_head = o;
    a->task_tail = o;
    rc_wake(a);
}

void rc_post_destroy(rc_adapter *a, rc_destroy *d, struct rdma_cm_id *id, ndk_object *o, int after)
{
    if (d->queued)
        return;
    d->queued = 1;
    d->id = id;
    d->object = o;
    d->after = after;
    d->next = NULL;
    if (a->destroy_tail != NULL)
        a->destroy_tail->next = d;
    else
        a->destroy_head = d;
    a->destroy_tail = d;
    rc_wake(a);
}

void rc_queue_close(ndk_object *o)
{
    o->finalized = 1;
    o->close_cb.kind = CB_CLOSE;
    o->close_cb.close_fn = o->close_fn;
    o->close_cb.context = o->close_context;
    o->close_cb.object = o;
    rc_enqueue_cb(o->adapter, &o->close_cb);
}

void rc_dependant_gone(ndk_object *antecedent)
{
    if (antecedent == NULL)
        return;
    if (antecedent->dependants > 0)
        antecedent->dependants--;
    if (antecedent->closing && antecedent->dependants == 0 && !antecedent->finalized)
        rc_finalize(antecedent);
}

/* ---------------------------------------------------------------------------------- timers */

void rc_timer_arm(rc_connector *c, int which, uint64_t ms)
{
    rc_adapter *a = c->hdr.adapter;
    c->deadline[which] = rc_now_ms() + ms;
    if (c->deadline[which] == 0)
        c->deadline[which] = 1;
    if (!c->in_timers) {
        c->in_timers = 1;
        c->timer_prev = NULL;
        c->timer_next = a->timers;
        if (a->timers != NULL)
            a->timers->timer_prev = c;
        a->timers = c;
    }
    rc_wake(a);
}

static void timer_unlink(rc_connector *c)
{
    rc_adapter *a = c->hdr.adapter;
    if (!c->in_timers)
        return;
    if (c->timer_prev != NULL)
        c->timer_prev->timer_next = c->timer_next;
    else
        a->timers = c->timer_next;
    if (c->timer_next != NULL)
        c->timer_next->timer_prev = c->timer_prev;
    c->timer_prev = c->timer_next = NULL;
    c->in_timers = 0;
}

void rc_timer_cancel(rc_connector *c, int which)
{
    c->deadline[which] = 0;
    for (int i = 0; i < T_COUNT; i++)
        if (c->deadline[i] != 0)
            return;
    timer_unlink(c);
}

void rc_timer_cancel_all(rc_connector *c)
{
    for (int i = 0; i < T_COUNT; i++)
        c->deadline[i] = 0;
    timer_unlink(c);
}

/* Fires every due timer (lock held); returns how many. */
static int run_timers(rc_adapter *a)
{
    int fired = 0;
    for (;;) {
        uint64_t now = rc_now_ms();
        rc_connector *due = NULL;
        int which = -1;
        for (rc_connector *c = a->timers; c != NULL && due == NULL; c = c->timer_next) {
            for (int i = 0; i < T_COUNT; i++) {
                if (c->deadline[i] != 0 && c->deadline[i] <= now) {
                    due = c;
                    which = i;
                    break;
                }
            }
        }
        if (due == NULL)
            return fired;
        rc_timer_cancel(due, which);
        rc_timer_fired(due, which);
        fired++;
    }
}

static int next_timeout_ms(rc_adapter *a)
{
    uint64_t now = rc_now_ms(), best = now + RC_POLL_MAX_MS;
    for (rc_connector *c = a->timers; c != NULL; c = c->timer_next)
        for (int i = 0; i < T_COUNT; i++)
            if (c->deadline[i] != 0 && c->deadline[i] < best)
                best = c->deadline[i];
    return best <= now ? 0 : (int)(best - now);
}

/* ------------------------------------------------------------------------------ event loop */

void rc_log(struct ndk_testbed *tb, const char *fmt, ...)
{
    if (tb == NULL || tb->event_log == NULL)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(tb->event_log, "%lld.%03ld %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000L, line);
    fflush(tb->event_log);
}

/*
 * Reads every event waiting on the channel: copy, acknowledge, then handle it under the lock.
 * Returns -1 when the channel failed with something else than EAGAIN (a device gone, say).
 */
static int read_events(rc_adapter *a)
{
    int n = 0;
    for (; n < 64; n++) {
        struct rdma_cm_event *ev = NULL;
        errno = 0;
        if (rdma_get_cm_event(a->channel, &ev) != 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? n : -1;
        struct rdma_cm_event copy = *ev;
        uint8_t data[256];
        uint8_t len = ev->param.conn.private_data_len;
        if (ev->param.conn.private_data != NULL && len > 0)
            memcpy(data, ev->param.conn.private_data, len);
        else
            len = 0;
        copy.param.conn.private_data = len > 0 ? data : NULL;
        copy.param.conn.private_data_len = len;
        rdma_ack_cm_event(ev);
        pthread_mutex_lock(&rc_lock);
        rc_log(a->hdr.tb, "%s event %s status %d id %p", a->host == NDK_HOST_LOCAL ? "LOCAL" : "PEER",
               sm_event_name((int)copy.event), copy.status, (void *)copy.id);
        rc_cm_event(a, &copy);
        pthread_mutex_unlock(&rc_lock);
    }
    return n;
}

static int run_tasks(rc_adapter *a)
{
    int n = 0;
    while (a->task_head != NULL) {
        ndk_object *o = a->task_head;
        a->task_head = o->task_next;
        if (a->task_head == NULL)
            a->task_tail = NULL;
        o->task_next = NULL;
        o->task_queued = 0;
        rc_run_task(o);
        n++;
    }
    return n;
}

/* Destroys queued ids outside the lock (rdma_destroy_id may wait for the kernel), then 'after'. */
static int run_destroys(rc_adapter *a)
{
    int n = 0;
    for (;;) {
        pthread_mutex_lock(&rc_lock);
        rc_destroy *d = a->destroy_head;
        if (d == NULL) {
            pthread_mutex_unlock(&rc_lock);
            return n;
        }
        a->destroy_head = d->next;
        if (a->destroy_head == NULL)
            a->destroy_tail = NULL;
        struct rdma_cm_id *id = d->id;
        ndk_object *o = d->object;
        int after = d->after;
        d->next = NULL;
        d->id = NULL;
        d->queued = 0;
        pthread_mutex_unlock(&rc_lock);
        if (id != NULL)
            rdma_destroy_id(id);
        pthread_mutex_lock(&rc_lock);
        if (id != NULL)
            a->hdr.tb->counts[COUNT_CM_ID]--;
        rc_after_destroy(o, after);
        pthread_mutex_unlock(&rc_lock);
        n++;
    }
}

/* Makes the queued callbacks, in order, without the lock. */
static int run_callbacks(rc_adapter *a)
{
    int n = 0;
    for (;;) {
        pthread_mutex_lock(&rc_lock);
        rc_cb *cb = a->cb_head;
        if (cb == NULL) {
            pthread_mutex_unlock(&rc_lock);
            return n;
        }
        a->cb_head = cb->next;
        if (a->cb_head == NULL)
            a->cb_tail = NULL;
        cb->next = NULL;
        cb->queued = 0;
        rc_cb call = *cb;
        if (call.kind == CB_CONNECT_EVENT && !rc_deliver_connect_event((rc_connector *)call.object)) {
            pthread_mutex_unlock(&rc_lock);
            continue;
        }
        pthread_mutex_unlock(&rc_lock);
        switch (call.kind) {
        case CB_REQUEST:
            call.request_fn(call.context, call.status);
            break;
        case CB_CLOSE:
            call.close_fn(call.context);
            pthread_mutex_lock(&rc_lock);
            rc_after_close(call.object);    /* after the close completion returned: LT-ANTECEDENT-AFTER-CALLBACKS */
            pthread_mutex_unlock(&rc_lock);
            break;
        case CB_CONNECT_EVENT:
            call.connect_fn(call.context, call.object);
            break;
        case CB_DISCONNECT_EVENT:
            call.disconnect_fn(call.context);
            break;
        default:
            break;
        }
        n++;
    }
}

static void *event_main(void *arg)
{
    rc_adapter *a = arg;
    for (;;) {
        if (a->channel != NULL && read_events(a) < 0)
            poll(NULL, 0, 20);     /* the channel keeps failing: do not spin on a readable fd */
        pthread_mutex_lock(&rc_lock);
        run_timers(a);
        run_tasks(a);
        pthread_mutex_unlock(&rc_lock);
        run_destroys(a);
        run_callbacks(a);
        pthread_mutex_lock(&rc_lock);
        int more = a->cb_head != NULL || a->task_head != NULL || a->destroy_head != NULL;
        int stop = a->stop;
        int timeout = next_timeout_ms(a);
        pthread_mutex_unlock(&rc_lock);
        if (more)
            continue;
        if (stop)
            break;
        struct pollfd pfd[2] = { { .fd = a->wake_fd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
        if (a->channel != NULL)
            pfd[1].fd = a->channel->fd;
        if (poll(pfd, 2, timeout) > 0 && (pfd[0].revents & POLLIN)) {
            uint64_t v;
            if (read(a->wake_fd, &v, sizeof v) < 0) {
                /* EAGAIN: someone else drained it */
            }
        }
    }
    return NULL;
}

int rc_adapter_start(rc_adapter *a)
{
    int rc = pthread_create(&a->thread, NULL, event_main, a);
    if (rc == 0)
        a->thread_started = 1;
    return rc;
}

void rc_adapter_stop(rc_adapter *a)
{
    if (a == NULL || !a->thread_started)
        return;
    pthread_mutex_lock(&rc_lock);
    a->stop = 1;
    rc_wake(a);
    pthread_mutex_unlock(&rc_lock);
    pthread_join(a->thread, NULL);
    a->thread_started = 0;
}

/* ------------------------------------------------------------------ fault injection, ids */

int rc_inject(rc_adapter *a, int point)
{
    if (a->exhausted <= 0)
        return 0;
    switch (a->hdr.tb->exhaust_mode) {
    case EXHAUST_INJECTED:
        return point == INJ_ROUTE ? 0 : ENOMEM;
    case EXHAUST_INJECTED_ASYNC:
        return point == INJ_CONNECT ? 0 : ENOMEM;
    default:
        return 0;
    }
}

int rc_create_id(rc_adapter *a, struct rdma_cm_id **id, void *context, int point)
{
    int err = rc_inject(a, point);
    if (err != 0)
        return err;
    if (rdma_create_id(a->channel, id, context, RDMA_PS_TCP) != 0)
        return errno != 0 ? errno : ENOMEM;
    a->hdr.tb->counts[COUNT_CM_ID]++;
    return 0;
}

void rc_destroy_id_now(struct ndk_testbed *tb, struct rdma_cm_id *id)
{
    if (id == NULL)
        return;
    rdma_destroy_id(id);
    tb->counts[COUNT_CM_ID]--;
}

/* ---------------------------------------------------------------------- type dispatch */

void rc_finalize(ndk_object *o)
{
    switch (o->type) {
    case NDK_OBJECT_PD: case NDK_OBJECT_CQ: case NDK_OBJECT_QP:
        rc_finalize_verbs(o);
        break;
    case NDK_OBJECT_SHARED_ENDPOINT: case NDK_OBJECT_LISTENER:
        rc_finalize_endpoint(o);
        break;
    default:
        break;
    }
}

void rc_after_close(ndk_object *o)
{
    switch (o->type) {
    case NDK_OBJECT_PD: case NDK_OBJECT_CQ: case NDK_OBJECT_QP:
        rc_after_close_verbs(o);
        break;
    case NDK_OBJECT_SHARED_ENDPOINT: case NDK_OBJECT_LISTENER:
        rc_after_close_endpoint(o);
        break;
    case NDK_OBJECT_CONNECTOR:
        rc_after_close_connector((rc_connector *)o);
        break;
    default:
        break;
    }
}

void rc_run_task(ndk_object *o)
{
    if (o->type == NDK_OBJECT_CONNECTOR)
        rc_connector_task((rc_connector *)o);
    else if (o->type == NDK_OBJECT_LISTENER)
        rc_listener_task((rc_listener *)o);
}

void rc_after_destroy(ndk_object *o, int after)
{
    switch (after) {
    case AFTER_CONNECTOR_CLOSE: case AFTER_DISCARD_REQUEST:
        rc_connector_destroyed((rc_connector *)o, after);
        break;
    case AFTER_LISTENER_CLOSE:
        rc_listener_destroyed((rc_listener *)o);
        break;
    default:
        break;
    }
}

void rc_timer_fired(rc_connector *c, int which)
{
    rc_connector_timer(c, which);
}

void rc_cm_event(rc_adapter *a, struct rdma_cm_event *ev)
{
    if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST) {
        rc_listener *l = ev->listen_id != NULL ? ev->listen_id->context : NULL;
        rc_connect_request(a, l, ev);
        return;
    }
    ndk_object *o = ev->id != NULL ? ev->id->context : NULL;
    if (o == NULL || !rc_registered(o) || o->magic != RC_OBJ_MAGIC)
        return;
    if (o->type == NDK_OBJECT_CONNECTOR)
        rc_connector_event((rc_connector *)o, ev);
}
