/*
 * test_flow.c - the provider end to end on this machine, over the fake librdmacm / libibverbs of
 * tests/fake (LD_LIBRARY_PATH points there): the connection path and the rules of the spec,
 * driven through the C ABI as the agent drives it, with NDK's completion and lifetime rules
 * checked on every call. It does not replace the SoftRoCE lab (the fake is a model of rdma_cm,
 * not the kernel), but it runs every line of the state machine.
 *
 * In the lab (NDK_LAB set, the real librdmacm loaded) it runs the same scenarios on rdma_rxe, with
 * the lab plan's addresses, as a quick smoke test of the provider without the agent:
 *   lab/run -- providers/native/rdmacm-provider/build/test_flow
 * Elsewhere without the fake it exits 77 (skipped).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "ndk_provider.h"

static const ndk_provider *p;
static ndk_testbed *tb;
static ndk_object *A[3];       /* A[NDK_HOST_LOCAL], A[NDK_HOST_PEER] */
static ndk_object *PD[3], *CQ[3];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long seq;
static int violations;
static int real_rdma;          /* running on the real librdmacm, in the lab */

/* --------------------------------------------------------------------------- records */

typedef struct obj_rec {           /* per object: its close, for "no callback after close" */
    int closed;
    long closed_seq;
} obj_rec;

typedef struct rec {               /* one request */
    ndk_status returned;
    int completions;
    ndk_status status;
    long seq;
    obj_rec *owner;
    ndk_object *close_inside;      /* close this object from inside the completion */
    struct crec *close_inside_rec;
} rec;

typedef struct crec {              /* one close */
    ndk_status returned;
    int completions;
    long seq;
    obj_rec *owner;
    int sleep_ms;
} crec;

typedef struct lrec {              /* a listener's connect events */
    ndk_object *conn[64];
    int n;
    obj_rec *owner;
} lrec;

typedef struct drec {              /* a connector's disconnect events */
    int n;
    obj_rec *owner;
} drec;

static void note_callback(obj_rec *o, const char *what)
{
    if (o != NULL && o->closed) {
        violations++;
        fprintf(stderr, "violation: %s after its object's close completed\n", what);
    }
}

static void on_request(void *context, ndk_status status)
{
    rec *r = context;
    ndk_object *close_inside = NULL;
    pthread_mutex_lock(&m);
    note_callback(r->owner, "a request completion");
    r->completions++;
    r->status = status;
    r->seq = ++seq;
    close_inside = r->close_inside;
    r->close_inside = NULL;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
    if (close_inside != NULL) {
        extern void on_close(void *);
        ndk_status st = p->close(close_inside, on_close, r->close_inside_rec);
        pthread_mutex_lock(&m);
        r->close_inside_rec->returned = st;
        pthread_cond_broadcast(&cv);
        pthread_mutex_unlock(&m);
    }
}

void on_close(void *context)
{
    crec *c = context;
    if (c->sleep_ms > 0)
        usleep((useconds_t)c->sleep_ms * 1000);   /* LT-ANTECEDENT-AFTER-CALLBACKS: a slow close completion */
    pthread_mutex_lock(&m);
    note_callback(c->owner, "a second close completion");
    c->completions++;
    c->seq = ++seq;
    if (c->owner != NULL) {
        c->owner->closed = 1;
        c->owner->closed_seq = c->seq;
    }
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
}

static void on_connect_event(void *context, ndk_object *connector)
{
    lrec *l = context;
    pthread_mutex_lock(&m);
    note_callback(l->owner, "a connect event");
    if (l->n < 64)
        l->conn[l->n] = connector;
    l->n++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
}

static void on_disconnect_event(void *context)
{
    drec *d = context;
    pthread_mutex_lock(&m);
    note_callback(d->owner, "a disconnect event");
    d->n++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
}

/* Waits until *counter >= target (at most ms); returns 1 when it got there. */
static int wait_count(int *counter, int target, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&m);
    int rc = 0;
    while (*counter < target && rc == 0)
        rc = pthread_cond_timedwait(&cv, &m, &until);
    int ok = *counter >= target;
    pthread_mutex_unlock(&m);
    return ok;
}

static int read_count(int *counter)
{
    pthread_mutex_lock(&m);
    int v = *counter;
    pthread_mutex_unlock(&m);
    return v;
}

/* The request's final status, checking NDK's completion rule on the way. */
static ndk_status outcome(rec *r, int ms)
{
    if (r->returned != NDK_STATUS_PENDING) {
        usleep(30000);
        if (read_count(&r->completions) != 0) {
            violations++;
            fprintf(stderr, "violation: a completion after the inline status 0x%x\n", (unsigned)r->returned);
        }
        return r->returned;
    }
    if (!wait_count(&r->completions, 1, ms)) {
        fprintf(stderr, "a PENDING request did not complete within %d ms\n", ms);
        return NDK_STATUS_PENDING;
    }
    usleep(10000);
    if (read_count(&r->completions) != 1) {
        violations++;
        fprintf(stderr, "violation: %d completions of one request\n", r->completions);
    }
    return r->status;
}

/* A close: SUCCESS or PENDING then exactly one completion. Returns 1 when closed. */
static int closed(crec *c, int ms)
{
    if (c->returned == NDK_STATUS_SUCCESS) {
        if (c->owner != NULL) {
            pthread_mutex_lock(&m);
            c->owner->closed = 1;
            c->owner->closed_seq = ++seq;
            c->seq = seq;
            pthread_mutex_unlock(&m);
        }
        return 1;
    }
    if (c->returned != NDK_STATUS_PENDING) {
        violations++;
        fprintf(stderr, "violation: a close returned 0x%x\n", (unsigned)c->returned);
        return 0;
    }
    return wait_count(&c->completions, 1, ms);
}

static void do_close(ndk_object *o, crec *c, obj_rec *owner)
{
    c->owner = owner;
    c->returned = p->close(o, on_close, c);
}

/* ---------------------------------------------------------------------------- helpers */

static ndk_object *make_qp(ndk_host h)
{
    ndk_object *qp = NULL;
    ndk_qp_parameters small = { 16, 16, 1, 1, 0 };
    CHECK_EQ(p->create_qp(PD[h], CQ[h], CQ[h], &small, NULL, NULL, &qp), NDK_STATUS_SUCCESS);
    return qp;
}

static ndk_object *make_connector(ndk_host h)
{
    ndk_object *c = NULL;
    CHECK_EQ(p->create_connector(A[h], NULL, NULL, &c), NDK_STATUS_SUCCESS);
    return c;
}

static void sockaddr4(uint8_t out[16], const uint8_t ip[4], uint16_t port)
{
    memset(out, 0, 16);
    out[0] = 2;
    out[2] = (uint8_t)(port >> 8);
    out[3] = (uint8_t)port;
    memcpy(out + 4, ip, 4);
}

static uint32_t local_address(ndk_object *o, uint8_t out[28])
{
    uint32_t len = 28;
    CHECK_EQ(p->get_local_address(o, out, &len), NDK_STATUS_SUCCESS);
    return len;
}

static uint16_t port_of(const uint8_t *sa)
{
    return (uint16_t)(sa[2] << 8 | sa[3]);
}

static ndk_object *listen_on(ndk_object *listener, const uint8_t *sa, uint32_t len)
{
    rec r = { 0 };
    r.returned = p->listen(listener, sa, len, on_request, &r);
    CHECK_EQ(outcome(&r, 1000), NDK_STATUS_SUCCESS);
    return listener;
}

static ndk_object *new_listener(ndk_host h, lrec *events, const uint8_t *sa, uint32_t len)
{
    ndk_object *l = NULL;
    CHECK_EQ(p->create_listener(A[h], on_connect_event, events, NULL, NULL, &l), NDK_STATUS_SUCCESS);
    return listen_on(l, sa, len);
}

