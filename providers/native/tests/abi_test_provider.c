/*
 * abi_test_provider.c - libndk-abi-test-provider.so, the agent's own test provider. Not a provider
 * to copy (that is skeleton-provider/): it does just enough for the agent's tests and the kit's
 * preflight (two adapters, objects that are created and closed, listeners with addresses), and it
 * misbehaves on request, so that the tests can show the agent survives each way a C provider can
 * break the ABI.
 *
 * The table itself misbehaves by environment variable (it is read before any setting exists):
 *   NDK_ABI_TEST_TABLE=null | wrong-major | small | null-function | crash
 * Everything else by the testbed's settings (the kit's -s KEY=VALUE, or the agent's own -s):
 *   completion=inline|pending|in-call   how creates, closes and requests complete (default inline)
 *   misbehave=null-object      creates return STATUS_SUCCESS with a NULL object
 *   misbehave=bad-type         objects say their type is 99
 *   misbehave=wrong-type       create_pd returns an object whose type is CQ
 *   misbehave=double-completion  a pending completion comes twice
 *   misbehave=foreign-context  a pending completion comes with a context it was never given
 *   misbehave=overrun          get_local_address writes 8 bytes past the length it was told
 *   misbehave=open-result      open_testbed returns 7; open-null: NDK_TESTBED_OPENED and no testbed
 *   misbehave=unavailable | not-implemented   open_testbed says so
 *   misbehave=null-adapter     testbed_adapter returns NULL
 *   crash-in=FUNCTION          SIGSEGV (a write through a NULL pointer) in that function
 *   abort-in=FUNCTION          abort() in that function
 *   crash-on-thread=FUNCTION   SIGSEGV on the completion thread of that function's pending completion
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndk_provider.h"

#define EXPORT __attribute__((visibility("default")))
#define MAGIC 0x4E444B54u /* "NDKT" */

typedef struct tp_testbed tp_testbed;

typedef struct tp_object {
    uint32_t magic;
    ndk_object_type type;
    tp_testbed *tb;
    uint8_t addr[28];
    uint32_t addr_len;
} tp_object;

struct tp_testbed {
    char misbehave[64], crash_in[64], abort_in[64], crash_on_thread[64], completion[16];
    tp_object adapters[2];
    atomic_int live;       /* objects created and not yet closed */
    atomic_int next_port;
    pthread_mutex_t mu;    /* guards 'threads' */
    pthread_cond_t idle;
    int threads;           /* completion threads still running */
};

/* ------------------------------------------------------------------------------- misbehaviour */

static int is(const char *setting, const char *value) { return strcmp(setting, value) == 0; }

static void maybe_crash(const tp_testbed *tb, const char *fn) {
    if (tb == NULL) {
        return;
    }
    if (is(tb->crash_in, fn)) {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1; /* a real fault, not a raise() */
    }
    if (is(tb->abort_in, fn)) {
        abort();
    }
}

static tp_object *ours(ndk_object *o) {
    tp_object *t = (tp_object *)o;
    return t != NULL && t->magic == MAGIC ? t : NULL;
}

/* -------------------------------------------------------------------- completions on a thread */

typedef enum { JOB_REQUEST, JOB_CREATE, JOB_CLOSE } job_kind;

typedef struct job {
    job_kind kind;
    tp_testbed *tb;
    const char *fn;
    ndk_status status;
    tp_object *object;  /* the created object, or the one to free after its close completion */
    ndk_request_completion request;
    ndk_create_completion create;
    ndk_close_completion close;
    void *context;
} job;

static void complete(const job *j, void *context) {
    switch (j->kind) {
    case JOB_REQUEST: j->request(context, j->status); break;
    case JOB_CREATE: j->create(context, j->status, (ndk_object *)j->object); break;
    case JOB_CLOSE: j->close(context); break;
    }
}

static void run_job(job *j) {
    tp_testbed *tb = j->tb;
    if (is(tb->crash_on_thread, j->fn)) {
        usleep(300000); /* well after the call's reply went out */
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
    }
    complete(j, is(tb->misbehave, "foreign-context") ? (void *)(uintptr_t)0x5EED : j->context);
    if (is(tb->misbehave, "double-completion")) {
        complete(j, j->context);
    }
    if (j->kind == JOB_CLOSE) {
        j->object->magic = 0;
        free(j->object);
    }
}

