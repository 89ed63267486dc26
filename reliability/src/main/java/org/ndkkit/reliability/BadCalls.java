package org.ndkkit.reliability;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.ndkkit.reliability.BadCall.Arg;
import org.ndkkit.reliability.BadCall.Choice;
import org.ndkkit.reliability.BadCall.Fn;
import org.ndkkit.reliability.BadCall.Target;

/**
 * The jqwik generators of bad input: for each SPI function, its targets and, for each of its
 * parameters, the valid value and the malformed ones (weighted towards malformed), combined so
 * that at least one thing about every call is wrong.
 */
public final class BadCalls {
    private BadCalls() {
    }

    /** Any bad call on any function. */
    public static Arbitrary<BadCall> any() {
        return Arbitraries.of(Fn.values()).flatMap(BadCalls::of);
    }

    /** Bad calls of one function. */
    public static Arbitrary<BadCall> of(Fn fn) {
        List<Arbitrary<Arg>> slots = slots(fn);
        return Combinators.combine(targets(fn), Combinators.combine(slots).as(l -> l))
                .as((target, args) -> new BadCall(fn, target, List.copyOf(args)))
                .filter(BadCall::bad);
    }

    private static Arbitrary<Target> targets(Fn fn) {
        List<Target> all = switch (fn) {
            case CREATE_PD, CREATE_CQ, CREATE_CONNECTOR, CREATE_SHARED_ENDPOINT, CREATE_LISTENER ->
                    List.of(Target.LOCAL_ADAPTER, Target.PEER_ADAPTER);
            case CREATE_QP -> List.of(Target.PD, Target.CLOSED_PD);
            case CONNECT, CONNECT_WITH_SHARED_ENDPOINT, COMPLETE_CONNECT, ACCEPT, REJECT, GET_CONNECTION_DATA,
                 GET_LOCAL_ADDRESS, GET_PEER_ADDRESS, DISCONNECT -> List.of(Target.IDLE_CONNECTOR,
                    Target.CONNECTED_CONNECTOR, Target.ESTABLISHED_CONNECTOR, Target.REQUEST, Target.ACCEPTED_CONNECTOR,
                    Target.CLOSED_CONNECTOR);
            case LISTEN, LISTENER_GET_LOCAL_ADDRESS, CONTROL_CONNECT_EVENTS ->
                    List.of(Target.NEW_LISTENER, Target.LISTENING_LISTENER, Target.CLOSED_LISTENER);
            case SE_GET_LOCAL_ADDRESS -> List.of(Target.ENDPOINT, Target.CLOSED_ENDPOINT);
            case CLOSE -> List.copyOf(fn.right);
        };
        // The right targets three times as often as each wrong one: most cases then vary the arguments.
        List<Tuple.Tuple2<Integer, Target>> weighted = new ArrayList<>();
        for (Target t : all) {
            weighted.add(Tuple.of(fn.right.contains(t) ? 3 : 1, t));
        }
        return frequency(weighted);
    }

    private static List<Arbitrary<Arg>> slots(Fn fn) {
        return switch (fn) {
            case CREATE_PD, CREATE_CONNECTOR -> List.of(completion());
            case CREATE_CQ -> List.of(ulong("cqDepth"), completion());
            case CREATE_SHARED_ENDPOINT -> List.of(address("localAddress", false), completion());
            case CREATE_LISTENER -> List.of(callback("connectEvent", true), completion());
            case CREATE_QP -> List.of(object("receiveCq", false), object("initiatorCq", false), params(), completion());
            case CONNECT -> List.of(object("qp", true), address("source", false), address("destination", true),
                    ulong("inboundReadLimit"), ulong("outboundReadLimit"), data(), completion());
            case CONNECT_WITH_SHARED_ENDPOINT -> List.of(object("qp", true), object("sharedEndpoint", true),
                    address("destination", true), ulong("inboundReadLimit"), ulong("outboundReadLimit"), data(), completion());
            case COMPLETE_CONNECT -> List.of(callback("disconnectEvent", false), completion());
            case ACCEPT -> List.of(object("qp", true), ulong("inboundReadLimit"), ulong("outboundReadLimit"), data(),
                    callback("disconnectEvent", false), completion());
            case REJECT -> List.of(data());
            case GET_CONNECTION_DATA -> List.of(callback("inboundReadLimit", false), callback("outboundReadLimit", false),
                    out("privateData"));
            case GET_LOCAL_ADDRESS, GET_PEER_ADDRESS, LISTENER_GET_LOCAL_ADDRESS, SE_GET_LOCAL_ADDRESS -> List.of(out("address"));
            case DISCONNECT -> List.of(completion());
            case LISTEN -> List.of(address("address", false), completion());
            case CONTROL_CONNECT_EVENTS -> List.of(choose("pause", Choice.FLAG_TRUE, Choice.FLAG_FALSE));
            case CLOSE -> List.of(choose("how", Choice.CLOSE_SECOND, Choice.CLOSE_SECOND_WHILE_PENDING,
                    Choice.CLOSE_NULL_COMPLETION, Choice.CLOSE_NULL_COMPLETION_WHILE_HELD));
        };
    }