static ndk_object *new_se(const uint8_t *sa, uint32_t len)
{
    ndk_object *se = NULL;
    CHECK_EQ(p->create_shared_endpoint(A[NDK_HOST_LOCAL], sa, len, NULL, NULL, &se), NDK_STATUS_SUCCESS);
    return se;
}

static void cse(rec *r, ndk_object *c, ndk_object *qp, ndk_object *se, const uint8_t *dst, uint32_t dst_len,
                uint32_t in, uint32_t out, const void *data, uint32_t data_len)
{
    r->returned = p->connect_with_shared_endpoint(c, qp, se, dst, dst_len, in, out, data, data_len, on_request, r);
}

struct counts {
    char key[16][32];
    int64_t value[16];
    int n;
};

static void count_sink(void *context, const char *key, int64_t value)
{
    struct counts *c = context;
    if (c->n < 16) {
        snprintf(c->key[c->n], sizeof c->key[c->n], "%s", key);
        c->value[c->n++] = value;
    }
}

static struct counts counts_now(void)
{
    struct counts c = { .n = 0 };
    ndk_unavailable why;
    CHECK_EQ(p->resource_counts(tb, count_sink, &c, &why), 1);
    return c;
}

static int64_t count_of(const struct counts *c, const char *key)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0)
            return c->value[i];
    return -1;
}

struct facts {
    char device[64];
    int n;
};

static void fact_sink(void *context, const char *key, const char *value)
{
    struct facts *f = context;
    f->n++;
    if (strcmp(key, "local.device") == 0)
        snprintf(f->device, sizeof f->device, "%s", value);
}

/* ----------------------------------------------------------------------------- state */

static const uint8_t LOCAL0[4] = { 198, 18, 0, 1 }, LOCAL1[4] = { 198, 18, 0, 2 }, PEER0[4] = { 198, 18, 1, 1 },
                     PEER1[4] = { 198, 18, 1, 2 };
static ndk_object *L, *SE, *C1, *Q1, *P1, *QP1, *LR;
static lrec l_events, r_events;
static uint8_t r_addr[28];
static uint32_t r_len;
static uint8_t l_addr[28], se_addr[28];
static uint32_t l_len, se_len;
static drec d_c1, d_p1;
static obj_rec o_c1, o_p1, o_l, o_se;

/* --------------------------------------------------------------------------- scenarios */

static void test_open(void)
{
    const char *keys[] = { "local", "peer", "silent-host", "foreign", "network-unreachable", "backlog",
                           "close-disconnect-wait-ms", "event-log" };
    const char *log = getenv("RC_TEST_EVENT_LOG");
    const char *values[] = { "198.18.0.1,198.18.0.2,2001:2::1", "198.18.1.1,198.18.1.2,198.18.1.3,2001:2::1:1",
                             "198.18.1.77", "198.18.3.1", "198.19.255.1", "2", "200", log != NULL ? log : "" };
    ndk_testbed_options o = { sizeof o, 400, 8, keys, values };
    char why[512] = "";
    int rc = p->open_testbed(&o, &tb, why, sizeof why);
    CHECK_EQ(rc, NDK_TESTBED_OPENED);
    if (rc != NDK_TESTBED_OPENED) {
        fprintf(stderr, "open_testbed: %s\n", why);
        exit(1);
    }
    A[NDK_HOST_LOCAL] = p->testbed_adapter(tb, NDK_HOST_LOCAL);
    A[NDK_HOST_PEER] = p->testbed_adapter(tb, NDK_HOST_PEER);
    CHECK(A[1] != NULL && A[2] != NULL && A[1] != A[2]);
    CHECK_EQ(p->object_type(A[1]), NDK_OBJECT_ADAPTER);
    CHECK_EQ(p->connect_timeout_ms(tb), 400);
    uint8_t ips[8][16], lens[8];
    CHECK_EQ(p->testbed_addresses(tb, NDK_HOST_PEER, ips, lens, 8), 4);
    CHECK_EQ(lens[0], 4);
    CHECK(memcmp(ips[0], PEER0, 4) == 0);
    CHECK_EQ(lens[3], 16);
    ndk_adapter_info info = { .size = sizeof info };
    CHECK_EQ(p->query_adapter_info(A[1], &info), NDK_STATUS_SUCCESS);
    CHECK_EQ(info.max_inbound_read_limit, 128);
    CHECK_EQ(info.max_outbound_read_limit, 128);
    CHECK_EQ(info.max_caller_data, 56);
    CHECK_EQ(info.max_callee_data, 148);
    CHECK_EQ(info.version_major, 1);
    CHECK_EQ(info.rdma_technology, 4);
    CHECK(info.max_inline_data_size > 0);
    ndk_adapter_info small = { .size = 8, .vendor_id = 77 };
    CHECK_EQ(p->query_adapter_info(A[1], &small), NDK_STATUS_SUCCESS);
    CHECK_EQ(small.size, 8);
    CHECK_EQ(small.vendor_id, 77);                        /* beyond the caller's size: untouched */
    struct facts f = { "", 0 };
    p->identity(tb, fact_sink, &f);
    CHECK(real_rdma ? f.device[0] != '\0' : strcmp(f.device, "fakerxe0") == 0);
    CHECK(f.n >= 8);
    uint32_t backlog = 0;
    ndk_unavailable why2;
    CHECK_EQ(p->listener_backlog(tb, &backlog, &why2), 1);
    CHECK_EQ(backlog, 2);
    uint8_t sa[28];
    uint32_t len = 28;
    /* not among the settings: unavailable, unless the lab's plan names one (NDK_LAB_HOST_UNREACHABLE) */
    if (getenv("NDK_LAB_HOST_UNREACHABLE") == NULL) {
        CHECK_EQ(p->testbed_lab_address(tb, NDK_LAB_HOST_UNREACHABLE, sa, &len, &why2), 0);
        CHECK(strcmp(why2.code, "no-host-unreachable-address") == 0);
    } else {
        CHECK_EQ(p->testbed_lab_address(tb, NDK_LAB_HOST_UNREACHABLE, sa, &len, &why2), 1);
        CHECK_EQ(len, 16);
    }
    len = 28;
    CHECK_EQ(p->testbed_lab_address(tb, NDK_LAB_SILENT_HOST, sa, &len, &why2), 1);
    CHECK_EQ(len, 16);
    CHECK_EQ(p->lift_condition(tb, NDK_LAB_SILENT_HOST, &(ndk_held *){ NULL }, &why2), 0);   /* no lift-netdev */
    CHECK(strcmp(why2.code, "cannot-lift-condition") == 0);
    CHECK_EQ(p->lift_condition(tb, NDK_LAB_FOREIGN_LOCAL_ADDRESS, &(ndk_held *){ NULL }, &why2), 0);
    CHECK(strcmp(why2.code, "nothing-to-lift") == 0);
}

