/* status_map.c - see status_map.h. */
#include "status_map.h"

#include <errno.h>

/* rdma_cma.h's enum rdma_cm_event_type, repeated so that this file needs no library header. */
enum {
    EV_ADDR_RESOLVED, EV_ADDR_ERROR, EV_ROUTE_RESOLVED, EV_ROUTE_ERROR, EV_CONNECT_REQUEST,
    EV_CONNECT_RESPONSE, EV_CONNECT_ERROR, EV_UNREACHABLE, EV_REJECTED, EV_ESTABLISHED,
    EV_DISCONNECTED, EV_DEVICE_REMOVAL, EV_MULTICAST_JOIN, EV_MULTICAST_ERROR, EV_ADDR_CHANGE,
    EV_TIMEWAIT_EXIT
};

static ndk_status common_errno(int err)
{
    switch (err) {
    case ENOMEM: case ENOSPC: case ENOBUFS: case EAGAIN: case EMFILE: case ENFILE:
        return NDK_STATUS_INSUFFICIENT_RESOURCES;
    case ENODEV:
        return NDK_STATUS_DEVICE_REMOVED;
    default:
        return NDK_STATUS_UNSUCCESSFUL;
    }
}

ndk_status sm_connect_errno(int err)
{
    switch (err) {
    case ENETUNREACH: case ENODEV: case EINVAL: case ENETDOWN:
        return NDK_STATUS_NETWORK_UNREACHABLE;
    case EHOSTUNREACH: case EACCES: case EHOSTDOWN:
        return NDK_STATUS_HOST_UNREACHABLE;
    case ETIMEDOUT:
        return NDK_STATUS_IO_TIMEOUT;
    case ECONNREFUSED:
        return NDK_STATUS_CONNECTION_REFUSED;
    case ECONNRESET:
        return NDK_STATUS_CONNECTION_RESET;
    case ECONNABORTED:
        return NDK_STATUS_CONNECTION_ABORTED;
    case EADDRINUSE:
        return NDK_STATUS_SHARING_VIOLATION;
    case EADDRNOTAVAIL:
        return NDK_STATUS_INVALID_ADDRESS;
    default:
        return common_errno(err);
    }
}

ndk_status sm_bind_errno(int err)
{
    switch (err) {
    case EADDRINUSE: case EACCES:
        return NDK_STATUS_SHARING_VIOLATION;
    case EADDRNOTAVAIL: case ENODEV: case EAFNOSUPPORT:
        return NDK_STATUS_INVALID_ADDRESS;
    case EINVAL:
        return NDK_STATUS_INVALID_PARAMETER;
    default:
        return common_errno(err);
    }
}

ndk_status sm_create_errno(int err)
{
    switch (err) {
    case EINVAL: case EOPNOTSUPP:
        return NDK_STATUS_INVALID_PARAMETER;
    default:
        return common_errno(err);
    }
}

ndk_status sm_route_errno(int err)
{
    switch (err) {
    case 0:
        return NDK_STATUS_SUCCESS;
    case ENETUNREACH: case EINVAL:         /* no route; a blackhole route */
        return NDK_STATUS_NETWORK_UNREACHABLE;
    case EHOSTUNREACH: case EACCES:        /* an unreachable route; a prohibit route */
        return NDK_STATUS_HOST_UNREACHABLE;
    default:
        return NDK_STATUS_SUCCESS;         /* no opinion: rdma_cm decides */
    }
}

ndk_status sm_resolve_error(int event_status)
{
    switch (-event_status) {
    case ETIMEDOUT: case EHOSTUNREACH: case EACCES:
        return NDK_STATUS_HOST_UNREACHABLE;  /* -110: a neighbour nobody answered */
    case ENETUNREACH: case ENODEV: case EINVAL:
        return NDK_STATUS_NETWORK_UNREACHABLE;
    case ENOMEM: case ENOBUFS:
        return NDK_STATUS_INSUFFICIENT_RESOURCES;
    default:
        return NDK_STATUS_HOST_UNREACHABLE;
    }
}

