package org.ndkkit.reliability;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One generated bad input: an SPI function, the object it is called on (in a state that may be
 * wrong for it), and its arguments (each valid or malformed in one named way). Values that depend
 * on the provider (an adapter maximum, the listener's address) are named relative to it and
 * resolved when the call is made, so one case means the same on every provider.
 *
 * @param fn     the function
 * @param target the object it is called on
 * @param args   the arguments, in the function's parameter order
 */
public record BadCall(Fn fn, Target target, List<Arg> args) {

    /** The SPI functions a bad input is tried on, with the targets that are right for each. */
    public enum Fn {
        CREATE_PD("NdkAdapter.createPd", Target.LOCAL_ADAPTER, Target.PEER_ADAPTER),
        CREATE_CQ("NdkAdapter.createCq", Target.LOCAL_ADAPTER, Target.PEER_ADAPTER),
        CREATE_CONNECTOR("NdkAdapter.createConnector", Target.LOCAL_ADAPTER, Target.PEER_ADAPTER),
        CREATE_SHARED_ENDPOINT("NdkAdapter.createSharedEndpoint", Target.LOCAL_ADAPTER, Target.PEER_ADAPTER),
        CREATE_LISTENER("NdkAdapter.createListener", Target.LOCAL_ADAPTER, Target.PEER_ADAPTER),
        CREATE_QP("NdkPd.createQp", Target.PD),
        CONNECT("NdkConnector.connect", Target.IDLE_CONNECTOR),
        CONNECT_WITH_SHARED_ENDPOINT("NdkConnector.connectWithSharedEndpoint", Target.IDLE_CONNECTOR),
        COMPLETE_CONNECT("NdkConnector.completeConnect", Target.CONNECTED_CONNECTOR),
        ACCEPT("NdkConnector.accept", Target.REQUEST),
        REJECT("NdkConnector.reject", Target.REQUEST, Target.CONNECTED_CONNECTOR),
        GET_CONNECTION_DATA("NdkConnector.getConnectionData", Target.REQUEST, Target.CONNECTED_CONNECTOR),
        GET_LOCAL_ADDRESS("NdkConnector.getLocalAddress", Target.ESTABLISHED_CONNECTOR, Target.ACCEPTED_CONNECTOR),
        GET_PEER_ADDRESS("NdkConnector.getPeerAddress", Target.ESTABLISHED_CONNECTOR, Target.ACCEPTED_CONNECTOR),
        DISCONNECT("NdkConnector.disconnect", Target.ESTABLISHED_CONNECTOR, Target.ACCEPTED_CONNECTOR),
        LISTEN("NdkListener.listen", Target.NEW_LISTENER),
        LISTENER_GET_LOCAL_ADDRESS("NdkListener.getLocalAddress", Target.LISTENING_LISTENER),
        CONTROL_CONNECT_EVENTS("NdkListener.controlConnectEvents", Target.LISTENING_LISTENER),
        SE_GET_LOCAL_ADDRESS("NdkSharedEndpoint.getLocalAddress", Target.ENDPOINT),
        CLOSE("NdkObject.close", Target.IDLE_CONNECTOR, Target.ESTABLISHED_CONNECTOR, Target.QP, Target.CQ, Target.PD,
                Target.ENDPOINT, Target.LISTENING_LISTENER);

        final String spiName;
        final Set<Target> right;

        Fn(String spiName, Target first, Target... more) {
            this.spiName = spiName;
            this.right = EnumSet.of(first, more);
        }
    }

    /** The object a function is called on, and the state it is in. */
    public enum Target {
        LOCAL_ADAPTER("the LOCAL adapter"),
        PEER_ADAPTER("the PEER adapter"),
        PD("a PD"),
        CLOSED_PD("a closed PD"),
        QP("a QP"),
        CQ("a CQ"),
        IDLE_CONNECTOR("an idle active connector"),
        CONNECTED_CONNECTOR("an active connector whose connect succeeded, not yet completed"),
        ESTABLISHED_CONNECTOR("an established active connector"),
        REQUEST("a passive connector with an unanswered request"),
        ACCEPTED_CONNECTOR("an established passive connector"),
        CLOSED_CONNECTOR("a closed connector"),
        NEW_LISTENER("a listener that does not listen yet"),
        LISTENING_LISTENER("a listening listener"),
        CLOSED_LISTENER("a closed listener"),
        ENDPOINT("a shared endpoint"),
        CLOSED_ENDPOINT("a closed shared endpoint");

        final String text;

        Target(String text) {
            this.text = text;
        }
    }

    /** The sorts of argument a choice belongs to. */
    public enum Sort { OBJ, ADDR, ULONG, DATA, OUT, PRESENT, PARAMS, CLOSE, FLAG }

    /**
     * A way an argument can be given, valid or malformed in one named way. Values that depend on
     * the provider are relative: ADDR choices to the address a valid call passes, ULONG and DATA
     * choices to the adapter maximum. {@code text} may show the argument's numbers with %d.
     */
    public enum Choice {
        OBJ_VALID(Sort.OBJ, false, "valid"),
        OBJ_NULL(Sort.OBJ, true, "null"),
        OBJ_CLOSED(Sort.OBJ, true, "a closed one"),
        OBJ_OTHER_ADAPTER(Sort.OBJ, true, "the other adapter's"),
        OBJ_FOREIGN(Sort.OBJ, true, "an object the provider did not make"),
        OBJ_IN_USE(Sort.OBJ, true, "one serving another connection"),

        ADDR_VALID(Sort.ADDR, false, "valid"),
        ADDR_NULL(Sort.ADDR, true, "null"),
        ADDR_DECLARED_LENGTH(Sort.ADDR, true, "valid bytes with declared length %d"),
        ADDR_SHORT_BYTES(Sort.ADDR, true, "only %d bytes, declared as long as the structure"),
        ADDR_FAMILY(Sort.ADDR, true, "family %d"),
        ADDR_PORT_ZERO(Sort.ADDR, true, "port 0"),
        ADDR_ANY_IP(Sort.ADDR, true, "IP 0.0.0.0"),
        ADDR_MULTICAST(Sort.ADDR, true, "IP 224.0.0.1"),
        ADDR_BROADCAST(Sort.ADDR, true, "IP 255.255.255.255"),
        ADDR_LOOPBACK(Sort.ADDR, true, "IP 127.0.0.1"),
        ADDR_OTHER_FAMILY(Sort.ADDR, true, "an IPv6 address"),
        ADDR_V4_MAPPED(Sort.ADDR, true, "the IPv4 address mapped into IPv6 (::ffff:a.b.c.d)"),
        ADDR_FOREIGN_IP(Sort.ADDR, true, "an IP no adapter owns"),
        ADDR_RANDOM(Sort.ADDR, true, "random bytes %s with declared length %d"),

        ULONG_NORMAL(Sort.ULONG, false, "the usual value"),
        ULONG_ZERO(Sort.ULONG, true, "0"),
        ULONG_ONE(Sort.ULONG, false, "1"),
        ULONG_MAX(Sort.ULONG, false, "the adapter maximum"),
        ULONG_MAX_PLUS_ONE(Sort.ULONG, true, "the adapter maximum + 1"),
        ULONG_ALL_ONES(Sort.ULONG, true, "4294967295 (2^32-1)"),
        ULONG_HIGH_BIT(Sort.ULONG, true, "2147483648 (2^31)"),
        ULONG_ANY(Sort.ULONG, true, "%u"),

        DATA_NONE(Sort.DATA, false, "none (null, length 0)"),
        DATA_SOME(Sort.DATA, false, "%d bytes"),
        DATA_AT_MAX(Sort.DATA, false, "exactly the adapter maximum"),
        DATA_NULL_WITH_LENGTH(Sort.DATA, true, "null buffer with length %d"),
        DATA_LENGTH_BEYOND_BUFFER(Sort.DATA, true, "a %d-byte buffer declared %d bytes longer"),
        DATA_BUFFER_BEYOND_LENGTH(Sort.DATA, true, "%d bytes declared, in a buffer %d bytes longer"),
        DATA_OVER_MAX(Sort.DATA, true, "the adapter maximum + %d bytes"),
        DATA_ALL_ONES_LENGTH(Sort.DATA, true, "an 8-byte buffer with length 4294967295"),

        OUT_ROOMY(Sort.OUT, false, "a 128-byte buffer, length 128"),
        OUT_NULL_REF(Sort.OUT, true, "a 128-byte buffer, null length cell"),
        OUT_NULL_BUFFER_ZERO(Sort.OUT, false, "null buffer, length 0"),
        OUT_NULL_BUFFER_LENGTH(Sort.OUT, true, "null buffer, length %d"),
        OUT_TOO_SMALL(Sort.OUT, true, "a %d-byte buffer, length %d"),
        OUT_CLAIMS_MORE(Sort.OUT, true, "a %d-byte buffer whose length claims %d bytes more"),
        OUT_ALL_ONES(Sort.OUT, true, "a 16-byte buffer, length 4294967295"),
        OUT_ZERO_LENGTH(Sort.OUT, true, "a 128-byte buffer, length 0"),

        PRESENT(Sort.PRESENT, false, "given"),
        NULL_REQUIRED(Sort.PRESENT, true, "null"),
        NULL_OPTIONAL(Sort.PRESENT, false, "null (optional)"),

        PARAMS_SMALL(Sort.PARAMS, false, "small valid sizes"),
        PARAMS_NULL(Sort.PARAMS, true, "null"),
        PARAMS_FIELD_OVER_MAX(Sort.PARAMS, true, "size %d one above its maximum"),
        PARAMS_FIELD_ALL_ONES(Sort.PARAMS, true, "size %d = 4294967295"),
        PARAMS_ZEROS(Sort.PARAMS, true, "every size 0"),

        CLOSE_SECOND(Sort.CLOSE, true, "closed a second time after the first close finished"),
        CLOSE_SECOND_WHILE_PENDING(Sort.CLOSE, true, "closed a second time while the first close pends"),
        CLOSE_NULL_COMPLETION(Sort.CLOSE, true, "closed without a completion callback"),
        CLOSE_NULL_COMPLETION_WHILE_HELD(Sort.CLOSE, true, "closed without a completion callback while a successor holds it"),

        FLAG_TRUE(Sort.FLAG, false, "true"),
        FLAG_FALSE(Sort.FLAG, false, "false");

        final Sort sort;
        final boolean bad;
        final String text;

        Choice(Sort sort, boolean bad, String text) {
            this.sort = sort;
            this.bad = bad;
            this.text = text;
        }
    }

    /**
     * One argument.
     *
     * @param slot   the parameter's name
     * @param choice how it is given
     * @param n      the number the choice names (a length, a family, a delta), if any
     * @param m      a second number, if any
     * @param raw    raw bytes for {@link Choice#ADDR_RANDOM}, else null
     */
    public record Arg(String slot, Choice choice, long n, long m, byte[] raw) {
        boolean bad() {
            return choice.bad;
        }

        @Override
        public String toString() {
            String t = choice.text;
            if (choice == Choice.ADDR_RANDOM) {
                t = String.format(t, HexFormat.of().formatHex(raw), Integer.toUnsignedLong((int) n));
            } else if (choice == Choice.ULONG_ANY) {
                t = Integer.toUnsignedString((int) n);
            } else if (t.contains("%d")) {
                t = String.format(t, n, m);
            }
            return slot + "=" + t;
        }
    }

    /** The argument named {@code slot}. */
    Arg arg(String slot) {
        for (Arg a : args) {
            if (a.slot().equals(slot)) {
                return a;
            }
        }
        throw new IllegalArgumentException(fn + " has no argument " + slot);
    }

    /** True when something about the call is wrong: its target's state or an argument. */
    public boolean bad() {
        return !fn.right.contains(target) || args.stream().anyMatch(Arg::bad);
    }

    @Override
    public String toString() {
        return fn.spiName + " on " + target.text + ": "
                + args.stream().map(Arg::toString).collect(Collectors.joining(", "));
    }
}
