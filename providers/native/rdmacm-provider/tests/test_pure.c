/*
 * test_pure.c - the provider's pure parts, on a host without RDMA: SOCKADDR parsing and
 * validation, the read-limit arithmetic, the ND port table and the four-tuple table, the buffer
 * protocols, private-data checks, the status mapping, the settings and lift_condition's plan
 * (which machine does what; the silent host's MAC). The rtnetlink steps themselves need
 * CAP_NET_ADMIN and the lab's netdev: they run only in the lab.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "buffers.h"
#include "check.h"
#include "liftplan.h"
#include "negotiate.h"
#include "settings.h"
#include "sockaddr.h"
#include "status_map.h"
#include "tables.h"

/* ------------------------------------------------------------------------------ helpers */

static nd_addr ip(const char *literal, uint16_t port)
{
    nd_addr a;
    if (nd_ip_parse(literal, &a) != 0)
        abort();
    a.port = port;
    return a;
}

/* A SOCKADDR_IN as the kit writes it (SockAddr.of). */
static void sin_bytes(uint8_t b[16], const char *literal, uint16_t port)
{
    nd_addr a = ip(literal, port);
    memset(b, 0, 16);
    b[0] = 2;
    b[2] = (uint8_t)(port >> 8);
    b[3] = (uint8_t)port;
    memcpy(b + 4, a.ip, 4);
}

/* ------------------------------------------------------------------------------ sockaddr */

static void test_sockaddr_valid(void)
{
    uint8_t b[28];
    nd_addr a;
    sin_bytes(b, "198.18.1.1", 7100);
    CHECK_EQ(nd_parse_sockaddr(b, 16, &a), ND_PARSE_OK);
    CHECK_EQ(a.family, 4);
    CHECK_EQ(a.port, 7100);
    CHECK(nd_same_ip(&a, &(nd_addr){ 0 }) == 0);
    nd_addr want = ip("198.18.1.1", 7100);
    CHECK(nd_same_endpoint(&a, &want));

    uint8_t six[28] = { 23, 0, 0x1b, 0x9e };      /* port 7070 */
    nd_addr v6 = ip("2001:2::1:1", 0);
    memcpy(six + 8, v6.ip, 16);
    six[4] = 0xAA;                                /* flowinfo and scope id are ignored */
    six[24] = 0x01;
    CHECK_EQ(nd_parse_sockaddr(six, 28, &a), ND_PARSE_OK);
    CHECK_EQ(a.family, 6);
    CHECK_EQ(a.port, 7070);
    CHECK(nd_same_ip(&a, &v6));
}

static void test_sockaddr_malformed(void)
{
    uint8_t b[32];
    nd_addr a;
    sin_bytes(b, "198.18.1.1", 50000);
    /* the kit's eight malformed forms (steps' MalformedAddress), each must be refused */
    CHECK_EQ(nd_parse_sockaddr(b, 0, &a), ND_PARSE_SHORT);                  /* a zero length */
    CHECK_EQ(nd_parse_sockaddr(b, 15, &a), ND_PARSE_LENGTH);                /* one byte short of SOCKADDR_IN */
    CHECK_EQ(nd_parse_sockaddr(b, 17, &a), ND_PARSE_LENGTH);                /* one byte past the end of its buffer */
    CHECK_EQ(nd_parse_sockaddr(b, 28, &a), ND_PARSE_LENGTH);                /* SOCKADDR_IN with SOCKADDR_IN6's length */
    uint8_t mapped[28] = { 23, 0, 0xC3, 0x50 };
    mapped[18] = mapped[19] = 0xFF;
    memcpy(mapped + 20, b + 4, 4);
    CHECK_EQ(nd_parse_sockaddr(mapped, 16, &a), ND_PARSE_LENGTH);           /* SOCKADDR_IN6 with SOCKADDR_IN's length */
    CHECK_EQ(nd_parse_sockaddr(mapped, 27, &a), ND_PARSE_LENGTH);           /* SOCKADDR_IN6 one byte short */
    b[0] = 0x7F;
    CHECK_EQ(nd_parse_sockaddr(b, 16, &a), ND_PARSE_FAMILY);                /* an unknown family */
    b[0] = 0;
    CHECK_EQ(nd_parse_sockaddr(b, 16, &a), ND_PARSE_FAMILY);                /* AF_UNSPEC */
    b[0] = 10;
    CHECK_EQ(nd_parse_sockaddr(b, 28, &a), ND_PARSE_FAMILY);                /* Linux's AF_INET6 is not Windows' */
    b[0] = 2;
    b[1] = 1;
    CHECK_EQ(nd_parse_sockaddr(b, 16, &a), ND_PARSE_FAMILY);                /* the family is a 16-bit value */
    CHECK_EQ(nd_parse_sockaddr(NULL, 16, &a), ND_PARSE_NULL);
    CHECK_EQ(nd_parse_sockaddr(b, 1, &a), ND_PARSE_SHORT);
    CHECK_EQ(nd_parse_sockaddr(b, 0xFFFFFFFFu, &a), ND_PARSE_FAMILY);
    b[1] = 0;
    CHECK_EQ(nd_parse_sockaddr(b, 0xFFFFFFFFu, &a), ND_PARSE_LENGTH);       /* 2^32-1, never read */
}

