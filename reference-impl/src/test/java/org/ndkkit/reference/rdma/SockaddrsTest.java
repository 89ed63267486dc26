package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SockaddrsTest {

    @Test
    void ipv4IsWrittenInNetworkOrderWithHostOrderFamily() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 7000);
        Memory m = Sockaddrs.toNative(a);
        assertThat(m.size()).isEqualTo(128);
        byte[] b = m.getByteArray(0, 16);
        // family AF_INET = 2 little-endian, port 7000 = 0x1B58 big-endian, address bytes as is
        assertThat(b).containsExactly(2, 0, 0x1B, 0x58, (byte) 198, 18, 0, 1,
                0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(Sockaddrs.read(m)).contains(a);
    }

    @Test
    void ipv6RoundTrips() throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 49152);
        Memory m = Sockaddrs.toNative(a);
        assertThat(m.getShort(0)).isEqualTo((short) PosixConstants.AF_INET6);
        assertThat(m.getByte(2)).isEqualTo((byte) 0xC0);
        assertThat(m.getByte(3)).isEqualTo((byte) 0x00);
        assertThat(Sockaddrs.read(m)).contains(a);
    }

    @Test
    void unspecifiedFamilyReadsAsEmpty() {
        Memory m = new Memory(128);
        m.clear();
        assertThat(Sockaddrs.read(m)).isEmpty();
        m.setShort(0, (short) PosixConstants.AF_IB);
        assertThat(Sockaddrs.read(m)).isEmpty();
    }
}
