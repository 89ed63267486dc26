/* liftplan.c - see liftplan.h. */
#include "liftplan.h"

#include <stdio.h>
#include <string.h>

#include "ndk_provider.h"

static int set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

int lift_config(const char *mode, const char *lift_netdev, const char *role, const char *lab_netdev,
                rc_lift_config *out, char *err, size_t err_size)
{
    out->side = LIFT_OFF;
    out->netdev = NULL;
    out->off = NULL;
    int two_host = set(role) && (strcmp(role, "test") == 0 || strcmp(role, "support") == 0);
    if (set(mode) && strcmp(mode, "unavailable") == 0) {
        out->off = "lift-conditions=unavailable";
        return 0;
    }
    if (set(mode) && strcmp(mode, "ip") != 0) {
        if (err != NULL && err_size > 0)
            snprintf(err, err_size, "lift-conditions=%s: expected ip or unavailable", mode);
        return -1;
    }
    if (set(lift_netdev))
        out->netdev = lift_netdev;
    else if ((two_host || set(mode)) && set(lab_netdev))
        out->netdev = lab_netdev;
    if (out->netdev == NULL) {
        out->off = set(mode) ? "lift-conditions=ip, but no netdev: set lift-netdev or NDK_LAB_NETDEV"
                             : "set lift-netdev=NETDEV (the one-VM lab: ndk0) to let the testbed add the condition's "
                               "address to that netdev; in the two-host lab (NDK_LAB_ROLE test or support) "
                               "NDK_LAB_NETDEV turns it on";
        return 0;
    }
    out->side = two_host && strcmp(role, "test") == 0 ? LIFT_TEST_MACHINE : LIFT_ADDRESS;
    return 0;
}

int lift_plan(int side, int condition, rc_lift_plan *out)
{
    memset(out, 0, sizeof *out);
    if (condition != NDK_LAB_NETWORK_UNREACHABLE && condition != NDK_LAB_HOST_UNREACHABLE
        && condition != NDK_LAB_SILENT_HOST)
        return -1;
    if (side == LIFT_ADDRESS) {
        out->lift = STEP_ADDRESS_ADD;
        out->release = STEP_ADDRESS_DEL;
        out->lend = 1;
        return 0;
    }
    if (side != LIFT_TEST_MACHINE)
        return -1;
    switch (condition) {
    case NDK_LAB_NETWORK_UNREACHABLE:       /* no route: one on the link, to the support machine's new address */
        out->lift = STEP_ROUTE_ADD;
        out->release = STEP_ROUTE_DEL;
        break;
    case NDK_LAB_SILENT_HOST:               /* the permanent entry with a MAC nobody has goes; ARP finds the support machine */
        out->lift = STEP_NEIGH_DEL;
        out->release = STEP_NEIGH_PERMANENT;
        out->needs_mac = 1;
        break;
    default:                                /* HOST_UNREACHABLE: forget the failed ARP (lift) and the answered one (release) */
        out->lift = STEP_NEIGH_FLUSH;
        out->release = STEP_NEIGH_FLUSH;
        break;
    }
    return 0;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int lift_parse_mac(const char *text, uint8_t mac[6])
{
    uint8_t m[6];
    if (text == NULL || strlen(text) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        const char *p = text + 3 * i;
        int hi = hex(p[0]), lo = hex(p[1]);
        if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
            return -1;
        m[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(mac, m, sizeof m);
    return 0;
}

void lift_step_text(int step, const char *ip, int ipv6, const char *netdev, const uint8_t *mac, char *buf,
                    size_t size)
{
    const char *bits = ipv6 ? "/128" : "/32";
    switch (step) {
    case STEP_ADDRESS_ADD:
    case STEP_ADDRESS_DEL:
        snprintf(buf, size, "ip addr %s %s%s dev %s", step == STEP_ADDRESS_ADD ? "add" : "del", ip, bits, netdev);
        break;
    case STEP_ROUTE_ADD:
        snprintf(buf, size, "ip route replace %s%s dev %s scope link", ip, bits, netdev);
        break;
    case STEP_ROUTE_DEL:
        snprintf(buf, size, "ip route del %s%s dev %s", ip, bits, netdev);
        break;
    case STEP_NEIGH_DEL:
        snprintf(buf, size, "ip neigh del %s dev %s", ip, netdev);
        break;
    case STEP_NEIGH_FLUSH:
        snprintf(buf, size, "ip neigh flush to %s dev %s", ip, netdev);
        break;
    case STEP_NEIGH_PERMANENT:
        if (mac != NULL)
            snprintf(buf, size, "ip neigh replace %s lladdr %02x:%02x:%02x:%02x:%02x:%02x dev %s nud permanent", ip,
                     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], netdev);
        else
            snprintf(buf, size, "ip neigh replace %s lladdr ? dev %s nud permanent", ip, netdev);
        break;
    default:
        snprintf(buf, size, "nothing");
        break;
    }
}