static void test_sockaddr_format_and_classes(void)
{
    uint8_t out[28], in[16];
    nd_addr a = ip("198.18.0.1", 49152);
    CHECK_EQ(nd_sockaddr_size(&a), 16);
    CHECK_EQ(nd_format_sockaddr(&a, out), 16);
    sin_bytes(in, "198.18.0.1", 49152);
    CHECK(memcmp(out, in, 16) == 0);
    nd_addr six = ip("2001:2::1", 65535), back;
    CHECK_EQ(nd_format_sockaddr(&six, out), 28);
    CHECK_EQ(out[0], 23);
    CHECK_EQ(nd_parse_sockaddr(out, 28, &back), ND_PARSE_OK);
    CHECK(nd_same_endpoint(&six, &back));
    nd_addr none = { 0 };
    CHECK_EQ(nd_sockaddr_size(&none), 0);

    CHECK(nd_ip_unusable(&(nd_addr){ .family = 4 }));                       /* 0.0.0.0 */
    nd_addr t = ip("::", 0);
    CHECK(nd_ip_is_wildcard(&t) && nd_ip_unusable(&t));
    t = ip("224.0.0.1", 1);
    CHECK(nd_ip_is_multicast(&t) && nd_ip_unusable(&t));
    t = ip("ff02::1", 1);
    CHECK(nd_ip_is_multicast(&t));
    t = ip("::ffff:198.18.0.1", 1);
    CHECK(nd_ip_is_v4mapped(&t) && nd_ip_unusable(&t));
    t = ip("255.255.255.255", 1);
    CHECK(nd_ip_unusable(&t));
    t = ip("198.18.0.1", 1);
    CHECK(!nd_ip_unusable(&t));
    t = ip("2001:2::1", 1);
    CHECK(!nd_ip_unusable(&t));

    struct sockaddr_storage ss;
    CHECK_EQ(nd_to_linux(&a, &ss), sizeof(struct sockaddr_in));
    CHECK_EQ(ss.ss_family, AF_INET);
    CHECK_EQ(ntohs(((struct sockaddr_in *)&ss)->sin_port), 49152);
    CHECK_EQ(nd_from_linux((struct sockaddr *)&ss, &back), 0);
    CHECK(nd_same_endpoint(&a, &back));
    CHECK_EQ(nd_to_linux(&six, &ss), sizeof(struct sockaddr_in6));
    CHECK_EQ(ss.ss_family, AF_INET6);
    CHECK_EQ(nd_from_linux((struct sockaddr *)&ss, &back), 0);
    CHECK(nd_same_endpoint(&six, &back));
    ss.ss_family = AF_UNIX;
    CHECK_EQ(nd_from_linux((struct sockaddr *)&ss, &back), -1);
    CHECK_EQ(nd_to_linux(&none, &ss), 0);

    CHECK_EQ(nd_ip_parse("host.example", &t), -1);
    CHECK_EQ(nd_ip_parse("1.2.3", &t), -1);
    CHECK_EQ(nd_ip_parse("::g", &t), -1);
    CHECK_EQ(nd_ip_parse("", &t), -1);
    CHECK_EQ(nd_ip_parse(NULL, &t), -1);

    char text[64];
    nd_addr_str(&a, text, sizeof text);
    CHECK(strcmp(text, "198.18.0.1:49152") == 0);
    nd_addr_str(&six, text, sizeof text);
    CHECK(strcmp(text, "[2001:2::1]:65535") == 0);
}

/* -------------------------------------------------------------------------- read limits */

/* Both sides of a connection as the provider computes them, over rdma_cm's 8-bit fields. */
struct negotiation {
    uint32_t active_in, active_out, passive_in, passive_out;    /* effective */
    uint32_t view_in, view_out;                                 /* the passive side before accepting */
};

static struct negotiation negotiate(uint32_t a_in, uint32_t a_out, uint32_t a_max_in, uint32_t a_max_out,
                                    uint32_t p_in, uint32_t p_out, uint32_t p_max_in, uint32_t p_max_out)
{
    struct negotiation n;
    uint8_t req_resp = (uint8_t)rl_cap(a_in, a_max_in), req_init = (uint8_t)rl_cap(a_out, a_max_out);
    /* the kernel mirrors the REQ: the passive side's responder_resources is the active initiator depth */
    uint32_t seen_out = req_init, seen_in = req_resp;
    rl_passive_view(seen_in, seen_out, p_max_in, p_max_out, &n.view_in, &n.view_out);
    n.passive_in = rl_effective(p_in, p_max_in, seen_out);
    n.passive_out = rl_effective(p_out, p_max_out, seen_in);
    uint8_t rep_resp = (uint8_t)n.passive_in, rep_init = (uint8_t)n.passive_out;
    n.active_in = rl_effective(a_in, a_max_in, rep_init);
    n.active_out = rl_effective(a_out, a_max_out, rep_resp);
    return n;
}

