package org.ndkkit.reference.rdma;

/**
 * Constants of {@code <rdma/rdma_cma.h>} 44.0. Every {@code public static final} field here is
 * named exactly like its C constant and checked against the header by {@code StructLayoutTest}.
 */
public final class CmConstants {
    private CmConstants() {
    }

    // enum rdma_port_space
    public static final int RDMA_PS_IPOIB = 0x0002;
    public static final int RDMA_PS_TCP = 0x0106;
    public static final int RDMA_PS_UDP = 0x0111;
    public static final int RDMA_PS_IB = 0x013F;

    // option levels and names (rdma_set_option)
    public static final int RDMA_OPTION_ID = 0;
    public static final int RDMA_OPTION_IB = 1;
    /** {@code uint8_t}. */
    public static final int RDMA_OPTION_ID_TOS = 0;
    /** {@code int}. */
    public static final int RDMA_OPTION_ID_REUSEADDR = 1;
    /** {@code int}. */
    public static final int RDMA_OPTION_ID_AFONLY = 2;
    /** {@code uint8_t}. */
    public static final int RDMA_OPTION_ID_ACK_TIMEOUT = 3;

    /** Passing 0xFF in rdma_conn_param asks librdmacm for the device maximum. */
    public static final int RDMA_MAX_RESP_RES = 0xFF;
    public static final int RDMA_MAX_INIT_DEPTH = 0xFF;

    public static final int RDMA_UDP_QKEY = 0x01234567;

    // enum rdma_cm_event_type
    public static final int RDMA_CM_EVENT_ADDR_RESOLVED = 0;
    public static final int RDMA_CM_EVENT_ADDR_ERROR = 1;
    public static final int RDMA_CM_EVENT_ROUTE_RESOLVED = 2;
    public static final int RDMA_CM_EVENT_ROUTE_ERROR = 3;
    public static final int RDMA_CM_EVENT_CONNECT_REQUEST = 4;
    public static final int RDMA_CM_EVENT_CONNECT_RESPONSE = 5;
    public static final int RDMA_CM_EVENT_CONNECT_ERROR = 6;
    public static final int RDMA_CM_EVENT_UNREACHABLE = 7;
    public static final int RDMA_CM_EVENT_REJECTED = 8;
    public static final int RDMA_CM_EVENT_ESTABLISHED = 9;
    public static final int RDMA_CM_EVENT_DISCONNECTED = 10;
    public static final int RDMA_CM_EVENT_DEVICE_REMOVAL = 11;
    public static final int RDMA_CM_EVENT_MULTICAST_JOIN = 12;
    public static final int RDMA_CM_EVENT_MULTICAST_ERROR = 13;
    public static final int RDMA_CM_EVENT_ADDR_CHANGE = 14;
    public static final int RDMA_CM_EVENT_TIMEWAIT_EXIT = 15;
}
