/*
 * rc.h - the provider's objects and its internal interfaces.
 *
 * Threads and locking (README, "Design"):
 *   - One process-wide mutex, rc_lock, guards every object, table and queue of every testbed. The
 *     provider never calls back into the consumer while holding it, and never waits for an event
 *     thread while holding it.
 *   - Each adapter has one event thread. It reads the adapter's rdma_cm event channel (a
 *     non-blocking fd, poll() with a bounded timeout together with an eventfd for wake-ups), runs
 *     the adapter's timers and posted tasks, destroys rdma_cm ids (outside the lock), and makes
 *     every callback of every object of the adapter, in order, from its callback queue. So an
 *     object's close completion always comes after its other callbacks, and no callback is ever
 *     made inside the call that caused it.
 *   - Events are copied and acknowledged as soon as they are read, so rdma_destroy_id never waits
 *     for an acknowledgement.
 */
#ifndef RC_RC_H
#define RC_RC_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "ndk_provider.h"
#include "negotiate.h"
#include "settings.h"
#include "sockaddr.h"
#include "tables.h"

#define RC_PROVIDER_NAME "rdmacm-c"
#define RC_PROVIDER_VERSION "0.1.0"
#define RC_PROVIDER_VENDOR "ndkkit"
#define RC_MAX_ADDRESSES 16

#define RC_OBJ_MAGIC 0x4e444b4fu   /* "NDKO" */

typedef struct rc_adapter rc_adapter;
typedef struct rc_pd rc_pd;
typedef struct rc_cq rc_cq;
typedef struct rc_qp rc_qp;
typedef struct rc_se rc_se;
typedef struct rc_listener rc_listener;
typedef struct rc_connector rc_connector;

/* ------------------------------------------------------------------------------- callbacks */

enum rc_cb_kind { CB_REQUEST = 1, CB_CLOSE, CB_CONNECT_EVENT, CB_DISCONNECT_EVENT };

/* One callback waiting in an adapter's queue. Embedded in the object it is for: no allocation. */
typedef struct rc_cb {
    struct rc_cb *next;
    int kind;
    int queued;
    ndk_request_completion request_fn;
    ndk_close_completion close_fn;
    ndk_connect_event connect_fn;
    ndk_disconnect_event disconnect_fn;
    void *context;
    ndk_status status;
    ndk_object *object;           /* CB_CLOSE: the closed object; CB_CONNECT_EVENT: the new connector */
} rc_cb;

/* A request that returned PENDING and has not completed yet. */
typedef struct rc_req {
    int pending;
    ndk_request_completion fn;
    void *context;
    rc_cb cb;
} rc_req;

/* An rdma_cm id to destroy on the event thread, outside the lock, then 'after' under it. */
enum rc_after { AFTER_NOTHING = 0, AFTER_CONNECTOR_CLOSE, AFTER_LISTENER_CLOSE, AFTER_DISCARD_REQUEST };
typedef struct rc_destroy {
    struct rc_destroy *next;
    struct rdma_cm_id *id;
    ndk_object *object;
    int after;
    int queued;
} rc_destroy;

/* ---------------------------------------------------------------------------------- objects */

/* Every NDK object starts with this header (the opaque ndk_object of the ABI). */
struct ndk_object {
    uint32_t magic;
    ndk_object_type type;
    struct ndk_testbed *tb;
    rc_adapter *adapter;          /* the adapter it belongs to (itself for an adapter) */
    ndk_object *live_prev, *live_next;
    int closing;                  /* its close was issued */
    int finalized;                /* its resources are gone; the close completion is queued or made */
    int dependants;               /* open successors: the close pends until 0 (lifetime rules) */
    ndk_close_completion close_fn;
    void *close_context;
    rc_cb close_cb;
    ndk_object *task_next;        /* in the adapter's task list (a close to run on the event thread) */
    int task_queued;
};

struct rc_pd {
    ndk_object hdr;
    struct ibv_pd *pd;
};

struct rc_cq {
    ndk_object hdr;
    struct ibv_cq *cq;
};

