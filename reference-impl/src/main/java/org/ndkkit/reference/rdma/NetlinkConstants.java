package org.ndkkit.reference.rdma;

/**
 * Constants of the RDMA netlink interface ({@code <linux/netlink.h>}, {@code <rdma/rdma_netlink.h>})
 * that {@link RdmaNetlink} uses, with their C names; {@code StructLayoutTest} checks each against the
 * installed headers.
 */
public final class NetlinkConstants {
    private NetlinkConstants() {
    }

    public static final int AF_NETLINK = 16;
    public static final int NETLINK_RDMA = 20;
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_DUMP = 0x300;
    public static final int NLMSG_ERROR = 0x2;
    public static final int NLMSG_DONE = 0x3;
    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int RDMA_NL_NLDEV = 5;
    public static final int RDMA_NLDEV_CMD_RES_GET = 9;
    public static final int RDMA_NLDEV_ATTR_RES_SUMMARY = 15;
    public static final int RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY = 16;
    public static final int RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_NAME = 17;
    public static final int RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_CURR = 18;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 02000000;
}
