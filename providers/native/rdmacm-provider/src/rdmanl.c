/*
 * rdmanl.c - the kernel's RDMA resource counts (what `rdma resource show` prints), read over RDMA
 * netlink (RDMA_NLDEV_CMD_RES_GET): pd, cq, qp, cm_id, mr, ctx, srq of one device, reported as
 * "rdma:<name>". Reading them allocates nothing in the kernel's RDMA core.
 */
#include "rc.h"

#include <errno.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef NETLINK_RDMA
#define NETLINK_RDMA 20
#endif

struct attr_view {
    const struct nlattr *a;
    const uint8_t *end;
};

static const struct nlattr *attr_next(struct attr_view *v)
{
    if (v->a == NULL || (const uint8_t *)v->a + sizeof(struct nlattr) > v->end)
        return NULL;
    const struct nlattr *cur = v->a;
    if (cur->nla_len < sizeof(struct nlattr) || (const uint8_t *)cur + cur->nla_len > v->end)
        return NULL;
    v->a = (const struct nlattr *)((const uint8_t *)cur + NLA_ALIGN(cur->nla_len));
    return cur;
}

static struct attr_view attr_children(const struct nlattr *parent)
{
    struct attr_view v = { (const struct nlattr *)((const uint8_t *)parent + NLA_HDRLEN),
                           (const uint8_t *)parent + parent->nla_len };
    return v;
}

static int attr_type(const struct nlattr *a)
{
    return a->nla_type & NLA_TYPE_MASK;
}

static const void *attr_data(const struct nlattr *a)
{
    return (const uint8_t *)a + NLA_HDRLEN;
}

static void one_device(const struct nlmsghdr *nh, const char *device, ndk_count_sink sink, void *ctx, int *found)
{
    struct attr_view top = { (const struct nlattr *)NLMSG_DATA(nh), (const uint8_t *)nh + nh->nlmsg_len };
    const struct nlattr *a, *summary = NULL;
    int ours = 0;
    while ((a = attr_next(&top)) != NULL) {
        if (attr_type(a) == RDMA_NLDEV_ATTR_DEV_NAME)
            ours = strncmp(attr_data(a), device, a->nla_len - NLA_HDRLEN) == 0;
        else if (attr_type(a) == RDMA_NLDEV_ATTR_RES_SUMMARY)
            summary = a;
    }
    if (!ours || summary == NULL)
        return;
    *found = 1;
    struct attr_view entries = attr_children(summary);
    const struct nlattr *e;
    while ((e = attr_next(&entries)) != NULL) {
        if (attr_type(e) != RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY)
            continue;
        char name[40] = "";
        uint64_t current = 0;
        int have = 0;
        struct attr_view fields = attr_children(e);
        const struct nlattr *f;
        while ((f = attr_next(&fields)) != NULL) {
            if (attr_type(f) == RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_NAME) {
                size_t n = f->nla_len - NLA_HDRLEN;
                n = n < sizeof name - 1 ? n : sizeof name - 1;
                memcpy(name, attr_data(f), n);
                name[n] = '\0';
            } else if (attr_type(f) == RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_CURR && f->nla_len >= NLA_HDRLEN + 8) {
                memcpy(&current, attr_data(f), 8);
                have = 1;
            }
        }
        if (have && name[0] != '\0') {
            char key[48];
            snprintf(key, sizeof key, "rdma:%s", name);
            sink(ctx, key, (int64_t)current);
        }
    }
}

int rc_kernel_counts(const char *device, ndk_count_sink sink, void *sink_context, char *why, size_t why_size)
{
    if (why_size > 0)
        why[0] = '\0';
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_RDMA);
    if (fd < 0) {
        snprintf(why, why_size, "no RDMA netlink: %s", strerror(errno));
        return -1;
    }
    struct timeval tv = { 0, 500000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct nlmsghdr req;
    memset(&req, 0, sizeof req);
    req.nlmsg_len = NLMSG_LENGTH(0);
    req.nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_RES_GET);
    req.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nlmsg_seq = 1;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(fd, &req, req.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        snprintf(why, why_size, "RDMA netlink request failed: %s", strerror(errno));
        close(fd);
        return -1;
    }
    int found = 0, done = 0;
    static __thread uint8_t buf[32768];
    while (!done) {
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0) {
            snprintf(why, why_size, "RDMA netlink answer failed: %s", got < 0 ? strerror(errno) : "closed");
            break;
        }
        int len = (int)got;
        for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
            if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
                done = 1;
                break;
            }
            one_device(nh, device, sink, sink_context, &found);
        }
    }
    close(fd);
    if (!found && why[0] == '\0')
        snprintf(why, why_size, "the kernel reported no resources for %s", device);
    return found ? 0 : -1;
}
