package org.ndkkit.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What rdma-core's {@code cmtime} client printed (rdmacm-utils 44, librdmacm/examples/cmtime.c):
 * progress lines ("resolving address", ...), error lines ({@code perror} texts and
 * "event: RDMA_CM_EVENT_..., error: N"), and at the end its per-step table
 *
 * <pre>
 * step              total ms     max ms     min us  us / conn
 * create id    :        0.35       0.12       7.00      34.80
 * bind addr    :       12.26      12.02      12.00    1226.30
 * ...
 * </pre>
 *
 * printed with {@code "%-13s: %11.2f%11.2f%11.2f%11.2f"}. Every number has exactly two decimals,
 * and a number wider than 11 characters touches its left neighbour (a step with no completed
 * sample prints its min as 999999999.00), so the numbers are split by that pattern, not by
 * blanks.
 *
 * <p>Per step: {@code total} is the phase's wall time (cmtime starts the step for every
 * connection, then waits until all have completed), {@code max}/{@code min} the slowest and
 * fastest single connection, {@code usPerConn} = total / connections.
 */
public record CmtimeOutput(Map<String, Step> steps, List<String> errors) {

    /** One row of the table. */
    public record Step(String name, double totalMs, double maxMs, double minUs, double usPerConn) {
        /** True when no connection completed the step (cmtime leaves min at 999999999). */
        public boolean noSample() {
            return minUs >= 999_999_999.0;
        }
    }

    public static final String HEADER = "step              total ms     max ms     min us  us / conn";

    /**
     * The steps that correspond to the provider's setup window (first NdkConnectWithSharedEndpoint
     * issued to last NdkCompleteConnect done): binding the source address, resolving address and
     * route, and connecting (REQ, REP, and the RTU that librdmacm sends itself before it reports
     * ESTABLISHED). Creating the ids and the QPs is object creation, timed apart on both sides.
     */
    public static final List<String> SETUP_STEPS = List.of("bind addr", "resolve addr", "resolve route", "connect");

    private static final Pattern ROW = Pattern.compile("^(\\S.*?)\\s*:\\s*(.*)$");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+\\.\\d{2}");
    /** perror texts ("failure ..."), "event: RDMA_CM_EVENT_REJECTED, error: 8", "getaddrinfo error: ...". */
    private static final Pattern ERROR = Pattern.compile(".*(error|fail).*", Pattern.CASE_INSENSITIVE);

    public CmtimeOutput {
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
        errors = List.copyOf(errors);
    }

    /**
     * Parses a whole output. Throws {@link IllegalArgumentException} when the table is missing or
     * a row is malformed (cmtime did not finish, or its format changed).
     */
    public static CmtimeOutput parse(String text) {
        Map<String, Step> steps = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        boolean inTable = false;
        for (String raw : text.split("\\R")) {
            String line = raw.stripTrailing();
            if (line.isBlank()) {
                continue;
            }
            if (line.trim().equals(HEADER.trim()) || line.replaceAll("\\s+", " ").trim()
                    .equals("step total ms max ms min us us / conn")) {
                inTable = true;
                steps.clear();
                continue;
            }
            if (inTable) {
                Matcher m = ROW.matcher(line);
                if (m.matches()) {
                    List<Double> nums = new ArrayList<>();
                    Matcher n = NUMBER.matcher(m.group(2));
                    int end = 0;
                    while (n.find()) {
                        if (!m.group(2).substring(end, n.start()).isBlank()) {
                            throw new IllegalArgumentException("cmtime row not understood: '" + line + "'");
                        }
                        nums.add(Double.parseDouble(n.group()));
                        end = n.end();
                    }
                    if (nums.size() != 4 || !m.group(2).substring(end).isBlank()) {
                        throw new IllegalArgumentException("cmtime row needs 4 numbers: '" + line + "'");
                    }
                    String name = m.group(1).trim();
                    steps.put(name, new Step(name, nums.get(0), nums.get(1), nums.get(2), nums.get(3)));
                    continue;
                }
                inTable = false;
            }
            if (ERROR.matcher(line.trim()).matches()) {
                errors.add(line.trim());
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no cmtime step table in the output (header '" + HEADER.trim() + "')");
        }
        return new CmtimeOutput(steps, errors);
    }

    public Step step(String name) {
        Step s = steps.get(name);
        if (s == null) {
            throw new IllegalArgumentException("cmtime printed no step '" + name + "' (has " + steps.keySet() + ")");
        }
        return s;
    }

    /** Sum of the totals of {@code names}, in ms (the phases run one after another). */
    public double totalMs(List<String> names) {
        double sum = 0;
        for (String n : names) {
            sum += step(n).totalMs();
        }
        return sum;
    }

    /** The setup window in ms: {@link #SETUP_STEPS} summed. */
    public double setupMs() {
        return totalMs(SETUP_STEPS);
    }

    /** Connections per second over the setup window. */
    public double setupRate(int connections) {
        return Stats.rateFromMillis(connections, setupMs());
    }
}
