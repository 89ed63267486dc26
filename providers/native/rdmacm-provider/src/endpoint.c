/*
 * endpoint.c - local addresses: shared endpoints and listeners, the ND port table's users, and
 * incoming connection requests.
 *
 * A shared endpoint is an entry in the testbed's port table plus an "anchor" rdma_cm id bound to
 * the address with REUSEADDR: it holds the port against other processes, and every connector that
 * connects through the endpoint binds an id of its own to the same address with REUSEADDR (the
 * kernel never enforces four-tuples; the provider's tuple table does). The anchor is never
 * resolved and never gets events.
 */
#include "rc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buffers.h"
#include "status_map.h"

ndk_status rc_parse_local(const rc_adapter *a, const uint8_t *sockaddr, uint32_t length, nd_addr *out)
{
    if (nd_parse_sockaddr(sockaddr, length, out) != ND_PARSE_OK)
        return NDK_STATUS_INVALID_PARAMETER;
    if (nd_ip_unusable(out) || !rc_adapter_owns_ip(a, out))
        return NDK_STATUS_INVALID_ADDRESS;    /* SE-INVALID-ADDRESS: not an address of this adapter */
    return NDK_STATUS_SUCCESS;
}

int rc_bind_id(struct rdma_cm_id *id, const nd_addr *addr, int reuse)
{
    if (reuse) {
        int one = 1;
        if (rdma_set_option(id, RDMA_OPTION_ID, RDMA_OPTION_ID_REUSEADDR, &one, sizeof one) != 0)
            return errno != 0 ? errno : EINVAL;
    }
    struct sockaddr_storage ss;
    nd_to_linux(addr, &ss);
    if (rdma_bind_addr(id, (struct sockaddr *)&ss) != 0)
        return errno != 0 ? errno : EINVAL;
    return 0;
}

struct bind_try {
    struct rdma_cm_id *id;
    nd_addr addr;
    int reuse;
};

static int try_bind(void *arg, uint16_t port)
{
    struct bind_try *t = arg;
    t->addr.port = port;
    return rc_bind_id(t->id, &t->addr, t->reuse);
}