ndk_status sm_connect_event(int event, int event_status)
{
    switch (event) {
    case EV_REJECTED:
        return NDK_STATUS_CONNECTION_REFUSED;   /* every reason: no listener, rejected, refused by policy */
    case EV_UNREACHABLE:
        return event_status == -ETIMEDOUT ? NDK_STATUS_IO_TIMEOUT
             : event_status < 0 ? sm_connect_errno(-event_status) : NDK_STATUS_IO_TIMEOUT;
    case EV_ADDR_ERROR: case EV_ROUTE_ERROR:
        return sm_resolve_error(event_status);
    case EV_CONNECT_ERROR: {
        ndk_status s = event_status < 0 ? sm_connect_errno(-event_status) : NDK_STATUS_UNSUCCESSFUL;
        return s == NDK_STATUS_UNSUCCESSFUL ? NDK_STATUS_CONNECTION_ABORTED : s;
    }
    case EV_DISCONNECTED:
        return NDK_STATUS_CONNECTION_ABORTED;
    case EV_DEVICE_REMOVAL:
        return NDK_STATUS_DEVICE_REMOVED;
    default:
        return NDK_STATUS_UNSUCCESSFUL;
    }
}

const char *sm_status_name(ndk_status s)
{
    switch (s) {
    case NDK_STATUS_SUCCESS: return "STATUS_SUCCESS";
    case NDK_STATUS_TIMEOUT: return "STATUS_TIMEOUT";
    case NDK_STATUS_PENDING: return "STATUS_PENDING";
    case NDK_STATUS_UNSUCCESSFUL: return "STATUS_UNSUCCESSFUL";
    case NDK_STATUS_INVALID_HANDLE: return "STATUS_INVALID_HANDLE";
    case NDK_STATUS_INVALID_PARAMETER: return "STATUS_INVALID_PARAMETER";
    case NDK_STATUS_BUFFER_TOO_SMALL: return "STATUS_BUFFER_TOO_SMALL";
    case NDK_STATUS_SHARING_VIOLATION: return "STATUS_SHARING_VIOLATION";
    case NDK_STATUS_INSUFFICIENT_RESOURCES: return "STATUS_INSUFFICIENT_RESOURCES";
    case NDK_STATUS_IO_TIMEOUT: return "STATUS_IO_TIMEOUT";
    case NDK_STATUS_NOT_SUPPORTED: return "STATUS_NOT_SUPPORTED";
    case NDK_STATUS_INTERNAL_ERROR: return "STATUS_INTERNAL_ERROR";
    case NDK_STATUS_CANCELLED: return "STATUS_CANCELLED";
    case NDK_STATUS_INVALID_ADDRESS: return "STATUS_INVALID_ADDRESS";
    case NDK_STATUS_INVALID_DEVICE_STATE: return "STATUS_INVALID_DEVICE_STATE";
    case NDK_STATUS_INVALID_BUFFER_SIZE: return "STATUS_INVALID_BUFFER_SIZE";
    case NDK_STATUS_TOO_MANY_ADDRESSES: return "STATUS_TOO_MANY_ADDRESSES";
    case NDK_STATUS_ADDRESS_ALREADY_EXISTS: return "STATUS_ADDRESS_ALREADY_EXISTS";
    case NDK_STATUS_CONNECTION_DISCONNECTED: return "STATUS_CONNECTION_DISCONNECTED";
    case NDK_STATUS_CONNECTION_RESET: return "STATUS_CONNECTION_RESET";
    case NDK_STATUS_CONNECTION_REFUSED: return "STATUS_CONNECTION_REFUSED";
    case NDK_STATUS_ADDRESS_ALREADY_ASSOCIATED: return "STATUS_ADDRESS_ALREADY_ASSOCIATED";
    case NDK_STATUS_CONNECTION_INVALID: return "STATUS_CONNECTION_INVALID";
    case NDK_STATUS_CONNECTION_ACTIVE: return "STATUS_CONNECTION_ACTIVE";
    case NDK_STATUS_NETWORK_UNREACHABLE: return "STATUS_NETWORK_UNREACHABLE";
    case NDK_STATUS_HOST_UNREACHABLE: return "STATUS_HOST_UNREACHABLE";
    case NDK_STATUS_CONNECTION_ABORTED: return "STATUS_CONNECTION_ABORTED";
    case NDK_STATUS_DEVICE_REMOVED: return "STATUS_DEVICE_REMOVED";
    default: return "STATUS_?";
    }
}

const char *sm_event_name(int event)
{
    static const char *const names[] = {
        "ADDR_RESOLVED", "ADDR_ERROR", "ROUTE_RESOLVED", "ROUTE_ERROR", "CONNECT_REQUEST",
        "CONNECT_RESPONSE", "CONNECT_ERROR", "UNREACHABLE", "REJECTED", "ESTABLISHED",
        "DISCONNECTED", "DEVICE_REMOVAL", "MULTICAST_JOIN", "MULTICAST_ERROR", "ADDR_CHANGE",
        "TIMEWAIT_EXIT"
    };
    return event >= 0 && event < (int)(sizeof names / sizeof names[0]) ? names[event] : "EVENT_?";
}
