/*
 * testbed.c - the provider table, ndk_provider_entry, and the testbed: both hosts' adapters on
 * the lab's device, their addresses and the lab's conditions (NDK_LAB_* or the kit's settings),
 * injected exhaustion, the ephemeral-port exhaustion, the backlog, resource counts, QP read
 * limits and identity facts.
 */
#include "rc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "liftplan.h"
#include "status_map.h"

enum { HELD_EXHAUSTION = 1, HELD_PORTS, HELD_LIFT };

struct ndk_held {
    struct ndk_held *next;
    int kind;
    rc_adapter *adapter;          /* HELD_EXHAUSTION; HELD_LIFT: the adapter it lent the IP to, or NULL */
    nd_addr ip;
    int release;                  /* HELD_LIFT: the step that puts the condition back (liftplan.h) */
    char netdev[32];
    uint8_t mac[6];
};

static struct ndk_testbed *open_testbeds[8];

static int testbed_valid(const struct ndk_testbed *tb)
{
    for (size_t i = 0; tb != NULL && i < sizeof open_testbeds / sizeof open_testbeds[0]; i++)
        if (open_testbeds[i] == tb)
            return 1;
    return 0;
}

static void say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t size, const char *fmt, ...)
{
    if (buf == NULL || size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static void unavailable(ndk_unavailable *why, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void unavailable(ndk_unavailable *why, const char *code, const char *fmt, ...)
{
    if (why == NULL)
        return;
    snprintf(why->code, sizeof why->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->detail, sizeof why->detail, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------------ settings */

static int setting_ms(const rc_settings *s, const char *key, uint64_t dflt, uint64_t *out, char *why, size_t size)
{
    const char *v = settings_get(s, key, NULL);
    *out = dflt;
    if (v != NULL && settings_u64(v, out) != 0) {
        say(why, size, "setting %s=%s is not a number", key, v);
        return -1;
    }
    return 0;
}

static int setting_ips(const rc_settings *s, const char *key, const char *env, nd_addr *out, size_t cap,
                       size_t *count, char *why, size_t size)
{
    char err[200];
    if (settings_ip_list(settings_get(s, key, env), out, cap, count, err, sizeof err) != 0) {
        say(why, size, "%s (%s): %s", key, env, err);
        return -1;
    }
    return 0;
}

static int setting_ip(const rc_settings *s, const char *key, const char *env, nd_addr *out, int *have, char *why,
                      size_t size)
{
    size_t n = 0;
    int rc = setting_ips(s, key, env, out, 1, &n, why, size);
    *have = n > 0;
    return rc;
}

static int read_settings(struct ndk_testbed *tb, const ndk_testbed_options *o, char *why, size_t size)
{
    rc_settings s = { 0, NULL, NULL };
    if (o != NULL && o->size >= offsetof(ndk_testbed_options, setting_values) + sizeof o->setting_values) {
        s.count = o->setting_count;
        s.keys = o->setting_keys;
        s.values = o->setting_values;
    }
    if (setting_ips(&s, "local", "NDK_LAB_LOCAL", tb->local, RC_MAX_ADDRESSES, &tb->local_count, why, size)
        || setting_ips(&s, "peer", "NDK_LAB_PEER", tb->peer, RC_MAX_ADDRESSES, &tb->peer_count, why, size))
        return -1;
    if (tb->local_count == 0 || tb->peer_count == 0) {
        say(why, size, "no lab addresses for the %s host: set NDK_LAB_LOCAL and NDK_LAB_PEER (or the settings "
            "local=IP,... and peer=IP,...), as lab/run does", tb->local_count == 0 ? "LOCAL" : "PEER");
        return -1;
    }
    for (size_t i = 0; i < tb->local_count; i++)
        for (size_t j = 0; j < tb->peer_count; j++)
            if (nd_same_ip(&tb->local[i], &tb->peer[j])) {
                say(why, size, "the LOCAL and PEER hosts share an address; each host needs its own");
                return -1;
            }
    if (setting_ip(&s, "silent-host", "NDK_LAB_SILENT_HOST", &tb->silent_host, &tb->have_silent_host, why, size)
        || setting_ip(&s, "host-unreachable", "NDK_LAB_HOST_UNREACHABLE", &tb->host_unreachable,
                      &tb->have_host_unreachable, why, size)
        || setting_ip(&s, "network-unreachable", "NDK_LAB_NETWORK_UNREACHABLE", &tb->network_unreachable,
                      &tb->have_network_unreachable, why, size)
        || setting_ip(&s, "foreign", "NDK_LAB_FOREIGN", &tb->foreign, &tb->have_foreign, why, size))
        return -1;
    rc_lift_config lift;
    if (lift_config(settings_get(&s, "lift-conditions", NULL), settings_get(&s, "lift-netdev", NULL),
                    settings_get(NULL, "role", "NDK_LAB_ROLE"), settings_get(NULL, "netdev", "NDK_LAB_NETDEV"), &lift,
                    why, size) != 0)
        return -1;
    tb->lift_side = lift.side;
    snprintf(tb->lift_netdev, sizeof tb->lift_netdev, "%s", lift.netdev != NULL ? lift.netdev : "");
    snprintf(tb->lift_off, sizeof tb->lift_off, "%s", lift.off != NULL ? lift.off : "");
    const char *mac = settings_get(&s, "silent-mac", "NDK_LAB_SILENT_MAC");
    snprintf(tb->silent_mac, sizeof tb->silent_mac, "%s", mac != NULL ? mac : "");
    const char *device = settings_get(&s, "device", "NDK_LAB_DEVICE");
    snprintf(tb->device, sizeof tb->device, "%s", device != NULL ? device : "");
    uint64_t backlog, port;
    if (setting_ms(&s, "accept-timeout-ms", 30000, &tb->accept_timeout_ms, why, size)
        || setting_ms(&s, "disconnect-timeout-ms", 10000, &tb->disconnect_timeout_ms, why, size)
        || setting_ms(&s, "close-disconnect-wait-ms", 1000, &tb->close_wait_ms, why, size)
        || setting_ms(&s, "backlog", 4, &backlog, why, size)
        || setting_ms(&s, "lab-port", 9999, &port, why, size))
        return -1;
    if (backlog == 0 || backlog > 1024 || port == 0 || port > 65535) {
        say(why, size, "backlog must be 1-1024 and lab-port 1-65535");
        return -1;
    }
    tb->backlog = (uint32_t)backlog;
    tb->lab_port = (uint16_t)port;
    const char *mode = settings_get(&s, "exhaust-resources", NULL);
    if (mode == NULL || strcmp(mode, "injected") == 0)
        tb->exhaust_mode = EXHAUST_INJECTED;
    else if (strcmp(mode, "injected-async") == 0)
        tb->exhaust_mode = EXHAUST_INJECTED_ASYNC;
    else if (strcmp(mode, "unavailable") == 0)
        tb->exhaust_mode = EXHAUST_UNAVAILABLE;
    else {
        say(why, size, "exhaust-resources=%s: expected injected, injected-async or unavailable", mode);
        return -1;
    }
    tb->connect_timeout_ms = o != NULL && o->size >= offsetof(ndk_testbed_options, connect_timeout_ms) + 8
                                 && o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 3000;
    const char *log = settings_get(&s, "event-log", NULL);
    if (log != NULL && (tb->event_log = fopen(log, "a")) == NULL) {
        say(why, size, "event-log=%s: %s", log, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------- open and close */

static void free_testbed(struct ndk_testbed *tb);
static void put_back(ndk_testbed *tb, const struct ndk_held *h);

static int p_open_testbed(const ndk_testbed_options *options, ndk_testbed **testbed, char *why, size_t why_size)
{
    if (testbed == NULL) {
        say(why, why_size, "no place for the testbed");
        return NDK_TESTBED_UNAVAILABLE;
    }
    *testbed = NULL;
    struct rdma_event_channel *probe = rdma_create_event_channel();
    if (probe == NULL) {
        int err = errno;
        say(why, why_size, "no RDMA device on this machine (rdma_create_event_channel failed: %s, errno %d); "
            "run it in the SoftRoCE lab (lab/run) or on a host with an RDMA device", strerror(err), err);
        return NDK_TESTBED_UNAVAILABLE;
    }
    rdma_destroy_event_channel(probe);
    /* librdmacm opens its own context of each device on first use and keeps it: open them now, so
       that the kernel's ctx count does not rise inside the kit's first scenario (LIFE-CLOSE-RELEASES) */
    struct ibv_context **contexts = rdma_get_devices(NULL);
    if (contexts != NULL)
        rdma_free_devices(contexts);
    struct ndk_testbed *tb = calloc(1, sizeof *tb);
    if (tb == NULL) {
        say(why, why_size, "out of memory");
        return NDK_TESTBED_UNAVAILABLE;
    }
    pt_init(&tb->ports, (uint32_t)time(NULL) ^ (uint32_t)getpid());
    tt_init(&tb->tuples);
    if (read_settings(tb, options, why, why_size) != 0) {
        free_testbed(tb);
        return NDK_TESTBED_UNAVAILABLE;
    }
    int n = 0;
    struct ibv_device **list = ibv_get_device_list(&n);
    struct ibv_device *dev = NULL;
    for (int i = 0; list != NULL && i < n; i++)
        if (tb->device[0] == '\0' || strcmp(ibv_get_device_name(list[i]), tb->device) == 0) {
            dev = list[i];
            break;
        }
    if (dev == NULL) {
        say(why, why_size, tb->device[0] != '\0' ? "no RDMA device named %s (NDK_LAB_DEVICE / device)"
                                                 : "no RDMA device on this machine%s", tb->device);
        if (list != NULL)
            ibv_free_device_list(list);
        free_testbed(tb);
        return NDK_TESTBED_UNAVAILABLE;
    }
    snprintf(tb->device, sizeof tb->device, "%s", ibv_get_device_name(dev));
    if (rc_adapter_open(tb, NDK_HOST_LOCAL, dev, &tb->adapters[0], why, why_size) != 0
        || rc_adapter_open(tb, NDK_HOST_PEER, dev, &tb->adapters[1], why, why_size) != 0) {
        ibv_free_device_list(list);
        free_testbed(tb);
        return NDK_TESTBED_UNAVAILABLE;
    }
    ibv_free_device_list(list);
    pthread_mutex_lock(&rc_lock);
    size_t slot = 0;
    while (slot < sizeof open_testbeds / sizeof open_testbeds[0] && open_testbeds[slot] != NULL)
        slot++;
    if (slot == sizeof open_testbeds / sizeof open_testbeds[0]) {
        pthread_mutex_unlock(&rc_lock);
        say(why, why_size, "too many testbeds open at once");
        free_testbed(tb);
        return NDK_TESTBED_UNAVAILABLE;
    }
    open_testbeds[slot] = tb;
    rc_log(tb, "testbed open on %s: connect timeout %llu ms, backlog %u", tb->device,
           (unsigned long long)tb->connect_timeout_ms, tb->backlog);
    pthread_mutex_unlock(&rc_lock);
    *testbed = tb;
    return NDK_TESTBED_OPENED;
}

/*
 * Frees every object still open under 'only' (or under both adapters when NULL): the event threads
 * have stopped, the lock is held.
 */
static void sweep(struct ndk_testbed *tb, const rc_adapter *only)
{
    static const ndk_object_type order[] = { NDK_OBJECT_CONNECTOR, NDK_OBJECT_LISTENER, NDK_OBJECT_SHARED_ENDPOINT,
                                             NDK_OBJECT_QP, NDK_OBJECT_CQ, NDK_OBJECT_PD };
    static const int kinds[] = { COUNT_CONNECTOR, COUNT_LISTENER, COUNT_SHARED_ENDPOINT, COUNT_QP, COUNT_CQ, COUNT_PD };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        ndk_object *o = tb->live;
        while (o != NULL) {
            ndk_object *next = o->live_next;
            if (o->type == order[k] && (only == NULL || o->adapter == only)) {
                switch (o->finalized ? NDK_OBJECT_ADAPTER : o->type) {   /* finalized: the native part is gone */
                case NDK_OBJECT_CONNECTOR: {
                    rc_connector *c = (rc_connector *)o;
                    rc_destroy_id_now(tb, c->id);
                    if (c->tuple_held)
                        tt_remove(&tb->tuples, &c->local, &c->remote, c);
                    if (c->port_held)
                        pt_release(&tb->ports, &c->local, c);
                    break;
                }
                case NDK_OBJECT_LISTENER: {
                    rc_listener *l = (rc_listener *)o;
                    rc_destroy_id_now(tb, l->id);
                    if (l->port_held)
                        pt_release(&tb->ports, &l->addr, l);
                    break;
                }
                case NDK_OBJECT_SHARED_ENDPOINT: {
                    rc_se *se = (rc_se *)o;
                    rc_destroy_id_now(tb, se->anchor);
                    if (se->port_held)
                        pt_release(&tb->ports, &se->addr, se);
                    break;
                }
                case NDK_OBJECT_QP:
                    ibv_destroy_qp(((rc_qp *)o)->qp);
                    break;
                case NDK_OBJECT_CQ:
                    ibv_destroy_cq(((rc_cq *)o)->cq);
                    break;
                case NDK_OBJECT_PD:
                    ibv_dealloc_pd(((rc_pd *)o)->pd);
                    break;
                default:
                    break;
                }
                rc_obj_free(o, kinds[k]);
            }
            o = next;
        }
    }
}

static void free_testbed(struct ndk_testbed *tb)
{
    for (int h = 0; h < 2; h++)
        rc_adapter_stop(tb->adapters[h]);
    pthread_mutex_lock(&rc_lock);
    for (size_t i = 0; i < sizeof open_testbeds / sizeof open_testbeds[0]; i++)
        if (open_testbeds[i] == tb)
            open_testbeds[i] = NULL;
    sweep(tb, NULL);
    struct ndk_held *held = tb->held;   /* the conditions are put back after the unlock */
    tb->held = NULL;
    for (int h = 0; h < 2; h++) {
        if (tb->adapters[h] != NULL) {
            rc_unregister(&tb->adapters[h]->hdr);
            rc_adapter_free(tb->adapters[h]);
            tb->adapters[h] = NULL;
        }
    }
    pt_destroy(&tb->ports);
    tt_destroy(&tb->tuples);
    if (tb->event_log != NULL)
        fclose(tb->event_log);
    pthread_mutex_unlock(&rc_lock);
    while (held != NULL) {
        struct ndk_held *h = held;
        held = h->next;
        if (h->kind == HELD_LIFT)
            put_back(tb, h);
        free(h);
    }
    free(tb);
}

static void p_close_testbed(ndk_testbed *tb)
{
    pthread_mutex_lock(&rc_lock);
    int ok = testbed_valid(tb);
    if (ok) {
        tb->closing = 1;
        rc_log(tb, "testbed closing");
    }
    pthread_mutex_unlock(&rc_lock);
    if (ok)
        free_testbed(tb);   /* the event threads make what is queued, then stop; no callback comes after */
}

/*
 * NdkCloseObject on an adapter (CLOSE_NDK_ADAPTER_HANDLER): blocking. From the call on the adapter
 * is no handle any more (new calls on it get INVALID_HANDLE); its event thread makes the callbacks
 * already queued and stops; whatever its consumer left open is then released without callbacks.
 */
static void p_close_adapter(ndk_object *adapter)
{
    pthread_mutex_lock(&rc_lock);
    rc_adapter *a = rc_object(adapter, NDK_OBJECT_ADAPTER);
    if (a != NULL) {
        rc_unregister(&a->hdr);
        rc_log(a->hdr.tb, "%s adapter closing", a->host == NDK_HOST_LOCAL ? "LOCAL" : "PEER");
    }
    pthread_mutex_unlock(&rc_lock);
    if (a == NULL)
        return;
    rc_adapter_stop(a);
    pthread_mutex_lock(&rc_lock);
    sweep(a->hdr.tb, a);
    rc_adapter_release(a);
    pthread_mutex_unlock(&rc_lock);
}

static ndk_object *p_testbed_adapter(ndk_testbed *tb, ndk_host host)
{
    if (!testbed_valid(tb) || (host != NDK_HOST_LOCAL && host != NDK_HOST_PEER))
        return NULL;
    return &tb->adapters[host == NDK_HOST_LOCAL ? 0 : 1]->hdr;
}

static size_t p_testbed_addresses(ndk_testbed *tb, ndk_host host, uint8_t (*ips)[16], uint8_t *lens, size_t capacity)
{
    if (!testbed_valid(tb) || (host != NDK_HOST_LOCAL && host != NDK_HOST_PEER))
        return 0;
    const nd_addr *list = host == NDK_HOST_LOCAL ? tb->local : tb->peer;
    size_t n = host == NDK_HOST_LOCAL ? tb->local_count : tb->peer_count;
    for (size_t i = 0; i < n && i < capacity && ips != NULL && lens != NULL; i++) {
        memset(ips[i], 0, 16);
        lens[i] = list[i].family == 4 ? 4 : 16;
        memcpy(ips[i], list[i].ip, lens[i]);
    }
    return n;
}

static int p_testbed_lab_address(ndk_testbed *tb, ndk_lab_condition condition, uint8_t *sockaddr, uint32_t *length,
                                 ndk_unavailable *why)
{
    if (!testbed_valid(tb) || sockaddr == NULL || length == NULL) {
        unavailable(why, "bad-argument", "no testbed or no buffer");
        return 0;
    }
    nd_addr a;
    int have = 0;
    const char *name = "", *env = "";
    switch (condition) {
    case NDK_LAB_NO_LISTENER:
        a = tb->peer[0];            /* a peer address on a port outside the ephemeral range: nothing listens there */
        have = 1;
        break;
    case NDK_LAB_NETWORK_UNREACHABLE:
        a = tb->network_unreachable, have = tb->have_network_unreachable;
        name = "network-unreachable", env = "NDK_LAB_NETWORK_UNREACHABLE";
        break;
    case NDK_LAB_HOST_UNREACHABLE:
        a = tb->host_unreachable, have = tb->have_host_unreachable;
        name = "host-unreachable", env = "NDK_LAB_HOST_UNREACHABLE";
        break;
    case NDK_LAB_SILENT_HOST:
        a = tb->silent_host, have = tb->have_silent_host;
        name = "silent-host", env = "NDK_LAB_SILENT_HOST";
        break;
    case NDK_LAB_FOREIGN_LOCAL_ADDRESS:
        a = tb->foreign, have = tb->have_foreign;
        name = "foreign", env = "NDK_LAB_FOREIGN";
        break;
    default:
        unavailable(why, "unknown-condition", "condition %d is not one this provider knows", (int)condition);
        return 0;
    }
    if (!have) {
        char code[64];
        snprintf(code, sizeof code, "no-%s-address", name);
        unavailable(why, code, "the testbed has no %s address: set %s (or the setting %s=IP)", name, env, name);
        return 0;
    }
    a.port = condition == NDK_LAB_FOREIGN_LOCAL_ADDRESS ? 0 : tb->lab_port;
    if (*length < nd_sockaddr_size(&a)) {
        unavailable(why, "bad-argument", "the buffer holds %u bytes, the address needs %u", *length,
                    nd_sockaddr_size(&a));
        return 0;
    }
    *length = nd_format_sockaddr(&a, sockaddr);
    return 1;
}

/* ------------------------------------------------------------------------ held things */

static struct ndk_held *hold(struct ndk_testbed *tb, int kind)
{
    struct ndk_held *h = calloc(1, sizeof *h);
    if (h != NULL) {
        h->kind = kind;
        h->next = tb->held;
        tb->held = h;
    }
    return h;
}

static int p_exhaust_resources(ndk_testbed *tb, ndk_host host, ndk_held **held, ndk_exhaustion_method *method,
                               char *description, size_t description_size, ndk_unavailable *why)
{
    if (!testbed_valid(tb) || held == NULL || (host != NDK_HOST_LOCAL && host != NDK_HOST_PEER)) {
        unavailable(why, "bad-argument", "no testbed, host or handle");
        return 0;
    }
    if (tb->exhaust_mode == EXHAUST_UNAVAILABLE) {
        unavailable(why, "cannot-exhaust-resources", "exhaust-resources=unavailable: rdma_rxe has no limit that makes "
                    "a connect fail (the rdma cgroup does not charge rdma_cm ids)");
        return 0;
    }
    pthread_mutex_lock(&rc_lock);
    struct ndk_held *h = hold(tb, HELD_EXHAUSTION);
    if (h != NULL) {
        h->adapter = tb->adapters[host == NDK_HOST_LOCAL ? 0 : 1];
        h->adapter->exhausted++;
    }
    pthread_mutex_unlock(&rc_lock);
    if (h == NULL) {
        unavailable(why, "out-of-memory", "cannot allocate the handle");
        return 0;
    }
    *held = h;
    if (method != NULL)
        *method = NDK_EXHAUSTION_INJECTED;
    say(description, description_size,
        tb->exhaust_mode == EXHAUST_INJECTED
            ? "injected: on the %s adapter the provider's own allocations (rdma_create_id of a connect or listen, "
              "object creates, ibv_alloc_pd/ibv_create_cq/ibv_create_qp) fail with ENOMEM, so connects fail inline"
            : "injected-async: on the %s adapter object creates fail with ENOMEM and a connect fails with ENOMEM at "
              "route resolution, through its completion",
        host == NDK_HOST_LOCAL ? "LOCAL" : "PEER");
    return 1;
}

static int p_exhaust_ephemeral_ports(ndk_testbed *tb, const uint8_t *ip, uint8_t ip_length, ndk_held **held,
                                     ndk_exhaustion_method *method, char *description, size_t description_size,
                                     ndk_unavailable *why)
{
    if (!testbed_valid(tb) || held == NULL || ip == NULL || (ip_length != 4 && ip_length != 16)) {
        unavailable(why, "bad-argument", "no testbed, handle or IP");
        return 0;
    }
    nd_addr a;
    memset(&a, 0, sizeof a);
    a.family = ip_length == 4 ? 4 : 6;
    memcpy(a.ip, ip, ip_length);
    pthread_mutex_lock(&rc_lock);
    struct ndk_held *h = hold(tb, HELD_PORTS);
    if (h != NULL) {
        h->ip = a;
        if (pt_exhaust(&tb->ports, &a) != 0) {
            tb->held = h->next;
            free(h);
            h = NULL;
        }
    }
    pthread_mutex_unlock(&rc_lock);
    if (h == NULL) {
        unavailable(why, "out-of-memory", "cannot allocate the handle");
        return 0;
    }
    *held = h;
    if (method != NULL)
        *method = NDK_EXHAUSTION_REAL_LIMIT;
    char text[64];
    nd_addr_str(&a, text, sizeof text);
    say(description, description_size, "every ND port of 49152-65535 on %s is taken in the provider's port table, "
        "from which it chooses every port-0 address", text);
    return 1;
}

/* The condition's IP (lab port cleared), or NULL when the testbed has none. */
static const nd_addr *condition_ip(const ndk_testbed *tb, ndk_lab_condition condition)
{
    switch (condition) {
    case NDK_LAB_NETWORK_UNREACHABLE:
        return tb->have_network_unreachable ? &tb->network_unreachable : NULL;
    case NDK_LAB_HOST_UNREACHABLE:
        return tb->have_host_unreachable ? &tb->host_unreachable : NULL;
    case NDK_LAB_SILENT_HOST:
        return tb->have_silent_host ? &tb->silent_host : NULL;
    default:
        return NULL;
    }
}

/* The IP alone (nd_addr_str adds the port). */
static void ip_text(const nd_addr *a, char *buf, size_t size)
{
    if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, buf, (socklen_t)size) == NULL)
        snprintf(buf, size, "?");
}

static void step_text(int step, const struct ndk_held *h, char *buf, size_t size)
{
    char ip[64];
    ip_text(&h->ip, ip, sizeof ip);
    lift_step_text(step, ip, h->ip.family == 6, h->netdev, h->mac, buf, size);
}

/* Runs the lifted condition's release step (lock NOT held: rtnetlink and the kernel take time). */
static void put_back(ndk_testbed *tb, const struct ndk_held *h)
{
    int rc = rc_lift_step(h->release, h->netdev, &h->ip, h->mac);
    char text[160];
    step_text(h->release, h, text, sizeof text);
    if (rc != 0)
        fprintf(stderr, "rdmacm-c: cannot put a lab condition back: %s: %s\n", text, strerror(rc));
    pthread_mutex_lock(&rc_lock);
    if (testbed_valid(tb))
        rc_log(tb, "condition back: %s%s%s", text, rc != 0 ? " FAILED: " : "", rc != 0 ? strerror(rc) : "");
    pthread_mutex_unlock(&rc_lock);
}

/*
 * One-VM lab and the two-host lab's support machine: the condition's IP becomes an address of the
 * netdev (then of the PEER adapter, once rxe has its GID); the test machine: the route or the
 * neighbour entry that keeps it unreachable from there goes (liftplan.h). The netlink work runs
 * without the lock; a failure undoes what was done and is "cannot-lift-condition".
 */
static int p_lift_condition(ndk_testbed *tb, ndk_lab_condition condition, ndk_held **held, ndk_unavailable *why)
{
    if (held != NULL)
        *held = NULL;
    if (!testbed_valid(tb) || held == NULL) {
        unavailable(why, "bad-argument", "no testbed or no handle");
        return 0;
    }
    rc_lift_plan plan;
    if (lift_plan(LIFT_ADDRESS, condition, &plan) != 0) {
        unavailable(why, "nothing-to-lift", "condition %d is not a network condition", (int)condition);
        return 0;
    }
    if (tb->lift_side == LIFT_OFF || lift_plan(tb->lift_side, condition, &plan) != 0) {
        unavailable(why, "cannot-lift-condition", "%s", tb->lift_off);
        return 0;
    }
    const nd_addr *ip = condition_ip(tb, condition);
    if (ip == NULL) {
        unavailable(why, "no-condition-address", "the testbed has no address for condition %d", (int)condition);
        return 0;
    }
    struct ndk_held *h = calloc(1, sizeof *h);
    if (h == NULL) {
        unavailable(why, "out-of-memory", "cannot allocate the handle");
        return 0;
    }
    h->kind = HELD_LIFT;
    h->ip = *ip;
    h->ip.port = 0;
    h->release = plan.release;
    snprintf(h->netdev, sizeof h->netdev, "%s", tb->lift_netdev);
    if (plan.needs_mac && lift_parse_mac(tb->silent_mac, h->mac) != 0) {
        unavailable(why, "cannot-lift-condition",
                    tb->silent_mac[0] == '\0' ? "no NDK_LAB_SILENT_MAC (silent-mac) to put the silent host back with%s"
                                              : "NDK_LAB_SILENT_MAC (silent-mac) '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)",
                    tb->silent_mac);
        free(h);
        return 0;
    }
    rc_adapter *peer = tb->adapters[1];
    pthread_mutex_lock(&rc_lock);
    int full = testbed_valid(tb) && plan.lend && peer->lifted_count >= sizeof peer->lifted / sizeof peer->lifted[0];
    pthread_mutex_unlock(&rc_lock);
    if (full) {
        unavailable(why, "too-many-lifts", "too many conditions lifted at once");
        free(h);
        return 0;
    }
    char text[160];
    step_text(plan.lift, h, text, sizeof text);
    int rc = rc_lift_step(plan.lift, h->netdev, &h->ip, h->mac);
    if (rc != 0) {
        unavailable(why, "cannot-lift-condition", "%s failed: %s", text, strerror(rc));
        free(h);
        return 0;
    }
    if (plan.lend && rc_wait_for_gid(tb->device, peer->port_num, &h->ip, 5000) != 0) {
        char addr[64];
        ip_text(&h->ip, addr, sizeof addr);
        unavailable(why, "cannot-lift-condition", "%s did not get a GID on %s within 5 s of %s", addr, tb->device, text);
        rc_lift_step(plan.release, h->netdev, &h->ip, h->mac);
        free(h);
        return 0;
    }
    pthread_mutex_lock(&rc_lock);
    int ok = testbed_valid(tb) && !tb->closing
             && (!plan.lend || peer->lifted_count < sizeof peer->lifted / sizeof peer->lifted[0]);
    if (ok) {
        if (plan.lend) {
            h->adapter = peer;
            peer->lifted[peer->lifted_count++] = h->ip;
        }
        h->next = tb->held;
        tb->held = h;
        rc_log(tb, "lifted: %s%s", text, plan.lend ? "; the IP is an address of PEER" : "");
    }
    pthread_mutex_unlock(&rc_lock);
    if (!ok) {
        rc_lift_step(plan.release, h->netdev, &h->ip, h->mac);
        free(h);
        unavailable(why, "cannot-lift-condition", "the testbed closed, or too many conditions were lifted at once");
        return 0;
    }
    *held = h;
    return 1;
}

/* Takes a lifted condition's IP back from the adapter it was lent to (lock held; the condition is
   put back after the unlock). */
static void unlift(struct ndk_held *h)
{
    rc_adapter *a = h->adapter;
    for (size_t i = 0; a != NULL && i < a->lifted_count; i++)
        if (nd_same_ip(&a->lifted[i], &h->ip)) {
            a->lifted[i] = a->lifted[--a->lifted_count];
            break;
        }
}

static void p_release_held(ndk_testbed *tb, ndk_held *held)
{
    struct ndk_held *lifted = NULL;
    pthread_mutex_lock(&rc_lock);
    if (testbed_valid(tb)) {
        for (struct ndk_held **pp = &tb->held; *pp != NULL; pp = &(*pp)->next) {
            if (*pp != held)
                continue;
            *pp = held->next;
            if (held->kind == HELD_EXHAUSTION && held->adapter->exhausted > 0) {
                held->adapter->exhausted--;
            } else if (held->kind == HELD_PORTS) {
                pt_unexhaust(&tb->ports, &held->ip);
            } else if (held->kind == HELD_LIFT) {
                unlift(held);
                lifted = held;
                break;
            }
            free(held);
            break;
        }
    }
    pthread_mutex_unlock(&rc_lock);
    if (lifted != NULL) {
        put_back(tb, lifted);   /* the condition is back */
        free(lifted);
    }
}

static int p_listener_backlog(ndk_testbed *tb, uint32_t *backlog, ndk_unavailable *why)
{
    if (!testbed_valid(tb) || backlog == NULL) {
        unavailable(why, "bad-argument", "no testbed or no place for the value");
        return 0;
    }
    *backlog = tb->backlog;
    return 1;
}

static int p_resource_counts(ndk_testbed *tb, ndk_count_sink sink, void *sink_context, ndk_unavailable *why)
{
    static const char *const names[COUNT_KINDS] = { "connector", "shared-endpoint", "listener", "qp", "cq", "pd",
                                                    "cm-id" };
    if (!testbed_valid(tb) || sink == NULL) {
        unavailable(why, "bad-argument", "no testbed or no sink");
        return 0;
    }
    int64_t counts[COUNT_KINDS];
    char device[64];
    pthread_mutex_lock(&rc_lock);
    memcpy(counts, tb->counts, sizeof counts);
    snprintf(device, sizeof device, "%s", tb->device);
    pthread_mutex_unlock(&rc_lock);
    for (int i = 0; i < COUNT_KINDS; i++)
        sink(sink_context, names[i], counts[i]);
    char ignored[128];
    rc_kernel_counts(device, sink, sink_context, ignored, sizeof ignored);   /* rdma:pd, rdma:cm_id, ... when readable */
    return 1;
}

static int p_qp_read_limits(ndk_testbed *tb, ndk_object *qp, uint32_t *inbound, uint32_t *outbound,
                            ndk_unavailable *why)
{
    if (!testbed_valid(tb) || inbound == NULL || outbound == NULL) {
        unavailable(why, "bad-argument", "no testbed or no place for the values");
        return 0;
    }
    pthread_mutex_lock(&rc_lock);
    rc_qp *q = rc_object(qp, NDK_OBJECT_QP);
    struct ibv_qp_attr attr;
    struct ibv_qp_init_attr init;
    int rc = q == NULL ? EINVAL : ibv_query_qp(q->qp, &attr, IBV_QP_MAX_QP_RD_ATOMIC | IBV_QP_MAX_DEST_RD_ATOMIC, &init);
    pthread_mutex_unlock(&rc_lock);
    if (rc != 0) {
        unavailable(why, "no-qp-attributes", "ibv_query_qp failed: %s", q == NULL ? "not a QP of this provider" : strerror(rc));
        return 0;
    }
    *inbound = attr.max_dest_rd_atomic;
    *outbound = attr.max_rd_atomic;
    return 1;
}

static uint64_t p_connect_timeout_ms(ndk_testbed *tb)
{
    return testbed_valid(tb) ? tb->connect_timeout_ms : 0;
}

static uint64_t p_four_tuple_release_delay_ms(ndk_testbed *tb)
{
    (void)tb;
    return 0;   /* rdma_cm releases a port at rdma_destroy_id; the IB CM's timewait does not hold it */
}

/* ------------------------------------------------------------------------------ identity */

struct lib_versions {
    char rdmacm[64], ibverbs[64];
};

static int find_library(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct lib_versions *v = arg;
    const char *name = info->dlpi_name;
    if (name == NULL || *name == '\0')
        return 0;
    char *real = realpath(name, NULL);
    const char *path = real != NULL ? real : name;
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    const char *so = strstr(base, ".so.");
    if (so != NULL) {
        if (strncmp(base, "librdmacm.so", 12) == 0)
            snprintf(v->rdmacm, sizeof v->rdmacm, "%s", so + 4);
        else if (strncmp(base, "libibverbs.so", 13) == 0)
            snprintf(v->ibverbs, sizeof v->ibverbs, "%s", so + 4);
    }
    free(real);
    return 0;
}

static void driver_of(const char *device, char *out, size_t size)
{
    char path[256], link[256];
    snprintf(path, sizeof path, "/sys/class/infiniband/%s/device/driver", device);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *base = strrchr(link, '/');
        snprintf(out, size, "%s", base != NULL ? base + 1 : link);
        return;
    }
    if (strncmp(device, "rxe", 3) == 0 && access("/sys/module/rdma_rxe", F_OK) == 0)
        snprintf(out, size, "rdma_rxe");
    else
        snprintf(out, size, "unknown");
}

static void p_identity(ndk_testbed *tb, ndk_fact_sink sink, void *ctx)
{
    if (!testbed_valid(tb) || sink == NULL)
        return;
    char text[256];
    sink(ctx, "provider", RC_PROVIDER_NAME " " RC_PROVIDER_VERSION);
    for (int h = 0; h < 2; h++) {
        rc_adapter *a = tb->adapters[h];
        const char *p = h == 0 ? "local." : "peer.";
        char key[64];
        snprintf(key, sizeof key, "%sdevice", p);
        sink(ctx, key, a->device_name);
        snprintf(key, sizeof key, "%sfirmware", p);
        sink(ctx, key, a->device_attr.fw_ver[0] != '\0' ? a->device_attr.fw_ver : "none");
        snprintf(key, sizeof key, "%snode-guid", p);
        snprintf(text, sizeof text, "%016llx", (unsigned long long)be64toh(a->device_attr.node_guid));
        sink(ctx, key, text);
        snprintf(key, sizeof key, "%svendor-id", p);
        snprintf(text, sizeof text, "0x%x part 0x%x hw %u", a->device_attr.vendor_id, a->device_attr.vendor_part_id,
                 a->device_attr.hw_ver);
        sink(ctx, key, text);
        snprintf(key, sizeof key, "%sport", p);
        snprintf(text, sizeof text, "%u (%s, rdma technology %u)", a->port_num,
                 a->port_attr.link_layer == IBV_LINK_LAYER_INFINIBAND ? "InfiniBand" : "Ethernet",
                 a->info.rdma_technology);
        sink(ctx, key, text);
    }
    driver_of(tb->device, text, sizeof text);
    sink(ctx, "driver", text);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(text, sizeof text, "%s %s", u.sysname, u.release);
        sink(ctx, "kernel", text);
        sink(ctx, "driver-version", u.release);   /* an in-tree driver has the kernel's version */
    }
    struct lib_versions v = { "unknown", "unknown" };
    dl_iterate_phdr(find_library, &v);
    sink(ctx, "librdmacm", v.rdmacm);
    sink(ctx, "libibverbs", v.ibverbs);
}

/* ------------------------------------------------------------------------------- objects */

static ndk_object_type p_object_type(ndk_object *o)
{
    pthread_mutex_lock(&rc_lock);
    ndk_object_type t = rc_registered(o) && o->magic == RC_OBJ_MAGIC ? o->type : (ndk_object_type)0;
    pthread_mutex_unlock(&rc_lock);
    return t;
}

static ndk_status p_close(ndk_object *o, ndk_close_completion completion, void *context)
{
    pthread_mutex_lock(&rc_lock);
    ndk_status st;
    if (!rc_registered(o) || o->magic != RC_OBJ_MAGIC || o->type == NDK_OBJECT_ADAPTER)
        st = NDK_STATUS_INVALID_HANDLE;
    else if (completion == NULL)
        st = NDK_STATUS_INVALID_PARAMETER;          /* bad input: the object stays as it was */
    else if (o->closing)
        st = NDK_STATUS_INVALID_DEVICE_STATE;       /* a second close */
    else {
        o->close_fn = completion;
        o->close_context = context;
        switch (o->type) {
        case NDK_OBJECT_PD: case NDK_OBJECT_CQ: case NDK_OBJECT_QP:
            st = rc_close_verbs(o);
            break;
        case NDK_OBJECT_SHARED_ENDPOINT: case NDK_OBJECT_LISTENER:
            st = rc_close_endpoint(o);
            break;
        case NDK_OBJECT_CONNECTOR:
            st = rc_close_connector((rc_connector *)o);
            break;
        default:
            st = NDK_STATUS_INVALID_HANDLE;
            break;
        }
    }
    pthread_mutex_unlock(&rc_lock);
    return st;
}

static const ndk_provider provider = {
    .size = sizeof(ndk_provider),
    .abi_major = NDK_PROVIDER_ABI_MAJOR,
    .abi_minor = NDK_PROVIDER_ABI_MINOR,
    .name = RC_PROVIDER_NAME,
    .version = RC_PROVIDER_VERSION,
    .vendor = RC_PROVIDER_VENDOR,
    .description = "NDK connection establishment on librdmacm and libibverbs (C11), for SoftRoCE and RDMA NICs",
    .capabilities = NDK_CAPABILITY_IPV4 | NDK_CAPABILITY_IPV6,
    .open_testbed = p_open_testbed,
    .close_testbed = p_close_testbed,
    .testbed_adapter = p_testbed_adapter,
    .testbed_addresses = p_testbed_addresses,
    .testbed_lab_address = p_testbed_lab_address,
    .exhaust_resources = p_exhaust_resources,
    .exhaust_ephemeral_ports = p_exhaust_ephemeral_ports,
    .lift_condition = p_lift_condition,
    .release_held = p_release_held,
    .listener_backlog = p_listener_backlog,
    .resource_counts = p_resource_counts,
    .qp_read_limits = p_qp_read_limits,
    .connect_timeout_ms = p_connect_timeout_ms,
    .four_tuple_release_delay_ms = p_four_tuple_release_delay_ms,
    .identity = p_identity,
    .object_type = p_object_type,
    .query_adapter_info = rc_query_adapter_info,
    .create_pd = rc_create_pd,
    .create_cq = rc_create_cq,
    .create_qp = rc_create_qp,
    .create_connector = rc_create_connector,
    .create_shared_endpoint = rc_create_shared_endpoint,
    .create_listener = rc_create_listener,
    .close = p_close,
    .connect = rc_connect,
    .connect_with_shared_endpoint = rc_connect_with_shared_endpoint,
    .complete_connect = rc_complete_connect,
    .accept = rc_accept,
    .reject = rc_reject,
    .get_connection_data = rc_get_connection_data,
    .get_local_address = rc_get_local_address,
    .get_peer_address = rc_get_peer_address,
    .disconnect = rc_disconnect,
    .listen = rc_listen,
    .control_connect_events = rc_control_connect_events,
    .close_adapter = p_close_adapter,
};

__attribute__((visibility("default"))) const ndk_provider *ndk_provider_entry(uint32_t abi_major)
{
    return abi_major == NDK_PROVIDER_ABI_MAJOR ? &provider : NULL;
}