static void test_read_limits(void)
{
    CHECK_EQ(rl_adapter_max(128), 128);
    CHECK_EQ(rl_adapter_max(255), 254);      /* 0xFF means "the device maximum" to librdmacm */
    CHECK_EQ(rl_adapter_max(4096), 254);
    CHECK_EQ(rl_adapter_max(0), 0);
    /* LIM-INBOUND-CAP / LIM-OUTBOUND-CAP: above, far above, equal, below */
    CHECK_EQ(rl_cap(129, 128), 128);
    CHECK_EQ(rl_cap(0xFFFFFFFFu, 128), 128);
    CHECK_EQ(rl_cap(128, 128), 128);
    CHECK_EQ(rl_cap(127, 128), 127);
    CHECK_EQ(rl_cap(0, 128), 0);             /* LIM-ZERO */
    /* LIM-INBOUND-PEER: own 2, peer outbound 1 / 2 / 3 */
    CHECK_EQ(rl_effective(2, 128, 1), 1);
    CHECK_EQ(rl_effective(2, 128, 2), 2);
    CHECK_EQ(rl_effective(2, 128, 3), 2);
    CHECK_EQ(rl_effective(0xFFFFFFFFu, 128, 0xFFFFFFFFu), 128);

    /* LIM-QP-USES-EFFECTIVE: C1 in 3 out 2, P1 accepts in 2 out 1 -> C1 1/2, P1 2/1 */
    struct negotiation n = negotiate(3, 2, 128, 128, 2, 1, 128, 128);
    CHECK_EQ(n.active_in, 1);
    CHECK_EQ(n.active_out, 2);
    CHECK_EQ(n.passive_in, 2);
    CHECK_EQ(n.passive_out, 1);
    /* LIM-PASSIVE-VIEW: C1 in 3 out 2 -> P1 reads in 2 out 3 */
    CHECK_EQ(n.view_in, 2);
    CHECK_EQ(n.view_out, 3);
    /* LIM-PEER-CAPPED-FIRST with different adapters: every maximum requested */
    n = negotiate(0xFFFFFFFFu, 0xFFFFFFFFu, 128, 16, 0xFFFFFFFFu, 0xFFFFFFFFu, 64, 32);
    CHECK_EQ(n.active_in, 32);               /* min(MaxInbound 128, peer MaxOutbound 32) */
    CHECK_EQ(n.active_out, 16);              /* min(MaxOutbound 16, peer MaxInbound 64) */
    CHECK_EQ(n.passive_in, 16);
    CHECK_EQ(n.passive_out, 32);
    CHECK_EQ(n.view_in, 16);                 /* min(active MaxOutbound 16, own MaxInbound 64) */
    CHECK_EQ(n.view_out, 32);                /* min(active MaxInbound 128, own MaxOutbound 32) */
    /* LIM-ZERO: 0/0 against the peer's maxima */
    n = negotiate(0, 0, 128, 128, 128, 128, 128, 128);
    CHECK_EQ(n.active_in, 0);
    CHECK_EQ(n.active_out, 0);
    /* LIM-INBOUND-CAP "just above" with a peer that offers its maximum outbound */
    n = negotiate(129, 1, 128, 128, 1, 128, 128, 128);
    CHECK_EQ(n.active_in, 128);
    /* LIM-OUTBOUND-PEER: own outbound 2, peer inbound 1 / 2 / 3 */
    CHECK_EQ(negotiate(1, 2, 128, 128, 1, 1, 128, 128).active_out, 1);
    CHECK_EQ(negotiate(1, 2, 128, 128, 2, 1, 128, 128).active_out, 2);
    CHECK_EQ(negotiate(1, 2, 128, 128, 3, 1, 128, 128).active_out, 2);
}

static void test_private_data(void)
{
    uint8_t data[200] = { 0 };
    CHECK_EQ(pd_check(NULL, 0, RC_MAX_CALLER_DATA), NDK_STATUS_SUCCESS);
    CHECK_EQ(pd_check(data, 0, RC_MAX_CALLER_DATA), NDK_STATUS_SUCCESS);
    CHECK_EQ(pd_check(data, 56, RC_MAX_CALLER_DATA), NDK_STATUS_SUCCESS);              /* PD-CALLER-LIMIT */
    CHECK_EQ(pd_check(data, 57, RC_MAX_CALLER_DATA), NDK_STATUS_INVALID_BUFFER_SIZE);  /* PD-CALLER-OVER-LIMIT */
    CHECK_EQ(pd_check(data, 148, RC_MAX_CALLEE_DATA), NDK_STATUS_SUCCESS);             /* PD-CALLEE-LIMIT */
    CHECK_EQ(pd_check(data, 149, RC_MAX_CALLEE_DATA), NDK_STATUS_INVALID_BUFFER_SIZE);
    CHECK_EQ(pd_check(NULL, 1, RC_MAX_CALLEE_DATA), NDK_STATUS_INVALID_PARAMETER);
    CHECK_EQ(pd_check(data, 0xFFFFFFFFu, RC_MAX_CALLEE_DATA), NDK_STATUS_INVALID_BUFFER_SIZE);
}

