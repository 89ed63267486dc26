package org.ndkkit.kit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ndkkit.spi.AdapterInfo;

/**
 * NDK_ADAPTER_INFO as JSON with its C meaning: ULONG fields (Java ints) and SIZE_T fields (Java
 * longs) are unsigned, so 0xFFFFFFFF reads 4294967295, never -1.
 */
public final class AdapterInfoJson {
    private AdapterInfoJson() {
    }

    public static ObjectNode of(ObjectMapper json, AdapterInfo info) {
        ObjectNode n = json.valueToTree(info);
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        n.fields().forEachRemaining(fields::add);
        for (Map.Entry<String, JsonNode> e : fields) {
            JsonNode v = e.getValue();
            if (v.isInt() && v.intValue() < 0) {
                n.put(e.getKey(), Integer.toUnsignedLong(v.intValue()));
            } else if (v.isLong() && v.longValue() < 0) {
                n.put(e.getKey(), new BigInteger(Long.toUnsignedString(v.longValue())));
            }
        }
        return n;
    }
}