static void test_verbs_objects(void)
{
    for (int h = 1; h <= 2; h++) {
        CHECK_EQ(p->create_pd(A[h], NULL, NULL, &PD[h]), NDK_STATUS_SUCCESS);
        CHECK_EQ(p->create_cq(A[h], 64, NULL, NULL, &CQ[h]), NDK_STATUS_SUCCESS);
        CHECK_EQ(p->object_type(PD[h]), NDK_OBJECT_PD);
        CHECK_EQ(p->object_type(CQ[h]), NDK_OBJECT_CQ);
    }
    ndk_object *x = (ndk_object *)&x;
    CHECK_EQ(p->create_cq(A[1], 0, NULL, NULL, &x), NDK_STATUS_INVALID_PARAMETER);
    CHECK(x == NULL);
    CHECK_EQ(p->create_cq(A[1], 1u << 20, NULL, NULL, &x), NDK_STATUS_INVALID_PARAMETER);
    ndk_qp_parameters big = { 16, 16, 1, 1, 1u << 20 };
    CHECK_EQ(p->create_qp(PD[1], CQ[1], CQ[1], &big, NULL, NULL, &x), NDK_STATUS_INVALID_PARAMETER);
    ndk_qp_parameters deep = { 1u << 30, 16, 1, 1, 0 };
    CHECK_EQ(p->create_qp(PD[1], CQ[1], CQ[1], &deep, NULL, NULL, &x), NDK_STATUS_INVALID_PARAMETER);
    ndk_qp_parameters small = { 16, 16, 1, 1, 0 };
    CHECK_EQ(p->create_qp(PD[1], CQ[2], CQ[2], &small, NULL, NULL, &x), NDK_STATUS_INVALID_PARAMETER);  /* mixed adapters */
}

