package org.ndkkit.kit;

import java.util.function.ToLongFunction;
import org.ndkkit.spi.AdapterInfo;

/**
 * The little language the features use for adapter-relative values, so one scenario holds for
 * every adapter: a number ({@code 4294967295}), an adapter field ({@code MaxInboundReadLimit} is
 * the local adapter's, {@code the peer's MaxOutboundReadLimit} the peer's), an offset
 * ({@code MaxCallerData + 1}) or a minimum ({@code min(MaxInboundReadLimit, the peer's MaxOutboundReadLimit)}).
 * A name in capitals ({@code N}, {@code IRD}) is a value the scenario drew earlier ({@link Draws}).
 * Values are 32-bit unsigned.
 */
public final class LimitExpression {
    /** The regular expression Cucumber matches a limit with. */
    public static final String REGEX = "(?:min\\([^()]+\\)|(?:the peer's |peer's |the local )?(?:MaxInboundReadLimit|MaxOutboundReadLimit|MaxCallerData|MaxCalleeData)|\\d+|[A-Z]{1,4}[0-9]?)(?: [+-] \\d+)?";

    private LimitExpression() {
    }

    /** Evaluates {@code text} against the local and peer adapter info. */
    public static long evaluate(String text, AdapterInfo local, AdapterInfo peer) {
        return evaluate(text, local, peer, java.util.Map.of());
    }

    /** Evaluates {@code text}, with the values a scenario drew by name. */
    public static long evaluate(String text, AdapterInfo local, AdapterInfo peer, java.util.Map<String, Long> drawn) {
        String t = text.trim();
        long value;
        String rest;
        if (t.startsWith("min(")) {
            int close = t.indexOf(')');
            String[] parts = t.substring(4, close).split(",");
            value = Long.MAX_VALUE;
            for (String p : parts) {
                value = Math.min(value, evaluate(p, local, peer, drawn));
            }
            rest = t.substring(close + 1).trim();
        } else {
            String[] words = t.split(" [+-] ", 2);
            value = atom(words[0].trim(), local, peer, drawn);
            rest = t.substring(words[0].length()).trim();
        }
        if (!rest.isEmpty()) {
            long n = Long.parseLong(rest.substring(1).trim());
            value = rest.charAt(0) == '+' ? value + n : value - n;
        }
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new OutOfRange("'" + text + "' evaluates to " + value + ", outside the ULONG range 0-4294967295");
        }
        return value;
    }

    /** An expression whose value these adapters make negative or wider than 32 bits. */
    public static final class OutOfRange extends IllegalArgumentException {
        OutOfRange(String message) {
            super(message);
        }
    }

    private static long atom(String a, AdapterInfo local, AdapterInfo peer, java.util.Map<String, Long> drawn) {
        if (a.matches("\\d+")) {
            return Long.parseLong(a);
        }
        if (a.matches("[A-Z]{1,4}[0-9]?")) {
            Long v = drawn.get(a);
            if (v == null) {
                throw new IllegalArgumentException("'" + a + "' names no value the scenario drew (drawn: " + drawn.keySet() + ")");
            }
            return v;
        }
        AdapterInfo info = local;
        String name = a;
        if (a.startsWith("the peer's ") || a.startsWith("peer's ")) {
            info = peer;
            name = a.substring(a.indexOf("'s ") + 3);
        } else if (a.startsWith("the local ")) {
            name = a.substring("the local ".length());
        }
        ToLongFunction<AdapterInfo> field = switch (name) {
            case "MaxInboundReadLimit" -> i -> Integer.toUnsignedLong(i.maxInboundReadLimit());
            case "MaxOutboundReadLimit" -> i -> Integer.toUnsignedLong(i.maxOutboundReadLimit());
            case "MaxCallerData" -> i -> Integer.toUnsignedLong(i.maxCallerData());
            case "MaxCalleeData" -> i -> Integer.toUnsignedLong(i.maxCalleeData());
            default -> throw new IllegalArgumentException("unknown adapter value '" + a + "'");
        };
        return field.applyAsLong(info);
    }
}
