package org.ndkkit.reference;

import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.RdmaCmEventType;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.spi.NtStatus;

/**
 * Every rdma_cm / verbs outcome the provider can see, mapped to the NTSTATUS it reports. The
 * table with what was observed on the SoftRoCE lab is MAPPING.md; keep the two in step.
 */
final class StatusMap {
    private StatusMap() {
    }

    /** A failure the safety layer refused before native code ran: the consumer's input was bad. */
    private static NtStatus refused(RdmaResult<?> r) {
        return switch (r.kind()) {
            case REJECTED -> NtStatus.INVALID_PARAMETER;
            case UNAVAILABLE -> NtStatus.DEVICE_REMOVED;
            default -> null;
        };
    }

    /** Resource errnos, common to every call. */
    private static NtStatus resources(int errno) {
        return errno == Errno.ENOMEM || errno == Errno.EAGAIN || errno == Errno.ENOSPC
                ? NtStatus.INSUFFICIENT_RESOURCES : null;
    }

    /** {@code rdma_create_id}, {@code rdma_set_option}: only resources can fail here. */
    static NtStatus createId(RdmaResult<?> r) {
        NtStatus s = refused(r);
        if (s != null) {
            return s;
        }
        s = resources(r.errno());
        return s != null ? s : NtStatus.UNSUCCESSFUL;
    }

    /**
     * {@code rdma_bind_addr} / {@code rdma_listen} of an explicit local address. EADDRINUSE is an
     * address in use (the provider's own table catches its own conflicts first, so this is
     * another process, or a listener that needs the port exclusively); EADDRNOTAVAIL (the IP is
     * configured nowhere) and ENODEV (the IP is on a netdev without RDMA) mean the address is not
     * the adapter's.
     */
    static NtStatus bind(RdmaResult<?> r) {
        NtStatus s = refused(r);
        if (s != null) {
            return s;
        }
        int e = r.errno();
        if (e == Errno.EADDRINUSE || e == Errno.EACCES) {
            return NtStatus.SHARING_VIOLATION;
        }
        if (e == Errno.EADDRNOTAVAIL || e == Errno.ENODEV) {
            return NtStatus.INVALID_ADDRESS;
        }
        s = resources(e);
        return s != null ? s : NtStatus.UNSUCCESSFUL;
    }

    /** An errno about reaching a destination (rdma_resolve_addr inline, ADDR_ERROR status). */
    static NtStatus reach(int errno) {
        if (errno == Errno.ENETUNREACH) {
            return NtStatus.NETWORK_UNREACHABLE;
        }
        if (errno == Errno.EHOSTUNREACH || errno == Errno.EACCES) {
            return NtStatus.HOST_UNREACHABLE; // EACCES: an administratively prohibited route
        }
        if (errno == Errno.ETIMEDOUT) {
            return NtStatus.IO_TIMEOUT;
        }
        if (errno == Errno.ECONNREFUSED) {
            return NtStatus.CONNECTION_REFUSED;
        }
        if (errno == Errno.ENODEV || errno == Errno.EINVAL) {
            return NtStatus.NETWORK_UNREACHABLE; // no RDMA netdev on the route, or a blackhole route
        }
        NtStatus s = resources(errno);
        return s != null ? s : NtStatus.HOST_UNREACHABLE;
    }

    /** {@code rdma_resolve_addr} / {@code rdma_resolve_route} / {@code rdma_connect} failing inline. */
    static NtStatus connectCall(RdmaResult<?> r) {
        NtStatus s = refused(r);
        return s != null ? s : reach(r.errno());
    }

    /**
     * The event that ends the active side's connect request with a failure.
     *
     * @param status {@code event->status}: the IB CM reject reason for REJECTED, a negative errno
     *               otherwise
     */
    static NtStatus activeConnectEvent(RdmaCmEventType type, int status) {
        return switch (type) {
            // 8 = no listener (invalid service id), 28 = consumer reject (NdkReject, backlog,
            // paused or closing listener), 10 = stale connection, 35 = vendor option: every way
            // the remote side declines is CONNECTION_REFUSED.
            case REJECTED -> NtStatus.CONNECTION_REFUSED;
            // Address resolution that times out is a neighbour (ARP, ND) nobody answered: an
            // on-link destination with no host behind it (route failures come back inline).
            case ADDR_ERROR -> status == -Errno.ETIMEDOUT ? NtStatus.HOST_UNREACHABLE : reach(-status);
            case UNREACHABLE, ROUTE_ERROR -> reach(-status);
            case CONNECT_ERROR -> status < 0 && status != -1 ? reach(-status) : NtStatus.CONNECTION_ABORTED;
            case DISCONNECTED -> NtStatus.CONNECTION_ABORTED;
            case DEVICE_REMOVAL -> NtStatus.DEVICE_REMOVED;
            default -> NtStatus.UNSUCCESSFUL;
        };
    }

    /** The event that ends the passive side's accept request with a failure. */
    static NtStatus passiveAcceptEvent(RdmaCmEventType type, int status) {
        return switch (type) {
            // The active side rejected (NdkReject after its connect completed) or closed.
            case REJECTED, DISCONNECTED, CONNECT_ERROR -> NtStatus.CONNECTION_ABORTED;
            // REP retries exhausted: the active side never called NdkCompleteConnect.
            case UNREACHABLE -> status == -Errno.ETIMEDOUT ? NtStatus.IO_TIMEOUT : NtStatus.CONNECTION_ABORTED;
            case DEVICE_REMOVAL -> NtStatus.DEVICE_REMOVED;
            default -> NtStatus.UNSUCCESSFUL;
        };
    }

    /**
     * {@code rdma_accept}, {@code rdma_reject}, {@code rdma_establish} failing inline: EINVAL
     * means the CM state no longer allows it, i.e. the peer abandoned the connection.
     */
    static NtStatus answerCall(RdmaResult<?> r) {
        NtStatus s = refused(r);
        if (s != null) {
            return s;
        }
        if (r.errno() == Errno.EINVAL || r.errno() == Errno.ECONNABORTED || r.errno() == Errno.ECONNRESET) {
            return NtStatus.CONNECTION_ABORTED;
        }
        s = resources(r.errno());
        return s != null ? s : NtStatus.CONNECTION_ABORTED;
    }

    /** The DISCONNECTED event that finishes a local NdkDisconnect. */
    static NtStatus disconnectEvent(int status) {
        return status == 0 ? NtStatus.SUCCESS : status == -Errno.ETIMEDOUT ? NtStatus.IO_TIMEOUT : NtStatus.SUCCESS;
    }

    /** {@code ibv_alloc_pd} / {@code ibv_create_cq} / {@code ibv_create_qp} / {@code ibv_modify_qp}. */
    static NtStatus verbs(RdmaResult<?> r) {
        NtStatus s = refused(r);
        if (s != null) {
            return s;
        }
        s = resources(r.errno());
        if (s != null) {
            return s;
        }
        return r.errno() == Errno.EINVAL ? NtStatus.INVALID_PARAMETER : NtStatus.UNSUCCESSFUL;
    }
}
