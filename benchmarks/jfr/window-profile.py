#!/usr/bin/env python3
"""benchmarks/jfr/window-profile.py RECORDING.jfr [--n N | --all] [--top K]

Where the benchmark JVM's CPU went during the setup windows only: the Flight Recorder samples
(jdk.ExecutionSample: Java code running; jdk.NativeMethodSample: a thread inside a native call)
that fall inside the recording's org.ndkkit.benchmarks.SetupWindow events (one per round; --n
keeps the rounds of that size), or every sample with --all (a JVM that marks no windows: the
two-host lab's PeerAcceptor). Prints, per thread, the sample count and the K hottest top frames,
and the K hottest methods of the kit and of JNA counted once per stack they appear in (inclusive).
Needs the JDK's jfr tool on PATH. The recording: BENCH_JAVA_OPTS with
-XX:StartFlightRecording=...,settings=benchmarks/jfr/setup-rate.jfc (benchmarks/README.md).
"""
import argparse
import collections
import datetime
import json
import re
import subprocess
import sys

EVENTS = "jdk.ExecutionSample,jdk.NativeMethodSample,org.ndkkit.benchmarks.SetupWindow,jdk.GarbageCollection"


def instant_ns(text):
    """'2026-12-07T05:01:02.123456789Z' (or with an offset) as ns since the epoch."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", text)
    if not m:
        raise ValueError("unreadable instant: " + text)
    base = datetime.datetime.fromisoformat(m.group(1) + (m.group(3) or "Z").replace("Z", "+00:00"))
    frac = (m.group(2) or "0")[:9].ljust(9, "0")
    return int(base.timestamp()) * 1_000_000_000 + int(frac)


def duration_ns(text):
    """ISO-8601 'PT1M2.5S' / 'PT0.000123S' / a number of ns."""
    if isinstance(text, (int, float)):
        return int(text)
    m = re.match(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", text)
    if not m:
        raise ValueError("unreadable duration: " + text)
    h, mi, s = m.groups()
    return int(((int(h or 0) * 60 + int(mi or 0)) * 60 + float(s or 0)) * 1e9)


def frame_name(f):
    meth = f.get("method") or {}
    cls = (meth.get("type") or {}).get("name", "?")
    return cls.replace("/", ".") + "." + meth.get("name", "?")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("recording")
    ap.add_argument("--n", type=int, help="only rounds of this many connections")
    ap.add_argument("--all", action="store_true", help="every sample, not only those inside setup windows")
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    try:
        out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", EVENTS, a.recording],
                             check=True, capture_output=True, text=True, timeout=600).stdout
    except (OSError, subprocess.SubprocessError) as e:
        sys.exit("window-profile: jfr print failed: %s" % e)
    events = json.loads(out)["recording"]["events"]
    windows = []
    for e in events:
        if e["type"] == "org.ndkkit.benchmarks.SetupWindow":
            v = e["values"]
            if a.n is None or v.get("n") == a.n:
                t = instant_ns(v["startTime"])
                windows.append((t, t + duration_ns(v["duration"]), v.get("n"), v.get("round")))
    if a.all:
        windows = [(0, 2 ** 63, None, None)]
    if not windows:
        sys.exit("window-profile: no SetupWindow events%s in %s" % (" with n=%d" % a.n if a.n else "", a.recording))
    windows.sort()
    total_ns = 0 if a.all else sum(e - s for s, e, _, _ in windows)

    def inside(t):
        return any(s <= t <= e for s, e, _, _ in windows)

    per_thread = collections.Counter()
    top = collections.defaultdict(collections.Counter)
    incl = collections.Counter()
    gc_ns = 0
    for e in events:
        v = e["values"]
        if e["type"] == "jdk.GarbageCollection":
            if inside(instant_ns(v["startTime"])):
                gc_ns += duration_ns(v["duration"])
            continue
        if e["type"] not in ("jdk.ExecutionSample", "jdk.NativeMethodSample"):
            continue
        if not inside(instant_ns(v["startTime"])):
            continue
        thread = (v.get("sampledThread") or {}).get("javaName") or "?"
        kind = "java" if e["type"] == "jdk.ExecutionSample" else "native"
        frames = ((v.get("stackTrace") or {}).get("frames")) or []
        key = (thread, kind)
        per_thread[key] += 1
        if frames:
            top[key][frame_name(frames[0])] += 1
        seen = set()
        for f in frames:
            n = frame_name(f)
            if (n.startswith("org.ndkkit.") or n.startswith("com.sun.jna.")) and n not in seen:
                seen.add(n)
                incl[n] += 1
    if a.all:
        print("the whole recording; garbage collections: %.1f ms" % (gc_ns / 1e6))
    else:
        print("%d setup windows%s, %.1f ms in all; garbage collections inside them: %.1f ms"
              % (len(windows), " of N=%d" % a.n if a.n else "", total_ns / 1e6, gc_ns / 1e6))
    print("samples per thread (java = running Java code, native = inside a native call):")
    for (thread, kind), c in sorted(per_thread.items(), key=lambda kv: -kv[1]):
        print("  %-34s %-6s %6d" % (thread, kind, c))
        for name, k in top[(thread, kind)].most_common(a.top):
            print("      %6d  %s" % (k, name))
    print("kit and JNA methods, inclusive (samples whose stack holds them), all threads:")
    for name, k in incl.most_common(a.top * 2):
        print("  %6d  %s" % (k, name))


if __name__ == "__main__":
    main()