static void *job_thread(void *arg) {
    job *j = arg;
    tp_testbed *tb = j->tb;
    usleep(2000); /* after the call returned, as a real device's completion would be */
    run_job(j);
    free(j);
    pthread_mutex_lock(&tb->mu);
    if (--tb->threads == 0) {
        pthread_cond_broadcast(&tb->idle);
    }
    pthread_mutex_unlock(&tb->mu);
    return NULL;
}

/* Completes 'j' as the testbed's completion setting says: returns the inline status to give. */
static ndk_status finish(tp_testbed *tb, job proto) {
    int callback = (proto.kind == JOB_REQUEST && proto.request != NULL) ||
                   (proto.kind == JOB_CREATE && proto.create != NULL) ||
                   (proto.kind == JOB_CLOSE && proto.close != NULL);
    if (is(tb->completion, "inline") || !callback) {
        if (proto.kind == JOB_CLOSE) {
            proto.object->magic = 0;
            free(proto.object);
        }
        return proto.status;
    }
    job *j = malloc(sizeof *j);
    *j = proto;
    if (is(tb->completion, "in-call")) {
        run_job(j); /* inside the call, which then returns STATUS_PENDING */
        free(j);
        return NDK_STATUS_PENDING;
    }
    pthread_mutex_lock(&tb->mu);
    tb->threads++;
    pthread_mutex_unlock(&tb->mu);
    pthread_t t;
    pthread_create(&t, NULL, job_thread, j);
    pthread_detach(t);
    return NDK_STATUS_PENDING;
}

/* ----------------------------------------------------------------------------------- testbed */

static void setting(const ndk_testbed_options *o, const char *key, char *out, size_t size, const char *dflt) {
    snprintf(out, size, "%s", dflt);
    for (size_t i = 0; i < o->setting_count; i++) {
        if (strcmp(o->setting_keys[i], key) == 0) {
            snprintf(out, size, "%s", o->setting_values[i]);
        }
    }
}

static int tp_open_testbed(const ndk_testbed_options *options, ndk_testbed **testbed, char *why, size_t why_size) {
    tp_testbed *tb = calloc(1, sizeof *tb);
    setting(options, "misbehave", tb->misbehave, sizeof tb->misbehave, "");
    setting(options, "crash-in", tb->crash_in, sizeof tb->crash_in, "");
    setting(options, "abort-in", tb->abort_in, sizeof tb->abort_in, "");
    setting(options, "crash-on-thread", tb->crash_on_thread, sizeof tb->crash_on_thread, "");
    setting(options, "completion", tb->completion, sizeof tb->completion, "inline");
    maybe_crash(tb, "open_testbed");
    int result = NDK_TESTBED_OPENED;
    if (is(tb->misbehave, "unavailable")) {
        snprintf(why, why_size, "the abi-test provider was told to be unavailable");
        result = NDK_TESTBED_UNAVAILABLE;
    } else if (is(tb->misbehave, "not-implemented")) {
        snprintf(why, why_size, "the abi-test provider was told to be a skeleton");
        result = NDK_TESTBED_NOT_IMPLEMENTED;
    } else if (is(tb->misbehave, "open-result")) {
        snprintf(why, why_size, "a result of 7");
        result = 7;
    } else if (is(tb->misbehave, "open-null")) {
        free(tb);
        *testbed = NULL;
        return NDK_TESTBED_OPENED;
    }
    if (result != NDK_TESTBED_OPENED) {
        free(tb);
        return result;
    }
    pthread_mutex_init(&tb->mu, NULL);
    pthread_cond_init(&tb->idle, NULL);
    atomic_init(&tb->next_port, 40000);
    for (int i = 0; i < 2; i++) {
        tb->adapters[i].magic = MAGIC;
        tb->adapters[i].type = NDK_OBJECT_ADAPTER;
        tb->adapters[i].tb = tb;
    }
    *testbed = (ndk_testbed *)tb;
    return NDK_TESTBED_OPENED;
}

static void tp_close_testbed(ndk_testbed *testbed) {
    tp_testbed *tb = (tp_testbed *)testbed;
    maybe_crash(tb, "close_testbed");
    pthread_mutex_lock(&tb->mu);
    while (tb->threads > 0) {
        pthread_cond_wait(&tb->idle, &tb->mu);
    }
    pthread_mutex_unlock(&tb->mu);
    free(tb);
}

