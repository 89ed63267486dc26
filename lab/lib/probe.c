/*
 * lab/lib/probe.c: checks the lab's address conditions at the rdma_cm level.
 * Built on the host by lab/selftest (gcc ... -lrdmacm), run inside the lab (lab/run).
 * Addresses come from the NDK_LAB_* environment that lab/run exports.
 *
 * For each condition it prints one line "CASE <name> <address>: <what happened> -> OK|MISMATCH"
 * and exits 0 when every case behaved as the lab promises, 1 otherwise (2 on set-up errors).
 * The silent host is only observed for a couple of seconds (rdma_cm reports it UNREACHABLE
 * after ~100 s; that wait is not what this probe is for).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <rdma/rdma_cma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct rdma_event_channel *ch;
static int mismatches;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "probe: %s is not set (run under lab/run)\n", name);
        exit(2);
    }
    return v;
}

/* First element of a comma-separated list. */
static void first_of(const char *list, char *out, size_t n) {
    snprintf(out, n, "%s", list);
    char *c = strchr(out, ',');
    if (c) *c = 0;
}

static struct sockaddr_in sin_of(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
        fprintf(stderr, "probe: bad address %s\n", ip);
        exit(2);
    }
    return a;
}

/* Wait for the next event on the channel, at most ms; returns 0 and fills type/status or -1. */
static int next_event(int ms, enum rdma_cm_event_type *type, int *status) {
    struct pollfd p = {.fd = ch->fd, .events = POLLIN};
    int r = poll(&p, 1, ms);
    if (r <= 0) return -1;
    struct rdma_cm_event *ev;
    if (rdma_get_cm_event(ch, &ev)) return -1;
    *type = ev->event;
    *status = ev->status;
    rdma_ack_cm_event(ev);
    return 0;
}

static void verdict(int ok) {
    printf(" -> %s\n", ok ? "OK" : "MISMATCH");
    fflush(stdout);
    if (!ok) mismatches++;
}

static struct rdma_cm_id *new_id(void) {
    struct rdma_cm_id *id;
    if (rdma_create_id(ch, &id, NULL, RDMA_PS_TCP)) {
        perror("probe: rdma_create_id");
        exit(2);
    }
    return id;
}

/* rdma_bind_addr: expect errno want (0 = success). */
static void case_bind(const char *name, const char *ip, int want) {
    struct rdma_cm_id *id = new_id();
    struct sockaddr_in a = sin_of(ip, 0);
    int r = rdma_bind_addr(id, (struct sockaddr *)&a);
    int e = r ? errno : 0;
    printf("CASE %-22s %-14s rdma_bind_addr: %s (errno %d)", name, ip, e ? strerror(e) : "ok", e);
    verdict(e == want);
    rdma_destroy_id(id);
}

/* rdma_resolve_addr from src (NULL: none) to dst: expect inline errno want; want 0 expects
 * the event ADDR_RESOLVED with status 0 instead. */
static void case_resolve_inline(const char *name, const char *src, const char *dst, int want) {
    struct rdma_cm_id *id = new_id();
    struct sockaddr_in s = sin_of(src ? src : "0.0.0.0", 0), d = sin_of(dst, 7000);
    double t = now();
    int r = rdma_resolve_addr(id, src ? (struct sockaddr *)&s : NULL, (struct sockaddr *)&d, 2000);
    int e = r ? errno : 0;
    printf("CASE %-22s %-14s rdma_resolve_addr: inline errno %d (%s) after %.3f s", name, dst, e,
           e ? strerror(e) : "no error", now() - t);
    int ok = e == want;
    if (!r) {
        enum rdma_cm_event_type ty = RDMA_CM_EVENT_ADDR_ERROR;
        int st = -1;
        if (next_event(3000, &ty, &st) == 0)
            printf(", then event %s status %d", rdma_event_str(ty), st);
        else
            printf(", then no event within 3 s");
        ok = ok && ty == RDMA_CM_EVENT_ADDR_RESOLVED && st == 0;
    }
    verdict(ok);
    rdma_destroy_id(id);
}

/* Resolve address and route, then connect to port; report what arrives within wait_ms.
 * want_event < 0: expect no event in that time. */
