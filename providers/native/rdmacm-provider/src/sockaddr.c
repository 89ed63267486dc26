/* sockaddr.c - see sockaddr.h. */
#include "sockaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static unsigned family_of(const uint8_t *buf)
{
    return (unsigned)buf[0] | (unsigned)buf[1] << 8;   /* USHORT, little-endian */
}

nd_parse_result nd_parse_sockaddr(const uint8_t *buf, uint32_t length, nd_addr *out)
{
    if (buf == NULL)
        return ND_PARSE_NULL;
    if (length < 2)
        return ND_PARSE_SHORT;
    memset(out, 0, sizeof *out);
    switch (family_of(buf)) {
    case ND_AF_INET:
        if (length != ND_SOCKADDR_IN_SIZE)
            return ND_PARSE_LENGTH;
        out->family = 4;
        out->port = (uint16_t)(buf[2] << 8 | buf[3]);
        memcpy(out->ip, buf + 4, 4);
        return ND_PARSE_OK;
    case ND_AF_INET6:
        if (length != ND_SOCKADDR_IN6_SIZE)
            return ND_PARSE_LENGTH;
        out->family = 6;
        out->port = (uint16_t)(buf[2] << 8 | buf[3]);
        memcpy(out->ip, buf + 8, 16);
        return ND_PARSE_OK;
    default:
        return ND_PARSE_FAMILY;
    }
}

uint32_t nd_sockaddr_size(const nd_addr *a)
{
    return a->family == 4 ? ND_SOCKADDR_IN_SIZE : a->family == 6 ? ND_SOCKADDR_IN6_SIZE : 0;
}

uint32_t nd_format_sockaddr(const nd_addr *a, uint8_t *buf)
{
    uint32_t n = nd_sockaddr_size(a);
    if (n == 0)
        return 0;
    memset(buf, 0, n);
    buf[0] = (uint8_t)(a->family == 4 ? ND_AF_INET : ND_AF_INET6);
    buf[2] = (uint8_t)(a->port >> 8);
    buf[3] = (uint8_t)a->port;
    if (a->family == 4)
        memcpy(buf + 4, a->ip, 4);
    else
        memcpy(buf + 8, a->ip, 16);
    return n;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int nd_ip_is_wildcard(const nd_addr *a)
{
    return all_zero(a->ip, a->family == 4 ? 4 : 16);
}

int nd_ip_is_multicast(const nd_addr *a)
{
    return a->family == 4 ? (a->ip[0] & 0xF0) == 0xE0 : a->ip[0] == 0xFF;
}

int nd_ip_is_v4mapped(const nd_addr *a)
{
    return a->family == 6 && all_zero(a->ip, 10) && a->ip[10] == 0xFF && a->ip[11] == 0xFF;
}

int nd_ip_unusable(const nd_addr *a)
{
    if (a->family != 4 && a->family != 6)
        return 1;
    if (nd_ip_is_wildcard(a) || nd_ip_is_multicast(a) || nd_ip_is_v4mapped(a))
        return 1;
    return a->family == 4 && a->ip[0] == 255 && a->ip[1] == 255 && a->ip[2] == 255 && a->ip[3] == 255;
}

int nd_same_ip(const nd_addr *a, const nd_addr *b)
{
    return a->family == b->family && (a->family == 4 || a->family == 6)
        && memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

int nd_same_endpoint(const nd_addr *a, const nd_addr *b)
{
    return nd_same_ip(a, b) && a->port == b->port;
}

socklen_t nd_to_linux(const nd_addr *a, struct sockaddr_storage *out)
{
    memset(out, 0, sizeof *out);
    if (a->family == 4) {
        struct sockaddr_in *s = (struct sockaddr_in *)out;
        s->sin_family = AF_INET;
        s->sin_port = htons(a->port);
        memcpy(&s->sin_addr, a->ip, 4);
        return sizeof *s;
    }
    if (a->family == 6) {
        struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(a->port);
        memcpy(&s->sin6_addr, a->ip, 16);
        return sizeof *s;
    }
    return 0;
}

int nd_from_linux(const struct sockaddr *sa, nd_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa == NULL)
        return -1;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        out->family = 4;
        out->port = ntohs(s->sin_port);
        memcpy(out->ip, &s->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        out->family = 6;
        out->port = ntohs(s->sin6_port);
        memcpy(out->ip, &s->sin6_addr, 16);
        return 0;
    }
    return -1;
}

int nd_ip_parse(const char *literal, nd_addr *out)
{
    memset(out, 0, sizeof *out);
    if (literal == NULL || *literal == '\0')
        return -1;
    if (strchr(literal, ':') != NULL) {
        if (inet_pton(AF_INET6, literal, out->ip) != 1)
            return -1;
        out->family = 6;
        return 0;
    }
    if (inet_pton(AF_INET, literal, out->ip) != 1)
        return -1;
    out->family = 4;
    return 0;
}

void nd_addr_str(const nd_addr *a, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (size == 0)
        return;
    if (a->family == 4) {
        inet_ntop(AF_INET, a->ip, ip, sizeof ip);
        snprintf(buf, size, "%s:%u", ip, (unsigned)a->port);
    } else if (a->family == 6) {
        inet_ntop(AF_INET6, a->ip, ip, sizeof ip);
        snprintf(buf, size, "[%s]:%u", ip, (unsigned)a->port);
    } else {
        snprintf(buf, size, "(none)");
    }
}