static ndk_object *tp_testbed_adapter(ndk_testbed *testbed, ndk_host host) {
    tp_testbed *tb = (tp_testbed *)testbed;
    if (is(tb->misbehave, "null-adapter")) {
        return NULL;
    }
    return (ndk_object *)&tb->adapters[host == NDK_HOST_LOCAL ? 0 : 1];
}

static size_t tp_testbed_addresses(ndk_testbed *testbed, ndk_host host, uint8_t (*ips)[16], uint8_t *lens,
                                   size_t capacity) {
    /* TEST-NET-1: 192.0.2.1 and .11 for LOCAL, .2 for PEER */
    const uint8_t local[2][4] = {{192, 0, 2, 1}, {192, 0, 2, 11}};
    const uint8_t peer[1][4] = {{192, 0, 2, 2}};
    size_t n = host == NDK_HOST_LOCAL ? 2 : 1;
    for (size_t i = 0; i < n && i < capacity; i++) {
        memcpy(ips[i], host == NDK_HOST_LOCAL ? local[i] : peer[i], 4);
        lens[i] = 4;
    }
    return n;
}

static void unavailable(ndk_unavailable *why, const char *code, const char *detail) {
    snprintf(why->code, sizeof why->code, "%s", code);
    snprintf(why->detail, sizeof why->detail, "%s", detail);
}

static int tp_testbed_lab_address(ndk_testbed *testbed, ndk_lab_condition condition, uint8_t *sockaddr,
                                  uint32_t *length, ndk_unavailable *why) {
    maybe_crash((tp_testbed *)testbed, "testbed_lab_address");
    if (condition == NDK_LAB_NO_LISTENER && *length >= 16) {
        const uint8_t a[16] = {2, 0, 0x9C, 0x3F, 192, 0, 2, 2};
        memcpy(sockaddr, a, sizeof a);
        *length = 16;
        return 1;
    }
    unavailable(why, "no-test-lab", "the abi-test provider has no lab");
    return 0;
}

static int held_exhaustion(ndk_held **held, ndk_exhaustion_method *method, char *description, size_t size) {
    *held = malloc(16);
    *method = NDK_EXHAUSTION_INJECTED;
    snprintf(description, size, "the abi-test provider pretends (nothing is exhausted)");
    return 1;
}

static int tp_exhaust_resources(ndk_testbed *testbed, ndk_host host, ndk_held **held, ndk_exhaustion_method *method,
                                char *description, size_t description_size, ndk_unavailable *why) {
    maybe_crash((tp_testbed *)testbed, "exhaust_resources");
    return held_exhaustion(held, method, description, description_size);
}

static int tp_exhaust_ephemeral_ports(ndk_testbed *testbed, const uint8_t *ip, uint8_t ip_length, ndk_held **held,
                                      ndk_exhaustion_method *method, char *description, size_t description_size,
                                      ndk_unavailable *why) {
    maybe_crash((tp_testbed *)testbed, "exhaust_ephemeral_ports");
    if (ip_length != 4 || ip[0] != 192) {
        unavailable(why, "not-a-local-address", "the abi-test provider has only 192.0.2.x");
        return 0;
    }
    return held_exhaustion(held, method, description, description_size);
}

static void tp_release_held(ndk_testbed *testbed, ndk_held *held) {
    maybe_crash((tp_testbed *)testbed, "release_held");
    free(held);
}

static int tp_listener_backlog(ndk_testbed *testbed, uint32_t *backlog, ndk_unavailable *why) {
    *backlog = 8;
    return 1;
}

static int tp_resource_counts(ndk_testbed *testbed, ndk_count_sink sink, void *sink_context, ndk_unavailable *why) {
    sink(sink_context, "objects", atomic_load(&((tp_testbed *)testbed)->live));
    return 1;
}

static uint64_t tp_connect_timeout_ms(ndk_testbed *testbed) {
    return 1500;
}

static uint64_t tp_four_tuple_release_delay_ms(ndk_testbed *testbed) {
    return 250;
}

