package org.ndkkit.kit;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Thread dumps taken at the moment a bounded wait runs out, while the provider's threads are still
 * where they got stuck; the After hook attaches them to the scenario that timed out. (ThreadInfo's
 * own toString cuts stacks at eight frames, too short to find a provider's blocking call.)
 */
public final class ThreadDump {
    private static final ConcurrentLinkedQueue<String> TAKEN = new ConcurrentLinkedQueue<>();

    private ThreadDump() {
    }

    /** Takes a dump now and keeps it for the scenario's report. */
    public static void take(String why) {
        TAKEN.add("Thread dump: " + why + "\n\n" + render());
    }

    /** The dumps taken since the last call. */
    public static List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String s; (s = TAKEN.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    /** Every live thread with its state, the lock it waits for and its full stack. */
    public static String render() {
        StringBuilder b = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            b.append('"').append(t.getThreadName()).append("\" #").append(t.getThreadId())
                    .append(t.isDaemon() ? " daemon" : "").append(' ').append(t.getThreadState());
            LockInfo lock = t.getLockInfo();
            if (lock != null) {
                b.append(" on ").append(lock);
                if (t.getLockOwnerName() != null) {
                    b.append(" owned by \"").append(t.getLockOwnerName()).append('"');
                }
            }
            if (t.isInNative()) {
                b.append(" (in native)");
            }
            b.append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                b.append("    at ").append(e).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }
}
