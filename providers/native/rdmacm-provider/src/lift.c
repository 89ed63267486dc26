/*
 * lift.c - Testbed.lift in the one-VM lab (opt-in: the setting lift-netdev=NETDEV): the
 * condition's IP becomes an address of the lab's netdev (rtnetlink RTM_NEWADDR, /32 or /128), so
 * that the kernel routes it locally (the local table wins over an `unreachable` route or a missing
 * one) and rxe loops it back; the provider waits until rxe lists its GID, then lets the PEER
 * adapter use it. Releasing removes the address. In the two-host lab the address would belong on
 * the support machine, which this testbed cannot reach: leave the setting unset there.
 */
#include "rc.h"

#include <errno.h>
#include <glob.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void add_attr(struct nlmsghdr *nh, size_t room, unsigned short type, const void *data, size_t len)
{
    struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
    if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len) > room)
        return;
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(rta), data, len);
    nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
}

int rc_netdev_address(int add, const char *netdev, const nd_addr *ip)
{
    unsigned ifindex = if_nametoindex(netdev);
    if (ifindex == 0)
        return errno != 0 ? errno : ENODEV;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return errno;
    struct timeval tv = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct {
        struct nlmsghdr nh;
        struct ifaddrmsg ifa;
        char attrs[128];
    } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifa);
    req.nh.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    req.nh.nlmsg_seq = 1;
    req.ifa.ifa_family = ip->family == 4 ? AF_INET : AF_INET6;
    req.ifa.ifa_prefixlen = ip->family == 4 ? 32 : 128;
    req.ifa.ifa_flags = ip->family == 6 ? IFA_F_NODAD : 0;
    req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    req.ifa.ifa_index = (int)ifindex;
    size_t len = ip->family == 4 ? 4 : 16;
    add_attr(&req.nh, sizeof req, IFA_LOCAL, ip->ip, len);
    add_attr(&req.nh, sizeof req, IFA_ADDRESS, ip->ip, len);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    int rc = 0;
    if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        rc = errno;
    } else {
        char buf[1024];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        struct nlmsghdr *nh = (struct nlmsghdr *)buf;
        if (n < 0)
            rc = errno;
        else if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && nh->nlmsg_type == NLMSG_ERROR)
            rc = -((struct nlmsgerr *)NLMSG_DATA(nh))->error;
    }
    close(fd);
    return rc;
}

/* The GID rxe derives from the IP, as sysfs prints it ("0000:...:ffff:c612:014d" for IPv4). */
static void gid_text(const nd_addr *ip, char *out, size_t size)
{
    uint8_t g[16] = { 0 };
    if (ip->family == 4) {
        g[10] = g[11] = 0xFF;
        memcpy(g + 12, ip->ip, 4);
    } else {
        memcpy(g, ip->ip, 16);
    }
    snprintf(out, size, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x", g[0], g[1], g[2],
             g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

int rc_wait_for_gid(const char *device, unsigned port, const nd_addr *ip, unsigned timeout_ms)
{
    char want[64], pattern[160];
    gid_text(ip, want, sizeof want);
    snprintf(pattern, sizeof pattern, "/sys/class/infiniband/%s/ports/%u/gids/*", device, port);
    for (unsigned waited = 0;; waited += 20) {
        glob_t g;
        int found = 0;
        if (glob(pattern, 0, NULL, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc && !found; i++) {
                FILE *f = fopen(g.gl_pathv[i], "r");
                char line[64] = "";
                if (f != NULL) {
                    found = fgets(line, sizeof line, f) != NULL && strncmp(line, want, strlen(want)) == 0;
                    fclose(f);
                }
            }
            globfree(&g);
        }
        if (found)
            return 0;
        if (waited >= timeout_ms)
            return ETIMEDOUT;
        usleep(20000);
    }
}
