package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.RdmaTechnology;

class AdapterInfoJsonTest {
    @Test
    void unsignedFieldsNeverPrintNegative() {
        AdapterInfo info = new AdapterInfo(1, 2, 0, 0, -1L, 1L << 32, 16, 1, 1, 1, -1, 0, 128, 128, 1, 1, 0, 1, 0, 56,
                148, 0x80000000, RdmaTechnology.ROCE_V2);
        ObjectNode n = AdapterInfoJson.of(new ObjectMapper(), info);
        assertThat(n.get("maxRegistrationSize").asText()).isEqualTo("18446744073709551615");
        assertThat(n.get("maxWindowSize").asLong()).isEqualTo(1L << 32);
        assertThat(n.get("maxTransferLength").asLong()).isEqualTo(4294967295L);
        assertThat(n.get("adapterFlags").asLong()).isEqualTo(0x80000000L);
        assertThat(n.get("maxCallerData").asInt()).isEqualTo(56);
        assertThat(n.get("rdmaTechnology").asText()).isEqualTo("ROCE_V2");
    }
}