struct rc_qp {
    ndk_object hdr;
    struct ibv_qp *qp;
    rc_pd *pd;
    rc_cq *receive_cq, *initiator_cq;
    rc_connector *connector;      /* the connection it is associated with (a dependant) */
};

struct rc_se {
    ndk_object hdr;
    nd_addr addr;
    struct rdma_cm_id *anchor;    /* bound with REUSEADDR: holds the port in the kernel; never gets events */
    int port_held;
};

struct rc_listener {
    ndk_object hdr;
    ndk_connect_event connect_fn;
    void *connect_context;
    struct rdma_cm_id *id;
    nd_addr addr;
    int listening;
    int paused;
    int port_held;
    uint32_t unanswered;          /* connect events not yet accepted, rejected or closed */
    rc_destroy destroy;
};

enum rc_cstate {
    CS_IDLE = 0,                  /* active, nothing issued */
    CS_RESOLVING_ADDR,
    CS_RESOLVING_ROUTE,
    CS_CONNECTING,                /* the REQ is out */
    CS_CONNECTED,                 /* active: the peer accepted; the connect completed; waiting for complete/reject */
    CS_FAILED,                    /* the attempt ended without a connection; holds nothing */
    CS_REQUEST,                   /* passive: delivered by a connect event, unanswered */
    CS_ACCEPTING,                 /* passive: accept issued, waiting for the RTU */
    CS_ESTABLISHED,
    CS_DISCONNECTING,             /* this side's NdkDisconnect is waiting for the answer */
    CS_DISCONNECTED
};

enum rc_timer { T_CONNECT = 0, T_ACCEPT, T_DISCONNECT, T_CLOSE_WAIT, T_COUNT };

struct rc_connector {
    ndk_object hdr;
    int passive;
    int state;
    struct rdma_cm_id *id;
    rc_qp *qp;                    /* the QP associated with this connector's connection (holds a dependant) */
    int qp_used;                  /* the QP was moved towards RTS for this connection */
    int disconnect_called;        /* NdkDisconnect was accepted once: a second one is an error (ST-DISCONNECT-NOT-CONNECTED) */
    rc_se *se;                    /* the shared endpoint it connected through (holds a dependant) */
    rc_listener *listener;        /* passive: the listener that delivered it (holds a dependant) */
    int backlog_slot;             /* passive: counted in listener->unanswered */
    int tuple_held;
    int port_held;                /* NdkConnect: the connector owns its source address in the port table */
    nd_addr local, remote;
    int have_addresses;
    uint32_t req_inbound, req_outbound;     /* own limits, capped (active: what the REQ carries) */
    uint32_t peer_inbound, peer_outbound;   /* passive: the active side's, as the REQ carried them */
    uint32_t eff_inbound, eff_outbound;
    int have_data;
    uint8_t data[256];
    uint32_t data_length;         /* the required data size: the field rdma_cm delivered */
    uint8_t send_data[RC_MAX_CALLER_DATA];
    uint32_t send_length;
    int inject_async;             /* an injected exhaustion fails this connect at route resolution */
    int peer_abandoned;           /* active, CS_CONNECTED: the peer rejected or disconnected before CompleteConnect;
                                     passive, CS_REQUEST: the active side closed before the answer */
    int disconnect_event_made;
    int close_wait;               /* closing an established connection: waiting for DISCONNECTED */
    ndk_disconnect_event disconnect_fn;
    void *disconnect_context;
    rc_cb disconnect_cb;
    rc_cb connect_event_cb;
    rc_req connect_req, accept_req, disconnect_req;
    uint64_t deadline[T_COUNT];   /* monotonic ms; 0 = not armed */
    rc_connector *timer_prev, *timer_next;
    int in_timers;
    rc_destroy destroy;
};

/* ---------------------------------------------------------------------------------- adapter */