static void test_connection(void)
{
    /* the peer listens on its first address with port 0; a shared endpoint on the local one, port 0 */
    uint8_t sa[16];
    l_events.owner = &o_l;
    sockaddr4(sa, PEER0, 0);
    L = new_listener(NDK_HOST_PEER, &l_events, sa, 16);
    l_len = local_address(L, l_addr);
    CHECK_EQ(l_len, 16);
    CHECK(port_of(l_addr) >= 49152);
    sockaddr4(sa, LOCAL0, 0);
    SE = new_se(sa, 16);
    se_len = local_address(SE, se_addr);
    CHECK(port_of(se_addr) >= 49152);                                  /* SE-PORT-ZERO */
    uint8_t buf[256];
    uint32_t len = 0;
    CHECK_EQ(p->get_local_address(SE, NULL, &len), NDK_STATUS_BUFFER_TOO_SMALL);   /* SE-LOCAL-ADDRESS-BUFFER */
    CHECK_EQ(len, 16);
    len = 15;
    CHECK_EQ(p->get_local_address(SE, buf, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 16);

    /* C1 connects through SE to L with 20 bytes and limits 3 / 2 */
    C1 = make_connector(NDK_HOST_LOCAL);
    Q1 = make_qp(NDK_HOST_LOCAL);
    uint8_t data20[20], data30[30];
    for (int i = 0; i < 30; i++)
        data20[i % 20] = (uint8_t)(0xA0 + i), data30[i] = (uint8_t)(0x30 + i);
    rec r1 = { .owner = &o_c1 };
    cse(&r1, C1, Q1, SE, l_addr, l_len, 3, 2, data20, 20);
    CHECK_EQ(r1.returned, NDK_STATUS_PENDING);
    CHECK(wait_count(&l_events.n, 1, 2000));
    P1 = l_events.conn[0];
    CHECK_EQ(p->object_type(P1), NDK_OBJECT_CONNECTOR);

    /* the passive side reads the offer: GCD-*, PD-CONNECT-DELIVERED, LIM-PASSIVE-VIEW */
    uint32_t in = 0, out = 0;
    len = 0;
    CHECK_EQ(p->get_connection_data(P1, &in, &out, NULL, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 56);
    CHECK_EQ(in, 2);
    CHECK_EQ(out, 3);
    len = 55;
    CHECK_EQ(p->get_connection_data(P1, NULL, NULL, buf, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 56);
    len = 120;
    memset(buf, 0, sizeof buf);
    CHECK_EQ(p->get_connection_data(P1, NULL, NULL, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 56);
    CHECK(memcmp(buf, data20, 20) == 0);

    /* the peer accepts with 30 bytes and limits 2 / 1: the connect succeeds, the accept waits */
    QP1 = make_qp(NDK_HOST_PEER);
    rec ra = { .owner = &o_p1 };
    d_p1.owner = &o_p1;
    ra.returned = p->accept(P1, QP1, 2, 1, data30, 30, on_disconnect_event, &d_p1, on_request, &ra);
    CHECK_EQ(ra.returned, NDK_STATUS_PENDING);
    CHECK_EQ(outcome(&r1, 2000), NDK_STATUS_SUCCESS);                 /* CSE-SUCCESS */
    usleep(50000);
    CHECK_EQ(read_count(&ra.completions), 0);                          /* SEQ-ACCEPT-AFTER-COMPLETE */
    len = sizeof buf;
    CHECK_EQ(p->get_connection_data(C1, &in, &out, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 196);
    CHECK(memcmp(buf, data30, 30) == 0);                               /* PD-ACCEPT-DELIVERED */
    CHECK_EQ(in, 1);                                                   /* LIM-INBOUND-PEER */
    CHECK_EQ(out, 2);

    /* complete-connect, then the accept completes */
    rec rc = { .owner = &o_c1 };
    d_c1.owner = &o_c1;
    rc.returned = p->complete_connect(C1, on_disconnect_event, &d_c1, on_request, &rc);
    CHECK_EQ(outcome(&rc, 2000), NDK_STATUS_SUCCESS);                 /* SEQ-COMPLETE-CONNECT */
    CHECK_EQ(outcome(&ra, 2000), NDK_STATUS_SUCCESS);
    uint32_t qin = 9, qout = 9;
    ndk_unavailable why;
    CHECK_EQ(p->qp_read_limits(tb, Q1, &qin, &qout, &why), 1);        /* LIM-QP-USES-EFFECTIVE */
    CHECK_EQ(qin, 1);
    CHECK_EQ(qout, 2);
    CHECK_EQ(p->qp_read_limits(tb, QP1, &qin, &qout, &why), 1);
    CHECK_EQ(qin, 2);
    CHECK_EQ(qout, 1);

    /* addresses: SE-CONNECTOR-LOCAL-ADDRESS */
    uint8_t a[28];
    CHECK_EQ(local_address(C1, a), 16);
    CHECK(memcmp(a, se_addr, 16) == 0);
    len = 28;
    CHECK_EQ(p->get_peer_address(C1, a, &len), NDK_STATUS_SUCCESS);
    CHECK(memcmp(a, l_addr, 16) == 0);
    len = 28;
    CHECK_EQ(p->get_peer_address(P1, a, &len), NDK_STATUS_SUCCESS);
    CHECK(memcmp(a, se_addr, 16) == 0);
    CHECK_EQ(local_address(P1, a), 16);
    CHECK(memcmp(a, l_addr, 16) == 0);
    rec again = { 0 };
    again.returned = p->complete_connect(C1, NULL, NULL, on_request, &again);
    CHECK_EQ(outcome(&again, 100), NDK_STATUS_CONNECTION_INVALID);
}

static void test_connect_errors(void)
{
    int events = read_count(&l_events.n);
    ndk_object *C2 = make_connector(NDK_HOST_LOCAL), *Q2 = make_qp(NDK_HOST_LOCAL);
    rec r = { 0 };
    cse(&r, C2, Q2, SE, l_addr, l_len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r, 500), NDK_STATUS_ADDRESS_ALREADY_EXISTS);     /* CSE-ADDRESS-ALREADY-EXISTS */
    uint8_t l2[16];
    sockaddr4(l2, PEER1, 50001);
    rec busy = { 0 };
    cse(&busy, C1, Q2, SE, l2, 16, 1, 1, NULL, 0);
    CHECK(outcome(&busy, 500) < 0);                                    /* CSE-CONNECTOR-BUSY */
    rec assoc = { 0 };
    cse(&assoc, C2, Q1, SE, l2, 16, 1, 1, NULL, 0);
    CHECK(outcome(&assoc, 500) < 0);                                   /* CSE-QP-ASSOCIATED */
    rec other = { 0 };
    cse(&other, C2, QP1, SE, l_addr, l_len, 1, 1, NULL, 0);
    CHECK(outcome(&other, 500) < 0);                                   /* CSE-OTHER-ADAPTER */
    /* CSE-MALFORMED-DESTINATION: the kit's eight forms */
    uint8_t bad[32];
    memset(bad, 0, sizeof bad);
    memcpy(bad, l_addr, 16);
    static const uint32_t lengths[] = { 0, 15, 17, 28 };
    for (size_t i = 0; i < 4; i++) {
        rec m1 = { 0 };
        cse(&m1, C2, Q2, SE, bad, lengths[i], 1, 1, NULL, 0);
        CHECK(outcome(&m1, 200) < 0);
    }
    uint8_t mapped[28] = { 23, 0, l_addr[2], l_addr[3] };
    mapped[18] = mapped[19] = 0xFF;
    memcpy(mapped + 20, l_addr + 4, 4);
    rec m2 = { 0 }, m3 = { 0 }, m4 = { 0 }, m5 = { 0 }, m6 = { 0 };
    cse(&m2, C2, Q2, SE, mapped, 16, 1, 1, NULL, 0);
    CHECK(outcome(&m2, 200) < 0);
    cse(&m3, C2, Q2, SE, mapped, 27, 1, 1, NULL, 0);
    CHECK(outcome(&m3, 200) < 0);
    cse(&m6, C2, Q2, SE, mapped, 28, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&m6, 200), NDK_STATUS_INVALID_ADDRESS);           /* IPv4-mapped, and CSE-FAMILY-MISMATCH */
    bad[0] = 0x7F;
    cse(&m4, C2, Q2, SE, bad, 16, 1, 1, NULL, 0);
    CHECK(outcome(&m4, 200) < 0);
    bad[0] = 0;
    cse(&m5, C2, Q2, SE, bad, 16, 1, 1, NULL, 0);
    CHECK(outcome(&m5, 200) < 0);
    uint8_t big[57] = { 0 };
    rec over = { 0 };
    cse(&over, C2, Q2, SE, l2, 16, 1, 1, big, 57);
    CHECK_EQ(outcome(&over, 200), NDK_STATUS_INVALID_BUFFER_SIZE);      /* PD-CALLER-OVER-LIMIT */
    usleep(50000);
    CHECK_EQ(read_count(&l_events.n), events);                          /* no connect event for any of them */
    crec c2 = { 0 }, q2 = { 0 };
    do_close(C2, &c2, NULL);
    CHECK(closed(&c2, 1000));                                          /* idle: SUCCESS */
    do_close(Q2, &q2, NULL);
    CHECK(closed(&q2, 1000));
}

static void test_disconnect(void)
{
    rec rd = { .owner = &o_c1 };
    rd.returned = p->disconnect(C1, on_request, &rd);
    CHECK_EQ(outcome(&rd, 2000), NDK_STATUS_SUCCESS);                 /* DISC-ACTIVE */
    CHECK(wait_count(&d_p1.n, 1, 2000));                               /* DISC-EVENT-ONCE-ON-PEER */
    rec rp = { 0 };
    rp.returned = p->disconnect(P1, on_request, &rp);
    CHECK_EQ(outcome(&rp, 2000), NDK_STATUS_SUCCESS);                 /* the other side after the event */
    usleep(50000);
    CHECK_EQ(read_count(&d_p1.n), 1);
    CHECK_EQ(read_count(&d_c1.n), 0);
}

static void test_refusals(void)
{
    /* no listener: CSE-REFUSED-NO-LISTENER, the REJ's data */
    uint8_t nl[28];
    uint32_t len = 28;
    ndk_unavailable why;
    CHECK_EQ(p->testbed_lab_address(tb, NDK_LAB_NO_LISTENER, nl, &len, &why), 1);
    ndk_object *C3 = make_connector(NDK_HOST_LOCAL), *Q3 = make_qp(NDK_HOST_LOCAL);
    rec r3 = { 0 };
    cse(&r3, C3, Q3, SE, nl, len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r3, 2000), NDK_STATUS_CONNECTION_REFUSED);
    uint32_t rds = 0;
    CHECK_EQ(p->get_connection_data(C3, NULL, NULL, NULL, &rds), NDK_STATUS_SUCCESS);
    CHECK_EQ(rds, 148);

    /* the peer rejects with 12 bytes: CSE-REFUSED-REJECTED, PD-REJECT-DELIVERED; the QP is free again
       (C1 still holds SE -> L: another listener of the peer) */
    uint8_t sa[16];
    sockaddr4(sa, PEER0, 0);
    LR = new_listener(NDK_HOST_PEER, &r_events, sa, 16);
    r_len = local_address(LR, r_addr);
    ndk_object *C4 = make_connector(NDK_HOST_LOCAL);
    rec r4 = { 0 };
    cse(&r4, C4, Q3, SE, r_addr, r_len, 1, 1, NULL, 0);
    CHECK_EQ(r4.returned, NDK_STATUS_PENDING);                          /* the refused C3 left Q3 free */
    CHECK(wait_count(&r_events.n, 1, 2000));
    ndk_object *P4 = r_events.conn[0];
    uint8_t rej[12], over[149] = { 0 };
    memset(rej, 0x5A, sizeof rej);
    CHECK_EQ(p->reject(P4, over, 149), NDK_STATUS_INVALID_BUFFER_SIZE);  /* PD-CALLEE-OVER-LIMIT */
    CHECK_EQ(p->reject(P4, rej, 12), NDK_STATUS_SUCCESS);
    CHECK_EQ(outcome(&r4, 2000), NDK_STATUS_CONNECTION_REFUSED);
    uint8_t buf[200];
    len = sizeof buf;
    CHECK_EQ(p->get_connection_data(C4, NULL, NULL, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 148);
    CHECK(memcmp(buf, rej, 12) == 0);

    /* after the refusal, the same four-tuple connects (CSE-FAILED-CONNECT-HOLDS-NOTHING), then the active
       side rejects (SEQ-ACTIVE-REJECT) */
    ndk_object *C5 = make_connector(NDK_HOST_LOCAL), *Q5 = make_qp(NDK_HOST_LOCAL), *QP5 = make_qp(NDK_HOST_PEER);
    rec r5 = { 0 }, ra5 = { 0 };
    cse(&r5, C5, Q5, SE, r_addr, r_len, 1, 1, NULL, 0);
    CHECK(wait_count(&r_events.n, 2, 2000));
    ndk_object *P5 = r_events.conn[1];
    uint8_t callee[149] = { 0 };
    rec ra_over = { 0 };
    ra_over.returned = p->accept(P5, QP5, 1, 1, callee, 149, NULL, NULL, on_request, &ra_over);
    CHECK_EQ(outcome(&ra_over, 200), NDK_STATUS_INVALID_BUFFER_SIZE);
    ra5.returned = p->accept(P5, QP5, 1, 1, callee, 148, NULL, NULL, on_request, &ra5);  /* PD-CALLEE-LIMIT */
    CHECK_EQ(outcome(&r5, 2000), NDK_STATUS_SUCCESS);
    CHECK_EQ(p->reject(C5, NULL, 0), NDK_STATUS_SUCCESS);
    ndk_status st = outcome(&ra5, 2000);
    CHECK(st == NDK_STATUS_CONNECTION_ABORTED || st == NDK_STATUS_CONNECTION_REFUSED);

    /* a silent host: CSE-IO-TIMEOUT within the connect timeout */
    uint8_t silent[28];
    len = 28;
    CHECK_EQ(p->testbed_lab_address(tb, NDK_LAB_SILENT_HOST, silent, &len, &why), 1);
    ndk_object *C6 = make_connector(NDK_HOST_LOCAL), *Q6 = make_qp(NDK_HOST_LOCAL);
    rec r6 = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cse(&r6, C6, Q6, SE, silent, len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r6, 3000), NDK_STATUS_IO_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 350 && ms < 1500);

    /* a connect pending at the close: LT-CLOSE-COMPLETES-PENDING, LT-NO-CALLBACK-AFTER-CLOSE */
    ndk_object *C7 = make_connector(NDK_HOST_LOCAL), *Q7 = make_qp(NDK_HOST_LOCAL);
    obj_rec o7 = { 0 };
    rec r7 = { .owner = &o7 };
    crec c7 = { 0 };
    cse(&r7, C7, Q7, SE, silent, 16, 1, 1, NULL, 0);
    CHECK_EQ(r7.returned, NDK_STATUS_PENDING);
    do_close(C7, &c7, &o7);
    CHECK_EQ(c7.returned, NDK_STATUS_PENDING);
    CHECK(closed(&c7, 2000));
    CHECK_EQ(read_count(&r7.completions), 1);
    CHECK(r7.seq < c7.seq);

    /* the foreign address and an unreachable network */
    uint8_t foreign[28];
    len = 28;
    CHECK_EQ(p->testbed_lab_address(tb, NDK_LAB_FOREIGN_LOCAL_ADDRESS, foreign, &len, &why), 1);
    ndk_object *x = NULL;
    CHECK_EQ(p->create_shared_endpoint(A[1], foreign, len, NULL, NULL, &x), NDK_STATUS_INVALID_ADDRESS);

    ndk_object *objs[] = { C3, C4, C5, C6, P4, P5, Q3, Q5, Q6, Q7, QP5 };
    static crec cl[11];
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        do_close(objs[i], &cl[i], NULL);
        if (!closed(&cl[i], 2000))
            fprintf(stderr, "object %zu did not close (0x%x)\n", i, (unsigned)cl[i].returned);
    }
}

static void test_listener_rules(void)
{
    uint8_t sa[16];
    sockaddr4(sa, PEER1, 0);
    lrec ev = { .n = 0 };
    obj_rec o = { 0 };
    ev.owner = &o;
    ndk_object *L2 = new_listener(NDK_HOST_PEER, &ev, sa, 16);
    uint8_t l2[28];
    uint32_t l2_len = local_address(L2, l2);
    ndk_object *C[5], *Q[5];
    rec r[5];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 5; i++) {
        C[i] = make_connector(NDK_HOST_LOCAL);
        Q[i] = make_qp(NDK_HOST_LOCAL);
    }
    /* CSE-REFUSED-PAUSED */
    p->control_connect_events(L2, 1);
    cse(&r[0], C[0], Q[0], SE, l2, l2_len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r[0], 2000), NDK_STATUS_CONNECTION_REFUSED);
    p->control_connect_events(L2, 0);
    /* CSE-REFUSED-BACKLOG: a backlog of 2 */
    cse(&r[1], C[1], Q[1], SE, l2, l2_len, 1, 1, NULL, 0);
    CHECK(wait_count(&ev.n, 1, 2000));
    rec dup = { 0 };
    cse(&dup, C[2], Q[2], SE, l2, l2_len, 1, 1, NULL, 0);               /* in progress: still a duplicate */
    CHECK_EQ(outcome(&dup, 500), NDK_STATUS_ADDRESS_ALREADY_EXISTS);
    ndk_object *SE2 = NULL;
    uint8_t any[16];
    sockaddr4(any, LOCAL0, 0);
    CHECK_EQ(p->create_shared_endpoint(A[1], any, 16, NULL, NULL, &SE2), NDK_STATUS_SUCCESS);
    cse(&r[2], C[2], Q[2], SE2, l2, l2_len, 1, 1, NULL, 0);
    CHECK(wait_count(&ev.n, 2, 2000));
    ndk_object *SE3 = NULL;
    CHECK_EQ(p->create_shared_endpoint(A[1], any, 16, NULL, NULL, &SE3), NDK_STATUS_SUCCESS);
    cse(&r[3], C[3], Q[3], SE3, l2, l2_len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r[3], 2000), NDK_STATUS_CONNECTION_REFUSED);
    usleep(50000);
    CHECK_EQ(read_count(&ev.n), 2);
    /* the listener closes: LT-LISTENER-CLOSE-PENDS on its two connectors, then refuses (CSE-REFUSED-LISTENER-CLOSING) */
    crec cl = { 0 };
    do_close(L2, &cl, &o);
    CHECK_EQ(cl.returned, NDK_STATUS_PENDING);
    ndk_object *SE4 = NULL;
    CHECK_EQ(p->create_shared_endpoint(A[1], any, 16, NULL, NULL, &SE4), NDK_STATUS_SUCCESS);
    cse(&r[4], C[4], Q[4], SE4, l2, l2_len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r[4], 2000), NDK_STATUS_CONNECTION_REFUSED);
    usleep(50000);
    CHECK_EQ(read_count(&cl.completions), 0);
    /* the passive connectors close (the second slowly): the listener's close comes after */
    crec cp0 = { 0 }, cp1 = { .sleep_ms = 50 };
    do_close(ev.conn[0], &cp0, NULL);
    CHECK(closed(&cp0, 2000));
    CHECK_EQ(read_count(&cl.completions), 0);
    do_close(ev.conn[1], &cp1, NULL);
    CHECK(closed(&cp1, 2000));
    CHECK(closed(&cl, 2000));
    CHECK(cl.seq > cp1.seq);                                           /* LT-ANTECEDENT-AFTER-CALLBACKS */
    for (int i = 0; i < 5; i++) {
        crec c = { 0 };
        do_close(C[i], &c, NULL);
        CHECK(closed(&c, 2000));
        crec q = { 0 };
        do_close(Q[i], &q, NULL);
        CHECK(closed(&q, 2000));
    }
    ndk_object *ses[] = { SE2, SE3, SE4 };
    for (int i = 0; i < 3; i++) {
        crec c = { 0 };
        do_close(ses[i], &c, NULL);
        CHECK(closed(&c, 2000));
    }
}

