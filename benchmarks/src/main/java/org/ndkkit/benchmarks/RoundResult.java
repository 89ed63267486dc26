package org.ndkkit.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One round of {@code n} connections: per step, every connection's latency (ns) and the step's
 * phase wall time (ns, from the step's first call to its last completion); and the setup window.
 *
 * @param n           connections in the round
 * @param error       null when every step of every connection succeeded in time
 * @param setupNanos  first NdkConnectWithSharedEndpoint issued to last NdkCompleteConnect done
 * @param latencies   step name ({@link ConnectBench#STEPS}) to per-connection latencies (ns)
 * @param phaseNanos  step name to the step's phase wall time (ns)
 * @param cpuNanos    CPU time of this JVM: {@code process:setup} (the setup window),
 *                    {@code process:round} (the whole round), {@code setup:NAME} (a thread's CPU in
 *                    the setup window) and {@code thread:NAME} (the round)
 */
public record RoundResult(int n, String error, long setupNanos, Map<String, long[]> latencies,
                          Map<String, Long> phaseNanos, Map<String, Long> cpuNanos) {

    public boolean ok() {
        return error == null;
    }

    /** The JIT compiler's CPU in the setup window (ns), or -1 when its threads could not be read. */
    public long jitCompilerNanos() {
        return cpuNanos.getOrDefault("setup:" + BenchSession.JIT_THREADS, -1L);
    }

    /** Connections per second over the setup window. */
    public double rate() {
        return ok() ? Stats.rate(n, setupNanos) : Double.NaN;
    }

    static RoundResult failed(int n, String error, Map<String, long[]> latencies, Map<String, Long> phases,
                              Map<String, Long> cpu) {
        return new RoundResult(n, error, 0, latencies, phases, cpu);
    }

    /** The JSON form (ConnectBench writes it, BenchReport reads it back). */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", n);
        m.put("ok", ok());
        m.put("error", error);
        m.put("setupNanos", setupNanos);
        m.put("rate", ok() ? rate() : null);
        m.put("phaseNanos", phaseNanos);
        m.put("cpuNanos", cpuNanos);
        Map<String, Object> lat = new LinkedHashMap<>();
        latencies.forEach((k, v) -> lat.put(k, v));
        m.put("latencyNanos", lat);
        return m;
    }

    @SuppressWarnings("unchecked")
    static RoundResult fromJson(Map<String, Object> m) {
        Map<String, long[]> lat = new LinkedHashMap<>();
        Object l = m.get("latencyNanos");
        if (l instanceof Map<?, ?> lm) {
            lm.forEach((k, v) -> lat.put((String) k, ((List<Number>) v).stream().mapToLong(Number::longValue).toArray()));
        }
        Map<String, Long> phases = new LinkedHashMap<>();
        Object p = m.get("phaseNanos");
        if (p instanceof Map<?, ?> pm) {
            pm.forEach((k, v) -> phases.put((String) k, ((Number) v).longValue()));
        }
        Map<String, Long> cpu = new LinkedHashMap<>();
        Object c = m.get("cpuNanos");
        if (c instanceof Map<?, ?> cm) {
            cm.forEach((k, v) -> cpu.put((String) k, ((Number) v).longValue()));
        }
        return new RoundResult(((Number) m.get("n")).intValue(), (String) m.get("error"),
                ((Number) m.getOrDefault("setupNanos", 0)).longValue(), lat, phases, cpu);
    }
}
