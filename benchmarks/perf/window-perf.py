#!/usr/bin/env python3
"""benchmarks/perf/window-perf.py OUTDIR [--n N] [--phase setup|close] [--top K] [--kernel-top K] [--provider NAME]

Where the CPU of the benchmark's guest went during the setup windows, from a system-wide perf
recording (bench-in-guest.sh with BENCH_PERF set writes OUTDIR/perf.txt, `perf script` of a
`perf record -a -k CLOCK_MONOTONIC`). JFR (benchmarks/jfr/) sees Java frames only; perf sees
everything on the vCPU: the JVM's threads split by where their time went (the kernel, compiled
Java, the interpreter, the JVM's runtime, JNA's dispatch, libc, rdma-core), the other processes
and kernel threads (softirq, kworkers) that share the vCPU, and the idle time.

The windows come from the ConnectBench log (OUTDIR/PROVIDER.log): per round,
"bench: setup window R N=n: CLOCK_MONOTONIC T0 T1 ns" and "bench: close window R ..." (the round's
closes; --phase close keeps those instead); the warm-up's rounds are left out, --n keeps the rounds
of that size. Figures are ms per connection of those rounds (samples / the
sampling rate / connections) and the share of all samples in the windows. cmtime's processes are
summed over their whole runs (perf cannot see cmtime's phases), per connection of its rounds
(OUTDIR/cmtime-*n<N>-r<k>.txt; bench-in-guest.sh's warm-up run is before the recording).
Exit status: 0, or 2 when an input is missing or holds no window.
"""
import argparse
import collections
import glob
import os
import re
import sys

