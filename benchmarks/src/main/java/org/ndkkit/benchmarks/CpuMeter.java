package org.ndkkit.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of this JVM (process, and per thread name) between two points: how much CPU a round
 * cost, next to how long it took. In an emulated VM that is saturated, the setup rate is bounded
 * by CPU per connection, so this is what explains the rate.
 */
final class CpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuMeter() {
    }

    /** Process CPU time in ns, or -1 when the JVM cannot tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * CPU time in ns of every live thread, summed by name, and its user-mode part as
     * {@code NAME:user} (the rest is the kernel's, i.e. system calls into rdma_cm and the driver).
     * Linux reports user time in clock ticks (10 ms), so the split is coarse for one round.
     */
    static Map<String, Long> threadCpuNanos() {
        Map<String, Long> m = new TreeMap<>();
        if (!THREADS.isThreadCpuTimeSupported()) {
            return m;
        }
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            long user = THREADS.getThreadUserTime(ids[i]);
            if (infos[i] != null && cpu >= 0) {
                m.merge(infos[i].getThreadName(), cpu, Long::sum);
                if (user >= 0) {
                    m.merge(infos[i].getThreadName() + ":user", user, Long::sum);
                }
            }
        }
        return m;
    }

    /** Garbage collections so far: {@code gc:count} and {@code gc:nanos} (all collectors). */
    static Map<String, Long> gc() {
        long count = 0;
        long ms = 0;
        for (java.lang.management.GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        Map<String, Long> m = new TreeMap<>();
        m.put("gc:count", count);
        m.put("gc:nanos", ms * 1_000_000L);
        return m;
    }

    /** {@code after - before} per name, keeping names with at least 1 ms. */
    static Map<String, Long> diff(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long delta = v - before.getOrDefault(k, 0L);
            if (delta >= 1_000_000L) {
                d.put(k, delta);
            }
        });
        return d;
    }
}
