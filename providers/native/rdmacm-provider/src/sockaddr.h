/*
 * sockaddr.h - NDK's SOCKADDR bytes (Windows layout) and the provider's own address value.
 *
 * Pure code: no rdma_cm, no allocation. The kit sends malformed addresses on purpose; every
 * function here reads at most the declared length and never more than the structure it expects.
 */
#ifndef RC_SOCKADDR_H
#define RC_SOCKADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ND_AF_INET 2u             /* Windows AF_INET */
#define ND_AF_INET6 23u           /* Windows AF_INET6 */
#define ND_SOCKADDR_IN_SIZE 16u
#define ND_SOCKADDR_IN6_SIZE 28u

/* An IP address and ND port: what identifies an endpoint. family is 4 or 6 (0: none). */
typedef struct nd_addr {
    uint8_t family;
    uint8_t ip[16];               /* network order; 4 bytes used for IPv4 */
    uint16_t port;                /* host order */
} nd_addr;

typedef enum nd_parse_result {
    ND_PARSE_OK = 0,
    ND_PARSE_NULL,                /* no buffer */
    ND_PARSE_SHORT,               /* the length does not even cover the family field */
    ND_PARSE_LENGTH,              /* the length is not the size of the family's structure */
    ND_PARSE_FAMILY               /* neither AF_INET nor AF_INET6 */
} nd_parse_result;

/*
 * Parses a SOCKADDR_IN (family 2, exactly 16 bytes) or SOCKADDR_IN6 (family 23, exactly 28 bytes).
 * The declared length must be exactly the structure's size: the C ABI carries no buffer size, so a
 * longer declared length cannot be told from one that runs past the caller's buffer (see README).
 * flowinfo and scope id are ignored.
 */
nd_parse_result nd_parse_sockaddr(const uint8_t *buf, uint32_t length, nd_addr *out);

/* The SOCKADDR size of an address (16 or 28; 0 for none). */
uint32_t nd_sockaddr_size(const nd_addr *a);

/* Writes the Windows SOCKADDR of 'a' into buf (which holds nd_sockaddr_size(a) bytes); returns the size. */
uint32_t nd_format_sockaddr(const nd_addr *a, uint8_t *buf);

/* Address classes that are well-formed but cannot be an endpoint of a connection. */
int nd_ip_is_wildcard(const nd_addr *a);
int nd_ip_is_multicast(const nd_addr *a);
int nd_ip_is_v4mapped(const nd_addr *a);   /* ::ffff:a.b.c.d in a SOCKADDR_IN6 */
int nd_ip_unusable(const nd_addr *a);      /* wildcard, multicast, IPv4-mapped or broadcast */

int nd_same_ip(const nd_addr *a, const nd_addr *b);     /* family and IP */
int nd_same_endpoint(const nd_addr *a, const nd_addr *b); /* family, IP and port */

/* Linux socket addresses (AF_INET 2, AF_INET6 10) for rdma_cm and the route lookup. */
socklen_t nd_to_linux(const nd_addr *a, struct sockaddr_storage *out);
int nd_from_linux(const struct sockaddr *sa, nd_addr *out);   /* 0, or -1 for another family */

/* An IP literal (never a name): "198.18.0.1", "2001:2::1". 0 on success. */
int nd_ip_parse(const char *literal, nd_addr *out);

/* "198.18.0.1:7000" / "[2001:2::1]:7000" for logs and messages. */
void nd_addr_str(const nd_addr *a, char *buf, size_t size);

#endif