static void test_addresses_and_exhaustion(void)
{
    uint8_t sa[16];
    ndk_object *x = NULL, *S1 = NULL, *S2 = NULL;
    sockaddr4(sa, LOCAL0, 7200);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &S1), NDK_STATUS_SUCCESS);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &x), NDK_STATUS_SHARING_VIOLATION);
    sockaddr4(sa, LOCAL1, 7200);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &S2), NDK_STATUS_SUCCESS);
    CHECK_EQ(p->create_shared_endpoint(A[1], l_addr, 16, NULL, NULL, &x), NDK_STATUS_INVALID_ADDRESS);  /* the peer's */
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 15, NULL, NULL, &x), NDK_STATUS_INVALID_PARAMETER);
    /* a listener on the local host, then a shared endpoint on its address */
    lrec ev = { .n = 0 };
    sockaddr4(sa, LOCAL0, 0);
    ndk_object *LL = new_listener(NDK_HOST_LOCAL, &ev, sa, 16);
    uint8_t ll[28];
    uint32_t ll_len = local_address(LL, ll);
    CHECK_EQ(p->create_shared_endpoint(A[1], ll, ll_len, NULL, NULL, &x), NDK_STATUS_SHARING_VIOLATION);
    rec lr = { 0 };
    lr.returned = p->listen(LL, ll, ll_len, on_request, &lr);
    CHECK(outcome(&lr, 200) < 0);                                      /* a listener listens once */

    /* injected exhaustion (CSE-INSUFFICIENT-RESOURCES, SE-INSUFFICIENT-RESOURCES) */
    ndk_object *C = make_connector(NDK_HOST_LOCAL), *Q = make_qp(NDK_HOST_LOCAL);
    ndk_held *held = NULL;
    ndk_exhaustion_method method = NDK_EXHAUSTION_UNDECLARED;
    char description[256] = "";
    ndk_unavailable why;
    CHECK_EQ(p->exhaust_resources(tb, NDK_HOST_LOCAL, &held, &method, description, sizeof description, &why), 1);
    CHECK_EQ(method, NDK_EXHAUSTION_INJECTED);
    CHECK(strstr(description, "ENOMEM") != NULL);
    sockaddr4(sa, LOCAL0, 0);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &x), NDK_STATUS_INSUFFICIENT_RESOURCES);
    CHECK(x == NULL);
    rec r = { 0 };
    cse(&r, C, Q, SE, l_addr, l_len, 1, 1, NULL, 0);   /* the tuple is C1's, still open: exhaustion comes first? */
    ndk_status st = outcome(&r, 1000);
    CHECK(st == NDK_STATUS_INSUFFICIENT_RESOURCES || st == NDK_STATUS_ADDRESS_ALREADY_EXISTS);
    uint8_t l9[16];
    sockaddr4(l9, PEER0, 9);
    rec r2 = { 0 };
    cse(&r2, C, Q, SE, l9, 16, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&r2, 1000), NDK_STATUS_INSUFFICIENT_RESOURCES);
    CHECK_EQ(p->create_connector(A[1], NULL, NULL, &x), NDK_STATUS_INSUFFICIENT_RESOURCES);
    CHECK_EQ(p->create_pd(A[2], NULL, NULL, &x), NDK_STATUS_SUCCESS);  /* the other adapter is untouched */
    crec cx = { 0 };
    do_close(x, &cx, NULL);
    CHECK(closed(&cx, 1000));
    p->release_held(tb, held);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &x), NDK_STATUS_SUCCESS);
    crec cs = { 0 };
    do_close(x, &cs, NULL);
    CHECK(closed(&cs, 1000));

    /* SE-TOO-MANY-ADDRESSES */
    CHECK_EQ(p->exhaust_ephemeral_ports(tb, LOCAL0, 4, &held, &method, description, sizeof description, &why), 1);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &x), NDK_STATUS_TOO_MANY_ADDRESSES);
    sockaddr4(sa, LOCAL0, 7300);
    CHECK_EQ(p->create_shared_endpoint(A[1], sa, 16, NULL, NULL, &x), NDK_STATUS_SUCCESS);
    crec c73 = { 0 };
    do_close(x, &c73, NULL);
    CHECK(closed(&c73, 1000));
    p->release_held(tb, held);

    ndk_object *objs[] = { C, Q, LL, S1, S2 };
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        crec c = { 0 };
        do_close(objs[i], &c, NULL);
        CHECK(closed(&c, 2000));
    }
}

