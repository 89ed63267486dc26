package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ResourceExhaustion;

class AddressTableTest {
    private final InetAddress a = LabPlan.ipv4("198.18.0.1", "t");
    private final InetAddress b = LabPlan.ipv4("198.18.0.2", "t");

    @Test
    void anAddressInUseIsASharingViolationAndTheSamePortOnAnotherIpIsNot() {
        AddressTable t = new AddressTable();
        var r1 = t.reserve(new Endpoint(a, 7200), AddressTable.Kind.SHARED_ENDPOINT);
        assertThat(r1.ok()).isTrue();
        var r2 = t.reserve(new Endpoint(a, 7200), AddressTable.Kind.LISTENER);
        assertThat(r2.ok()).isFalse();
        assertThat(r2.status()).isEqualTo(NtStatus.SHARING_VIOLATION);
        assertThat(t.reserve(new Endpoint(b, 7200), AddressTable.Kind.SHARED_ENDPOINT).ok()).isTrue();
        r1.reservation().release();
        r1.reservation().release(); // idempotent
        assertThat(t.reserve(new Endpoint(a, 7200), AddressTable.Kind.LISTENER).ok()).isTrue();
    }

    @Test
    void portZeroGetsDistinctPortsInTheEphemeralRange() {
        AddressTable t = new AddressTable(new Random(1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            var r = t.reserveEphemeral(a, AddressTable.Kind.SHARED_ENDPOINT, Set.of());
            assertThat(r.ok()).isTrue();
            int port = r.reservation().endpoint().port();
            assertThat(port).isBetween(49152, 65535);
            assertThat(seen.add(port)).isTrue();
        }
    }

    @Test
    void portsTheKernelRefusedAreSkipped() {
        AddressTable t = new AddressTable(new Random(7));
        var first = t.reserveEphemeral(a, AddressTable.Kind.LISTENER, Set.of());
        int p = first.reservation().endpoint().port();
        first.reservation().release();
        var again = t.reserveEphemeral(a, AddressTable.Kind.LISTENER, Set.of(p));
        assertThat(again.reservation().endpoint().port()).isNotEqualTo(p);
    }

    @Test
    void everyEphemeralPortTakenGivesTooManyAddressesUntilReleased() {
        AddressTable t = new AddressTable();
        ResourceExhaustion ex = t.exhaustEphemeral(a);
        var r = t.reserveEphemeral(a, AddressTable.Kind.SHARED_ENDPOINT, Set.of());
        assertThat(r.ok()).isFalse();
        assertThat(r.status()).isEqualTo(NtStatus.TOO_MANY_ADDRESSES);
        assertThat(t.reserve(new Endpoint(a, 50000), AddressTable.Kind.SHARED_ENDPOINT).status())
                .isEqualTo(NtStatus.SHARING_VIOLATION);
        assertThat(t.reserve(new Endpoint(a, 7100), AddressTable.Kind.SHARED_ENDPOINT).ok()).isTrue();
        assertThat(t.reserveEphemeral(b, AddressTable.Kind.SHARED_ENDPOINT, Set.of()).ok()).isTrue();
        ex.close();
        ex.close();
        assertThat(t.reserveEphemeral(a, AddressTable.Kind.SHARED_ENDPOINT, Set.of()).ok()).isTrue();
    }

    @Test
    void theWholeRangeReservedOneByOneIsAlsoExhaustion() {
        AddressTable t = new AddressTable();
        for (int i = 0; i < AddressTable.EPHEMERAL_COUNT; i++) {
            assertThat(t.reserveEphemeral(a, AddressTable.Kind.CONNECTOR, Set.of()).ok()).isTrue();
        }
        assertThat(t.reserveEphemeral(a, AddressTable.Kind.CONNECTOR, Set.of()).status())
                .isEqualTo(NtStatus.TOO_MANY_ADDRESSES);
    }
}