static void tp_identity(ndk_testbed *testbed, ndk_fact_sink sink, void *sink_context) {
    tp_testbed *tb = (tp_testbed *)testbed;
    sink(sink_context, "test.provider", "abi-test");
    sink(sink_context, "test.completion", tb->completion);
    sink(sink_context, NULL, "a fact without a key (the agent leaves it out)");
}

/* ----------------------------------------------------------------------------------- objects */

static ndk_object_type tp_object_type(ndk_object *object) {
    tp_object *o = ours(object);
    if (o != NULL && o->type != NDK_OBJECT_ADAPTER && is(o->tb->misbehave, "bad-type")) {
        return (ndk_object_type)99;
    }
    return o != NULL ? o->type : (ndk_object_type)0;
}

static ndk_status tp_query_adapter_info(ndk_object *adapter, ndk_adapter_info *info) {
    tp_object *a = ours(adapter);
    if (a == NULL || a->type != NDK_OBJECT_ADAPTER) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    maybe_crash(a->tb, "query_adapter_info");
    uint32_t size = info->size;
    memset(info, 0, size < sizeof *info ? size : sizeof *info);
    info->size = size;
    info->version_major = 1;
    info->version_minor = 2;
    info->vendor_id = 0x1AB;
    info->device_id = 0x7E57;
    info->max_inbound_read_limit = 16;
    info->max_outbound_read_limit = 16;
    info->max_caller_data = 56;
    info->max_callee_data = 64;
    info->max_cq_depth = 4096;
    info->rdma_technology = 4;
    return NDK_STATUS_SUCCESS;
}

static void take_address(tp_object *o, const uint8_t *a, uint32_t length);

/* Creates an object (with its address, for a shared endpoint) and completes as the testbed says. */
static ndk_status create(ndk_object *parent, ndk_object_type type, const char *fn, const uint8_t *address,
                         uint32_t address_length, ndk_create_completion completion, void *context, ndk_object **out) {
    *out = NULL;
    tp_object *p = ours(parent);
    if (p == NULL) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    tp_testbed *tb = p->tb;
    maybe_crash(tb, fn);
    if (is(tb->misbehave, "null-object")) {
        return NDK_STATUS_SUCCESS;
    }
    tp_object *o = calloc(1, sizeof *o);
    o->magic = MAGIC;
    o->type = type == NDK_OBJECT_PD && is(tb->misbehave, "wrong-type") ? NDK_OBJECT_CQ : type;
    o->tb = tb;
    if (address != NULL) {
        take_address(o, address, address_length);
    }
    atomic_fetch_add(&tb->live, 1);
    job j = {.kind = JOB_CREATE, .tb = tb, .fn = fn, .status = NDK_STATUS_SUCCESS, .object = o,
             .create = completion, .context = context};
    ndk_status st = finish(tb, j);
    if (st == NDK_STATUS_SUCCESS) {
        *out = (ndk_object *)o;
    }
    return st;
}

static ndk_status tp_create_pd(ndk_object *adapter, ndk_create_completion completion, void *context, ndk_object **pd) {
    return create(adapter, NDK_OBJECT_PD, "create_pd", NULL, 0, completion, context, pd);
}

static ndk_status tp_create_cq(ndk_object *adapter, uint32_t cq_depth, ndk_create_completion completion, void *context,
                               ndk_object **cq) {
    return create(adapter, NDK_OBJECT_CQ, "create_cq", NULL, 0, completion, context, cq);
}

static ndk_status tp_create_qp(ndk_object *pd, ndk_object *receive_cq, ndk_object *initiator_cq,
                               const ndk_qp_parameters *parameters, ndk_create_completion completion, void *context,
                               ndk_object **qp) {
    if (ours(receive_cq) == NULL || ours(initiator_cq) == NULL) {
        *qp = NULL;
        return NDK_STATUS_INVALID_PARAMETER;
    }
    return create(pd, NDK_OBJECT_QP, "create_qp", NULL, 0, completion, context, qp);
}

static ndk_status tp_create_connector(ndk_object *adapter, ndk_create_completion completion, void *context,
                                      ndk_object **connector) {
    return create(adapter, NDK_OBJECT_CONNECTOR, "create_connector", NULL, 0, completion, context, connector);
}

/* Reads every byte of an input buffer (so that a buffer shorter than its declared length shows, under
   AddressSanitizer, as the agent's fault) and checks it is a SOCKADDR_IN or SOCKADDR_IN6. */
