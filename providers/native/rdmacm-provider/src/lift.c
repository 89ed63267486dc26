/*
 * lift.c - Testbed.lift's changes to this machine's network, over rtnetlink, and the wait for
 * rxe's GID. What each condition needs on which machine is liftplan.c's: in the one-VM lab and on
 * the two-host lab's support machine the condition's IP becomes an address of the lab's netdev
 * (RTM_NEWADDR, /32 or /128: the local table wins over an `unreachable` route or a missing one, and
 * the test machine's ARP is answered); on the test machine a link route (RTM_NEWROUTE /
 * RTM_DELROUTE) or the neighbour entry (RTM_DELNEIGH / RTM_NEWNEIGH) changes. Every request is
 * acknowledged (NLM_F_ACK) and the wait for the answer is bounded (SO_RCVTIMEO 1 s). No process is
 * started.
 */
#include "rc.h"

#include <errno.h>
#include <glob.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "liftplan.h"

/* A request: the header, the family's message, room for the attributes. */
typedef struct nl_req {
    struct nlmsghdr nh;
    union {
        struct ifaddrmsg ifa;
        struct rtmsg rtm;
        struct ndmsg ndm;
    } u;
    char attrs[128];
} nl_req;

static void nl_start(nl_req *req, unsigned short type, unsigned short flags, size_t body)
{
    memset(req, 0, sizeof *req);
    req->nh.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
    req->nh.nlmsg_type = type;
    req->nh.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
    req->nh.nlmsg_seq = 1;
}

/* Addressed from the whole request, not its header: GCC's -O3 object-size checks see the room. */
static void add_attr(nl_req *req, unsigned short type, const void *data, size_t len)
{
    struct nlmsghdr *nh = &req->nh;
    if (NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len) > sizeof *req)
        return;
    struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(nh->nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(rta), data, len);
    nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_SPACE(len);
}

/* Sends the request and reads its acknowledgement: 0 or the errno the kernel (or the wait) gave. */
static int nl_talk(nl_req *req)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return errno;
    struct timeval tv = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    int rc = 0;
    if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        rc = errno;
    } else {
        for (int tries = 0; tries < 8; tries++) {   /* only the answer to our sequence number counts */
            union {
                struct nlmsghdr nh;
                char bytes[4096];
            } buf;
            ssize_t n = recv(fd, &buf, sizeof buf, 0);
            if (n < 0) {
                rc = errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno;
                break;
            }
            if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || buf.nh.nlmsg_seq != req->nh.nlmsg_seq)
                continue;
            if (buf.nh.nlmsg_type == NLMSG_ERROR)
                rc = -((struct nlmsgerr *)NLMSG_DATA(&buf.nh))->error;
            break;
        }
    }
    close(fd);
    return rc;
}

static int ifindex_of(const char *netdev, unsigned *out)
{
    errno = 0;
    *out = if_nametoindex(netdev);
    return *out != 0 ? 0 : errno != 0 ? errno : ENODEV;
}

int rc_netdev_address(int add, const char *netdev, const nd_addr *ip)
{
    unsigned ifindex;
    int rc = ifindex_of(netdev, &ifindex);
    if (rc != 0)
        return rc;
    nl_req req;
    nl_start(&req, add ? RTM_NEWADDR : RTM_DELADDR, add ? NLM_F_CREATE | NLM_F_EXCL : 0, sizeof req.u.ifa);
    req.u.ifa.ifa_family = ip->family == 4 ? AF_INET : AF_INET6;
    req.u.ifa.ifa_prefixlen = ip->family == 4 ? 32 : 128;
    req.u.ifa.ifa_flags = ip->family == 6 ? IFA_F_NODAD : 0;
    req.u.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    req.u.ifa.ifa_index = ifindex;
    size_t len = ip->family == 4 ? 4 : 16;
    add_attr(&req, IFA_LOCAL, ip->ip, len);
    add_attr(&req, IFA_ADDRESS, ip->ip, len);
    return nl_talk(&req);
}

/* ip route replace IP/32 dev NETDEV scope link (add), ip route del IP/32 dev NETDEV. */
static int netdev_route(int add, const char *netdev, const nd_addr *ip)
{
    unsigned ifindex;
    int rc = ifindex_of(netdev, &ifindex);
    if (rc != 0)
        return rc;
    nl_req req;
    nl_start(&req, add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_REPLACE : 0, sizeof req.u.rtm);
    req.u.rtm.rtm_family = ip->family == 4 ? AF_INET : AF_INET6;
    req.u.rtm.rtm_dst_len = ip->family == 4 ? 32 : 128;
    req.u.rtm.rtm_table = RT_TABLE_MAIN;
    if (add) {
        req.u.rtm.rtm_protocol = RTPROT_BOOT;
        req.u.rtm.rtm_scope = RT_SCOPE_LINK;
        req.u.rtm.rtm_type = RTN_UNICAST;
    } else {
        req.u.rtm.rtm_scope = RT_SCOPE_NOWHERE;   /* any scope, type and protocol: the dst and the device match */
    }
    uint32_t oif = ifindex;
    add_attr(&req, RTA_DST, ip->ip, ip->family == 4 ? 4 : 16);
    add_attr(&req, RTA_OIF, &oif, sizeof oif);
    return nl_talk(&req);
}

/* ip neigh del IP dev NETDEV (mac NULL), ip neigh replace IP lladdr MAC dev NETDEV nud permanent. */
static int netdev_neigh(const char *netdev, const nd_addr *ip, const uint8_t *mac)
{
    unsigned ifindex;
    int rc = ifindex_of(netdev, &ifindex);
    if (rc != 0)
        return rc;
    nl_req req;
    nl_start(&req, mac != NULL ? RTM_NEWNEIGH : RTM_DELNEIGH, mac != NULL ? NLM_F_CREATE | NLM_F_REPLACE : 0,
             sizeof req.u.ndm);
    req.u.ndm.ndm_family = ip->family == 4 ? AF_INET : AF_INET6;
    req.u.ndm.ndm_ifindex = (int)ifindex;
    req.u.ndm.ndm_state = mac != NULL ? NUD_PERMANENT : 0;
    add_attr(&req, NDA_DST, ip->ip, ip->family == 4 ? 4 : 16);
    if (mac != NULL)
        add_attr(&req, NDA_LLADDR, mac, 6);
    return nl_talk(&req);
}

int rc_lift_step(int step, const char *netdev, const nd_addr *ip, const uint8_t *mac)
{
    int rc;
    switch (step) {
    case STEP_ADDRESS_ADD:
    case STEP_ADDRESS_DEL:
        return rc_netdev_address(step == STEP_ADDRESS_ADD, netdev, ip);
    case STEP_ROUTE_ADD:
    case STEP_ROUTE_DEL:
        return netdev_route(step == STEP_ROUTE_ADD, netdev, ip);
    case STEP_NEIGH_DEL:
        return netdev_neigh(netdev, ip, NULL);
    case STEP_NEIGH_FLUSH:
        rc = netdev_neigh(netdev, ip, NULL);
        return rc == ENOENT || rc == ESRCH ? 0 : rc;   /* no entry: nothing to forget */
    case STEP_NEIGH_PERMANENT:
        return mac != NULL ? netdev_neigh(netdev, ip, mac) : EINVAL;
    default:
        return 0;
    }
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
