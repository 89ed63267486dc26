/*
 * tables.h - the ND port table and the four-tuple table (pure data structures; the caller locks).
 *
 * Port table: which (IP, ND port) pairs the provider's objects hold - a shared endpoint, a
 * listener, the dedicated source of an NdkConnect - so that a second user of the same address gets
 * SHARING_VIOLATION, and port 0 gets a free port of NDK's ephemeral range 49152-65535 (the
 * kernel's own range, 32768-60999, is not NDK's). An IP can be marked exhausted: every ephemeral
 * port of it then counts as taken (Testbed.exhaustEphemeralPorts).
 *
 * Four-tuple table: (local IP, local port, remote IP, remote port) of every connection that exists,
 * from its connect until the connect fails or its connector closes; rdma_cm does not enforce it
 * (two REUSEADDR ids connect the same four-tuple and both are established), so the provider does.
 */
#ifndef RC_TABLES_H
#define RC_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "sockaddr.h"

#define ND_EPHEMERAL_FIRST 49152u
#define ND_EPHEMERAL_LAST 65535u
#define ND_EPHEMERAL_COUNT (ND_EPHEMERAL_LAST - ND_EPHEMERAL_FIRST + 1u)

#define RC_TABLE_BUCKETS 1024u

typedef struct pt_entry {
    struct pt_entry *next;
    nd_addr addr;
    void *owner;
} pt_entry;

typedef struct pt_exhausted {
    struct pt_exhausted *next;
    nd_addr ip;
    int holds;
} pt_exhausted;

typedef struct nd_port_table {
    pt_entry *buckets[RC_TABLE_BUCKETS];
    size_t count;
    pt_exhausted *exhausted;
    uint32_t cursor;              /* where the next ephemeral search starts, 0..ND_EPHEMERAL_COUNT-1 */
} nd_port_table;

void pt_init(nd_port_table *t, uint32_t seed);
void pt_destroy(nd_port_table *t);

int pt_is_ephemeral(uint16_t port);

/* The owner of an (IP, port), or NULL; an ephemeral port of an exhausted IP is owned by the table itself. */
void *pt_owner(const nd_port_table *t, const nd_addr *addr);

/* Reserves addr (port != 0) for owner: 0, EADDRINUSE when held, ENOMEM, EINVAL for port 0. */
int pt_reserve(nd_port_table *t, const nd_addr *addr, void *owner);

/* Releases what owner holds at addr: 0, or ENOENT when owner does not hold it. */
int pt_release(nd_port_table *t, const nd_addr *addr, void *owner);

/*
 * Chooses a free ephemeral port for ip (its port is ignored), reserves it for owner and writes it
 * into ip->port. 'try_port' (optional) is asked about each candidate the table considers free (for
 * example by binding it in the kernel): 0 takes it, EADDRINUSE moves on to the next, anything
 * else stops the search with that error. Returns 0, ENOSPC when no port is free, or an error.
 */
int pt_choose(nd_port_table *t, nd_addr *ip, void *owner, int (*try_port)(void *arg, uint16_t port), void *arg);

/* Marks every ephemeral port of ip taken (counted: each call needs its own pt_unexhaust). */
int pt_exhaust(nd_port_table *t, const nd_addr *ip);
void pt_unexhaust(nd_port_table *t, const nd_addr *ip);

typedef struct tt_entry {
    struct tt_entry *next;
    nd_addr local, remote;
    void *owner;
} tt_entry;

typedef struct nd_tuple_table {
    tt_entry *buckets[RC_TABLE_BUCKETS];
    size_t count;
} nd_tuple_table;

void tt_init(nd_tuple_table *t);
void tt_destroy(nd_tuple_table *t);
void *tt_owner(const nd_tuple_table *t, const nd_addr *local, const nd_addr *remote);
/* 0, EEXIST when the four-tuple has a connection, ENOMEM. */
int tt_insert(nd_tuple_table *t, const nd_addr *local, const nd_addr *remote, void *owner);
/* 0, or ENOENT when owner does not hold it. */
int tt_remove(nd_tuple_table *t, const nd_addr *local, const nd_addr *remote, void *owner);

#endif
