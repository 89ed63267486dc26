#!/usr/bin/env bash
# benchmarks/lab-bench.sh [--no-suite] [OUTDIR] [N...]
#
# Builds on the host (mvn install of benchmarks and what it needs), then boots the SoftRoCE lab
# once and runs benchmarks/bench-in-guest.sh there: rdma-core's cmtime and ConnectBench (the
# reference provider through the SPI) for each N (default 1 10 100 1000), in the same boot.
# Prints the report's rate lines and tables at the end; OUTDIR (default
# benchmarks/target/lab-bench) gets report.json, report.md, report.txt and every raw output.
# Then, unless --no-suite, the suite's own timings (benchmarks/suite-timings.sh OUTDIR/suite:
# the spec on the simulated provider here, and on the reference provider in a second lab boot).
# Exit status: the guest script's (0 = every N has both rates), or lab/run's 124/125; 1 when the
# suite timings' runs failed.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
SUITE=1
if [[ ${1:-} == --no-suite ]]; then
  SUITE=0
  shift
fi
OUT=$ROOT/benchmarks/target/lab-bench
if (($#)) && ! [[ $1 =~ ^[0-9]+$ ]]; then
  OUT=$1
  shift
fi
NS=("$@")
((${#NS[@]})) || NS=(1 10 100 1000)
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
T0=$SECONDS

# Also writes benchmarks/target/runtime-classpath.txt (this tree's jars, not ~/.m2's copies, which
# another build may replace while the lab runs), which bench-in-guest.sh runs with.
# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -ntp -q install -DskipTests -pl benchmarks -am
echo "lab-bench: built in $((SECONDS - T0)) s; N = ${NS[*]}; out $OUT"

# Bound: boot, warm-ups and JVM start (180 s), and per N up to 5 rounds of cmtime and ConnectBench, generously.
TOTAL=0
for n in "${NS[@]}"; do TOTAL=$((TOTAL + 5 * (80 + n / 5))); done
# lab/run passes only NDK_* variables into the guest: the BENCH_* settings go with -e.
envs=()
while IFS= read -r n; do envs+=(-e "$n"); done < <(compgen -e | grep '^BENCH_' || true)
set +e
lab/run -q --out "$OUT" --timeout $((TOTAL + 180)) "${envs[@]}" -- benchmarks/bench-in-guest.sh "$OUT" "${NS[@]}"
rc=$?
set -e
echo
if [[ -s $OUT/report.txt ]]; then
  cat -- "$OUT/report.txt" # the lines and tables as the guest printed them (the console is quiet with -q)
else
  echo "lab-bench: no report (lab/run exit $rc); the console's tail:"
  tail -n 40 "$OUT/lab-console.log" 2>/dev/null || true
fi
echo "lab-bench: exit $rc after $((SECONDS - T0)) s; report in $OUT/report.md"
if ((SUITE)); then
  echo
  echo "Suite timings (benchmarks/suite-timings.sh):"
  benchmarks/suite-timings.sh "$OUT/suite" || { ((rc)) || rc=1; }
fi
exit "$rc"
