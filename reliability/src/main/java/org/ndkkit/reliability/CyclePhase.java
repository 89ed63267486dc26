package org.ndkkit.reliability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;

/**
 * Phase (b): N times connect, accept, complete, disconnect (alternately from the active and the
 * passive side) and close everything, through one shared endpoint and one listener; the leak
 * check compares the provider's counts before and after, and the ledger holds every completion to
 * NDK's rules (exactly once after PENDING, never after an inline status, never after the close).
 */
final class CyclePhase {
    /** Consecutive failed cycles after which the provider is taken as broken and the phase ends. */
    static final int GIVE_UP_AFTER = 5;

    private CyclePhase() {
    }

    /** @return the cycles that completed cleanly */
    static int run(Rig rig, int cycles, long settleMs) {
        Report report = rig.report;
        LeakCheck leaks = LeakCheck.start(rig);
        Rig.Listening l = rig.listener(Host.PEER, "LC", rig.peerAddress(0), false);
        Rig.Endpoint se = rig.sharedEndpoint("SE-C", rig.localAddress(0), false);
        int ok = 0;
        int run = 0;
        long calls = 0;
        long[] nanos = new long[cycles];
        long t0 = System.nanoTime();
        if (l != null && se != null) {
            int failedInARow = 0;
            for (int i = 0; i < cycles && failedInARow < GIVE_UP_AFTER; i++) {
                long c0 = System.nanoTime();
                boolean good = new Link(rig, "K" + i).cycle(se, l, i % 2 == 0);
                nanos[run++] = System.nanoTime() - c0;
                closeLeftovers(rig, l);
                ok += good ? 1 : 0;
                failedInARow = good ? 0 : failedInARow + 1;
                if ((i + 1) % 100 == 0) {
                    calls += rig.newLedger().verify();
                    report.say((i + 1) + " cycles, " + ok + " clean, " + StressPhase.secs(System.nanoTime() - t0));
                }
            }
            if (failedInARow >= GIVE_UP_AFTER) {
                report.say("stopped after " + GIVE_UP_AFTER + " failed cycles in a row");
            }
        }
        long t1 = System.nanoTime();
        rig.closeAll("the cycle listener's and endpoint's closes",
                Arrays.asList(l == null ? null : l.obj, se == null ? null : se.obj()));
        Bounds.sleep(settleMs); // room for a stray late callback to show before the final check
        calls += rig.newLedger().verify();
        long[] sorted = Arrays.copyOf(nanos, run);
        Arrays.sort(sorted);
        report.say(run + " cycles (" + ok + " clean) in " + StressPhase.secs(t1 - t0) + ": "
                + StressPhase.rate(run, t1 - t0) + " cycles/s; per cycle p50 " + ms(percentile(sorted, 50))
                + ", p99 " + ms(percentile(sorted, 99)) + ", max " + ms(percentile(sorted, 100))
                + "; " + calls + " asynchronous calls held to the completion rules");
        report.figure("cycles", run);
        report.figure("cleanCycles", ok);
        report.figure("seconds", StressPhase.seconds(t1 - t0));
        report.figure("cyclesPerSecond", Double.parseDouble(StressPhase.rate(run, t1 - t0)));
        report.figure("cycleMillisP50", percentile(sorted, 50) / 1e6);
        report.figure("cycleMillisP99", percentile(sorted, 99) / 1e6);
        report.figure("cycleMillisMax", percentile(sorted, 100) / 1e6);
        report.figure("asyncCalls", calls);
        leaks.finish();
        return ok;
    }

    /** Connect events a failed cycle left in the listener's queue: closed so the listener can close. */
    static void closeLeftovers(Rig rig, Rig.Listening l) {
        List<Ledger.Obj> left = new ArrayList<>();
        for (NdkConnector c; (c = l.incoming.poll()) != null; ) {
            left.add(rig.ledger().obj("leftover request on " + l.name, c));
        }
        if (!left.isEmpty()) {
            rig.closeAll("the leftover requests' closes", left);
        }
    }

    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f ms", nanos / 1e6);
    }
}
