package org.ndkkit.kit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.ResourceExhaustion;

/**
 * How a scenario's lab condition was produced, for its report: which condition, on which host or
 * address, and whether the testbed reached a real limit or injected the failure. The scenario's
 * After hook attaches the list with {@link #MEDIA_TYPE}; the CLI's progress plugin carries it into
 * the scenario's result.
 *
 * @param condition {@code resource-exhaustion} or {@code ephemeral-ports-exhausted}
 * @param host      {@code LOCAL} / {@code PEER}, or null
 * @param address   the IP the condition is on, or null
 * @param method    {@link ExhaustionMethod#id()}
 * @param detail    the testbed's own description (may be empty)
 */
public record LabConditionRecord(String condition, String host, String address, String method, String detail) {
    public static final String MEDIA_TYPE = "application/vnd.ndk.lab-conditions+json";

    /** What {@code e} says about itself; a provider whose method() or description() throws is undeclared, with why. */
    public static LabConditionRecord of(String condition, String host, String address, ResourceExhaustion e) {
        String method;
        String detail;
        try {
            ExhaustionMethod m = e.method();
            method = (m == null ? ExhaustionMethod.UNDECLARED : m).id();
            detail = String.valueOf(e.description());
        } catch (RuntimeException | AbstractMethodError x) {
            method = ExhaustionMethod.UNDECLARED.id();
            detail = "the testbed's method()/description() threw " + x;
        }
        return new LabConditionRecord(condition, host, address, method, detail);
    }

    /** One line for the call trace. */
    public String line() {
        return condition + (host != null ? " on " + host : "") + (address != null ? " of " + address : "") + ": "
                + method + (detail.isEmpty() ? "" : " (" + detail + ")");
    }

    public static String json(List<LabConditionRecord> records) {
        ObjectMapper om = new ObjectMapper();
        ArrayNode a = om.createArrayNode();
        for (LabConditionRecord r : records) {
            ObjectNode n = a.addObject();
            n.put("condition", r.condition);
            if (r.host != null) {
                n.put("host", r.host);
            }
            if (r.address != null) {
                n.put("address", r.address);
            }
            n.put("method", r.method);
            n.put("detail", r.detail);
        }
        return a.toString();
    }
}