LINE = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s+(?:\d+\s+\S+:\s+)?([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$")
WINDOW = re.compile(r"^bench: (setup|close) window (\d+) N=(\d+): CLOCK_MONOTONIC (\d+) (\d+) ns")
CLASSES = ["kernel", "java", "interpreter", "libjvm", "jna", "libc", "rdma-core", "other"]


def dso_class(dso, sym):
    if sym == "Interpreter":
        return "interpreter"
    if re.search(r"perf-\d+\.map$", dso) or dso.startswith("[JIT]"):
        return "java"
    if dso.startswith("["):
        return "kernel" if dso != "[vdso]" else "libc"
    base = os.path.basename(dso)
    if base.startswith("libjvm"):
        return "libjvm"
    if base.startswith(("jna", "libjnidispatch", "ffi")) or "libffi" in base:
        return "jna"
    if base.startswith(("libc.so", "ld-linux", "libpthread")):
        return "libc"
    if base.startswith(("librdmacm", "libibverbs", "librxe", "libmlx", "libefa")):
        return "rdma-core"
    return "other"


def windows(log, only_n, phase="setup"):
    """[(t0, t1, n)] of the measured rounds' windows of one phase (setup: first connect to last
    complete-connect; close: the round's closes), not the warm-up's, in seconds of CLOCK_MONOTONIC."""
    found, warm = [], set()
    with open(log, errors="replace") as f:
        for line in f:
            m = WINDOW.match(line.strip())
            if m:
                found.append((m.group(1), int(m.group(2)), int(m.group(4)) / 1e9, int(m.group(5)) / 1e9,
                              int(m.group(3))))
            elif "warm-up, " in line and found:
                warm.add(found[-1][1])  # the trace line ConnectBench prints after each warm-up round
    return [(a, b, n) for p, r, a, b, n in found
            if p == phase and r not in warm and (only_n is None or n == only_n)]


def group_name(comm):
    """A kernel thread's or helper's comm without its instance: kworker/u3:0-ib -> kworker."""
    return re.split(r"[/:]", comm, maxsplit=1)[0] if "/" in comm else comm


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--n", type=int, help="only the rounds of this many connections")
    ap.add_argument("--top", type=int, default=12, help="user-mode symbols to list for the JVM")
    ap.add_argument("--kernel-top", type=int, default=0, metavar="K",
                    help="also list each JVM thread's K hottest kernel symbols (e.g. which system call grows with N)")
    ap.add_argument("--phase", choices=["setup", "close"], default="setup",
                    help="the windows to keep: the rounds' setup (default) or their close phase")
    ap.add_argument("--provider", default="reference")
    ap.add_argument("--freq", type=float, help="the sampling rate (default: OUTDIR/perf.freq, else 997)")
    a = ap.parse_args()
    perf_txt = os.path.join(a.out, "perf.txt")
    log = os.path.join(a.out, a.provider + ".log")
    for p in (perf_txt, log):
        if not os.path.exists(p):
            print(f"window-perf: no {p} (bench-in-guest.sh with BENCH_PERF set writes both)", file=sys.stderr)
            return 2
    freq = a.freq
    if freq is None:
        try:
            freq = float(open(os.path.join(a.out, "perf.freq")).read().strip())
        except (OSError, ValueError):
            freq = 997.0
    wins = sorted(windows(log, a.n, a.phase))
    if not wins:
        print(f"window-perf: no measured {a.phase} window{'' if a.n is None else ' of N=%d' % a.n} in {log}",
              file=sys.stderr)
        return 2
    conns = sum(n for _, _, n in wins)
    starts = [w[0] for w in wins]

    def in_window(t):
        lo, hi = 0, len(starts)
        while lo < hi:  # the last window starting at or before t
            mid = (lo + hi) // 2
            if starts[mid] <= t:
                lo = mid + 1
            else:
                hi = mid
        return lo > 0 and t <= wins[lo - 1][1]

    jvm_pids, comm_of = set(), {}
    rows = collections.defaultdict(collections.Counter)  # (kind, name) -> class -> samples
    syms = collections.Counter()
    ksyms = collections.defaultdict(collections.Counter)  # JVM thread -> kernel symbol -> samples
    cmtime = collections.Counter()
    total = unparsed = 0
    with open(perf_txt, errors="replace") as f:
        samples = []
        for line in f:
            m = LINE.match(line)
            if not m:
                unparsed += line.strip() != ""
                continue
            comm, pid, tid, t, _, sym, dso = m.groups()
            pid, tid, t = int(pid), int(tid), float(t)
            if comm == "bench-completer":
                jvm_pids.add(pid)
            samples.append((comm, pid, tid, t, sym, dso))
    for comm, pid, tid, t, sym, dso in samples:
        cls = dso_class(dso, sym)
        if comm == "cmtime":
            cmtime[cls] += 1
        if not in_window(t):
            continue
        total += 1
        if pid == 0:
            rows[("idle", "idle")]["kernel"] += 1
        elif pid in jvm_pids:
            rows[("jvm", "main" if comm == "java" else comm)][cls] += 1
            if cls != "kernel":
                syms[(cls, sym)] += 1
            else:
                ksyms["main" if comm == "java" else comm][sym] += 1
        else:
            rows[("other", group_name(comm))][cls] += 1
    if not total:
        print("window-perf: no sample inside the windows: was perf recording with -k CLOCK_MONOTONIC?",
              file=sys.stderr)
        return 2
    ms = lambda c: c / freq * 1000 / conns
    span = sum(b - a for a, b, _ in wins)
    ns = sorted({n for _, _, n in wins})
    print(f"perf in the {a.phase} windows: {len(wins)} rounds (N = {', '.join(map(str, ns))}), {conns} connections, "
          f"{span:.2f} s, {total} samples at {freq:g} Hz ({total / freq / span:.2f} CPUs busy or idle)")
    print("ms per connection (share of the windows' samples), by where the time went:")
    print("%-28s %7s %6s " % ("thread or process", "ms", "share") + " ".join("%11s" % c for c in CLASSES))
    order = sorted(rows.items(), key=lambda kv: ({"jvm": 0, "other": 1, "idle": 2}[kv[0][0]], -sum(kv[1].values())))
    sums = collections.Counter()
    for (kind, name), c in order:
        n = sum(c.values())
        if kind == "jvm":
            sums.update(c)
        if n / total < 0.005 and kind == "other":
            continue
        label = ("JVM " if kind == "jvm" else "") + name
        print("%-28s %7.3f %5.1f%% " % (label[:28], ms(n), 100 * n / total)
              + " ".join("%11s" % ("%.3f" % ms(c[k]) if c[k] else "-") for k in CLASSES))
    n = sum(sums.values())
    print("%-28s %7.3f %5.1f%% " % ("JVM, all threads", ms(n), 100 * n / total)
          + " ".join("%11s" % ("%.3f" % ms(sums[k]) if sums[k] else "-") for k in CLASSES))
    print(f"the JVM's user-mode time: {ms(n - sums['kernel']):.3f} ms per connection; its hottest user-mode symbols"
          " (samples in the windows):")
    for (cls, sym), c in syms.most_common(a.top):
        print("  %5d  %-11s %s" % (c, cls, sym[:140]))
    if a.kernel_top:
        print(f"the JVM's hottest kernel symbols by thread, ms per connection (samples):")
        for name, c in sorted(ksyms.items(), key=lambda kv: -sum(kv[1].values())):
            if sum(c.values()) / total < 0.01:
                continue
            print("  " + name + ": " + ", ".join("%s %.3f (%d)" % (sym, ms(n), n) for sym, n in c.most_common(a.kernel_top)))
    runs = glob.glob(os.path.join(a.out, "cmtime-*n*-r*.txt"))
    cm_conns = sum(int(re.search(r"-n(\d+)-r", p).group(1)) for p in runs)
    cn = sum(cmtime.values())
    if cn and cm_conns:
        print("cmtime's processes over their whole runs (%d connections; its own set-up and teardown included): "
              "%.3f ms per connection, " % (cm_conns, cn / freq * 1000 / cm_conns)
              + ", ".join("%s %.3f" % (k, cmtime[k] / freq * 1000 / cm_conns) for k in CLASSES if cmtime[k]))
    if unparsed:
        print(f"({unparsed} lines of perf.txt not understood)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