static void case_connect(const char *name, const char *src, const char *dst, int port,
                         int wait_ms, int want_event, int want_status) {
    struct rdma_cm_id *id = new_id();
    struct sockaddr_in s = sin_of(src, 0), d = sin_of(dst, port);
    enum rdma_cm_event_type ty;
    int st, ok = 1;
    double t = now();
    printf("CASE %-22s %-14s", name, dst);
    if (rdma_resolve_addr(id, (struct sockaddr *)&s, (struct sockaddr *)&d, 2000)) {
        printf(" rdma_resolve_addr: inline errno %d (%s)", errno, strerror(errno));
        verdict(0);
        rdma_destroy_id(id);
        return;
    }
    if (next_event(5000, &ty, &st) || ty != RDMA_CM_EVENT_ADDR_RESOLVED) {
        printf(" address not resolved");
        verdict(0);
        rdma_destroy_id(id);
        return;
    }
    printf(" %s %.3f s", rdma_event_str(ty), now() - t);
    if (rdma_resolve_route(id, 2000) || next_event(5000, &ty, &st) || ty != RDMA_CM_EVENT_ROUTE_RESOLVED) {
        printf(", route not resolved");
        verdict(0);
        rdma_destroy_id(id);
        return;
    }
    printf(", %s %.3f s", rdma_event_str(ty), now() - t);
    struct rdma_conn_param cp;
    memset(&cp, 0, sizeof cp);
    cp.qp_num = 1; /* no QP: enough to send the CM REQ */
    cp.retry_count = 7;
    double tc = now();
    if (rdma_connect(id, &cp)) {
        printf(", rdma_connect: inline errno %d (%s)", errno, strerror(errno));
        verdict(0);
        rdma_destroy_id(id);
        return;
    }
    if (next_event(wait_ms, &ty, &st) == 0) {
        printf(", connect -> %s status %d after %.3f s", rdma_event_str(ty), st, now() - tc);
        ok = want_event >= 0 && (int)ty == want_event && st == want_status;
    } else {
        printf(", connect -> no event within %.1f s (rdma_cm reports UNREACHABLE -110 after ~100 s)",
               wait_ms / 1000.0);
        ok = want_event < 0;
    }
    verdict(ok);
    rdma_destroy_id(id);
}

int main(void) {
    char local[64], peer[64];
    first_of(env("NDK_LAB_LOCAL"), local, sizeof local);
    first_of(env("NDK_LAB_PEER"), peer, sizeof peer);
    const char *silent = env("NDK_LAB_SILENT_HOST");
    const char *hostun = env("NDK_LAB_HOST_UNREACHABLE");
    const char *netun = env("NDK_LAB_NETWORK_UNREACHABLE");
    const char *foreign = env("NDK_LAB_FOREIGN");

    ch = rdma_create_event_channel();
    if (!ch) {
        fprintf(stderr, "probe: rdma_create_event_channel: %s (errno %d): no RDMA here\n",
                strerror(errno), errno);
        return 2;
    }
    case_bind("LOCAL", local, 0);
    case_bind("FOREIGN_LOCAL_ADDRESS", foreign, EADDRNOTAVAIL);
    case_resolve_inline("NETWORK_UNREACHABLE", NULL, netun, ENETUNREACH);
    case_resolve_inline("HOST_UNREACHABLE", NULL, hostun, EHOSTUNREACH);
    /* Known kernel behaviour (Linux 6.1): with a bound source address rdma_cm looks the route up
     * with the source's netdev as output interface, and ip_route_output_key() then treats a
     * failed lookup as "destination on-link": no inline error, ADDR_RESOLVED, and the connect
     * ends like the silent host's. A provider must look the route up itself (no oif). */
    case_resolve_inline("BOUND_SRC_NET_UNREACH", local, netun, 0);
    case_resolve_inline("BOUND_SRC_HOST_UNREACH", local, hostun, 0);
    case_connect("NO_LISTENER", local, peer, 9, 10000, RDMA_CM_EVENT_REJECTED, 8);
    case_connect("SILENT_HOST", local, silent, 7000, 2000, -1, 0);
    rdma_destroy_event_channel(ch);
    printf("probe: %s\n", mismatches ? "MISMATCHES" : "all cases as expected");
    return mismatches ? 1 : 0;
}
