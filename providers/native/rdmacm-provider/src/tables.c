/* tables.c - see tables.h. */
#include "tables.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {   /* FNV-1a */
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t hash_addr(uint32_t h, const nd_addr *a)
{
    uint8_t port[2] = { (uint8_t)(a->port >> 8), (uint8_t)a->port };
    h = hash_bytes(h, &a->family, 1);
    h = hash_bytes(h, a->ip, a->family == 4 ? 4 : 16);
    return hash_bytes(h, port, 2);
}

/* ---------------------------------------------------------------------------------- ports */

void pt_init(nd_port_table *t, uint32_t seed)
{
    memset(t, 0, sizeof *t);
    t->cursor = seed % ND_EPHEMERAL_COUNT;
}

void pt_destroy(nd_port_table *t)
{
    for (size_t b = 0; b < RC_TABLE_BUCKETS; b++) {
        pt_entry *e = t->buckets[b];
        while (e != NULL) {
            pt_entry *n = e->next;
            free(e);
            e = n;
        }
    }
    while (t->exhausted != NULL) {
        pt_exhausted *n = t->exhausted->next;
        free(t->exhausted);
        t->exhausted = n;
    }
    memset(t, 0, sizeof *t);
}

int pt_is_ephemeral(uint16_t port)
{
    return port >= ND_EPHEMERAL_FIRST;   /* ND_EPHEMERAL_LAST is the largest port there is */
}

static pt_exhausted *find_exhausted(const nd_port_table *t, const nd_addr *ip)
{
    for (pt_exhausted *x = t->exhausted; x != NULL; x = x->next)
        if (nd_same_ip(&x->ip, ip))
            return x;
    return NULL;
}

void *pt_owner(const nd_port_table *t, const nd_addr *addr)
{
    if (pt_is_ephemeral(addr->port) && find_exhausted(t, addr) != NULL)
        return (void *)t;
    for (pt_entry *e = t->buckets[hash_addr(2166136261u, addr) % RC_TABLE_BUCKETS]; e != NULL; e = e->next)
        if (nd_same_endpoint(&e->addr, addr))
            return e->owner;
    return NULL;
}

int pt_reserve(nd_port_table *t, const nd_addr *addr, void *owner)
{
    if (addr->port == 0)
        return EINVAL;
    if (pt_owner(t, addr) != NULL)
        return EADDRINUSE;
    pt_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return ENOMEM;
    e->addr = *addr;
    e->owner = owner;
    uint32_t b = hash_addr(2166136261u, addr) % RC_TABLE_BUCKETS;
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->count++;
    return 0;
}

int pt_release(nd_port_table *t, const nd_addr *addr, void *owner)
{
    pt_entry **pp = &t->buckets[hash_addr(2166136261u, addr) % RC_TABLE_BUCKETS];
    for (; *pp != NULL; pp = &(*pp)->next) {
        pt_entry *e = *pp;
        if (e->owner == owner && nd_same_endpoint(&e->addr, addr)) {
            *pp = e->next;
            free(e);
            t->count--;
            return 0;
        }
    }
    return ENOENT;
}

int pt_choose(nd_port_table *t, nd_addr *ip, void *owner, int (*try_port)(void *arg, uint16_t port), void *arg)
{
    if (find_exhausted(t, ip) != NULL)
        return ENOSPC;
    nd_addr cand = *ip;
    for (uint32_t i = 0; i < ND_EPHEMERAL_COUNT; i++) {
        uint32_t slot = (t->cursor + i) % ND_EPHEMERAL_COUNT;
        cand.port = (uint16_t)(ND_EPHEMERAL_FIRST + slot);
        if (pt_owner(t, &cand) != NULL)
            continue;
        if (try_port != NULL) {
            int rc = try_port(arg, cand.port);
            if (rc == EADDRINUSE)
                continue;
            if (rc != 0)
                return rc;
        }
        int rc = pt_reserve(t, &cand, owner);
        if (rc != 0)
            return rc;
        t->cursor = (slot + 1) % ND_EPHEMERAL_COUNT;
        ip->port = cand.port;
        return 0;
    }
    return ENOSPC;
}

int pt_exhaust(nd_port_table *t, const nd_addr *ip)
{
    pt_exhausted *x = find_exhausted(t, ip);
    if (x == NULL) {
        x = calloc(1, sizeof *x);
        if (x == NULL)
            return ENOMEM;
        x->ip = *ip;
        x->ip.port = 0;
        x->next = t->exhausted;
        t->exhausted = x;
    }
    x->holds++;
    return 0;
}

void pt_unexhaust(nd_port_table *t, const nd_addr *ip)
{
    for (pt_exhausted **pp = &t->exhausted; *pp != NULL; pp = &(*pp)->next) {
        pt_exhausted *x = *pp;
        if (nd_same_ip(&x->ip, ip)) {
            if (--x->holds <= 0) {
                *pp = x->next;
                free(x);
            }
            return;
        }
    }
}

/* ----------------------------------------------------------------------------- four-tuples */

static uint32_t hash_tuple(const nd_addr *local, const nd_addr *remote)
{
    return hash_addr(hash_addr(2166136261u, local), remote) % RC_TABLE_BUCKETS;
}

void tt_init(nd_tuple_table *t)
{
    memset(t, 0, sizeof *t);
}

void tt_destroy(nd_tuple_table *t)
{
    for (size_t b = 0; b < RC_TABLE_BUCKETS; b++) {
        tt_entry *e = t->buckets[b];
        while (e != NULL) {
            tt_entry *n = e->next;
            free(e);
            e = n;
        }
    }
    memset(t, 0, sizeof *t);
}

void *tt_owner(const nd_tuple_table *t, const nd_addr *local, const nd_addr *remote)
{
    for (tt_entry *e = t->buckets[hash_tuple(local, remote)]; e != NULL; e = e->next)
        if (nd_same_endpoint(&e->local, local) && nd_same_endpoint(&e->remote, remote))
            return e->owner;
    return NULL;
}

int tt_insert(nd_tuple_table *t, const nd_addr *local, const nd_addr *remote, void *owner)
{
    if (tt_owner(t, local, remote) != NULL)
        return EEXIST;
    tt_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return ENOMEM;
    e->local = *local;
    e->remote = *remote;
    e->owner = owner;
    uint32_t b = hash_tuple(local, remote);
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->count++;
    return 0;
}

int tt_remove(nd_tuple_table *t, const nd_addr *local, const nd_addr *remote, void *owner)
{
    for (tt_entry **pp = &t->buckets[hash_tuple(local, remote)]; *pp != NULL; pp = &(*pp)->next) {
        tt_entry *e = *pp;
        if (e->owner == owner && nd_same_endpoint(&e->local, local) && nd_same_endpoint(&e->remote, remote)) {
            *pp = e->next;
            free(e);
            t->count--;
            return 0;
        }
    }
    return ENOENT;
}