static int well_formed(const uint8_t *a, uint32_t length) {
    if (a == NULL) {
        return 0;
    }
    volatile unsigned sum = 0; /* read, so that AddressSanitizer sees every byte */
    for (uint32_t i = 0; i < length && i < 4096; i++) {
        sum += a[i];
    }
    return (length == 16 && a[0] == 2 && a[1] == 0) || (length == 28 && a[0] == 23 && a[1] == 0);
}

static void take_address(tp_object *o, const uint8_t *a, uint32_t length) {
    memcpy(o->addr, a, length);
    o->addr_len = length;
    if (o->addr[2] == 0 && o->addr[3] == 0) {
        int port = atomic_fetch_add(&o->tb->next_port, 1);
        o->addr[2] = (uint8_t)(port >> 8);
        o->addr[3] = (uint8_t)port;
    }
}

static ndk_status tp_create_shared_endpoint(ndk_object *adapter, const uint8_t *sockaddr, uint32_t length,
                                            ndk_create_completion completion, void *context,
                                            ndk_object **shared_endpoint) {
    *shared_endpoint = NULL;
    if (!well_formed(sockaddr, length)) {
        return NDK_STATUS_INVALID_ADDRESS;
    }
    return create(adapter, NDK_OBJECT_SHARED_ENDPOINT, "create_shared_endpoint", sockaddr, length, completion, context,
                  shared_endpoint);
}

static ndk_status tp_create_listener(ndk_object *adapter, ndk_connect_event connect_event, void *connect_event_context,
                                     ndk_create_completion completion, void *context, ndk_object **listener) {
    /* (its connect events are never made: nothing connects to this provider) */
    return create(adapter, NDK_OBJECT_LISTENER, "create_listener", NULL, 0, completion, context, listener);
}

static ndk_status tp_close(ndk_object *object, ndk_close_completion completion, void *context) {
    tp_object *o = ours(object);
    if (o == NULL || o->type == NDK_OBJECT_ADAPTER) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    maybe_crash(o->tb, "close");
    atomic_fetch_sub(&o->tb->live, 1);
    job j = {.kind = JOB_CLOSE, .tb = o->tb, .fn = "close", .status = NDK_STATUS_SUCCESS, .object = o,
             .close = completion, .context = context};
    return finish(o->tb, j);
}

static ndk_status request(ndk_object *connector, const char *fn, ndk_status status, ndk_request_completion completion,
                          void *context) {
    tp_object *k = ours(connector);
    if (k == NULL || k->type != NDK_OBJECT_CONNECTOR) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    maybe_crash(k->tb, fn);
    job j = {.kind = JOB_REQUEST, .tb = k->tb, .fn = fn, .status = status, .request = completion, .context = context};
    return finish(k->tb, j);
}

static ndk_status tp_connect(ndk_object *connector, ndk_object *qp, const uint8_t *source, uint32_t source_length,
                             const uint8_t *destination, uint32_t destination_length, uint32_t inbound_read_limit,
                             uint32_t outbound_read_limit, const void *private_data, uint32_t private_data_length,
                             ndk_request_completion completion, void *context) {
    if (!well_formed(source, source_length) || !well_formed(destination, destination_length)) {
        return NDK_STATUS_INVALID_ADDRESS;
    }
    if (private_data_length > 56) {
        return NDK_STATUS_INVALID_BUFFER_SIZE;
    }
    return request(connector, "connect", NDK_STATUS_CONNECTION_REFUSED, completion, context);
}

static ndk_status tp_connect_with_shared_endpoint(ndk_object *connector, ndk_object *qp, ndk_object *shared_endpoint,
                                                  const uint8_t *destination, uint32_t destination_length,
                                                  uint32_t inbound_read_limit, uint32_t outbound_read_limit,
                                                  const void *private_data, uint32_t private_data_length,
                                                  ndk_request_completion completion, void *context) {
    tp_object *k = ours(connector);
    maybe_crash(k != NULL ? k->tb : NULL, "connect_with_shared_endpoint");
    if (!well_formed(destination, destination_length)) {
        return NDK_STATUS_INVALID_ADDRESS;
    }
    if (private_data_length > 56) {
        return NDK_STATUS_INVALID_BUFFER_SIZE;
    }
    return request(connector, "connect_with_shared_endpoint", NDK_STATUS_CONNECTION_REFUSED, completion, context);
}