    private static Arbitrary<Arg> completion() {
        return callback("completion", true);
    }

    /** A callback (or ULONG* cell): present, or null, which is bad only where the SPI requires it. */
    private static Arbitrary<Arg> callback(String slot, boolean required) {
        Choice none = required ? Choice.NULL_REQUIRED : Choice.NULL_OPTIONAL;
        return frequency(List.of(Tuple.of(3, plain(slot, Choice.PRESENT)), Tuple.of(1, plain(slot, none))));
    }

    private static Arbitrary<Arg> object(String slot, boolean canBeInUse) {
        List<Tuple.Tuple2<Integer, Arg>> w = new ArrayList<>(List.of(
                Tuple.of(4, plain(slot, Choice.OBJ_VALID)),
                Tuple.of(2, plain(slot, Choice.OBJ_NULL)),
                Tuple.of(2, plain(slot, Choice.OBJ_CLOSED)),
                Tuple.of(2, plain(slot, Choice.OBJ_OTHER_ADAPTER)),
                Tuple.of(1, plain(slot, Choice.OBJ_FOREIGN))));
        if (canBeInUse) {
            w.add(Tuple.of(1, plain(slot, Choice.OBJ_IN_USE)));
        }
        return frequency(w);
    }

    /** A SockAddr: {@code destination} slots may also get port 0, which elsewhere means "any port" and is valid. */
    private static Arbitrary<Arg> address(String slot, boolean destination) {
        Arbitrary<Arg> declared = Arbitraries.oneOf(Arbitraries.integers().between(0, 40),
                        Arbitraries.of(0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF))
                .map(n -> new Arg(slot, Choice.ADDR_DECLARED_LENGTH, Integer.toUnsignedLong(n), 0, null));
        Arbitrary<Arg> shortBytes = Arbitraries.integers().between(0, 15)
                .map(n -> new Arg(slot, Choice.ADDR_SHORT_BYTES, n, 0, null));
        Arbitrary<Arg> family = Arbitraries.of(0, 1, 3, 23, 0xFFFF)
                .map(f -> new Arg(slot, Choice.ADDR_FAMILY, f, 0, null));
        Arbitrary<Arg> random = Combinators.combine(Arbitraries.bytes().array(byte[].class).ofMaxSize(32),
                        Arbitraries.oneOf(Arbitraries.integers().between(0, 40), Arbitraries.of(0xFFFFFFFF)))
                .as((bytes, len) -> new Arg(slot, Choice.ADDR_RANDOM, len, 0, bytes));
        List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w = fixed(slot, 6, Choice.ADDR_VALID, 2, Choice.ADDR_NULL,
                1, Choice.ADDR_ANY_IP, 1, Choice.ADDR_MULTICAST, 1, Choice.ADDR_BROADCAST, 1, Choice.ADDR_LOOPBACK,
                1, Choice.ADDR_OTHER_FAMILY, 1, Choice.ADDR_V4_MAPPED, 1, Choice.ADDR_FOREIGN_IP);
        w.addAll(List.of(Tuple.of(3, declared), Tuple.of(2, shortBytes), Tuple.of(2, family), Tuple.of(2, random)));
        if (destination) {
            w.add(Tuple.of(1, Arbitraries.just(plain(slot, Choice.ADDR_PORT_ZERO))));
        }
        return weighted(w);
    }