static void test_ipv6(void)
{
    uint8_t sa[28] = { 23 };
    const uint8_t peer6[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, },
                  local6[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    uint8_t p6[16];
    memcpy(p6, peer6, 16);
    p6[13] = 1;                                      /* 2001:2::1:1 */
    memcpy(sa + 8, p6, 16);
    lrec ev = { .n = 0 };
    ndk_object *L6 = new_listener(NDK_HOST_PEER, &ev, sa, 28);
    uint8_t l6[28];
    CHECK_EQ(local_address(L6, l6), 28);
    memset(sa, 0, sizeof sa);
    sa[0] = 23;
    memcpy(sa + 8, local6, 16);
    ndk_object *SE6 = new_se(sa, 28);
    uint8_t se6[28], buf[28];
    CHECK_EQ(local_address(SE6, se6), 28);
    uint32_t len = 16;
    CHECK_EQ(p->get_local_address(SE6, buf, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 28);
    ndk_object *C = make_connector(NDK_HOST_LOCAL), *Q = make_qp(NDK_HOST_LOCAL), *QP = make_qp(NDK_HOST_PEER);
    rec r = { 0 }, ra = { 0 }, rc = { 0 };
    rec mix = { 0 };
    cse(&mix, C, Q, SE6, l_addr, l_len, 1, 1, NULL, 0);
    CHECK_EQ(outcome(&mix, 200), NDK_STATUS_INVALID_ADDRESS);          /* CSE-FAMILY-MISMATCH */
    cse(&r, C, Q, SE6, l6, 28, 4294967295u, 4294967295u, NULL, 0);
    CHECK(wait_count(&ev.n, 1, 2000));
    ra.returned = p->accept(ev.conn[0], QP, 4294967295u, 4294967295u, NULL, 0, NULL, NULL, on_request, &ra);
    CHECK_EQ(outcome(&r, 2000), NDK_STATUS_SUCCESS);
    uint32_t in = 0, out = 0, rds = 0;
    CHECK_EQ(p->get_connection_data(C, &in, &out, NULL, &rds), NDK_STATUS_SUCCESS);
    CHECK_EQ(in, 128);                                                 /* LIM-PEER-CAPPED-FIRST */
    CHECK_EQ(out, 128);
    rc.returned = p->complete_connect(C, NULL, NULL, on_request, &rc);
    CHECK_EQ(outcome(&rc, 2000), NDK_STATUS_SUCCESS);
    CHECK_EQ(outcome(&ra, 2000), NDK_STATUS_SUCCESS);
    uint8_t a[28];
    len = 28;
    CHECK_EQ(p->get_peer_address(ev.conn[0], a, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 28);
    CHECK(memcmp(a, se6, 28) == 0);
    /* closing a connected connector disconnects the peer: one event there, none here */
    crec cc = { 0 };
    do_close(C, &cc, NULL);
    CHECK(closed(&cc, 2000));
    ndk_object *objs[] = { ev.conn[0], Q, QP, L6, SE6 };
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        crec c = { 0 };
        do_close(objs[i], &c, NULL);
        CHECK(closed(&c, 2000));
    }
}

/* An established connection between two new connectors through a new shared endpoint. */
struct link {
    ndk_object *se, *l, *c, *q, *pc, *pq;
    lrec events;
    drec dc, dp;
    obj_rec oc, op;
};

static void establish(struct link *k, const uint8_t peer_ip[4])
{
    uint8_t sa[16], la[28];
    memset(k, 0, sizeof *k);
    k->dc.owner = &k->oc;
    k->dp.owner = &k->op;
    sockaddr4(sa, peer_ip, 0);
    k->l = new_listener(NDK_HOST_PEER, &k->events, sa, 16);
    uint32_t la_len = local_address(k->l, la);
    sockaddr4(sa, LOCAL1, 0);
    k->se = new_se(sa, 16);
    k->c = make_connector(NDK_HOST_LOCAL);
    k->q = make_qp(NDK_HOST_LOCAL);
    k->pq = make_qp(NDK_HOST_PEER);
    rec r = { 0 }, ra = { 0 }, rc = { 0 };
    cse(&r, k->c, k->q, k->se, la, la_len, 1, 1, NULL, 0);
    CHECK(wait_count(&k->events.n, 1, 2000));
    k->pc = k->events.conn[0];
    ra.returned = p->accept(k->pc, k->pq, 1, 1, NULL, 0, on_disconnect_event, &k->dp, on_request, &ra);
    CHECK_EQ(outcome(&r, 2000), NDK_STATUS_SUCCESS);
    rc.returned = p->complete_connect(k->c, on_disconnect_event, &k->dc, on_request, &rc);
    CHECK_EQ(outcome(&rc, 2000), NDK_STATUS_SUCCESS);
    CHECK_EQ(outcome(&ra, 2000), NDK_STATUS_SUCCESS);
}

static void close_all(ndk_object **objs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crec c = { 0 };
        do_close(objs[i], &c, NULL);
        CHECK(closed(&c, 2000));
    }
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_teardown(void)
{
    /* LT-NO-CALLBACK-AFTER-CLOSE, DISC-EVENT-ONCE-ON-PEER: closing one end disconnects the other once */
    struct link k;
    establish(&k, PEER1);
    crec cc = { 0 };
    do_close(k.c, &cc, &k.oc);
    CHECK_EQ(cc.returned, NDK_STATUS_PENDING);
    CHECK(closed(&cc, 2000));
    CHECK(wait_count(&k.dp.n, 1, 2000));
    usleep(50000);
    CHECK_EQ(read_count(&k.dp.n), 1);
    CHECK_EQ(read_count(&k.dc.n), 0);
    rec rd = { 0 };
    rd.returned = p->disconnect(k.pc, on_request, &rd);
    CHECK_EQ(outcome(&rd, 500), NDK_STATUS_SUCCESS);
    ndk_object *rest[] = { k.pc, k.q, k.pq, k.l, k.se };
    close_all(rest, 5);

    /* the kit's teardown: both ends closed back to back end quickly, with no event on either */
    establish(&k, PEER1);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    crec c1 = { 0 }, c2 = { 0 };
    do_close(k.c, &c1, &k.oc);
    do_close(k.pc, &c2, &k.op);
    CHECK(closed(&c1, 2000));
    CHECK(closed(&c2, 2000));
    CHECK(elapsed_ms(&t0) < (real_rdma ? 1000 : 150));   /* not the close-disconnect wait (200 ms here) */
    CHECK(read_count(&k.dp.n) <= 1);     /* the DREQ may reach P before its close is issued */
    CHECK_EQ(read_count(&k.dc.n), 0);
    ndk_object *rest2[] = { k.q, k.pq, k.l, k.se };
    close_all(rest2, 4);

    /* both sides disconnect: each request succeeds, one event on the side that did not start */
    establish(&k, PEER1);
    rec d1 = { 0 };
    d1.returned = p->disconnect(k.c, on_request, &d1);
    CHECK(wait_count(&k.dp.n, 1, 2000));
    rec d2 = { 0 };
    d2.returned = p->disconnect(k.pc, on_request, &d2);
    CHECK_EQ(outcome(&d1, 2000), NDK_STATUS_SUCCESS);
    CHECK_EQ(outcome(&d2, 2000), NDK_STATUS_SUCCESS);
    usleep(50000);
    CHECK_EQ(read_count(&k.dc.n), 0);
    CHECK_EQ(read_count(&k.dp.n), 1);
    ndk_object *rest3[] = { k.c, k.pc, k.q, k.pq, k.l, k.se };
    close_all(rest3, 6);
}

static void test_close_in_completion(void)
{
    ndk_object *C = make_connector(NDK_HOST_LOCAL), *Q = make_qp(NDK_HOST_LOCAL);
    obj_rec o = { 0 };
    crec cc = { 0 };
    cc.owner = &o;
    rec r = { .owner = &o, .close_inside = C, .close_inside_rec = &cc };
    int n = read_count(&r_events.n);
    cse(&r, C, Q, SE, r_addr, r_len, 1, 1, NULL, 0);
    CHECK_EQ(r.returned, NDK_STATUS_PENDING);
    CHECK(wait_count(&r_events.n, n + 1, 2000));
    CHECK_EQ(p->reject(r_events.conn[n], NULL, 0), NDK_STATUS_SUCCESS);
    CHECK_EQ(outcome(&r, 2000), NDK_STATUS_CONNECTION_REFUSED);
    CHECK(wait_count(&cc.completions, 1, 2000));                       /* LT-CLOSE-IN-COMPLETION */
    CHECK_EQ(cc.returned, NDK_STATUS_PENDING);
    crec cp = { 0 }, cq = { 0 }, cl = { 0 };
    do_close(r_events.conn[n], &cp, NULL);
    CHECK(closed(&cp, 2000));
    do_close(LR, &cl, NULL);
    CHECK(closed(&cl, 2000));
    do_close(Q, &cq, NULL);
    CHECK(closed(&cq, 2000));
}

static void test_lifetime(void)
{
    /* the QP of a connection pends until its connector closes (LT-QP-CLOSE-PENDS) */
    crec cq1 = { 0 };
    obj_rec oq1 = { 0 };
    do_close(Q1, &cq1, &oq1);
    CHECK_EQ(cq1.returned, NDK_STATUS_PENDING);
    /* the shared endpoint pends on C1 and keeps its address (LT-SE-CLOSE-PENDS, LT-SE-ADDRESS-HELD) */
    crec cse_ = { 0 };
    do_close(SE, &cse_, &o_se);
    CHECK_EQ(cse_.returned, NDK_STATUS_PENDING);
    ndk_object *x = NULL;
    CHECK_EQ(p->create_shared_endpoint(A[1], se_addr, se_len, NULL, NULL, &x), NDK_STATUS_SHARING_VIOLATION);
    lrec ev = { .n = 0 };
    ndk_object *LL = NULL;
    CHECK_EQ(p->create_listener(A[1], on_connect_event, &ev, NULL, NULL, &LL), NDK_STATUS_SUCCESS);
    rec lr = { 0 };
    lr.returned = p->listen(LL, se_addr, se_len, on_request, &lr);
    CHECK_EQ(outcome(&lr, 200), NDK_STATUS_SHARING_VIOLATION);
    ndk_object *C = make_connector(NDK_HOST_LOCAL), *Q = make_qp(NDK_HOST_LOCAL);
    uint8_t l2[16];
    sockaddr4(l2, PEER1, 50002);
    rec dedicated = { 0 };
    dedicated.returned = p->connect(C, Q, se_addr, se_len, l2, 16, 1, 1, NULL, 0, on_request, &dedicated);
    CHECK_EQ(outcome(&dedicated, 200), NDK_STATUS_SHARING_VIOLATION);
    rec closing = { 0 };
    cse(&closing, C, Q, SE, l2, 16, 1, 1, NULL, 0);
    CHECK(outcome(&closing, 200) < 0);                                 /* CSE-SE-CLOSING */
    usleep(50000);
    CHECK_EQ(read_count(&cse_.completions), 0);
    CHECK_EQ(read_count(&cq1.completions), 0);
    /* C1 closes with a slow completion: then the QP and the SE complete, after it returned */
    crec cc1 = { .sleep_ms = 50 };
    do_close(C1, &cc1, &o_c1);
    CHECK(closed(&cc1, 3000));
    CHECK(closed(&cq1, 2000));
    CHECK(closed(&cse_, 2000));
    CHECK(cq1.seq > cc1.seq && cse_.seq > cc1.seq);
    /* closing C1 disconnected nothing more: P1's connection ended before */
    CHECK_EQ(read_count(&d_p1.n), 1);
    /* the address is free again */
    CHECK_EQ(p->create_shared_endpoint(A[1], se_addr, se_len, NULL, NULL, &x), NDK_STATUS_SUCCESS);
    ndk_object *objs[] = { x, C, Q, LL, P1, QP1 };
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        crec c = { 0 };
        do_close(objs[i], &c, NULL);
        CHECK(closed(&c, 2000));
    }
    crec second = { 0 };
    do_close(L, &second, &o_l);
    CHECK(closed(&second, 2000));
    crec again = { 0 };
    again.returned = p->close(L, on_close, &again);
    CHECK(again.returned != NDK_STATUS_SUCCESS && again.returned != NDK_STATUS_PENDING);
}

static struct counts before;

/* Opens a second testbed with 'role' as NDK_LAB_ROLE and the given extra settings. */
static ndk_testbed *open_lift_testbed(const char *role, const char *netdev, const char *mode, const char *mac,
                                      char *why, size_t size)
{
    const char *keys[] = { "local", "peer", "silent-host", "host-unreachable", "network-unreachable", "lift-netdev",
                           "lift-conditions", "silent-mac" };
    const char *values[] = { "198.18.0.1", "198.18.1.1", "198.18.1.77", "198.18.2.1", "198.19.255.1", netdev,
                             mode, mac };
    ndk_testbed_options o = { sizeof o, 400, 8, keys, values };
    const char *had = getenv("NDK_LAB_ROLE");
    char saved[32];
    snprintf(saved, sizeof saved, "%s", had != NULL ? had : "");
    if (role != NULL)
        setenv("NDK_LAB_ROLE", role, 1);
    else
        unsetenv("NDK_LAB_ROLE");
    ndk_testbed *t = NULL;
    if (p->open_testbed(&o, &t, why, size) != NDK_TESTBED_OPENED)
        t = NULL;
    if (had != NULL)
        setenv("NDK_LAB_ROLE", saved, 1);
    else
        unsetenv("NDK_LAB_ROLE");
    return t;
}

/* lift_condition's wiring, without privileges and without changing this machine: every netlink
   step is aimed at a netdev that does not exist, so the kernel never sees a change. */
static void test_lift_wiring(void)
{
    char why[512] = "";
    ndk_unavailable u;
    ndk_held *h = NULL;
    CHECK(open_lift_testbed(NULL, "", "sometimes", "", why, sizeof why) == NULL);   /* a bad lift-conditions */
    CHECK(strstr(why, "lift-conditions=sometimes") != NULL);
    /* the two-host test machine: on (lift-netdev names the netdev), but the netdev is not there */
    ndk_testbed *t = open_lift_testbed("test", "rcnosuch0", "", "", why, sizeof why);
    CHECK(t != NULL);
    if (t != NULL) {
        memset(&u, 0, sizeof u);
        CHECK_EQ(p->lift_condition(t, NDK_LAB_NETWORK_UNREACHABLE, &h, &u), 0);
        CHECK(h == NULL && strcmp(u.code, "cannot-lift-condition") == 0);
        CHECK(strstr(u.detail, "ip route replace 198.19.255.1/32 dev rcnosuch0") != NULL);
        CHECK_EQ(p->lift_condition(t, NDK_LAB_HOST_UNREACHABLE, &h, &u), 0);
        CHECK(strstr(u.detail, "ip neigh flush to 198.18.2.1 dev rcnosuch0") != NULL);
        CHECK_EQ(p->lift_condition(t, NDK_LAB_SILENT_HOST, &h, &u), 0);                /* no MAC to put back */
        CHECK(strcmp(u.code, "cannot-lift-condition") == 0 && strstr(u.detail, "NDK_LAB_SILENT_MAC") != NULL);
        CHECK_EQ(p->lift_condition(t, NDK_LAB_NO_LISTENER, &h, &u), 0);
        CHECK(strcmp(u.code, "nothing-to-lift") == 0);
        p->close_testbed(t);
    }
    t = open_lift_testbed("test", "rcnosuch0", "", "52:54:00:18:01", why, sizeof why);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_EQ(p->lift_condition(t, NDK_LAB_SILENT_HOST, &h, &u), 0);                /* a MAC that is not one */
        CHECK(strstr(u.detail, "not a MAC address") != NULL);
        p->close_testbed(t);
    }
    t = open_lift_testbed("test", "rcnosuch0", "", "52:54:00:18:01:77", why, sizeof why);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_EQ(p->lift_condition(t, NDK_LAB_SILENT_HOST, &h, &u), 0);
        CHECK(strstr(u.detail, "ip neigh del 198.18.1.77 dev rcnosuch0") != NULL);
        p->close_testbed(t);
    }
    /* the support machine: the address, on the missing netdev */
    t = open_lift_testbed("support", "rcnosuch0", "", "", why, sizeof why);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_EQ(p->lift_condition(t, NDK_LAB_SILENT_HOST, &h, &u), 0);
        CHECK(strstr(u.detail, "ip addr add 198.18.1.77/32 dev rcnosuch0") != NULL);
        p->close_testbed(t);
    }
    /* lift-conditions=unavailable wins over the role and the netdev */
    t = open_lift_testbed("test", "rcnosuch0", "unavailable", "52:54:00:18:01:77", why, sizeof why);
    CHECK(t != NULL);
    if (t != NULL) {
        CHECK_EQ(p->lift_condition(t, NDK_LAB_NETWORK_UNREACHABLE, &h, &u), 0);
        CHECK(strcmp(u.code, "cannot-lift-condition") == 0 && strcmp(u.detail, "lift-conditions=unavailable") == 0);
        p->close_testbed(t);
    }
    CHECK(h == NULL);
}

