package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/** Shared endpoints, listeners and dedicated endpoints: address ownership and the address buffer protocol. */
class EndpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void portZeroChoosesTheLowestFreeEphemeralPort(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint a = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            NdkSharedEndpoint b = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(Lab.localAddressOf(a)).isEqualTo(Lab.v4("198.18.0.1", 49152));
            assertThat(Lab.localAddressOf(b)).isEqualTo(Lab.v4("198.18.0.1", 49153));
            Listening l = lab.listen(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(l.address).isEqualTo(Lab.v4("198.18.0.1", 49154));
            NdkSharedEndpoint other = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.2", 0));
            assertThat(Lab.localAddressOf(other)).isEqualTo(Lab.v4("198.18.0.2", 49152));
            lab.close(a, "a").awaitClosed();
            NdkSharedEndpoint again = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(Lab.localAddressOf(again)).isEqualTo(Lab.v4("198.18.0.1", 49152));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void addressConflictsAndForeignAddresses(String path) {
        try (Lab lab = Lab.open(path)) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 7200));
            assertThat(lab.sharedEndpointFailure(lab.local, Lab.v4("198.18.0.1", 7200)))
                    .isEqualTo(NtStatus.SHARING_VIOLATION);
            NdkSharedEndpoint sameOtherIp = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.2", 7200));
            assertThat(Lab.localAddressOf(sameOtherIp)).isEqualTo(Lab.v4("198.18.0.2", 7200));

            SockAddr foreign = lab.testbed.address(LabCondition.FOREIGN_LOCAL_ADDRESS).get();
            assertThat(lab.sharedEndpointFailure(lab.local, foreign))
                    .isEqualTo(NtStatus.INVALID_ADDRESS);
            assertThat(lab.sharedEndpointFailure(lab.local, Lab.v4("198.18.1.1", 0)))
                    .as("the peer's address is not the local adapter's").isEqualTo(NtStatus.INVALID_ADDRESS);

            Listening ll = lab.listen(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(lab.sharedEndpointFailure(lab.local, ll.address))
                    .isEqualTo(NtStatus.SHARING_VIOLATION);

            NdkListener second = lab.create((c, x) -> lab.local.createListener((cx, conn) -> { }, null, c, x));
            Req listen = new Req("listen", lab);
            listen.run(() -> second.listen(Lab.v4("198.18.0.1", 7200), listen, listen.context));
            assertThat(listen.outcome()).isEqualTo(NtStatus.SHARING_VIOLATION);
            listen.assertContract();
            assertThat(second.getLocalAddress(null, new UlongRef(0))).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            lab.close(se, "se").awaitClosed();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void noFreeEphemeralPortIsTooManyAddresses(String path) throws Exception {
        try (Lab lab = Lab.open(path)) {
            InetAddress first = lab.testbed.addresses(Host.LOCAL).get(0);
            ResourceExhaustion ports = lab.testbed.exhaustEphemeralPorts(first).get();
            try {
                assertThat(lab.sharedEndpointFailure(lab.local, Lab.v4("198.18.0.1", 0)))
                        .isEqualTo(NtStatus.TOO_MANY_ADDRESSES);
                assertThat(lab.sharedEndpointFailure(lab.local, Lab.v4("198.18.0.1", 50000)))
                        .isEqualTo(NtStatus.SHARING_VIOLATION);
                NdkSharedEndpoint fixed = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 7000));
                assertThat(Lab.localAddressOf(fixed)).isEqualTo(Lab.v4("198.18.0.1", 7000));
                NdkSharedEndpoint otherIp = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.2", 0));
                assertThat(Lab.localAddressOf(otherIp).port()).isEqualTo(49152);
            } finally {
                ports.close();
            }
            NdkSharedEndpoint after = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            assertThat(Lab.localAddressOf(after).port()).isEqualTo(49152);
            assertThat(lab.testbed.exhaustEphemeralPorts(InetAddress.getByName("198.18.9.9")).isAvailable()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 16, 128})
    void addressBufferProtocol(int size) {
        try (Lab lab = Lab.open("pending")) {
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            byte[] buffer = size == 0 ? null : new byte[size];
            UlongRef length = new UlongRef(size);
            NtStatus status = se.getLocalAddress(buffer, length);
            assertThat(length.get()).isEqualTo(16);
            if (size < 16) {
                assertThat(status).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
            } else {
                assertThat(status).isEqualTo(NtStatus.SUCCESS);
                assertThat(SockAddr.fromBuffer(buffer, 16)).isEqualTo(Lab.v4("198.18.0.1", 49152));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void connectorsReportTheSharedEndpointAndTheListenerAddresses(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0));
            Pair pair = Pair.establish(lab, l, se, "C1");
            SockAddr seAddress = Lab.localAddressOf(se);
            assertThat(Lab.readAddress(pair.active::getLocalAddress)).isEqualTo(seAddress);
            assertThat(Lab.readAddress(pair.active::getPeerAddress)).isEqualTo(l.address);
            assertThat(Lab.readAddress(pair.passive::getLocalAddress)).isEqualTo(l.address);
            assertThat(Lab.readAddress(pair.passive::getPeerAddress)).isEqualTo(seAddress);
            UlongRef len = new UlongRef(0);
            assertThat(pair.active.getLocalAddress(null, len)).isEqualTo(NtStatus.BUFFER_TOO_SMALL);
            assertThat(len.get()).isEqualTo(16);
            NdkConnector fresh = lab.connector(lab.local);
            assertThat(fresh.getLocalAddress(new byte[16], new UlongRef(16))).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
            assertThat(fresh.getPeerAddress(new byte[16], new UlongRef(16))).isEqualTo(NtStatus.INVALID_DEVICE_STATE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void ipv6ConnectionsWork(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, SockAddr.of("2001:2::1:1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, SockAddr.of("2001:2::1", 0));
            Pair pair = Pair.establish(lab, l, se, "C6");
            byte[] buffer = new byte[28];
            UlongRef len = new UlongRef(28);
            assertThat(pair.active.getLocalAddress(buffer, len)).isEqualTo(NtStatus.SUCCESS);
            assertThat(len.get()).isEqualTo(28);
            assertThat(SockAddr.fromBuffer(buffer, 28)).isEqualTo(SockAddr.of("2001:2::1", 49152));

            NdkConnector c = lab.connector(lab.local);
            Req mixed = new Req("mixed", lab);
            assertThat(mixed.run(() -> c.connectWithSharedEndpoint(lab.qp(lab.local), se, Lab.v4("198.18.1.1", 7),
                    0, 0, null, 0, mixed, mixed.context))).isEqualTo(NtStatus.INVALID_ADDRESS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pending", "pending-in-call"})
    void dedicatedConnect(String path) {
        try (Lab lab = Lab.open(path)) {
            Listening l = lab.listen(lab.peer, Lab.v4("198.18.1.1", 0));
            NdkSharedEndpoint se = lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 7400));

            NdkConnector c1 = lab.connector(lab.local);
            Req taken = new Req("taken", lab);
            taken.run(() -> c1.connect(lab.qp(lab.local), Lab.v4("198.18.0.1", 7400), l.address, 1, 1, null, 0,
                    taken, taken.context));
            assertThat(taken.outcome()).isEqualTo(NtStatus.SHARING_VIOLATION);
            taken.assertContract();

            Req foreign = new Req("foreign", lab);
            foreign.run(() -> c1.connect(lab.qp(lab.local), Lab.v4("198.18.3.1", 0), l.address, 1, 1, null, 0,
                    foreign, foreign.context));
            assertThat(foreign.outcome()).isEqualTo(NtStatus.INVALID_ADDRESS);
            foreign.assertContract();

            Req ok = new Req("ok", lab);
            assertThat(ok.run(() -> c1.connect(lab.qp(lab.local), Lab.v4("198.18.0.1", 0), l.address, 1, 1, null, 0,
                    ok, ok.context))).isEqualTo(NtStatus.PENDING);
            NdkConnector p1 = l.next();
            assertThat(Lab.readAddress(p1::getPeerAddress)).isEqualTo(Lab.v4("198.18.0.1", 49152));
            assertThat(Lab.readAddress(c1::getLocalAddress)).isEqualTo(Lab.v4("198.18.0.1", 49152));
            assertThat(lab.sharedEndpointFailure(lab.local, Lab.v4("198.18.0.1", 49152)))
                    .as("a dedicated endpoint's address is taken").isEqualTo(NtStatus.SHARING_VIOLATION);
            lab.close(c1, "c1").awaitClosed();
            lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 49152));

            ResourceExhaustion ports = lab.testbed.exhaustEphemeralPorts(l.address.ip()).get();
            ResourceExhaustion localPorts = lab.testbed.exhaustEphemeralPorts(Lab.v4("198.18.0.2", 0).ip()).get();
            try {
                NdkConnector c2 = lab.connector(lab.local);
                Req none = new Req("none", lab);
                none.run(() -> c2.connect(lab.qp(lab.local), Lab.v4("198.18.0.2", 0), l.address, 1, 1, null, 0,
                        none, none.context));
                assertThat(none.outcome()).isEqualTo(NtStatus.TOO_MANY_ADDRESSES);
                none.assertContract();
            } finally {
                localPorts.close();
                ports.close();
            }
            lab.close(se, "se").awaitClosed();
        }
    }
}