/* ------------------------------------------------------------------------------- tables */

static int refuse_first_two(void *arg, uint16_t port)
{
    int *calls = arg;
    (void)port;
    return (*calls)++ < 2 ? EADDRINUSE : 0;
}

static int fail_hard(void *arg, uint16_t port)
{
    (void)arg;
    (void)port;
    return EADDRNOTAVAIL;
}

static void test_port_table(void)
{
    static nd_port_table t;     /* large: keep it off the stack */
    int o1, o2;
    pt_init(&t, 12345);
    nd_addr a = ip("198.18.0.1", 7200), b = ip("198.18.0.2", 7200), six = ip("2001:2::1", 7200);
    CHECK_EQ(pt_reserve(&t, &a, &o1), 0);
    CHECK(pt_owner(&t, &a) == &o1);
    CHECK_EQ(pt_reserve(&t, &a, &o2), EADDRINUSE);               /* SE-SHARING-VIOLATION */
    CHECK_EQ(pt_reserve(&t, &b, &o2), 0);                        /* the same port on another address */
    CHECK_EQ(pt_reserve(&t, &six, &o2), 0);
    CHECK_EQ(pt_release(&t, &a, &o2), ENOENT);                   /* only its owner releases it */
    CHECK_EQ(pt_release(&t, &a, &o1), 0);
    CHECK(pt_owner(&t, &a) == NULL);
    CHECK_EQ(pt_reserve(&t, &a, &o2), 0);
    nd_addr zero = ip("198.18.0.1", 0);
    CHECK_EQ(pt_reserve(&t, &zero, &o1), EINVAL);

    /* port 0: an ephemeral port of NDK's range, different each time (SE-PORT-ZERO) */
    nd_addr c1 = zero, c2 = zero;
    CHECK_EQ(pt_choose(&t, &c1, &o1, NULL, NULL), 0);
    CHECK(c1.port >= 49152);
    CHECK(pt_owner(&t, &c1) == &o1);
    CHECK_EQ(pt_choose(&t, &c2, &o1, NULL, NULL), 0);
    CHECK(c2.port >= 49152 && c2.port != c1.port);
    int calls = 0;
    nd_addr c3 = zero;
    CHECK_EQ(pt_choose(&t, &c3, &o1, refuse_first_two, &calls), 0);   /* the kernel said EADDRINUSE twice */
    CHECK_EQ(calls, 3);
    nd_addr c4 = zero;
    CHECK_EQ(pt_choose(&t, &c4, &o1, fail_hard, NULL), EADDRNOTAVAIL);
    CHECK_EQ(c4.port, 0);

    /* exhaustion (SE-TOO-MANY-ADDRESSES): port 0 fails, explicit ephemeral ports are taken, others are not */
    CHECK_EQ(pt_exhaust(&t, &zero), 0);
    CHECK_EQ(pt_exhaust(&t, &zero), 0);
    nd_addr c5 = zero;
    CHECK_EQ(pt_choose(&t, &c5, &o1, NULL, NULL), ENOSPC);
    nd_addr eph = ip("198.18.0.1", 60000);
    CHECK_EQ(pt_reserve(&t, &eph, &o1), EADDRINUSE);
    nd_addr low = ip("198.18.0.1", 7300);
    CHECK_EQ(pt_reserve(&t, &low, &o1), 0);
    nd_addr other = ip("198.18.0.2", 0);
    CHECK_EQ(pt_choose(&t, &other, &o1, NULL, NULL), 0);        /* another IP is not exhausted */
    pt_unexhaust(&t, &zero);
    CHECK_EQ(pt_choose(&t, &c5, &o1, NULL, NULL), ENOSPC);       /* one hold is left */
    pt_unexhaust(&t, &zero);
    CHECK_EQ(pt_choose(&t, &c5, &o1, NULL, NULL), 0);
    pt_destroy(&t);

    /* every port really taken, one by one */
    pt_init(&t, 0);
    nd_addr p = ip("198.18.1.1", 0);
    int taken = 0;
    for (uint32_t port = ND_EPHEMERAL_FIRST; port <= ND_EPHEMERAL_LAST; port++) {
        p.port = (uint16_t)port;
        taken += pt_reserve(&t, &p, &o1) == 0;
    }
    CHECK_EQ(taken, (int)ND_EPHEMERAL_COUNT);
    nd_addr q = ip("198.18.1.1", 0);
    CHECK_EQ(pt_choose(&t, &q, &o2, NULL, NULL), ENOSPC);
    p.port = 50001;
    CHECK_EQ(pt_release(&t, &p, &o1), 0);
    CHECK_EQ(pt_choose(&t, &q, &o2, NULL, NULL), 0);
    CHECK_EQ(q.port, 50001);
    CHECK_EQ(t.count, ND_EPHEMERAL_COUNT);
    pt_destroy(&t);
}