static ndk_status tp_complete_connect(ndk_object *connector, ndk_disconnect_event disconnect_event,
                                      void *disconnect_event_context, ndk_request_completion completion,
                                      void *context) {
    return ours(connector) != NULL ? NDK_STATUS_CONNECTION_INVALID : NDK_STATUS_INVALID_HANDLE;
}

static ndk_status tp_accept(ndk_object *connector, ndk_object *qp, uint32_t inbound_read_limit,
                            uint32_t outbound_read_limit, const void *private_data, uint32_t private_data_length,
                            ndk_disconnect_event disconnect_event, void *disconnect_event_context,
                            ndk_request_completion completion, void *context) {
    return ours(connector) != NULL ? NDK_STATUS_CONNECTION_INVALID : NDK_STATUS_INVALID_HANDLE;
}

/* Reads the private data it is given up to its declared length (at most 4 KiB), then judges it: more
   than MaxCalleeData (64) is INVALID_PARAMETER. */
static ndk_status tp_reject(ndk_object *connector, const void *private_data, uint32_t private_data_length) {
    tp_object *k = ours(connector);
    if (k == NULL) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    maybe_crash(k->tb, "reject");
    if (private_data == NULL) {
        return private_data_length == 0 ? NDK_STATUS_CONNECTION_INVALID : NDK_STATUS_INVALID_PARAMETER;
    }
    volatile unsigned sum = 0;
    for (uint32_t i = 0; i < private_data_length && i < 4096; i++) {
        sum += ((const uint8_t *)private_data)[i];
    }
    return private_data_length > 64 ? NDK_STATUS_INVALID_PARAMETER : NDK_STATUS_CONNECTION_INVALID;
}

static ndk_status tp_get_connection_data(ndk_object *connector, uint32_t *inbound_read_limit,
                                         uint32_t *outbound_read_limit, void *private_data,
                                         uint32_t *private_data_length) {
    if (ours(connector) == NULL) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    if (private_data_length == NULL) {
        return NDK_STATUS_INVALID_PARAMETER;
    }
    /* "connection data" of 8 bytes: 1..8 */
    const uint32_t rds = 8;
    if (inbound_read_limit != NULL) {
        *inbound_read_limit = 4;
    }
    if (outbound_read_limit != NULL) {
        *outbound_read_limit = 5;
    }
    if (*private_data_length < rds) {
        ndk_status st = *private_data_length == 0 && private_data == NULL ? NDK_STATUS_SUCCESS
                                                                          : NDK_STATUS_BUFFER_TOO_SMALL;
        *private_data_length = rds;
        return st;
    }
    for (uint32_t i = 0; i < rds; i++) {
        ((uint8_t *)private_data)[i] = (uint8_t)(i + 1);
    }
    *private_data_length = rds;
    return NDK_STATUS_SUCCESS;
}

static ndk_status tp_get_local_address(ndk_object *object, uint8_t *sockaddr, uint32_t *length) {
    tp_object *o = ours(object);
    if (o == NULL) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    maybe_crash(o->tb, "get_local_address");
    if (length == NULL) {
        return NDK_STATUS_INVALID_PARAMETER;
    }
    if (is(o->tb->misbehave, "overrun") && sockaddr != NULL) {
        memset(sockaddr, 0x5A, (size_t)*length + 8); /* 8 bytes more than it was told it may write */
        return NDK_STATUS_SUCCESS;
    }
    if (o->addr_len == 0) {
        return NDK_STATUS_INVALID_DEVICE_STATE;
    }
    if (*length < o->addr_len) {
        *length = o->addr_len;
        return NDK_STATUS_BUFFER_TOO_SMALL;
    }
    if (sockaddr == NULL) {
        return NDK_STATUS_INVALID_PARAMETER;
    }
    memcpy(sockaddr, o->addr, o->addr_len);
    *length = o->addr_len;
    return NDK_STATUS_SUCCESS;
}

static ndk_status tp_get_peer_address(ndk_object *connector, uint8_t *sockaddr, uint32_t *length) {
    return ours(connector) != NULL ? NDK_STATUS_CONNECTION_INVALID : NDK_STATUS_INVALID_HANDLE;
}