ndk_status rc_take_address(struct ndk_testbed *tb, nd_addr *addr, void *owner, struct rdma_cm_id *id, int reuse)
{
    if (addr->port == 0) {
        struct bind_try t = { id, *addr, reuse };
        int rc = pt_choose(&tb->ports, addr, owner, id != NULL ? try_bind : NULL, &t);
        if (rc == ENOSPC)
            return NDK_STATUS_TOO_MANY_ADDRESSES;
        return rc == 0 ? NDK_STATUS_SUCCESS : sm_bind_errno(rc);
    }
    int rc = pt_reserve(&tb->ports, addr, owner);
    if (rc == EADDRINUSE)
        return NDK_STATUS_SHARING_VIOLATION;
    if (rc != 0)
        return NDK_STATUS_INSUFFICIENT_RESOURCES;
    if (id != NULL && (rc = rc_bind_id(id, addr, reuse)) != 0) {
        pt_release(&tb->ports, addr, owner);
        return sm_bind_errno(rc);
    }
    return NDK_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- shared endpoints */

ndk_status rc_create_shared_endpoint(ndk_object *adapter, const uint8_t *sockaddr, uint32_t length,
                                     ndk_create_completion completion, void *context, ndk_object **se)
{
    (void)completion;
    (void)context;
    if (se != NULL)
        *se = NULL;
    if (se == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st = NDK_STATUS_SUCCESS;
    rc_adapter *a = rc_object(adapter, NDK_OBJECT_ADAPTER);
    nd_addr addr;
    rc_se *s = NULL;
    int err;
    if (a == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (a->hdr.tb->closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if ((st = rc_parse_local(a, sockaddr, length, &addr)) != NDK_STATUS_SUCCESS)
        ;
    else if (rc_inject(a, INJ_CREATE) != 0 || (s = calloc(1, sizeof *s)) == NULL)
        st = NDK_STATUS_INSUFFICIENT_RESOURCES;
    else if ((err = rc_create_id(a, &s->anchor, s, INJ_CREATE)) != 0)
        st = sm_connect_errno(err);
    else if ((st = rc_take_address(a->hdr.tb, &addr, s, s->anchor, 1)) != NDK_STATUS_SUCCESS)
        ;
    else {
        rc_obj_init(&s->hdr, NDK_OBJECT_SHARED_ENDPOINT, a->hdr.tb, a);
        s->addr = addr;
        s->port_held = 1;
        if (rc_obj_add(&s->hdr, COUNT_SHARED_ENDPOINT) != 0) {
            pt_release(&a->hdr.tb->ports, &addr, s);
            st = NDK_STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if (st == NDK_STATUS_SUCCESS) {
        char text[64];
        nd_addr_str(&s->addr, text, sizeof text);
        rc_log(a->hdr.tb, "shared endpoint %p on %s", (void *)s, text);
        *se = &s->hdr;
    } else if (s != NULL) {
        rc_destroy_id_now(a->hdr.tb, s->anchor);
        free(s);
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

static void se_release(rc_se *s)
{
    if (s->port_held)
        pt_release(&s->hdr.tb->ports, &s->addr, s);
    s->port_held = 0;
    rc_destroy_id_now(s->hdr.tb, s->anchor);   /* a bound id that never had an event: nothing to wait for */
    s->anchor = NULL;
}

/* ------------------------------------------------------------------------------ listeners */

ndk_status rc_create_listener(ndk_object *adapter, ndk_connect_event fn, void *fn_context,
                              ndk_create_completion completion, void *context, ndk_object **listener)
{
    (void)completion;
    (void)context;
    ndk_status st;
    if (listener != NULL)
        *listener = NULL;
    if (fn == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    rc_listener *l = rc_new_object(adapter, listener, sizeof *l, NDK_OBJECT_LISTENER, COUNT_LISTENER, &st);
    if (l != NULL) {
        l->connect_fn = fn;
        l->connect_context = fn_context;
        *listener = &l->hdr;
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

ndk_status rc_listen(ndk_object *listener, const uint8_t *sockaddr, uint32_t length,
                     ndk_request_completion completion, void *context)
{
    (void)context;
    if (completion == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&rc_lock);
    ndk_status st = NDK_STATUS_SUCCESS;
    rc_listener *l = rc_object(listener, NDK_OBJECT_LISTENER);
    rc_adapter *a = l != NULL ? l->hdr.adapter : NULL;
    struct ndk_testbed *tb = a != NULL ? a->hdr.tb : NULL;
    nd_addr addr;
    struct rdma_cm_id *id = NULL;
    int err;
    if (l == NULL)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (l->hdr.closing || tb->closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;
    else if (l->listening)
        st = NDK_STATUS_ADDRESS_ALREADY_ASSOCIATED;
    else if ((st = rc_parse_local(a, sockaddr, length, &addr)) != NDK_STATUS_SUCCESS)
        ;
    else if ((err = rc_create_id(a, &id, l, INJ_CONNECT)) != 0)
        st = sm_connect_errno(err);
    else if ((st = rc_take_address(tb, &addr, l, id, 0)) != NDK_STATUS_SUCCESS)
        ;
    else if (rdma_listen(id, 1024) != 0) {
        st = sm_bind_errno(errno);
        pt_release(&tb->ports, &addr, l);
    }
    if (st == NDK_STATUS_SUCCESS) {
        l->id = id;
        l->addr = addr;
        l->listening = 1;
        l->port_held = 1;
        char text[64];
        nd_addr_str(&addr, text, sizeof text);
        rc_log(tb, "listener %p listens on %s", (void *)l, text);
    } else if (id != NULL) {
        rc_destroy_id_now(tb, id);
    }
    pthread_mutex_unlock(&rc_lock);
    return st;   /* never PENDING: the completion is not called */
}

void rc_control_connect_events(ndk_object *listener, int pause)
{
    pthread_mutex_lock(&rc_lock);
    rc_listener *l = rc_object(listener, NDK_OBJECT_LISTENER);
    if (l != NULL)
        l->paused = pause != 0;
    pthread_mutex_unlock(&rc_lock);
}

/* The close of a shared endpoint or a listener (lock held). */
ndk_status rc_close_endpoint(ndk_object *o)
{
    o->closing = 1;
    if (o->type == NDK_OBJECT_SHARED_ENDPOINT) {
        rc_se *s = (rc_se *)o;
        if (o->dependants > 0)
            return NDK_STATUS_PENDING;      /* LT-SE-CLOSE-PENDS; the address stays held (LT-SE-ADDRESS-HELD) */
        o->finalized = 1;
        se_release(s);
        rc_obj_free(o, COUNT_SHARED_ENDPOINT);
        return NDK_STATUS_SUCCESS;
    }
    rc_listener *l = (rc_listener *)o;
    if (l->id == NULL && o->dependants == 0) {   /* never listened: no callback can be queued */
        o->finalized = 1;
        rc_obj_free(o, COUNT_LISTENER);
        return NDK_STATUS_SUCCESS;
    }
    if (l->id != NULL)
        rc_post_task(o);     /* the listening id goes at once: new requests are refused from now on */
    return NDK_STATUS_PENDING;
}

void rc_listener_task(rc_listener *l)
{
    if (l->id != NULL) {
        struct rdma_cm_id *id = l->id;
        l->id = NULL;
        rc_post_destroy(l->hdr.adapter, &l->destroy, id, &l->hdr, AFTER_LISTENER_CLOSE);
    }
}

void rc_listener_destroyed(rc_listener *l)
{
    l->listening = 0;
    if (l->hdr.closing && l->hdr.dependants == 0 && !l->hdr.finalized)
        rc_finalize_endpoint(&l->hdr);
}

void rc_finalize_endpoint(ndk_object *o)
{
    if (o->type == NDK_OBJECT_SHARED_ENDPOINT) {
        se_release((rc_se *)o);
    } else {
        rc_listener *l = (rc_listener *)o;
        if (l->id != NULL || l->destroy.queued || o->task_queued)
            return;          /* rc_listener_destroyed finalizes once the listening id is gone */
        if (l->port_held)
            pt_release(&o->tb->ports, &l->addr, l);
        l->port_held = 0;
    }
    rc_queue_close(o);
}

void rc_after_close_endpoint(ndk_object *o)
{
    rc_obj_free(o, o->type == NDK_OBJECT_SHARED_ENDPOINT ? COUNT_SHARED_ENDPOINT : COUNT_LISTENER);
}

/* ------------------------------------------------------------------- incoming requests */

void rc_connect_request(rc_adapter *a, rc_listener *l, struct rdma_cm_event *ev)
{
    struct ndk_testbed *tb = a->hdr.tb;
    struct rdma_cm_id *nid = ev->id;
    const char *refusal = NULL;
    if (l == NULL || !rc_registered(l) || l->hdr.type != NDK_OBJECT_LISTENER || l->id != ev->listen_id)
        refusal = "listener gone";
    else if (l->hdr.closing || tb->closing)
        refusal = "listener closing";            /* CSE-REFUSED-LISTENER-CLOSING */
    else if (l->paused)
        refusal = "connect events paused";       /* CSE-REFUSED-PAUSED: as if no listener existed */
    else if (l->unanswered >= tb->backlog)
        refusal = "backlog full";                /* CSE-REFUSED-BACKLOG */
    rc_connector *c = refusal == NULL ? rc_connector_new_passive(a, l, nid) : NULL;
    if (refusal == NULL && c == NULL)
        refusal = "out of memory";
    if (refusal != NULL) {
        rc_log(tb, "request on listener %p refused: %s", (void *)l, refusal);
        rdma_reject(nid, NULL, 0);               /* the active side sees REJECTED: CONNECTION_REFUSED */
        rdma_destroy_id(nid);                    /* no event was ever reported for it: nothing to wait for */
        return;
    }
    const struct rdma_conn_param *p = &ev->param.conn;
    c->peer_outbound = p->responder_resources;   /* the REQ's initiator depth, mirrored by the kernel */
    c->peer_inbound = p->initiator_depth;
    rl_passive_view(c->peer_inbound, c->peer_outbound, a->info.max_inbound_read_limit,
                    a->info.max_outbound_read_limit, &c->eff_inbound, &c->eff_outbound);
    c->data_length = p->private_data != NULL ? p->private_data_len : 0;
    if (c->data_length > 0)
        memcpy(c->data, p->private_data, c->data_length);
    c->have_data = 1;
    nd_from_linux(rdma_get_local_addr(nid), &c->local);
    nd_from_linux(rdma_get_peer_addr(nid), &c->remote);
    c->have_addresses = 1;
    c->connect_event_cb.kind = CB_CONNECT_EVENT;
    c->connect_event_cb.connect_fn = l->connect_fn;
    c->connect_event_cb.context = l->connect_context;
    c->connect_event_cb.object = &c->hdr;
    char local[64], remote[64];
    nd_addr_str(&c->local, local, sizeof local);
    nd_addr_str(&c->remote, remote, sizeof remote);
    rc_log(tb, "request on listener %p: connector %p %s <- %s, limits in %u out %u, %u bytes", (void *)l, (void *)c,
           local, remote, c->peer_inbound, c->peer_outbound, c->data_length);
    rc_enqueue_cb(a, &c->connect_event_cb);
}

int rc_deliver_connect_event(rc_connector *c)
{
    rc_listener *l = c->listener;
    if (!l->hdr.closing && !c->hdr.tb->closing)
        return 1;
    rc_discard_request(c);    /* LT-LISTENER-CLOSE-STOPS-EVENTS: the close came after the request */
    return 0;
}