static void test_tuple_table(void)
{
    static nd_tuple_table t;
    int c1, c2;
    tt_init(&t);
    nd_addr se = ip("198.18.0.1", 50000), l1 = ip("198.18.1.1", 49200), l2 = ip("198.18.1.1", 49201),
            l3 = ip("198.18.1.2", 49200);
    CHECK_EQ(tt_insert(&t, &se, &l1, &c1), 0);
    CHECK_EQ(tt_insert(&t, &se, &l1, &c2), EEXIST);              /* CSE-ADDRESS-ALREADY-EXISTS */
    CHECK_EQ(tt_insert(&t, &se, &l2, &c2), 0);                   /* another port of the same peer */
    CHECK_EQ(tt_insert(&t, &se, &l3, &c2), 0);                   /* SE-MANY-DESTINATIONS */
    CHECK(tt_owner(&t, &se, &l1) == &c1);
    nd_addr other_local = ip("198.18.0.1", 50001);
    CHECK(tt_owner(&t, &other_local, &l1) == NULL);
    CHECK_EQ(tt_remove(&t, &se, &l1, &c2), ENOENT);
    CHECK_EQ(tt_remove(&t, &se, &l1, &c1), 0);                   /* CSE-FOUR-TUPLE-RELEASED */
    CHECK_EQ(tt_insert(&t, &se, &l1, &c2), 0);
    CHECK_EQ(t.count, 3);
    nd_addr six_l = ip("2001:2::1", 50000), six_r = ip("2001:2::1:1", 49200);
    CHECK_EQ(tt_insert(&t, &six_l, &six_r, &c1), 0);
    CHECK_EQ(tt_insert(&t, &six_l, &six_r, &c2), EEXIST);
    tt_destroy(&t);
}

/* ------------------------------------------------------------------------------ buffers */