static void test_counts_back(void)
{
    /* the verbs objects of the scenario close in the kit's order: CQ and PD last */
    for (int h = 1; h <= 2; h++) {
        crec c = { 0 }, d = { 0 };
        do_close(CQ[h], &c, NULL);
        CHECK(closed(&c, 2000));
        do_close(PD[h], &d, NULL);
        CHECK(closed(&d, 2000));
    }
    usleep(100000);
    struct counts now = counts_now();
    for (int i = 0; i < before.n; i++) {
        int64_t v = count_of(&now, before.key[i]);
        if (v != before.value[i])
            fprintf(stderr, "count %s: before %lld, after %lld\n", before.key[i], (long long)before.value[i],
                    (long long)v);
        CHECK_EQ(v, before.value[i]);                                  /* LIFE-CLOSE-RELEASES */
    }
    CHECK_EQ(violations, 0);
}

int main(void)
{
    void *lib = dlopen(NDK_PROVIDER_PATH, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 1;
    }
    int (*live_ids)(void) = (int (*)(void))dlsym(lib, "fake_cm_live_ids");
    void (*verbs_counts)(int *, int *, int *, int *) = (void (*)(int *, int *, int *, int *))dlsym(lib, "fake_verbs_counts");
    if (live_ids == NULL || verbs_counts == NULL) {
        if (getenv("NDK_LAB") == NULL) {
            fprintf(stderr, "not on the fake librdmacm/libibverbs (LD_LIBRARY_PATH) and not in the lab: skipped\n");
            return 77;
        }
        real_rdma = 1;
        printf("on the real librdmacm and libibverbs (the lab)\n");
    }
    p = ((ndk_provider_entry_fn)dlsym(lib, NDK_PROVIDER_ENTRY_NAME))(1);
    RUN(test_open);
    before = counts_now();
    CHECK_EQ(count_of(&before, "connector"), 0);
    RUN(test_verbs_objects);
    RUN(test_connection);
    RUN(test_connect_errors);
    RUN(test_disconnect);
    RUN(test_refusals);
    RUN(test_listener_rules);
    RUN(test_addresses_and_exhaustion);
    RUN(test_ipv6);
    RUN(test_teardown);
    RUN(test_close_in_completion);
    RUN(test_lifetime);
    RUN(test_lift_wiring);
    RUN(test_counts_back);
    p->close_testbed(tb);
    if (!real_rdma) {
        int ctx, pd, cq, qp;
        verbs_counts(&ctx, &pd, &cq, &qp);
        CHECK_EQ(live_ids(), 0);
        CHECK_EQ(ctx + pd + cq + qp, 0);
    }
    int rc = check_summary("test_flow");
    dlclose(lib);
    return rc;
}
