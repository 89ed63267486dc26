#!/usr/bin/env python3
"""benchmarks/perf/process-perf.py PERF_TXT --process LABEL=THREAD:CONNECTIONS ... [--from S] [--to S] [--timeline S]

Where a whole process's CPU went over a system-wide perf recording, per connection it served: for a
machine whose programs mark no setup windows, such as the two-host lab's support machine
(lab-bench-two-host.sh with BENCH_ACCEPTOR_PERF set writes support-perf.txt there). Each --process
names a process by one of its threads' names (comm), e.g. `acceptor=peer-acceptor:1400` or
`cmtime-server=cmtime:310`, and the connections to divide by. For each: ms per connection by
thread and by where the time went (the classes of window-perf.py), and its hottest user-mode symbols;
then the rest of the machine (softirq, kworkers, idle) per connection of all processes together.
--from/--to keep a part of the recording (seconds from its first sample), e.g. the measured rounds
without the JVM's start and warm-up, with the connections served in that part; --timeline prints
each process's samples per bin, which shows where that part begins.
Exit status: 0, or 2 when an input is missing or a process has no sample.
"""
import argparse
import collections
import importlib.util
import os
import sys

_spec = importlib.util.spec_from_file_location(
    "window_perf", os.path.join(os.path.dirname(os.path.abspath(__file__)), "window-perf.py"))
wp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wp)


def parse_process(text):
    label, _, rest = text.partition("=")
    thread, _, conns = rest.rpartition(":")
    if not label or not thread or not conns.isdigit() or int(conns) <= 0:
        raise argparse.ArgumentTypeError(f"expected LABEL=THREAD:CONNECTIONS, got '{text}'")
    return label, thread, int(conns)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("perf_txt")
    ap.add_argument("--process", type=parse_process, action="append", required=True)
    ap.add_argument("--freq", type=float, default=997.0)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--from", dest="t_from", type=float, default=0.0,
                    help="keep samples from this many seconds after the first one (e.g. past the JVM's start)")
    ap.add_argument("--to", dest="t_to", type=float, default=float("inf"), help="... up to this many seconds")
    ap.add_argument("--timeline", type=float, metavar="SECONDS",
                    help="also print, per bin of SECONDS, each process's samples and the idle ones")
    a = ap.parse_args()
    if not os.path.exists(a.perf_txt):
        print(f"process-perf: no {a.perf_txt}", file=sys.stderr)
        return 2
    samples = []
    pid_of = {}  # label -> pid, from the first sample of the named thread
    t0 = None
    with open(a.perf_txt, errors="replace") as f:
        for line in f:
            m = wp.LINE.match(line)
            if not m:
                continue
            comm, pid, tid, t, _, sym, dso = m.groups()
            t = float(t)
            if t0 is None:
                t0 = t
            if not a.t_from <= t - t0 < a.t_to:
                continue
            samples.append((comm, int(pid), t - t0, sym, dso))
            for label, thread, _ in a.process:
                if comm == thread and label not in pid_of:
                    pid_of[label] = int(pid)
    if not samples:
        print(f"process-perf: no sample in {a.perf_txt}", file=sys.stderr)
        return 2
    span = samples[-1][2] - samples[0][2]
    label_of_pid = {pid: label for label, pid in pid_of.items()}
    threads = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    syms = collections.defaultdict(collections.Counter)
    rest = collections.defaultdict(collections.Counter)
    for comm, pid, _, sym, dso in samples:
        cls = wp.dso_class(dso, sym)
        label = label_of_pid.get(pid)
        if label is not None:
            threads[label][comm][cls] += 1
            if cls != "kernel":
                syms[label][(cls, sym)] += 1
        elif pid == 0:
            rest["idle"][cls] += 1
        else:
            rest[wp.group_name(comm)][cls] += 1
    print(f"perf from {samples[0][2]:.1f} s to {samples[-1][2]:.1f} s of the recording: {len(samples)} samples"
          f" at {a.freq:g} Hz, {span:.1f} s")
    if a.timeline:
        bins = collections.defaultdict(collections.Counter)
        for comm, pid, t, _, _ in samples:
            bins[int(t / a.timeline)][label_of_pid.get(pid, "idle" if pid == 0 else "other")] += 1
        cols = [label for label, _, _ in a.process] + ["other", "idle"]
        print("timeline, samples per %g s: " % a.timeline + " ".join(cols))
        for b in sorted(bins):
            print("%8.2f " % (b * a.timeline) + " ".join("%*d" % (len(c), bins[b][c]) for c in cols))
    header = "%-28s %7s " % ("thread", "ms") + " ".join("%11s" % c for c in wp.CLASSES)
    row = lambda name, c, d: ("%-28s %7.3f " % (name[:28], sum(c.values()) / a.freq * 1000 / d)
                              + " ".join("%11s" % ("%.3f" % (c[k] / a.freq * 1000 / d) if c[k] else "-")
                                         for k in wp.CLASSES))
    status = 0
    for label, thread, conns in a.process:
        if label not in pid_of:
            print(f"{label}: no sample of a thread named '{thread}'")
            status = 2
            continue
        total = collections.Counter()
        print(f"\n{label} (pid {pid_of[label]}), ms per connection of {conns}:")
        print(header)
        for name, c in sorted(threads[label].items(), key=lambda kv: -sum(kv[1].values())):
            total.update(c)
            if sum(c.values()) / a.freq * 1000 / conns >= 0.005:
                print(row(name, c, conns))
        print(row("all threads", total, conns))
        user = sum(total.values()) - total["kernel"]
        print(f"user mode {user / a.freq * 1000 / conns:.3f} ms per connection; hottest user-mode symbols (samples):")
        for (cls, sym), c in syms[label].most_common(a.top):
            print("  %5d  %-11s %s" % (c, cls, sym[:140]))
    all_conns = sum(c for _, _, c in a.process)
    print(f"\nthe rest of the machine, ms per connection of all {all_conns}:")
    print(header)
    for name, c in sorted(rest.items(), key=lambda kv: -sum(kv[1].values()))[:8]:
        print(row(name, c, all_conns))
    return status


if __name__ == "__main__":
    sys.exit(main())
