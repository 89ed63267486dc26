package org.ndkkit.reference.rdma;

/** {@code enum rdma_cm_event_type}, with the native values from {@link CmConstants}. */
public enum RdmaCmEventType {
    ADDR_RESOLVED(CmConstants.RDMA_CM_EVENT_ADDR_RESOLVED),
    ADDR_ERROR(CmConstants.RDMA_CM_EVENT_ADDR_ERROR),
    ROUTE_RESOLVED(CmConstants.RDMA_CM_EVENT_ROUTE_RESOLVED),
    ROUTE_ERROR(CmConstants.RDMA_CM_EVENT_ROUTE_ERROR),
    CONNECT_REQUEST(CmConstants.RDMA_CM_EVENT_CONNECT_REQUEST),
    CONNECT_RESPONSE(CmConstants.RDMA_CM_EVENT_CONNECT_RESPONSE),
    CONNECT_ERROR(CmConstants.RDMA_CM_EVENT_CONNECT_ERROR),
    UNREACHABLE(CmConstants.RDMA_CM_EVENT_UNREACHABLE),
    REJECTED(CmConstants.RDMA_CM_EVENT_REJECTED),
    ESTABLISHED(CmConstants.RDMA_CM_EVENT_ESTABLISHED),
    DISCONNECTED(CmConstants.RDMA_CM_EVENT_DISCONNECTED),
    DEVICE_REMOVAL(CmConstants.RDMA_CM_EVENT_DEVICE_REMOVAL),
    MULTICAST_JOIN(CmConstants.RDMA_CM_EVENT_MULTICAST_JOIN),
    MULTICAST_ERROR(CmConstants.RDMA_CM_EVENT_MULTICAST_ERROR),
    ADDR_CHANGE(CmConstants.RDMA_CM_EVENT_ADDR_CHANGE),
    TIMEWAIT_EXIT(CmConstants.RDMA_CM_EVENT_TIMEWAIT_EXIT),
    /** A value this enum does not know (a newer librdmacm). */
    UNKNOWN(-1);

    private final int nativeValue;

    RdmaCmEventType(int nativeValue) {
        this.nativeValue = nativeValue;
    }

    public int nativeValue() {
        return nativeValue;
    }

    public static RdmaCmEventType of(int nativeValue) {
        for (RdmaCmEventType t : values()) {
            if (t.nativeValue == nativeValue && t != UNKNOWN) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