static void test_address_buffer(void)
{
    uint8_t buf[128];
    uint32_t len;
    nd_addr a = ip("198.18.0.1", 50000), six = ip("2001:2::1", 50000);
    /* SE-LOCAL-ADDRESS-BUFFER: 0, size - 1, size, 128 */
    len = 0;
    CHECK_EQ(buf_write_address(&a, NULL, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 16);
    len = 15;
    memset(buf, 0xEE, sizeof buf);
    CHECK_EQ(buf_write_address(&a, buf, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 16);
    CHECK_EQ(buf[0], 0xEE);                                      /* nothing written */
    len = 16;
    CHECK_EQ(buf_write_address(&a, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 16);
    uint8_t want[16];
    sin_bytes(want, "198.18.0.1", 50000);
    CHECK(memcmp(buf, want, 16) == 0);
    len = 128;
    CHECK_EQ(buf_write_address(&a, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 16);
    /* CSE-IPV6: a SOCKADDR_IN6 does not fit 16 bytes */
    len = 16;
    CHECK_EQ(buf_write_address(&six, buf, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 28);
    len = 28;
    CHECK_EQ(buf_write_address(&six, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(buf[0], 23);
    /* bad input */
    CHECK_EQ(buf_write_address(&a, buf, NULL), NDK_STATUS_INVALID_PARAMETER);
    len = 128;
    CHECK_EQ(buf_write_address(&a, NULL, &len), NDK_STATUS_INVALID_PARAMETER);
    CHECK_EQ(len, 128);
}

static void test_connection_data_buffer(void)
{
    uint8_t field[56] = { 0 }, buf[200];
    for (int i = 0; i < 20; i++)
        field[i] = (uint8_t)(i + 1);
    uint32_t len, in = 99, out = 99;
    /* GCD-NULL-BUFFER */
    len = 0;
    CHECK_EQ(buf_connection_data(field, 56, 2, 3, &in, &out, NULL, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 56);
    CHECK_EQ(in, 2);
    CHECK_EQ(out, 3);
    /* GCD-SHORT-BUFFER */
    len = 55;
    memset(buf, 0, sizeof buf);
    CHECK_EQ(buf_connection_data(field, 56, 2, 3, &in, &out, buf, &len), NDK_STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(len, 56);
    CHECK(memcmp(buf, field, 20) == 0);
    /* GCD-LARGE-BUFFER */
    len = 56 + 64;
    memset(buf, 0xEE, sizeof buf);
    CHECK_EQ(buf_connection_data(field, 56, 2, 3, &in, &out, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 56);
    CHECK(memcmp(buf, field, 56) == 0);
    CHECK_EQ(buf[56], 0xEE);
    /* GCD-OPTIONAL-LIMITS */
    len = 100;
    CHECK_EQ(buf_connection_data(field, 56, 2, 3, NULL, NULL, buf, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 56);
    /* bad input */
    CHECK_EQ(buf_connection_data(field, 56, 2, 3, NULL, NULL, buf, NULL), NDK_STATUS_INVALID_PARAMETER);
    len = 10;
    CHECK_EQ(buf_connection_data(field, 56, 2, 3, NULL, NULL, NULL, &len), NDK_STATUS_INVALID_PARAMETER);
    /* nothing received */
    len = 0;
    CHECK_EQ(buf_connection_data(field, 0, 0, 0, NULL, NULL, NULL, &len), NDK_STATUS_SUCCESS);
    CHECK_EQ(len, 0);
}

/* ------------------------------------------------------------------------- status map */

static void test_status_map(void)
{
    CHECK_EQ(sm_route_errno(0), NDK_STATUS_SUCCESS);
    CHECK_EQ(sm_route_errno(ENETUNREACH), NDK_STATUS_NETWORK_UNREACHABLE);
    CHECK_EQ(sm_route_errno(EINVAL), NDK_STATUS_NETWORK_UNREACHABLE);        /* blackhole */
    CHECK_EQ(sm_route_errno(EHOSTUNREACH), NDK_STATUS_HOST_UNREACHABLE);
    CHECK_EQ(sm_route_errno(EACCES), NDK_STATUS_HOST_UNREACHABLE);           /* prohibit */
    CHECK_EQ(sm_route_errno(EADDRNOTAVAIL), NDK_STATUS_SUCCESS);             /* no opinion */
    CHECK_EQ(sm_connect_event(8, 8), NDK_STATUS_CONNECTION_REFUSED);         /* REJECTED, no listener */
    CHECK_EQ(sm_connect_event(8, 28), NDK_STATUS_CONNECTION_REFUSED);        /* REJECTED, consumer */
    CHECK_EQ(sm_connect_event(7, -ETIMEDOUT), NDK_STATUS_IO_TIMEOUT);        /* UNREACHABLE */
    CHECK_EQ(sm_connect_event(1, -ETIMEDOUT), NDK_STATUS_HOST_UNREACHABLE);  /* ADDR_ERROR: no neighbour */
    CHECK_EQ(sm_connect_event(1, -ENETUNREACH), NDK_STATUS_NETWORK_UNREACHABLE);
    CHECK_EQ(sm_connect_event(3, -ENOMEM), NDK_STATUS_INSUFFICIENT_RESOURCES);
    CHECK_EQ(sm_connect_event(6, -1), NDK_STATUS_CONNECTION_ABORTED);        /* CONNECT_ERROR */
    CHECK_EQ(sm_connect_event(11, 0), NDK_STATUS_DEVICE_REMOVED);
    CHECK_EQ(sm_connect_errno(ENOMEM), NDK_STATUS_INSUFFICIENT_RESOURCES);   /* injected exhaustion */
    CHECK_EQ(sm_connect_errno(ETIMEDOUT), NDK_STATUS_IO_TIMEOUT);
    CHECK_EQ(sm_bind_errno(EADDRINUSE), NDK_STATUS_SHARING_VIOLATION);
    CHECK_EQ(sm_bind_errno(EADDRNOTAVAIL), NDK_STATUS_INVALID_ADDRESS);
    CHECK_EQ(sm_bind_errno(ENOMEM), NDK_STATUS_INSUFFICIENT_RESOURCES);
    CHECK_EQ(sm_create_errno(EAGAIN), NDK_STATUS_INSUFFICIENT_RESOURCES);    /* the rdma cgroup's limit */
    CHECK_EQ(sm_create_errno(EINVAL), NDK_STATUS_INVALID_PARAMETER);
    CHECK(strcmp(sm_status_name(NDK_STATUS_ADDRESS_ALREADY_EXISTS), "STATUS_ADDRESS_ALREADY_EXISTS") == 0);
    CHECK(strcmp(sm_event_name(5), "CONNECT_RESPONSE") == 0);
    CHECK(strcmp(sm_event_name(99), "EVENT_?") == 0);
}

/* ------------------------------------------------------------------------------ settings */

static void test_settings(void)
{
    nd_addr list[8];
    size_t n = 0;
    char err[200] = "";
    CHECK_EQ(settings_ip_list("2001:2::1, 198.18.0.1,198.18.0.2", list, 8, &n, err, sizeof err), 0);
    CHECK_EQ(n, 3);
    CHECK(n == 3 && list[0].family == 4 && list[1].family == 4 && list[2].family == 6);   /* IPv4 first */
    nd_addr want = ip("198.18.0.1", 0);
    CHECK(nd_same_ip(&list[0], &want));
    CHECK_EQ(settings_ip_list("198.18.0.1,lab-host", list, 8, &n, err, sizeof err), -1);
    CHECK(strstr(err, "lab-host") != NULL);
    CHECK_EQ(settings_ip_list("1.1.1.1,2.2.2.2,3.3.3.3", list, 2, &n, err, sizeof err), -1);
    CHECK_EQ(settings_ip_list(NULL, list, 8, &n, err, sizeof err), 0);
    CHECK_EQ(n, 0);
    CHECK_EQ(settings_ip_list(" , ", list, 8, &n, err, sizeof err), 0);
    CHECK_EQ(n, 0);

    const char *keys[] = { "silent_host", "backlog", "backlog", "foreign" };
    const char *values[] = { "198.18.1.77", "4", "8", "" };
    rc_settings s = { 4, keys, values };
    CHECK(settings_get(&s, "silent-host", NULL) != NULL && strcmp(settings_get(&s, "silent-host", NULL), "198.18.1.77") == 0);
    CHECK(strcmp(settings_get(&s, "backlog", NULL), "8") == 0);               /* the last wins */
    setenv("RC_TEST_FOREIGN", "198.18.3.1", 1);
    CHECK(settings_get(&s, "foreign", "RC_TEST_FOREIGN") == NULL);            /* set, but empty: unset */
    CHECK(strcmp(settings_get(&s, "device", "RC_TEST_FOREIGN"), "198.18.3.1") == 0);  /* the environment */
    unsetenv("RC_TEST_FOREIGN");
    CHECK(settings_get(&s, "device", "RC_TEST_FOREIGN") == NULL);
    CHECK(settings_get(NULL, "device", NULL) == NULL);

    uint64_t v = 7;
    CHECK_EQ(settings_u64("30000", &v), 0);
    CHECK_EQ(v, 30000);
    CHECK_EQ(settings_u64("-1", &v), -1);
    CHECK_EQ(settings_u64("12ms", &v), -1);
    CHECK_EQ(settings_u64("", &v), -1);
}

/* --------------------------------------------------------------------------- lift plan */

static void test_lift_config(void)
{
    rc_lift_config c;
    char err[160] = "";
    /* nothing set (a host, or the one-VM lab without the opt-in): off */
    CHECK_EQ(lift_config(NULL, NULL, NULL, NULL, &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_OFF && c.netdev == NULL && c.off != NULL && strstr(c.off, "lift-netdev") != NULL);
    /* the one-VM lab has NDK_LAB_NETDEV but no role: still off without lift-netdev */
    CHECK_EQ(lift_config(NULL, NULL, NULL, "ndk0", &c, err, sizeof err), 0);
    CHECK_EQ(c.side, LIFT_OFF);
    CHECK_EQ(lift_config(NULL, NULL, "", "ndk0", &c, err, sizeof err), 0);
    CHECK_EQ(c.side, LIFT_OFF);
    CHECK_EQ(lift_config(NULL, NULL, "bystander", "ndk0", &c, err, sizeof err), 0);   /* not a role of the lab */
    CHECK_EQ(c.side, LIFT_OFF);
    /* lift-netdev: the one-VM opt-in */
    CHECK_EQ(lift_config(NULL, "ndk0", NULL, NULL, &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_ADDRESS && strcmp(c.netdev, "ndk0") == 0 && c.off == NULL);
    /* the two-host lab: on by default with NDK_LAB_NETDEV */
    CHECK_EQ(lift_config(NULL, NULL, "support", "ndk0", &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_ADDRESS && strcmp(c.netdev, "ndk0") == 0);
    CHECK_EQ(lift_config(NULL, NULL, "test", "ndk0", &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_TEST_MACHINE && strcmp(c.netdev, "ndk0") == 0);
    CHECK_EQ(lift_config(NULL, NULL, "test", NULL, &c, err, sizeof err), 0);          /* ... but only with one */
    CHECK_EQ(c.side, LIFT_OFF);
    CHECK_EQ(lift_config(NULL, "eth9", "test", "ndk0", &c, err, sizeof err), 0);     /* lift-netdev wins */
    CHECK(c.side == LIFT_TEST_MACHINE && strcmp(c.netdev, "eth9") == 0);
    /* lift-conditions=unavailable turns it off whatever else is set */
    CHECK_EQ(lift_config("unavailable", "ndk0", "test", "ndk0", &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_OFF && strcmp(c.off, "lift-conditions=unavailable") == 0);
    CHECK_EQ(lift_config("unavailable", NULL, "support", "ndk0", &c, err, sizeof err), 0);
    CHECK_EQ(c.side, LIFT_OFF);
    /* lift-conditions=ip: on with NDK_LAB_NETDEV, also without a role */
    CHECK_EQ(lift_config("ip", NULL, NULL, "ndk0", &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_ADDRESS && strcmp(c.netdev, "ndk0") == 0);
    CHECK_EQ(lift_config("ip", NULL, NULL, NULL, &c, err, sizeof err), 0);
    CHECK(c.side == LIFT_OFF && strstr(c.off, "no netdev") != NULL);
    /* another value: an error of the settings */
    CHECK_EQ(lift_config("yes", NULL, "test", "ndk0", &c, err, sizeof err), -1);
    CHECK(strstr(err, "lift-conditions=yes") != NULL);
}

static void test_lift_plan(void)
{
    rc_lift_plan p;
    /* one-VM lab and the support machine: the address, lent to PEER, for each network condition */
    const int conditions[] = { NDK_LAB_NETWORK_UNREACHABLE, NDK_LAB_HOST_UNREACHABLE, NDK_LAB_SILENT_HOST };
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ(lift_plan(LIFT_ADDRESS, conditions[i], &p), 0);
        CHECK(p.lift == STEP_ADDRESS_ADD && p.release == STEP_ADDRESS_DEL && p.lend && !p.needs_mac);
    }
    /* the test machine: no address, no lending; what keeps the IP unreachable goes */
    CHECK_EQ(lift_plan(LIFT_TEST_MACHINE, NDK_LAB_NETWORK_UNREACHABLE, &p), 0);
    CHECK(p.lift == STEP_ROUTE_ADD && p.release == STEP_ROUTE_DEL && !p.lend && !p.needs_mac);
    CHECK_EQ(lift_plan(LIFT_TEST_MACHINE, NDK_LAB_SILENT_HOST, &p), 0);
    CHECK(p.lift == STEP_NEIGH_DEL && p.release == STEP_NEIGH_PERMANENT && !p.lend && p.needs_mac);
    CHECK_EQ(lift_plan(LIFT_TEST_MACHINE, NDK_LAB_HOST_UNREACHABLE, &p), 0);
    CHECK(p.lift == STEP_NEIGH_FLUSH && p.release == STEP_NEIGH_FLUSH && !p.lend && !p.needs_mac);
    /* nothing to lift */
    CHECK_EQ(lift_plan(LIFT_ADDRESS, NDK_LAB_NO_LISTENER, &p), -1);
    CHECK_EQ(lift_plan(LIFT_TEST_MACHINE, NDK_LAB_FOREIGN_LOCAL_ADDRESS, &p), -1);
    CHECK_EQ(lift_plan(LIFT_TEST_MACHINE, 99, &p), -1);
    CHECK_EQ(lift_plan(LIFT_OFF, NDK_LAB_SILENT_HOST, &p), -1);
    CHECK_EQ(p.lift, STEP_NONE);
}

static void test_lift_mac_and_text(void)
{
    uint8_t mac[6] = { 0 };
    const uint8_t want[6] = { 0x52, 0x54, 0x00, 0x18, 0x01, 0x77 };
    CHECK_EQ(lift_parse_mac("52:54:00:18:01:77", mac), 0);
    CHECK(memcmp(mac, want, 6) == 0);
    CHECK_EQ(lift_parse_mac("AA:bb:Cc:00:ff:0F", mac), 0);
    CHECK(mac[0] == 0xAA && mac[1] == 0xBB && mac[2] == 0xCC && mac[4] == 0xFF && mac[5] == 0x0F);
    memcpy(mac, want, 6);
    const char *bad[] = { "", "52:54:00:18:01", "52:54:00:18:01:77:", "52:54:00:18:01:77:00", "52-54-00-18-01-77",
                          "52:54:00:18:01:7g", "5:54:00:18:01:777", "52:54:00:18:01: 7", " 52:54:00:18:01:77",
                          "52:54:00:18:01:77 ", "525400180177", "52:54:00:18:01" ":" "7" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(lift_parse_mac(bad[i], mac), -1);
        if (lift_parse_mac(bad[i], mac) == 0)
            fprintf(stderr, "  accepted '%s'\n", bad[i]);
    }
    CHECK_EQ(lift_parse_mac(NULL, mac), -1);
    CHECK(memcmp(mac, want, 6) == 0);                         /* untouched by a refusal */
    char t[160];
    lift_step_text(STEP_ROUTE_ADD, "198.19.255.1", 0, "ndk0", NULL, t, sizeof t);
    CHECK(strcmp(t, "ip route replace 198.19.255.1/32 dev ndk0 scope link") == 0);
    lift_step_text(STEP_ROUTE_DEL, "2001:2::9", 1, "ndk0", NULL, t, sizeof t);
    CHECK(strcmp(t, "ip route del 2001:2::9/128 dev ndk0") == 0);
    lift_step_text(STEP_NEIGH_PERMANENT, "198.18.1.77", 0, "ndk0", want, t, sizeof t);
    CHECK(strcmp(t, "ip neigh replace 198.18.1.77 lladdr 52:54:00:18:01:77 dev ndk0 nud permanent") == 0);
    lift_step_text(STEP_NEIGH_FLUSH, "198.18.2.1", 0, "ndk0", NULL, t, sizeof t);
    CHECK(strcmp(t, "ip neigh flush to 198.18.2.1 dev ndk0") == 0);
    lift_step_text(STEP_ADDRESS_ADD, "198.18.2.1", 0, "ndk0", NULL, t, sizeof t);
    CHECK(strcmp(t, "ip addr add 198.18.2.1/32 dev ndk0") == 0);
}

int main(void)
{
    RUN(test_sockaddr_valid);
    RUN(test_sockaddr_malformed);
    RUN(test_sockaddr_format_and_classes);
    RUN(test_read_limits);
    RUN(test_private_data);
    RUN(test_port_table);
    RUN(test_tuple_table);
    RUN(test_address_buffer);
    RUN(test_connection_data_buffer);
    RUN(test_status_map);
    RUN(test_settings);
    RUN(test_lift_config);
    RUN(test_lift_plan);
    RUN(test_lift_mac_and_text);
    return check_summary("test_pure");
}