    private static Arbitrary<Arg> ulong(String slot) {
        List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w = fixed(slot, 4, Choice.ULONG_NORMAL, 2, Choice.ULONG_ZERO,
                1, Choice.ULONG_ONE, 1, Choice.ULONG_MAX, 2, Choice.ULONG_MAX_PLUS_ONE, 2, Choice.ULONG_ALL_ONES,
                1, Choice.ULONG_HIGH_BIT);
        w.add(Tuple.of(1, Arbitraries.integers().map(n -> new Arg(slot, Choice.ULONG_ANY, n, 0, null))));
        return weighted(w);
    }

    private static Arbitrary<Arg> data() {
        String slot = "privateData";
        Arbitrary<Integer> small = Arbitraries.integers().between(1, 64);
        List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w = fixed(slot, 4, Choice.DATA_NONE, 1, Choice.DATA_AT_MAX,
                1, Choice.DATA_ALL_ONES_LENGTH);
        w.add(Tuple.of(1, small.map(n -> new Arg(slot, Choice.DATA_SOME, n, 0, null))));
        w.add(Tuple.of(1, small.map(n -> new Arg(slot, Choice.DATA_NULL_WITH_LENGTH, n, 0, null))));
        w.add(Tuple.of(2, Combinators.combine(small, small).as((n, d) -> new Arg(slot, Choice.DATA_LENGTH_BEYOND_BUFFER, n, d, null))));
        w.add(Tuple.of(2, Combinators.combine(small, small).as((n, d) -> new Arg(slot, Choice.DATA_BUFFER_BEYOND_LENGTH, n, d, null))));
        w.add(Tuple.of(2, small.map(n -> new Arg(slot, Choice.DATA_OVER_MAX, n, 0, null))));
        return weighted(w);
    }

    private static Arbitrary<Arg> out(String slot) {
        Arbitrary<Integer> small = Arbitraries.integers().between(1, 27);
        List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w = fixed(slot, 3, Choice.OUT_ROOMY, 1, Choice.OUT_NULL_REF,
                1, Choice.OUT_NULL_BUFFER_ZERO, 1, Choice.OUT_ALL_ONES, 1, Choice.OUT_ZERO_LENGTH);
        w.add(Tuple.of(1, small.map(n -> new Arg(slot, Choice.OUT_NULL_BUFFER_LENGTH, n, 0, null))));
        w.add(Tuple.of(1, small.map(n -> new Arg(slot, Choice.OUT_TOO_SMALL, n, n, null))));
        w.add(Tuple.of(2, Combinators.combine(small, small).as((n, d) -> new Arg(slot, Choice.OUT_CLAIMS_MORE, n, d, null))));
        return weighted(w);
    }

    private static Arbitrary<Arg> params() {
        String slot = "parameters";
        Arbitrary<Integer> field = Arbitraries.integers().between(0, 4);
        List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w = fixed(slot, 3, Choice.PARAMS_SMALL, 1, Choice.PARAMS_NULL,
                1, Choice.PARAMS_ZEROS);
        w.add(Tuple.of(2, field.map(f -> new Arg(slot, Choice.PARAMS_FIELD_OVER_MAX, f, 0, null))));
        w.add(Tuple.of(1, field.map(f -> new Arg(slot, Choice.PARAMS_FIELD_ALL_ONES, f, 0, null))));
        return weighted(w);
    }

    /** Choices without a number, each with its weight: {@code weight, choice, weight, choice, ...}. */
    private static List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> fixed(String slot, Object... weightsAndChoices) {
        List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w = new ArrayList<>();
        for (int i = 0; i < weightsAndChoices.length; i += 2) {
            w.add(Tuple.of((Integer) weightsAndChoices[i], Arbitraries.just(plain(slot, (Choice) weightsAndChoices[i + 1]))));
        }
        return w;
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<Arg> weighted(List<Tuple.Tuple2<Integer, Arbitrary<Arg>>> w) {
        return Arbitraries.frequencyOf(w.toArray(Tuple.Tuple2[]::new));
    }

    private static Arbitrary<Arg> choose(String slot, Choice... choices) {
        return Arbitraries.of(choices).map(c -> plain(slot, c));
    }

    private static Arg plain(String slot, Choice c) {
        return new Arg(slot, c, 0, 0, null);
    }

    @SuppressWarnings("unchecked")
    private static <T> Arbitrary<T> frequency(List<Tuple.Tuple2<Integer, T>> weighted) {
        return Arbitraries.frequency(weighted.toArray(Tuple.Tuple2[]::new));
    }
}