static ndk_status tp_disconnect(ndk_object *connector, ndk_request_completion completion, void *context) {
    return ours(connector) != NULL ? NDK_STATUS_CONNECTION_INVALID : NDK_STATUS_INVALID_HANDLE;
}

static ndk_status tp_listen(ndk_object *listener, const uint8_t *sockaddr, uint32_t length,
                            ndk_request_completion completion, void *context) {
    tp_object *l = ours(listener);
    if (l == NULL || l->type != NDK_OBJECT_LISTENER) {
        return NDK_STATUS_INVALID_HANDLE;
    }
    maybe_crash(l->tb, "listen");
    if (!well_formed(sockaddr, length)) {
        return NDK_STATUS_INVALID_ADDRESS;
    }
    take_address(l, sockaddr, length);
    job j = {.kind = JOB_REQUEST, .tb = l->tb, .fn = "listen", .status = NDK_STATUS_SUCCESS, .request = completion,
             .context = context};
    return finish(l->tb, j);
}

static void tp_control_connect_events(ndk_object *listener, int pause) {
}

static void tp_close_adapter(ndk_object *adapter) {
    tp_object *a = ours(adapter);
    maybe_crash(a != NULL ? a->tb : NULL, "close_adapter");
}

/* --------------------------------------------------------------------------------- the table */

static ndk_provider table = {
    .size = sizeof(ndk_provider),
    .abi_major = NDK_PROVIDER_ABI_MAJOR,
    .abi_minor = NDK_PROVIDER_ABI_MINOR,
    .name = "abi-test",
    .version = "0.1.0",
    .vendor = "ndkkit",
    .description = "the C++ agent's test provider: misbehaves on request",
    .capabilities = NDK_CAPABILITY_IPV4,
    .open_testbed = tp_open_testbed,
    .close_testbed = tp_close_testbed,
    .testbed_adapter = tp_testbed_adapter,
    .testbed_addresses = tp_testbed_addresses,
    .testbed_lab_address = tp_testbed_lab_address,
    .exhaust_resources = tp_exhaust_resources,
    .exhaust_ephemeral_ports = tp_exhaust_ephemeral_ports,
    .release_held = tp_release_held,
    .listener_backlog = tp_listener_backlog,
    .resource_counts = tp_resource_counts,
    .connect_timeout_ms = tp_connect_timeout_ms,
    .four_tuple_release_delay_ms = tp_four_tuple_release_delay_ms,
    .identity = tp_identity,
    .object_type = tp_object_type,
    .query_adapter_info = tp_query_adapter_info,
    .create_pd = tp_create_pd,
    .create_cq = tp_create_cq,
    .create_qp = tp_create_qp,
    .create_connector = tp_create_connector,
    .create_shared_endpoint = tp_create_shared_endpoint,
    .create_listener = tp_create_listener,
    .close = tp_close,
    .connect = tp_connect,
    .connect_with_shared_endpoint = tp_connect_with_shared_endpoint,
    .complete_connect = tp_complete_connect,
    .accept = tp_accept,
    .reject = tp_reject,
    .get_connection_data = tp_get_connection_data,
    .get_local_address = tp_get_local_address,
    .get_peer_address = tp_get_peer_address,
    .disconnect = tp_disconnect,
    .listen = tp_listen,
    .control_connect_events = tp_control_connect_events,
    .close_adapter = tp_close_adapter,
};

EXPORT const ndk_provider *ndk_provider_entry(uint32_t abi_major) {
    const char *t = getenv("NDK_ABI_TEST_TABLE");
    if (abi_major != NDK_PROVIDER_ABI_MAJOR || (t != NULL && is(t, "null"))) {
        return NULL;
    }
    if (t != NULL && is(t, "crash")) {
        volatile int *volatile nowhere = NULL;
        *nowhere = 1;
    }
    if (t != NULL && is(t, "wrong-major")) {
        table.abi_major = 2;
    } else if (t != NULL && is(t, "small")) {
        table.size = (uint32_t)offsetof(ndk_provider, listen);
    } else if (t != NULL && is(t, "null-function")) {
        table.accept = NULL;
        table.listen = NULL;
    }
    return &table;
}
