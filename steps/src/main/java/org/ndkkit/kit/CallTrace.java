package org.ndkkit.kit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every SPI call a scenario made, with its inline status, and every callback the provider made,
 * with thread and time: the evidence attached to a failure.
 */
public final class CallTrace {
    /** One line of the trace. */
    public record Entry(long nanos, String thread, String kind, String text) {
    }

    private final long start = System.nanoTime();
    private final List<Entry> entries = new ArrayList<>();

    public void call(String text) {
        add("call", text);
    }

    public void callback(String text) {
        add("callback", text);
    }

    public void note(String text) {
        add("note", text);
    }

    private synchronized void add(String kind, String text) {
        entries.add(new Entry(System.nanoTime(), Thread.currentThread().getName(), kind, text));
        notifyAll();
    }

    /** How many lines the trace has. */
    public synchronized int size() {
        return entries.size();
    }

    /** Waits until the trace has more than {@code seen} lines, at most {@code maxNanos}. */
    public synchronized void awaitGrowth(long seen, long maxNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxNanos;
        long left = maxNanos;
        while (entries.size() <= seen && left > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
            left = deadline - System.nanoTime();
        }
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The trace as numbered lines, times relative to the scenario's start. */
    public synchronized String render() {
        StringBuilder b = new StringBuilder();
        int i = 1;
        for (Entry e : entries) {
            b.append(String.format("  %3d  +%9.3f ms  %-8s [%s] %s%n", i++, (e.nanos - start) / 1e6, e.kind,
                    e.thread, e.text));
        }
        return b.toString();
    }
}
