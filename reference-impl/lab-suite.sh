#!/usr/bin/env bash
# reference-impl/lab-suite.sh [OUTDIR] [-- EXTRA JVM OPTIONS...]
#
# Builds the kit on the host (Maven at full speed) and runs the whole spec against the reference
# provider inside the SoftRoCE lab (lab/run: QEMU + Debian kernel + rdma_rxe); only the suite's JVM
# runs in the guest. Results go to OUTDIR/reference/ (summary.json, cucumber-junit.xml, ...);
# OUTDIR defaults to target/lab-suite under the repository root. Extra arguments after "--" are
# passed to the JVM (e.g. -Dndk.provider.event-log=OUTDIR/events.log).
#
# Exit status: the suite's (0: no scenario failed, 1: one did, 2: environment unusable), or the
# build's / lab's own failure (lab/run: 124 timeout, 125 lab failure).
# The guest JVM runs with -XX:TieredStopAtLevel=1 (C1 only): under QEMU's multi-threaded TCG the
# JVM crashed now and then (SIGSEGV at a compiled method's entry, just patched by HotSpot to
# "not entrant" when tiered compilation replaced it: cross-modifying code). C1-only code is
# never replaced by tier, which takes away nearly all of that patching, at no cost in speed here.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/target/lab-suite}
[[ $# -gt 0 ]] && shift
[[ ${1:-} == -- ]] && shift
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"

t0=$(date +%s.%N)
# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -q install -DskipTests
CP_FILE=$(mktemp)
trap 'rm -f -- "$CP_FILE"' EXIT
mvn -B -q -pl steps dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP="steps/target/classes:$(cat -- "$CP_FILE")"
t1=$(date +%s.%N)
echo "lab-suite: build $(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') s" >&2

rc=0
lab/run --out "$OUT" --timeout "${NDK_LAB_SUITE_TIMEOUT:-1800}" -- \
  java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$OUT/hs_err_%p.log" -Dndk.provider=reference -Dndk.out="$OUT/reference" \
       -Dndk.timeout.ms="${NDK_TIMEOUT_MS:-20000}" -Dndk.connect-timeout.ms="${NDK_CONNECT_TIMEOUT_MS:-3000}" \
       "$@" -cp "$CP" org.ndkkit.kit.ConformanceMain || rc=$?
t2=$(date +%s.%N)
echo "lab-suite: lab run $(awk -v a="$t2" -v b="$t1" 'BEGIN { printf "%.1f", a - b }') s (exit $rc); results in $OUT/reference" >&2
[[ -r $OUT/lab-timings.properties ]] && sed 's/^/lab-suite: /' "$OUT/lab-timings.properties" >&2
exit "$rc"