struct rc_adapter {
    ndk_object hdr;
    ndk_host host;
    struct rdma_event_channel *channel;
    struct ibv_context *verbs;
    struct ibv_device_attr device_attr;
    struct ibv_port_attr port_attr;
    uint8_t port_num;
    char device_name[64];
    uint32_t max_inline;
    ndk_adapter_info info;
    const nd_addr *ips;           /* the host's addresses (the testbed's arrays) */
    size_t ip_count;
    nd_addr lifted[8];            /* condition addresses made the host's by lift_condition */
    size_t lifted_count;
    int exhausted;                /* injected exhaustion holds */
    int wake_fd;
    pthread_t thread;
    int thread_started;
    int stop;
    rc_cb *cb_head, *cb_tail;
    ndk_object *task_head, *task_tail;
    rc_destroy *destroy_head, *destroy_tail;
    rc_connector *timers;
};

enum rc_exhaust_mode { EXHAUST_INJECTED = 0, EXHAUST_INJECTED_ASYNC, EXHAUST_UNAVAILABLE };

enum rc_count {
    COUNT_CONNECTOR, COUNT_SHARED_ENDPOINT, COUNT_LISTENER, COUNT_QP, COUNT_CQ, COUNT_PD, COUNT_CM_ID, COUNT_KINDS
};

typedef struct rc_held rc_held_t;

struct ndk_testbed {
    uint64_t connect_timeout_ms;
    uint64_t accept_timeout_ms;
    uint64_t disconnect_timeout_ms;
    uint64_t close_wait_ms;
    uint32_t backlog;
    uint16_t lab_port;            /* the ND port of the lab's condition addresses */
    int exhaust_mode;
    int closing;
    nd_addr local[RC_MAX_ADDRESSES], peer[RC_MAX_ADDRESSES];
    size_t local_count, peer_count;
    nd_addr silent_host, host_unreachable, network_unreachable, foreign;
    int have_silent_host, have_host_unreachable, have_network_unreachable, have_foreign;
    char device[64];
    int lift_side;                /* enum rc_lift_side (liftplan.h): LIFT_OFF, LIFT_ADDRESS, LIFT_TEST_MACHINE */
    char lift_netdev[32];         /* the netdev lift_condition changes */
    char lift_off[256];           /* LIFT_OFF: why */
    char silent_mac[32];          /* silent-mac / NDK_LAB_SILENT_MAC, as given (empty: none) */
    rc_adapter *adapters[2];
    nd_port_table ports;
    nd_tuple_table tuples;
    int64_t counts[COUNT_KINDS];
    ndk_object *live;             /* every object but the adapters */
    struct ndk_held *held;        /* what the testbed holds for the kit */
    FILE *event_log;
};

/* ------------------------------------------------------------------------------ internals */

extern pthread_mutex_t rc_lock;

/* core.c: registry, lifetime, queues, the event loop */
uint64_t rc_now_ms(void);
int rc_registered(const void *object);
int rc_register(ndk_object *o);
void rc_unregister(ndk_object *o);
void *rc_object(ndk_object *handle, ndk_object_type type);   /* validated handle, or NULL (lock held) */
void rc_obj_init(ndk_object *o, ndk_object_type type, struct ndk_testbed *tb, rc_adapter *a);
int rc_obj_add(ndk_object *o, int count_kind);      /* register and count; 0 or ENOMEM */
void rc_obj_free(ndk_object *o, int count_kind);    /* unregister, uncount, free */
/* A create on 'adapter' (lock held): the validated adapter, the injected exhaustion, a zeroed and
   registered object of 'size' bytes; NULL with *status set otherwise. */
void *rc_new_object(ndk_object *adapter, void *out, size_t size, ndk_object_type type, int count_kind,
                    ndk_status *status);
