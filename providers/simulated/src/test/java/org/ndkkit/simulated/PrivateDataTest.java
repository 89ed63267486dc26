package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/** Private data within MaxCallerData (56) / MaxCalleeData (148), and NdkGetConnectionData's buffer rules. */
class PrivateDataTest {
    private Lab lab;
    private Listening l;
    private NdkSharedEndpoint se;

    @BeforeEach
    void open() {
        lab = Lab.open("pending");
        l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
        se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
    }

    @AfterEach
    void close() {
        lab.close();
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + 1);
        }
        return b;
    }

    private Req connect(NdkConnector c, byte[] data, int length) {
        Req r = new Req("connect", lab);
        r.run(() -> c.connectWithSharedEndpoint(lab.qp(lab.local), se, l.address, 1, 1, data, length, r, r.context));
        return r;
    }

    @Test
    void connectDataArrivesPaddedToMaxCallerData() {
        byte[] sent = bytes(20);
        connect(lab.connector(lab.local), sent, sent.length);
        NdkConnector p = l.next();

        UlongRef len = new UlongRef(0);
        assertThat(p.getConnectionData(null, null, null, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(56);

        byte[] shortBuffer = new byte[55];
        len.set(55);
        assertThat(p.getConnectionData(null, null, shortBuffer, len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(len.get()).isEqualTo(56);
        assertThat(Arrays.copyOf(shortBuffer, 20)).isEqualTo(sent);

        byte[] large = new byte[120];
        Arrays.fill(large, (byte) 0x55);
        len.set(120);
        assertThat(p.getConnectionData(new UlongRef(0), null, large, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(56);
        assertThat(Arrays.copyOf(large, 20)).isEqualTo(sent);
        assertThat(Arrays.copyOfRange(large, 20, 56)).containsOnly(0);
        assertThat(Arrays.copyOfRange(large, 56, 120)).containsOnly(0x55);
    }

    @Test
    void badLengthCellsAreStatusesNotExceptions() {
        connect(lab.connector(lab.local), bytes(4), 4);
        NdkConnector p = l.next();
        assertThat(p.getConnectionData(null, null, null, new UlongRef(5))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(p.getConnectionData(null, null, new byte[4], new UlongRef(100))).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(p.getConnectionData(null, null, new byte[4], null)).isEqualTo(NtStatus.INVALID_PARAMETER);
        UlongRef len = new UlongRef(4);
        assertThat(p.getConnectionData(null, null, new byte[4], len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
        assertThat(len.get()).isEqualTo(56);
        // A length that claims more room than the array has is bad input even when the copy would
        // fit (the SPI's output-buffer rule): nothing is written.
        len.set(-1);
        byte[] untouched = new byte[60];
        assertThat(p.getConnectionData(null, null, untouched, len)).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(untouched).containsOnly(0);
        len.set(60);
        assertThat(p.getConnectionData(null, null, new byte[60], len)).isEqualTo(NtStatus.SUCCESS);
    }

    @Test
    void exactlyMaxCallerDataWorksAndOneMoreIsInvalidBufferSize() {
        NdkConnector c1 = lab.connector(lab.local);
        Req over = connect(c1, bytes(57), 57);
        assertThat(over.inline).isEqualTo(NtStatus.INVALID_BUFFER_SIZE);
        over.assertContract();
        l.assertNoRequest();

        byte[] exact = bytes(56);
        Req ok = connect(c1, exact, 56);
        assertThat(ok.inline).isEqualTo(NtStatus.PENDING);
        NdkConnector p = l.next();
        byte[] buffer = new byte[56];
        assertThat(p.getConnectionData(null, null, buffer, new UlongRef(56))).isEqualTo(NtStatus.SUCCESS);
        assertThat(buffer).isEqualTo(exact);
    }

    @Test
    void lengthDisagreeingWithTheBufferIsInvalidParameter() {
        NdkConnector c1 = lab.connector(lab.local);
        assertThat(connect(c1, null, 3).inline).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(connect(c1, new byte[2], 3).inline).isEqualTo(NtStatus.INVALID_PARAMETER);
        assertThat(connect(c1, new byte[2], -1).inline).isEqualTo(NtStatus.INVALID_PARAMETER);
        l.assertNoRequest();
    }

    @Test
    void acceptDataReachesTheActiveSideWithMaxCalleeDataAsRds() {
        NdkConnector c1 = lab.connector(lab.local);
        Req connect = connect(c1, null, 0);
        NdkConnector p = l.next();
        NdkQp peerQp = lab.qp(lab.peer);

        Req over = new Req("accept over", lab);
        assertThat(over.run(() -> p.accept(peerQp, 1, 1, bytes(149), 149, null, null, over, over.context)))
                .isEqualTo(NtStatus.INVALID_BUFFER_SIZE);

        byte[] sent = bytes(148);
        Req accept = new Req("accept", lab);
        assertThat(accept.run(() -> p.accept(peerQp, 1, 1, sent, 148, null, null, accept, accept.context)))
                .isEqualTo(NtStatus.PENDING);
        assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
        byte[] buffer = new byte[148];
        UlongRef len = new UlongRef(148);
        assertThat(c1.getConnectionData(null, null, buffer, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(148);
        assertThat(buffer).isEqualTo(sent);
    }

    @Test
    void rejectDataReachesTheActiveSide() {
        NdkConnector c1 = lab.connector(lab.local);
        Req connect = connect(c1, null, 0);
        NdkConnector p = l.next();
        assertThat(p.reject(bytes(149), 149)).isEqualTo(NtStatus.INVALID_BUFFER_SIZE);
        assertThat(connect.isComplete()).isFalse();
        assertThat(p.reject(bytes(12), 12)).isEqualTo(NtStatus.SUCCESS);
        assertThat(connect.outcome()).isEqualTo(NtStatus.CONNECTION_REFUSED);
        byte[] buffer = new byte[200];
        UlongRef len = new UlongRef(200);
        assertThat(c1.getConnectionData(null, null, buffer, len)).isEqualTo(NtStatus.SUCCESS);
        assertThat(len.get()).isEqualTo(148);
        assertThat(Arrays.copyOf(buffer, 12)).isEqualTo(bytes(12));
    }

    @Test
    void noConnectionDataBeforeTheConnectCompleted() {
        NdkConnector c1 = lab.connector(lab.local);
        assertThat(c1.getConnectionData(null, null, null, new UlongRef(0))).isEqualTo(NtStatus.CONNECTION_INVALID);
        connect(c1, null, 0);
        l.next();
        assertThat(c1.getConnectionData(null, null, null, new UlongRef(0))).isEqualTo(NtStatus.CONNECTION_INVALID);
    }
}
