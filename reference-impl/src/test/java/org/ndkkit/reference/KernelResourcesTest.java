package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelResourcesTest {
    @Test
    void sumsEachKindOverDevices() {
        // the shape `rdma -j resource show` prints (iproute2 6.1), two devices
        String json = "[{\"ifindex\":0,\"ifname\":\"rxe0\",\"pd\":2,\"cq\":3,\"qp\":2,\"cm_id\":5,\"mr\":0,\"ctx\":1,\"srq\":0},"
                + "{\"ifindex\":1,\"ifname\":\"rxe1\",\"pd\":1,\"cq\":0,\"qp\":1,\"cm_id\":0,\"mr\":4,\"ctx\":1,\"srq\":0}]";
        Map<String, Long> counts = KernelResources.parse(json);
        assertThat(counts).containsEntry("rdma:pd", 3L).containsEntry("rdma:cq", 3L).containsEntry("rdma:qp", 3L)
                .containsEntry("rdma:cm_id", 5L).containsEntry("rdma:mr", 4L)
                .doesNotContainKey("rdma:ifindex").doesNotContainKey("rdma:ctx");
    }

    @Test
    void theNetlinkSummaryKeepsTheSameKindsAsTheTool() {
        Map<String, Long> counts = KernelResources.kinds(Map.of("pd", 3L, "cq", 3L, "qp", 3L, "cm_id", 5L, "mr", 4L,
                "srq", 0L, "ctx", 2L));
        assertThat(counts).containsOnlyKeys("rdma:pd", "rdma:cq", "rdma:qp", "rdma:cm_id", "rdma:mr", "rdma:srq")
                .containsEntry("rdma:cm_id", 5L);
    }

    @Test
    void nothingParsedFromNoDevices() {
        assertThat(KernelResources.parse("[]")).isEmpty();
    }
}
