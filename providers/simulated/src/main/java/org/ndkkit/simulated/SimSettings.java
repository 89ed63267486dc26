package org.ndkkit.simulated;

import java.time.Duration;
import org.ndkkit.spi.TestbedOptions;

/**
 * The simulated testbed's configuration, read once from {@link TestbedOptions}.
 *
 * @param completionPath       setting {@code completion-path}: inline, pending (default), pending-in-call
 * @param backlog              setting {@code backlog}: unanswered requests a listener holds (default 4)
 * @param connectTimeout       how long a connect to the silent host waits before IO_TIMEOUT
 * @param maxInboundReadLimit  setting {@code max-inbound-read-limit} (default 16)
 * @param maxOutboundReadLimit setting {@code max-outbound-read-limit} (default 8)
 * @param maxCallerData        setting {@code max-caller-data} (default 56)
 * @param maxCalleeData        setting {@code max-callee-data} (default 148)
 * @param peerMaxInboundReadLimit  setting {@code peer-max-inbound-read-limit} (default 32)
 * @param peerMaxOutboundReadLimit setting {@code peer-max-outbound-read-limit} (default 32)
 * @param seed                 setting {@code seed}: the seed of the testbed's randomness (default 0;
 *                             the kit passes its run seed), decimal or 0x-hex
 * @param portChoice           setting {@code ephemeral-ports}: {@code random} (default: a port-0 bind
 *                             searches from a random port of 49152-65535) or {@code lowest} (the lowest free)
 * @param jitterMicros         setting {@code completion-jitter-us}: the most the event thread waits
 *                             before a callback, in microseconds (default 300; 0 for none)
 */
record SimSettings(CompletionPath completionPath, int backlog, Duration connectTimeout,
                   int maxInboundReadLimit, int maxOutboundReadLimit, int maxCallerData, int maxCalleeData,
                   int peerMaxInboundReadLimit, int peerMaxOutboundReadLimit, long seed,
                   SimRandom.PortChoice portChoice, long jitterMicros) {

    static SimSettings from(TestbedOptions options) {
        CompletionPath path = CompletionPath.parse(options.setting(CompletionPath.SETTING, "pending"));
        int backlog = (int) number(options, "backlog", 4, Integer.MAX_VALUE);
        Duration timeout = options.connectTimeout().isNegative() ? Duration.ZERO : options.connectTimeout();
        return new SimSettings(path, backlog, timeout,
                ulong(options, "max-inbound-read-limit", 16),
                ulong(options, "max-outbound-read-limit", 8),
                ulong(options, "max-caller-data", 56),
                ulong(options, "max-callee-data", 148),
                ulong(options, "peer-max-inbound-read-limit", 32),
                ulong(options, "peer-max-outbound-read-limit", 32),
                seed(options.setting("seed", null)),
                portChoice(options.setting("ephemeral-ports", "random")),
                number(options, "completion-jitter-us", 300, 1_000_000));
    }

    SimRandom random() {
        return new SimRandom(seed, portChoice, jitterMicros);
    }

    private static long seed(String raw) {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        String t = raw.trim();
        try {
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting seed must be a 64-bit number (decimal or 0x-hex); got '" + raw + "'", e);
        }
    }

    private static SimRandom.PortChoice portChoice(String raw) {
        return switch (raw.trim()) {
            case "random" -> SimRandom.PortChoice.RANDOM;
            case "lowest" -> SimRandom.PortChoice.LOWEST;
            default -> throw new IllegalArgumentException("setting ephemeral-ports must be random or lowest; got '" + raw + "'");
        };
    }

    /** A ULONG setting: 0 to 4294967295, decimal or 0x-hex. */
    private static int ulong(TestbedOptions options, String key, int defaultValue) {
        return (int) number(options, key, defaultValue, 0xFFFF_FFFFL);
    }

    private static long number(TestbedOptions options, String key, long defaultValue, long max) {
        String raw = options.setting(key, null);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.decode(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be a number from 0 to " + max
                    + "; got '" + raw + "'", e);
        }
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("setting " + key + " must be from 0 to " + max + "; got " + raw);
        }
        return value;
    }
}
