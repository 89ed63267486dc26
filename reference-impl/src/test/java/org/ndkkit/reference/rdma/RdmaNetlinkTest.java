package org.ndkkit.reference.rdma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RdmaNetlinkTest {
    private static final int RES_GET = (NetlinkConstants.RDMA_NL_NLDEV << 10) + NetlinkConstants.RDMA_NLDEV_CMD_RES_GET;

    private static byte[] attr(int type, byte[] value) {
        int len = 4 + value.length;
        ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
        b.putShort((short) len).putShort((short) type).put(value);
        return b.array();
    }

    private static byte[] nested(int type, byte[]... children) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] c : children) {
            o.writeBytes(c);
        }
        return attr(type | NetlinkConstants.NLA_F_NESTED, o.toByteArray());
    }

    private static byte[] entry(String name, long current) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(current).array();
        return nested(NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY,
                attr(NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_NAME, n),
                attr(NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_CURR, v));
    }

    private static byte[] message(int type, byte[]... attrs) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] a : attrs) {
            o.writeBytes(a);
        }
        byte[] payload = o.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
        b.putInt(16 + payload.length).putShort((short) type).putShort((short) 2).putInt(1).putInt(0).put(payload);
        return b.array();
    }

    private static ByteBuffer receive(byte[]... messages) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] m : messages) {
            o.writeBytes(m);
        }
        return ByteBuffer.wrap(o.toByteArray()).order(ByteOrder.nativeOrder());
    }

    @Test
    void sumsTheSummaryOfEveryDeviceUntilDone() {
        byte[] dev1 = message(RES_GET, attr(1, new byte[] {0, 0, 0, 0}), attr(2, "rxe0\0".getBytes(StandardCharsets.US_ASCII)),
                nested(NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY, entry("pd", 3), entry("qp", 2), entry("cm_id", 5)));
        byte[] dev2 = message(RES_GET, nested(NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY, entry("pd", 1), entry("ctx", 1)));
        Map<String, Long> counts = new TreeMap<>();
        RdmaNetlink.Answer first = RdmaNetlink.parse(receive(dev1, dev2), counts);
        assertThat(first.done()).isFalse();
        RdmaNetlink.Answer last = RdmaNetlink.parse(receive(message(NetlinkConstants.NLMSG_DONE, new byte[4])), counts);
        assertThat(last.done()).isTrue();
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of("pd", 4L, "qp", 2L, "cm_id", 5L, "ctx", 1L));
    }

    @Test
    void aNetlinkErrorIsReportedWithItsErrno() {
        byte[] error = message(NetlinkConstants.NLMSG_ERROR,
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(-Errno.EPERM).array());
        RdmaNetlink.Answer a = RdmaNetlink.parse(receive(error), new TreeMap<>());
        assertThat(a.errno()).isEqualTo(Errno.EPERM);
    }

    @Test
    void lengthsThatDoNotFitAreRefused() {
        byte[] m = message(RES_GET, attr(1, new byte[4]));
        ByteBuffer.wrap(m).order(ByteOrder.nativeOrder()).putShort(16, (short) 200); // attribute longer than the message
        assertThatThrownBy(() -> RdmaNetlink.parse(receive(m), new TreeMap<>())).isInstanceOf(IllegalArgumentException.class);
        byte[] n = message(RES_GET);
        ByteBuffer.wrap(n).order(ByteOrder.nativeOrder()).putInt(0, 400); // message longer than the receive
        assertThatThrownBy(() -> RdmaNetlink.parse(receive(n), new TreeMap<>())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutRdmaInTheKernelTheReadFailsCleanly() {
        RdmaResult<Map<String, Long>> r = RdmaNetlink.resourceSummary(1000);
        if (!r.ok()) {
            assertThat(r.errno()).isPositive();
        } else {
            assertThat(r.value()).allSatisfy((k, v) -> assertThat(v).isNotNegative());
        }
    }
}
