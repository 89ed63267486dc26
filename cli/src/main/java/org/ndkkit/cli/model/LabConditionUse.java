package org.ndkkit.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One lab condition a scenario used, and how the testbed produced it, as the steps attach it to
 * the scenario (media type {@value #MEDIA_TYPE}, one JSON array element per condition).
 *
 * @param condition {@code resource-exhaustion} or {@code ephemeral-ports-exhausted} (any other name the
 *                  steps give passes through)
 * @param host      {@code LOCAL} or {@code PEER}, the host whose adapter was exhausted; null when the
 *                  condition is tied to an address instead
 * @param address   the local address whose ports were exhausted; null when not tied to one
 * @param method    {@code real-limit}, {@code injected} or {@code undeclared} ({@code ExhaustionMethod#id()})
 * @param detail    the testbed's one sentence on what is exhausted and how; null when it says nothing
 */
public record LabConditionUse(String condition, String host, String address, String method, String detail) {
    /** The media type of the steps' attachment. */
    public static final String MEDIA_TYPE = "application/vnd.ndk.lab-conditions+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The conditions of a JSON array as the steps (or summary.json, or a progress event) write them; a non-array is none. */
    public static List<LabConditionUse> listOf(JsonNode array) {
        List<LabConditionUse> out = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return out;
        }
        for (JsonNode n : array) {
            if (n.isObject()) {
                out.add(new LabConditionUse(text(n, "condition"), text(n, "host"), text(n, "address"), text(n, "method"),
                        text(n, "detail")));
            }
        }
        return List.copyOf(out);
    }

    /** As summary.json writes it: the known fields, absent ones left out. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("condition", condition);
        if (host != null) {
            n.put("host", host);
        }
        if (address != null) {
            n.put("address", address);
        }
        n.put("method", method);
        if (detail != null) {
            n.put("detail", detail);
        }
        return n;
    }

    public static ArrayNode toJson(List<LabConditionUse> uses) {
        ArrayNode a = JSON.createArrayNode();
        uses.forEach(u -> a.add(u.toJson()));
        return a;
    }

    /** Where: the host, or the address, or nothing. */
    public String where() {
        return host != null ? host : address != null ? address : "";
    }

    /** One line: {@code resource-exhaustion on LOCAL, injected: rdma_create_id ... fail with ENOMEM}. */
    public String describe() {
        String w = where();
        return condition + (w.isEmpty() ? "" : " on " + w) + ", " + (method == null ? "undeclared" : method)
                + (detail == null || detail.isBlank() ? "" : ": " + detail);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
