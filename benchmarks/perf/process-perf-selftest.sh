#!/usr/bin/env bash
# benchmarks/perf/process-perf-selftest.sh: process-perf.py and window-perf.py on made-up `perf
# script` texts (and a made-up ConnectBench log) whose figures are known, so that a change in how samples are parsed, classed, divided or cut (--from,
# --to) shows here and not as a wrong reading of a lab run. No lab, no perf; about a second.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
fail() { echo "process-perf-selftest: $*" >&2; exit 1; }

# At 1000 Hz a sample is 1 ms. The JVM (pid 10): its acceptor thread 4 kernel + 2 JNA samples, its
# event thread 2 compiled-Java samples; cmtime (pid 20) 3 kernel + 1 rdma-core; idle 5; all between
# 100.0 and 100.9 s, then 4 more JVM kernel samples at 110 s, outside --to 5.
{
  for i in 0 1 2 3; do printf '   peer-acceptor    10/11     100.%d00001:  ffffffff81000000 clear_page_erms ([kernel.kallsyms])\n' "$i"; done
  printf '   peer-acceptor    10/11     100.400001:      7f0000001000 dispatch (/tmp/jna123/jna456.tmp)\n'
  printf '   peer-acceptor    10/11     100.400002:      7f0000001000 ffi_call (/usr/lib/x86_64-linux-gnu/libffi.so.8)\n'
  printf ' ndk-reference-p    10/12     100.500001:      7f0000002000 void org.Foo.bar() (/tmp/perf-10.map)\n'
  printf ' ndk-reference-p    10/12     100.500002:      7f0000002000 void org.Foo.bar() (/tmp/perf-10.map)\n'
  for i in 6 7 8; do printf '          cmtime    20/20     100.%d00001:  ffffffff81000000 modify_qp ([kernel.kallsyms])\n' "$i"; done
  printf '          cmtime    20/20     100.800002:      7f0000003000 rdma_accept (/usr/lib/x86_64-linux-gnu/librdmacm.so.1.3.44.0)\n'
  for i in 1 2 3 4 5; do printf '         swapper     0/0       100.9%02d001:  ffffffff81000000 native_safe_halt ([kernel.kallsyms])\n' "$i"; done
  for i in 1 2 3 4; do printf '   peer-acceptor    10/11     110.%d00001:  ffffffff81000000 clear_page_erms ([kernel.kallsyms])\n' "$i"; done
  printf 'not a sample line\n'
} >"$tmp/perf.txt"

run() { python3 "$here/process-perf.py" "$tmp/perf.txt" --freq 1000 "$@"; }

out=$(run --process jvm=peer-acceptor:2 --process cm=cmtime:4 --to 5)
# JVM: 8 samples = 8 ms over 2 connections = 4.000 ms; kernel 2.000, java 1.000, JNA 1.000 (libffi is JNA's)
grep -Eq '^all threads +4\.000 +2\.000 +1\.000 +- +- +1\.000 ' <<<"$out" || fail "JVM total wrong: $out"
grep -Eq '^peer-acceptor +3\.000 +2\.000 ' <<<"$out" || fail "acceptor thread wrong: $out"
grep -q 'user mode 2.000 ms per connection' <<<"$out" || fail "JVM user mode wrong: $out"
# cmtime: 4 samples over 4 connections = 1.000 ms; kernel 0.750, rdma-core 0.250
grep -Eq '^all threads +1\.000 +0\.750 +- +- +- +- +- +0\.250 ' <<<"$out" || fail "cmtime total wrong: $out"
# idle: 5 samples over all 6 connections
grep -Eq '^idle +0\.833 ' <<<"$out" || fail "idle wrong: $out"