void rc_enqueue_cb(rc_adapter *a, rc_cb *cb);
void rc_request_complete(rc_adapter *a, rc_req *req, ndk_status status);
void rc_post_task(ndk_object *o);
void rc_post_destroy(rc_adapter *a, rc_destroy *d, struct rdma_cm_id *id, ndk_object *o, int after);
void rc_queue_close(ndk_object *o);                 /* the close completion, then rc_after_close */
void rc_dependant_gone(ndk_object *antecedent);     /* may finalize an antecedent whose close pends */
void rc_timer_arm(rc_connector *c, int which, uint64_t ms);
void rc_timer_cancel(rc_connector *c, int which);
void rc_timer_cancel_all(rc_connector *c);
void rc_wake(rc_adapter *a);
int rc_adapter_start(rc_adapter *a);
void rc_adapter_stop(rc_adapter *a);               /* lock NOT held; joins the thread */
void rc_log(struct ndk_testbed *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Per-type hooks the core calls (lock held). */
void rc_finalize(ndk_object *o);                    /* an antecedent's last dependant is gone */
void rc_after_close(ndk_object *o);                 /* after the close completion returned */
void rc_run_task(ndk_object *o);
void rc_after_destroy(ndk_object *o, int after);
void rc_timer_fired(rc_connector *c, int which);
void rc_cm_event(rc_adapter *a, struct rdma_cm_event *ev);
int rc_deliver_connect_event(rc_connector *c);      /* 0: do not deliver (the listener is closing) */

/* Fault injection in the provider's own allocation path (Testbed.exhaustResources). */
enum rc_inject_point {
    INJ_CREATE = 1,               /* an object create: PD, CQ, QP, connector, shared endpoint, listener */
    INJ_CONNECT,                  /* a connect's or a listen's rdma_create_id (injected: inline failure) */
    INJ_ROUTE                     /* a connect's route resolution (injected-async: failure through the completion) */
};
int rc_inject(rc_adapter *a, int point);            /* ENOMEM while an exhaustion is held there, else 0 */
int rc_create_id(rc_adapter *a, struct rdma_cm_id **id, void *context, int point);   /* 0 or errno; counted */
void rc_destroy_id_now(struct ndk_testbed *tb, struct rdma_cm_id *id);   /* a never-used id */

/* adapters and verbs (verbs.c) */
int rc_adapter_open(struct ndk_testbed *tb, ndk_host host, struct ibv_device *dev, rc_adapter **out, char *why, size_t why_size);
void rc_adapter_release(rc_adapter *a);             /* thread stopped, objects gone: device, channel, fd */
void rc_adapter_free(rc_adapter *a);                /* release, then free */
int rc_adapter_owns_ip(const rc_adapter *a, const nd_addr *ip);
ndk_status rc_query_adapter_info(ndk_object *adapter, ndk_adapter_info *info);
ndk_status rc_create_pd(ndk_object *adapter, ndk_create_completion completion, void *context, ndk_object **pd);
ndk_status rc_create_cq(ndk_object *adapter, uint32_t depth, ndk_create_completion completion, void *context, ndk_object **cq);
ndk_status rc_create_qp(ndk_object *pd, ndk_object *receive_cq, ndk_object *initiator_cq, const ndk_qp_parameters *p,
                        ndk_create_completion completion, void *context, ndk_object **qp);
ndk_status rc_close_verbs(ndk_object *o);           /* PD, CQ, QP (lock held) */
void rc_finalize_verbs(ndk_object *o);
void rc_after_close_verbs(ndk_object *o);
int rc_qp_to_rts(rc_qp *qp, struct rdma_cm_id *id, uint32_t inbound, uint32_t outbound);
void rc_qp_to_error(rc_qp *qp);
void rc_qp_reset(rc_qp *qp);                        /* back to INIT, ready for another connection */

/* shared endpoints and listeners (endpoint.c) */
ndk_status rc_create_shared_endpoint(ndk_object *adapter, const uint8_t *sockaddr, uint32_t length,
                                     ndk_create_completion completion, void *context, ndk_object **se);
ndk_status rc_create_listener(ndk_object *adapter, ndk_connect_event fn, void *fn_context,
                              ndk_create_completion completion, void *context, ndk_object **listener);
ndk_status rc_listen(ndk_object *listener, const uint8_t *sockaddr, uint32_t length,
                     ndk_request_completion completion, void *context);
void rc_control_connect_events(ndk_object *listener, int pause);
ndk_status rc_close_endpoint(ndk_object *o);        /* SE, listener (lock held) */
void rc_finalize_endpoint(ndk_object *o);
void rc_after_close_endpoint(ndk_object *o);
void rc_listener_task(rc_listener *l);
void rc_listener_destroyed(rc_listener *l);
void rc_connect_request(rc_adapter *a, rc_listener *l, struct rdma_cm_event *ev);
ndk_status rc_parse_local(const rc_adapter *a, const uint8_t *sockaddr, uint32_t length, nd_addr *out);
int rc_bind_id(struct rdma_cm_id *id, const nd_addr *addr, int reuse);   /* 0 or errno */
/* reserve addr for owner (port 0: choose one, binding 'id' to it if given); SUCCESS or a status */
ndk_status rc_take_address(struct ndk_testbed *tb, nd_addr *addr, void *owner, struct rdma_cm_id *id, int reuse);

/* connectors (connector.c) */
ndk_status rc_create_connector(ndk_object *adapter, ndk_create_completion completion, void *context, ndk_object **c);
ndk_status rc_connect(ndk_object *connector, ndk_object *qp, const uint8_t *source, uint32_t source_length,
                      const uint8_t *destination, uint32_t destination_length, uint32_t inbound, uint32_t outbound,
                      const void *pdata, uint32_t pdata_length, ndk_request_completion completion, void *context);
ndk_status rc_connect_with_shared_endpoint(ndk_object *connector, ndk_object *qp, ndk_object *se,
                                           const uint8_t *destination, uint32_t destination_length, uint32_t inbound,
                                           uint32_t outbound, const void *pdata, uint32_t pdata_length,
                                           ndk_request_completion completion, void *context);
ndk_status rc_complete_connect(ndk_object *connector, ndk_disconnect_event fn, void *fn_context,
                               ndk_request_completion completion, void *context);
ndk_status rc_accept(ndk_object *connector, ndk_object *qp, uint32_t inbound, uint32_t outbound, const void *pdata,
                     uint32_t pdata_length, ndk_disconnect_event fn, void *fn_context,
                     ndk_request_completion completion, void *context);
ndk_status rc_reject(ndk_object *connector, const void *pdata, uint32_t pdata_length);
ndk_status rc_get_connection_data(ndk_object *connector, uint32_t *inbound, uint32_t *outbound, void *pdata,
                                  uint32_t *pdata_length);
ndk_status rc_get_local_address(ndk_object *object, uint8_t *sockaddr, uint32_t *length);
ndk_status rc_get_peer_address(ndk_object *connector, uint8_t *sockaddr, uint32_t *length);
ndk_status rc_disconnect(ndk_object *connector, ndk_request_completion completion, void *context);
ndk_status rc_close_connector(rc_connector *c);     /* lock held */
void rc_connector_task(rc_connector *c);
void rc_connector_destroyed(rc_connector *c, int after);
void rc_connector_event(rc_connector *c, struct rdma_cm_event *ev);
void rc_connector_timer(rc_connector *c, int which);
void rc_after_close_connector(rc_connector *c);
rc_connector *rc_connector_new_passive(rc_adapter *a, rc_listener *l, struct rdma_cm_id *id);
void rc_discard_request(rc_connector *c);           /* a request never handed out: refuse it */

/* route.c: the route lookup rdma_cm does not do for a bound id */
int rc_route_check(const nd_addr *source, const nd_addr *destination);   /* 0 or errno */

/* lift.c: an address added to or removed from a netdev; a step of liftplan.h (mac: the
   permanent neighbour entry's); rxe's GID for an address. 0 or errno; no entry is 0 for a flush. */
int rc_netdev_address(int add, const char *netdev, const nd_addr *ip);
int rc_lift_step(int step, const char *netdev, const nd_addr *ip, const uint8_t *mac);
int rc_wait_for_gid(const char *device, unsigned port, const nd_addr *ip, unsigned timeout_ms);

/* rdmanl.c: the kernel's resource counts over RDMA netlink */
int rc_kernel_counts(const char *device, ndk_count_sink sink, void *sink_context, char *why, size_t why_size);

#endif
