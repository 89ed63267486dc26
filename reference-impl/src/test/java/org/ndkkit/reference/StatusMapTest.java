package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.RdmaCmEventType;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.spi.NtStatus;

/** The rows of MAPPING.md, as code. */
class StatusMapTest {
    private static RdmaResult<Void> err(String op, int errno) {
        return RdmaResult.nativeError(op, errno, "test");
    }

    @Test
    void bindErrnos() {
        assertThat(StatusMap.bind(err("rdma_bind_addr", Errno.EADDRINUSE))).isEqualTo(NtStatus.SHARING_VIOLATION);
        assertThat(StatusMap.bind(err("rdma_bind_addr", Errno.EADDRNOTAVAIL))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(StatusMap.bind(err("rdma_bind_addr", Errno.ENODEV))).isEqualTo(NtStatus.INVALID_ADDRESS);
        assertThat(StatusMap.bind(err("rdma_bind_addr", Errno.ENOMEM))).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
        assertThat(StatusMap.bind(RdmaResult.rejected("rdma_bind_addr", Errno.EINVAL, "bad")))
                .isEqualTo(NtStatus.INVALID_PARAMETER);
    }

    @Test
    void reachErrnos() {
        assertThat(StatusMap.reach(Errno.ENETUNREACH)).isEqualTo(NtStatus.NETWORK_UNREACHABLE);
        assertThat(StatusMap.reach(Errno.EHOSTUNREACH)).isEqualTo(NtStatus.HOST_UNREACHABLE);
        assertThat(StatusMap.reach(Errno.EACCES)).isEqualTo(NtStatus.HOST_UNREACHABLE);
        assertThat(StatusMap.reach(Errno.EINVAL)).isEqualTo(NtStatus.NETWORK_UNREACHABLE);
        assertThat(StatusMap.reach(Errno.ETIMEDOUT)).isEqualTo(NtStatus.IO_TIMEOUT);
    }

    @Test
    void activeConnectEvents() {
        for (int reason : new int[] {8, 10, 28, 35}) {
            assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.REJECTED, reason)).isEqualTo(NtStatus.CONNECTION_REFUSED);
        }
        assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.UNREACHABLE, -Errno.ETIMEDOUT)).isEqualTo(NtStatus.IO_TIMEOUT);
        assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.ADDR_ERROR, -Errno.ETIMEDOUT)).isEqualTo(NtStatus.HOST_UNREACHABLE);
        assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.ADDR_ERROR, -Errno.EHOSTUNREACH))
                .isEqualTo(NtStatus.HOST_UNREACHABLE);
        assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.ADDR_ERROR, -Errno.ENETUNREACH))
                .isEqualTo(NtStatus.NETWORK_UNREACHABLE);
        assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.CONNECT_ERROR, -1)).isEqualTo(NtStatus.CONNECTION_ABORTED);
        assertThat(StatusMap.activeConnectEvent(RdmaCmEventType.DEVICE_REMOVAL, 0)).isEqualTo(NtStatus.DEVICE_REMOVED);
    }

    @Test
    void passiveAcceptEvents() {
        assertThat(StatusMap.passiveAcceptEvent(RdmaCmEventType.REJECTED, 28)).isEqualTo(NtStatus.CONNECTION_ABORTED);
        assertThat(StatusMap.passiveAcceptEvent(RdmaCmEventType.DISCONNECTED, 0)).isEqualTo(NtStatus.CONNECTION_ABORTED);
        assertThat(StatusMap.passiveAcceptEvent(RdmaCmEventType.UNREACHABLE, -Errno.ETIMEDOUT)).isEqualTo(NtStatus.IO_TIMEOUT);
    }

    @Test
    void answersAndVerbs() {
        assertThat(StatusMap.answerCall(err("rdma_accept", Errno.EINVAL))).isEqualTo(NtStatus.CONNECTION_ABORTED);
        assertThat(StatusMap.answerCall(err("rdma_reject", Errno.EINVAL))).isEqualTo(NtStatus.CONNECTION_ABORTED);
        assertThat(StatusMap.verbs(err("ibv_alloc_pd", Errno.EAGAIN))).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
        assertThat(StatusMap.verbs(err("ibv_create_qp", Errno.ENOMEM))).isEqualTo(NtStatus.INSUFFICIENT_RESOURCES);
        assertThat(StatusMap.verbs(err("ibv_create_qp", Errno.EINVAL))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(StatusMap.disconnectEvent(0)).isEqualTo(NtStatus.SUCCESS);
        assertThat(StatusMap.disconnectEvent(-Errno.ETIMEDOUT)).isEqualTo(NtStatus.IO_TIMEOUT);
    }
}