# The whole recording: the 4 late samples count (12 samples of the JVM = 6.000 ms per connection).
out=$(run --process jvm=peer-acceptor:2 --process cm=cmtime:4)
grep -Eq '^all threads +6\.000 ' <<<"$out" || fail "whole-recording JVM total wrong: $out"
# Only the late part: 4 samples = 2.000; cmtime has none there, which is an error (exit 2).
rc=0
out=$(run --process jvm=peer-acceptor:2 --process cm=cmtime:4 --from 5) || rc=$?
((rc == 2)) || fail "a process without samples must exit 2, was $rc"
grep -Eq '^all threads +2\.000 ' <<<"$out" || fail "--from JVM total wrong: $out"
grep -q "cm: no sample of a thread named 'cmtime'" <<<"$out" || fail "missing process not named: $out"
# The timeline: per 0.5 s bin, the JVM's, cmtime's, other and idle samples.
out=$(run --process jvm=peer-acceptor:2 --process cm=cmtime:4 --to 5 --timeline 0.5)
grep -Eq '^ +0\.00 +6 +0 +0 +0$' <<<"$out" || fail "timeline's first bin wrong: $out"
grep -Eq '^ +0\.50 +2 +4 +0 +5$' <<<"$out" || fail "timeline's second bin wrong: $out"
# Bad input: a clear error, exit 2 from argparse.
rc=0
run --process jvm=peer-acceptor >/dev/null 2>&1 || rc=$?
((rc == 2)) || fail "--process without a connection count must be refused (exit 2), was $rc"

# window-perf.py: the samples inside one phase's windows of the measured rounds. Round 1 is a
# warm-up round (its trace line follows its windows), round 2 is measured: setup 100-101 s, close
# 102-103 s. The JVM (its completer thread names it) has 3 samples in round 2's setup window, 1 in
# its close window and 5 in round 1's windows, which must not count.
w=$tmp/wp
mkdir -p "$w"
cat >"$w/reference.log" <<'LOG'
bench: setup window 1 N=2: CLOCK_MONOTONIC 90000000000 91000000000 ns
bench: close window 1 N=2: CLOCK_MONOTONIC 92000000000 93000000000 ns
bench: 9.0 s after JVM start: warm-up, 2 of 2 connections: 5.0 conn/s
bench: setup window 2 N=2: CLOCK_MONOTONIC 100000000000 101000000000 ns
bench: close window 2 N=2: CLOCK_MONOTONIC 102000000000 103000000000 ns
LOG
{
  for t in 90.1 90.2 92.1 92.2 92.3; do printf ' bench-completer    10/11      %s00001:  ffffffff81000000 clear_page_erms ([kernel.kallsyms])\n' "$t"; done
  for t in 100.1 100.2; do printf ' bench-completer    10/11     %s00001:  ffffffff81000000 clear_page_erms ([kernel.kallsyms])\n' "$t"; done
  printf '            java    10/10     100.300001:  ffffffff81000000 cma_check_port.isra.0 ([kernel.kallsyms])\n'
  printf ' bench-completer    10/11     102.500001:  ffffffff81000000 ucma_destroy_private_ctx ([kernel.kallsyms])\n'
} >"$w/perf.txt"
echo 1000 >"$w/perf.freq"
wrun() { python3 "$here/window-perf.py" "$w" --kernel-top 2 "$@"; }
out=$(wrun)
# setup: 3 samples = 3 ms over 2 connections = 1.500 ms; main's kernel symbol listed
grep -Eq '^JVM, all threads +1\.500 ' <<<"$out" || fail "window-perf setup total wrong: $out"
grep -q 'main: cma_check_port.isra.0 0.500 (1)' <<<"$out" || fail "window-perf kernel symbols wrong: $out"
out=$(wrun --phase close)
grep -Eq '^JVM, all threads +0\.500 ' <<<"$out" || fail "window-perf close total wrong: $out"
grep -q 'perf in the close windows: 1 rounds' <<<"$out" || fail "window-perf close windows wrong: $out"
echo "process-perf-selftest: passed (process-perf.py and window-perf.py)"
