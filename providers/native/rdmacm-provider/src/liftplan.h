/*
 * liftplan.h - what lift_condition does on this machine (pure): whether it is on and on which
 * netdev; which half of the two-host lab this machine does; per condition, the rtnetlink step that
 * lifts it and the one that puts it back; the silent host's MAC.
 *
 *   one-VM lab, or the support machine: the condition's IP becomes an address of the netdev and
 *     the PEER adapter's (the ARP of the test machine is then answered);
 *   the test machine: its addresses stay; what keeps the IP unreachable from there goes away
 *     (NETWORK_UNREACHABLE: a link route to it; SILENT_HOST: its permanent neighbour entry with a
 *     MAC nobody has; HOST_UNREACHABLE: any failed neighbour entry) and comes back at release.
 */
#ifndef RC_LIFTPLAN_H
#define RC_LIFTPLAN_H

#include <stddef.h>
#include <stdint.h>

enum rc_lift_side {
    LIFT_OFF = 0,
    LIFT_ADDRESS,                 /* one-VM lab, or NDK_LAB_ROLE=support */
    LIFT_TEST_MACHINE             /* NDK_LAB_ROLE=test */
};

enum rc_lift_step {
    STEP_NONE = 0,
    STEP_ADDRESS_ADD,             /* ip addr add IP/32 dev NETDEV (then the GID wait and the lending to PEER) */
    STEP_ADDRESS_DEL,             /* ip addr del IP/32 dev NETDEV */
    STEP_ROUTE_ADD,               /* ip route replace IP/32 dev NETDEV scope link */
    STEP_ROUTE_DEL,               /* ip route del IP/32 dev NETDEV */
    STEP_NEIGH_DEL,               /* ip neigh del IP dev NETDEV: the entry must be there */
    STEP_NEIGH_FLUSH,             /* the same, but no entry is fine */
    STEP_NEIGH_PERMANENT          /* ip neigh replace IP lladdr MAC dev NETDEV nud permanent */
};

typedef struct rc_lift_config {
    int side;                     /* enum rc_lift_side */
    const char *netdev;           /* one of the arguments; NULL when off */
    const char *off;              /* why it is off (a static text); NULL when on */
} rc_lift_config;

/*
 * Whether lifting is on, from the setting lift-conditions (NULL, "ip" or "unavailable"), the
 * setting lift-netdev, NDK_LAB_ROLE and NDK_LAB_NETDEV (each NULL when unset). On: lift-netdev
 * names the netdev (the one-VM lab's opt-in); in the two-host lab (role test or support)
 * NDK_LAB_NETDEV turns it on by default; lift-conditions=ip turns it on with NDK_LAB_NETDEV too;
 * lift-conditions=unavailable turns it off whatever else is set. Returns 0, or -1 with a message
 * in err for another lift-conditions value.
 */
int lift_config(const char *mode, const char *lift_netdev, const char *role, const char *lab_netdev,
                rc_lift_config *out, char *err, size_t err_size);

typedef struct rc_lift_plan {
    int lift;                     /* enum rc_lift_step */
    int release;                  /* enum rc_lift_step: also what undoes a lift that went half-way */
    int lend;                     /* the IP becomes the PEER adapter's address while lifted */
    int needs_mac;                /* release needs the silent host's MAC */
} rc_lift_plan;

/* The plan for 'condition' (an ndk_lab_condition) on 'side': 0, or -1 when there is nothing to
   lift (not a network condition, or lifting is off). */
int lift_plan(int side, int condition, rc_lift_plan *out);

/* "52:54:00:18:01:77" (six pairs of hex digits, ':'-separated, either case) into mac: 0, or -1. */
int lift_parse_mac(const char *text, uint8_t mac[6]);

/* The step as the iproute2 command it amounts to, for messages ("ip route replace 198.19.255.1/32
   dev ndk0 scope link"). ip is the IP literal; mac may be NULL unless the step needs it. */
void lift_step_text(int step, const char *ip, int ipv6, const char *netdev, const uint8_t *mac, char *buf,
                    size_t size);

#endif
