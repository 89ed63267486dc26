/*
 * route.c - the route lookup rdma_cm does not make for a bound id.
 *
 * rdma_resolve_addr on an id bound to a local address looks the route up with that address's
 * netdev as the output interface, and Linux then treats an unroutable destination as on-link: no
 * error, the REQ just goes unanswered (lab/README.md, "Caveat for the provider"). So the provider
 * asks the kernel's routing the ordinary way first: a UDP socket bound to the source IP,
 * connect()ed to the destination, which fails with ENETUNREACH (no route), EHOSTUNREACH (an
 * unreachable route), EACCES (prohibit) or EINVAL (blackhole). No packet is sent.
 */
#include "rc.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

int rc_route_check(const nd_addr *source, const nd_addr *destination)
{
    struct sockaddr_storage src, dst;
    nd_addr from = *source;
    from.port = 0;
    socklen_t src_len = nd_to_linux(&from, &src);
    socklen_t dst_len = nd_to_linux(destination, &dst);
    if (src_len == 0 || dst_len == 0)
        return 0;
    int fd = socket(src.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;                  /* no opinion: rdma_cm decides */
    int rc = 0;
    if (bind(fd, (struct sockaddr *)&src, src_len) == 0 && connect(fd, (struct sockaddr *)&dst, dst_len) != 0)
        rc = errno;
    close(fd);
    return rc;
}
