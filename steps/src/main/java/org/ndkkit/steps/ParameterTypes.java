package org.ndkkit.steps;

import io.cucumber.java.ParameterType;
import java.util.Arrays;
import java.util.List;
import org.ndkkit.kit.LimitExpression;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NtStatus;

/** The vocabulary of the features: names, statuses, limits, lab conditions. */
public final class ParameterTypes {

    /** An object's name in a scenario: C1, SE, L2, P1. */
    @ParameterType("[A-Z][A-Za-z0-9]*")
    public String name(String s) {
        return s;
    }

    /** "C1", "C1 and C2", "C1, C2 and C3". */
    @ParameterType("[A-Z][A-Za-z0-9]*(?:(?:, | and )[A-Z][A-Za-z0-9]*)*")
    public List<String> names(String s) {
        return Arrays.stream(s.split(", | and ")).toList();
    }

    /** "the QP of C1" or a name. */
    @ParameterType("the QP of [A-Z][A-Za-z0-9]*|[A-Z][A-Za-z0-9]*")
    public String closable(String s) {
        return s.startsWith("the QP of ") ? "QP-" + s.substring("the QP of ".length()) : s;
    }

    @ParameterType("inbound|outbound")
    public String direction(String s) {
        return s;
    }

    @ParameterType("first|second|third|fourth")
    public Integer ordinal(String s) {
        return List.of("first", "second", "third", "fourth").indexOf(s);
    }

    @ParameterType("STATUS_[A-Z_]+")
    public NtStatus status(String s) {
        return NtStatus.named(s);
    }

    @ParameterType(LimitExpression.REGEX)
    public String limit(String s) {
        return s;
    }

    /** Which asynchronous request of a connector a step talks about. */
    @ParameterType("connect|dedicated connect|accept|complete-connect|disconnect")
    public String request(String s) {
        return switch (s) {
            case "connect" -> "NdkConnectWithSharedEndpoint";
            case "dedicated connect" -> "NdkConnect";
            case "accept" -> "NdkAccept";
            case "complete-connect" -> "NdkCompleteConnect";
            default -> "NdkDisconnect";
        };
    }

    @ParameterType("a destination where nothing listens|a destination in an unreachable network|an unreachable host|a host that never answers")
    public LabCondition destination(String s) {
        return switch (s) {
            case "a destination where nothing listens" -> LabCondition.NO_LISTENER;
            case "a destination in an unreachable network" -> LabCondition.NETWORK_UNREACHABLE;
            case "an unreachable host" -> LabCondition.HOST_UNREACHABLE;
            default -> LabCondition.SILENT_HOST;
        };
    }

    /** A destination address whose length or family is wrong. */
    @ParameterType("a zero length|a length one byte short of SOCKADDR_IN|a length one byte past the end of its buffer"
            + "|a SOCKADDR_IN with the length of a SOCKADDR_IN6|a SOCKADDR_IN6 with the length of a SOCKADDR_IN"
            + "|a SOCKADDR_IN6 one byte short|an unknown address family|the family AF_UNSPEC")
    public MalformedAddress malformed(String s) {
        return MalformedAddress.of(s);
    }

    /** A buffer size for an address read: a number, or the address's own size (minus 1). */
    @ParameterType("\\d+|the size of the address(?: minus 1)?")
    public String addrsize(String s) {
        return s;
    }
}
