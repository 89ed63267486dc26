package org.ndkkit.cli.compare;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one scenario's SPI call trace says the provider did: per call (operation, object and its
 * arguments, ports and contexts left out) the multiset of outcomes ({@code inline STATUS_X},
 * {@code completion STATUS_X}, {@code completion} for a completion without a status,
 * {@code returned} for a call without one; per object the {@code connect event}s and
 * {@code disconnect event}s). Order, times, ports and contexts are not kept: two providers may
 * differ in them wherever the spec lets both pass, and ephemeral ports differ from run to run.
 * Notes (the kit's own lines) are not outcomes.
 */
public final class CallOutcomes {
    /** Object names by their letters, then by their trailing number: C2 before C10. */
    public static final Comparator<String> NAME_ORDER = Comparator.comparing((String n) -> n.replaceAll("\\d+$", ""))
            .thenComparingLong(n -> n.matches(".*\\d{1,18}$") ? Long.parseLong(n.replaceAll("^.*?(\\d{1,18})$", "$1")) : -1)
            .thenComparing(Comparator.naturalOrder());

    /** The operation of an event key: {@code events on OBJECT}. */
    public static final String EVENTS = "events";

    /** One call: its operation, the object it is on, and its arguments as the trace writes them (normalised). */
    public record Call(String operation, String object, String arguments) {
        public static final Comparator<Call> ORDER = Comparator.comparing(Call::operation)
                .thenComparing(Call::object, NAME_ORDER).thenComparing(Call::arguments);

        public String display() {
            if (object.isEmpty()) {
                return operation;
            }
            return operation.equals(EVENTS) ? "events on " + object : operation + "(" + arguments + ")";
        }
    }

    private static final Pattern LINE = Pattern.compile("^\\s*\\d+\\s+\\+\\s*[\\d.]+ ms\\s+(\\w+)\\s+\\[[^\\]]*\\]\\s(.*)$");
    private static final Pattern ADDRESS_PORT = Pattern.compile("((?:\\d{1,3}\\.){3}\\d{1,3}|\\[[0-9A-Fa-f:.]*\\]):\\d+");
    private static final Pattern SOCKADDR_PORT = Pattern.compile("(sockaddr\\{bytes=[0-9A-Fa-f]{4})[0-9A-Fa-f]{4}");
    private static final Pattern CONTEXT = Pattern.compile("ctx#\\d+");
    private static final Pattern EVENT = Pattern.compile("^(\\w[\\w ]* event) on (\\S+)$");
    private static final Pattern STATUS = Pattern.compile("\\b(STATUS_\\w+)");

    private final Map<Call, List<String>> outcomes = new TreeMap<>(Call.ORDER);
    private final Map<String, String> roles = new HashMap<>();
    private int lines;

    private CallOutcomes() {
    }

    /** Ports (also the two port bytes of a {@code sockaddr{bytes=...}}) and callback contexts, left out. */
    public static String normalise(String text) {
        String t = ADDRESS_PORT.matcher(text).replaceAll("$1:P");
        t = SOCKADDR_PORT.matcher(t).replaceAll("$1PPPP");
        return CONTEXT.matcher(t).replaceAll("ctx");
    }

    public static CallOutcomes parse(String trace) {
        CallOutcomes o = new CallOutcomes();
        for (String l : trace.split("\\R")) {
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                continue;
            }
            String kind = m.group(1);
            String text = m.group(2).strip();
            if (kind.equals("call")) {
                o.lines++;
                o.call(text);
            } else if (kind.equals("callback")) {
                o.lines++;
                o.callback(text);
            }
        }
        return o;
    }

    private void call(String text) {
        Parsed p = parseCall(text);
        if (p == null) {
            add(new Call(normalise(text), "", ""), "returned");
            return;
        }
        int arrow = p.rest.indexOf("-> ");
        String outcome = "returned";
        if (arrow >= 0) {
            String r = p.rest.substring(arrow + 3).strip();
            int sp = r.indexOf(' ');
            outcome = "inline " + (sp < 0 ? r : r.substring(0, sp));
        }
        add(p.call, outcome);
        role(p.call.operation(), p.call.object());
    }

    private void callback(String text) {
        Matcher ev = EVENT.matcher(text);
        if (ev.matches()) {
            add(new Call(EVENTS, ev.group(2), ev.group(2)), ev.group(1));
            role(ev.group(1), ev.group(2));
            return;
        }
        Parsed p = parseCall(text);
        int c = p == null ? -1 : p.rest.indexOf("completion(");
        if (c < 0) {
            add(new Call(normalise(text), "", ""), "callback");
            return;
        }
        Matcher st = STATUS.matcher(p.rest.substring(c));
        add(p.call, st.find() ? "completion " + st.group(1) : "completion");
    }

    private record Parsed(Call call, String rest) {
    }

    /** {@code Op(args)(extra) rest}: the call, the rest after its argument groups. */
    private static Parsed parseCall(String text) {
        int open = text.indexOf('(');
        if (open <= 0 || !text.substring(0, open).matches("\\w+")) {
            return null;
        }
        String op = text.substring(0, open);
        StringBuilder args = new StringBuilder();
        int i = open;
        boolean first = true;
        while (i < text.length() && text.charAt(i) == '(') {
            int depth = 0;
            int j = i;
            for (; j < text.length(); j++) {
                char ch = text.charAt(j);
                if (ch == '(') {
                    depth++;
                } else if (ch == ')' && --depth == 0) {
                    break;
                }
            }
            if (j >= text.length()) {
                return null;
            }
            String group = text.substring(i + 1, j);
            args.append(first ? group : ")(" + group);
            first = false;
            i = j + 1;
        }
        String a = normalise(args.toString());
        String object = a.split("[, ]", 2)[0];
        return new Parsed(new Call(op, object, a), text.substring(i));
    }

    private void add(Call call, String outcome) {
        outcomes.computeIfAbsent(call, k -> new ArrayList<>()).add(outcome);
    }

    // ------------------------------------------------------------------ what kind of object a name is

    private static final Map<String, Integer> ROLE_STRENGTH = Map.of("connector", 3, "listener", 3,
            "shared endpoint", 3, "incoming connector", 2, "connector?", 1);

    private void role(String op, String object) {
        String r = switch (op) {
            case "NdkCreateConnector" -> "connector";
            case "NdkCreateListener", "NdkListen", "NdkGetListenerLocalAddress", "NdkControlConnectEvents",
                    "connect event" -> "listener";
            case "NdkCreateSharedEndpoint", "NdkGetSharedEndpointLocalAddress" -> "shared endpoint";
            case "NdkAccept", "NdkReject" -> "incoming connector";
            case "NdkConnectWithSharedEndpoint", "NdkConnect", "NdkCompleteConnect" -> "connector?";
            default -> null;
        };
        if (r != null) {
            roles.merge(object, r, (old, now) -> ROLE_STRENGTH.get(now) > ROLE_STRENGTH.get(old) ? now : old);
        }
    }

    /**
     * The kind of object a call is on, for grouping differences across scenarios: connector,
     * incoming connector (handed over by a connect event), listener, shared endpoint, QP, CQ, PD.
     * From what the traces did with the name, else from the kit's naming (C1, P1, L2, BSE3,
     * QP-P1, PD-PEER, X-C, ...).
     */
    public static String kindOf(Call call, CallOutcomes... traces) {
        String op = call.operation();
        switch (op) {
            case "NdkCreateQp":
                return "QP";
            case "NdkCreateCq":
                return "CQ";
            case "NdkCreatePd":
                return "PD";
            default:
                break;
        }
        String name = call.object().replaceFirst("#\\d+$", "");
        for (String k : new String[] {"QP", "CQ", "PD"}) {
            if (name.equals(k) || name.startsWith(k + "-") || name.endsWith("-" + k)) {
                return k;
            }
        }
        String best = null;
        for (CallOutcomes t : traces) {
            String r = t == null ? null : t.roles.get(call.object());
            if (r != null && (best == null || ROLE_STRENGTH.get(r) > ROLE_STRENGTH.get(best))) {
                best = r;
            }
        }
        if (best != null) {
            return best.equals("connector?") ? "connector" : best;
        }
        if (op.equals("NdkAccept") || op.equals("NdkReject")) {
            return "incoming connector";
        }
        name = name.replaceFirst("^X-", "");
        if (name.contains("SE") || name.endsWith("endpoint")) {
            return "shared endpoint";
        }
        if (name.matches("[A-Z]?L[A-Z]?\\d*")) {
            return "listener";
        }
        if (name.matches("(P|PN|PR|BP)\\d*") || name.startsWith("incoming")) {
            return "incoming connector";
        }
        if (name.matches("[A-Z]{1,2}\\d*")) {
            return "connector";
        }
        return name.isEmpty() ? "-" : "object";
    }

    /** The call's key with its object replaced by the object's kind: {@code NdkCloseObject(connector)}. */
    public static String kindLabel(Call call, CallOutcomes... traces) {
        if (call.object().isEmpty()) {
            return call.operation();
        }
        String kind = kindOf(call, traces);
        return call.operation().equals(EVENTS) ? "events on " + kind : call.operation() + "(" + kind + ")";
    }

    public Map<Call, List<String>> outcomes() {
        return outcomes;
    }

    /** How many call and callback lines the trace has. */
    public int lines() {
        return lines;
    }

    /** Outcomes in a stable order: inline (and returned), completion, events, the rest; by name within. */
    public static List<String> canonical(List<String> outcomes) {
        List<String> s = new ArrayList<>(outcomes == null ? List.of() : outcomes);
        s.sort(Comparator.comparingInt(CallOutcomes::rank).thenComparing(Comparator.naturalOrder()));
        return s;
    }

    private static int rank(String outcome) {
        if (outcome.startsWith("inline") || outcome.equals("returned")) {
            return 0;
        }
        if (outcome.startsWith("completion")) {
            return 1;
        }
        return outcome.endsWith("event") ? 2 : 3;
    }

    /** {@code [inline STATUS_PENDING, completion]}, repeats as {@code 2x inline STATUS_SUCCESS}; {@code (none)} when empty. */
    public static String show(List<String> canonical) {
        if (canonical.isEmpty()) {
            return "(none)";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < canonical.size(); ) {
            int j = i;
            while (j < canonical.size() && canonical.get(j).equals(canonical.get(i))) {
                j++;
            }
            parts.add((j - i > 1 ? (j - i) + "x " : "") + canonical.get(i));
            i = j;
        }
        return "[" + String.join(", ", parts) + "]";
    }
}
