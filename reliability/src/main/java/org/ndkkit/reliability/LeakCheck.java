package org.ndkkit.reliability;

import java.util.Map;
import java.util.TreeMap;
import org.ndkkit.spi.Availability;

/**
 * The leak check of one phase: {@code Testbed.resourceCounts()} before the phase created anything
 * and after it closed everything must agree. A provider that cannot count makes the check
 * unavailable, which is reported as such and never as "no leaks".
 */
final class LeakCheck {
    private final Rig rig;
    private final Availability<Map<String, Long>> before;

    private LeakCheck(Rig rig, Availability<Map<String, Long>> before) {
        this.rig = rig;
        this.before = before;
    }

    /** Takes the counts before the phase. */
    static LeakCheck start(Rig rig) {
        return new LeakCheck(rig, rig.counts());
    }

    /**
     * Takes the counts after the phase. Native resources may be freed a moment after the close
     * completion (an event thread destroys them), so the counts are read again, for at most the
     * timeout, until they are back.
     *
     * @return the number of objects and resources still held, or -1 when the check could not run
     */
    long finish() {
        String phase = rig.report.phase();
        if (!before.isAvailable()) {
            rig.report.leakCheck(new Report.LeakCheck(phase, null, null, null, before.reasonCode() + ": " + before.detail()));
            rig.report.say("leak check unavailable (" + before.reasonCode() + ": " + before.detail() + ")");
            return -1;
        }
        long deadline = System.nanoTime() + rig.bounds.timeout().toNanos();
        Availability<Map<String, Long>> after;
        Map<String, Long> leaked;
        while (true) {
            after = rig.counts();
            if (!after.isAvailable()) {
                String why = "the counts were available before the phase, not after: " + after.reasonCode() + ": " + after.detail();
                rig.report.leakCheck(new Report.LeakCheck(phase, before.get(), null, null, why));
                rig.report.say("leak check unavailable (" + why + ")");
                return -1;
            }
            leaked = leaked(before.get(), after.get());
            if (leaked.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Bounds.sleep(10);
        }
        rig.report.leakCheck(new Report.LeakCheck(phase, before.get(), after.get(), leaked, null));
        long n = leaked.values().stream().mapToLong(Long::longValue).sum();
        if (n > 0) {
            rig.report.problem(Problem.Kind.LEAK, "Testbed.resourceCounts()", "", "after every object of the phase was closed: "
                    + leaked + " more than before (before " + before.get() + ", after " + after.get() + ")");
        } else {
            rig.report.say("leak check: every count back at its value before the phase " + after.get());
        }
        return n;
    }

    /** Each kind whose count grew, with how much. */
    static Map<String, Long> leaked(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> leaked = new TreeMap<>();
        after.forEach((k, v) -> {
            long grew = v - before.getOrDefault(k, 0L);
            if (grew > 0) {
                leaked.put(k, grew);
            }
        });
        return leaked;
    }
}
