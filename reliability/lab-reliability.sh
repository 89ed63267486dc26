#!/usr/bin/env bash
# reliability/lab-reliability.sh [OUTDIR] [-- EXTRA ReliabilityMain ARGS...]
#
# Builds on the host (Maven at full speed) and runs org.ndkkit.reliability.ReliabilityMain with
# --provider reference inside the SoftRoCE lab (lab/run: QEMU + Debian kernel + rdma_rxe); only
# its JVM runs in the guest. report.json, the thread dumps of caught timeouts and stdout.txt go to
# OUTDIR/reference/ (default target/lab-reliability under the repository root). Extra arguments
# after "--" go to ReliabilityMain and win over the defaults below.
#
# Sizes under emulation (environment, defaults): NDK_RELIABILITY_CONNECTIONS (1000),
# NDK_RELIABILITY_CYCLES (1000: about 20 cycles/s under TCG, so ~50 s of the script's ~3 min),
# NDK_RELIABILITY_BAD_INPUTS (200), NDK_RELIABILITY_RACES (20),
# NDK_TIMEOUT_MS (10000), NDK_CONNECT_TIMEOUT_MS (15000).
#
# The lab VM is shared: when lab/run reports the lab busy (exit 125, "another lab/run"), this
# waits NDK_LAB_RETRY_WAIT seconds (180) and tries again, at most NDK_LAB_RETRIES times (3).
#
# Exit status: ReliabilityMain's (0: nothing found, 1: a problem, 2: environment), or the
# build's / lab's own failure (lab/run: 124 timeout, 125 lab failure).
# The guest JVM runs with -XX:TieredStopAtLevel=1 (C1 only), as the other lab scripts do: under
# QEMU's multi-threaded TCG the JVM crashed now and then when tiered compilation patched code.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/target/lab-reliability}
[[ $# -gt 0 ]] && shift
[[ ${1:-} == -- ]] && shift
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"

t0=$(date +%s.%N)
# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -q install -DskipTests -pl reliability -am
# target/runtime-classpath.txt is written by the build (maven-dependency-plugin, process-classes).
CP="reliability/target/classes:$(cat reliability/target/runtime-classpath.txt)"
t1=$(date +%s.%N)
echo "lab-reliability: build $(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", a - b }') s" >&2

mkdir -p -- "$OUT/reference"
tries=${NDK_LAB_RETRIES:-3}
for ((try = 1; ; try++)); do
  rc=0
  lab/run --out "$OUT" --timeout "${NDK_LAB_RELIABILITY_TIMEOUT:-600}" -- \
    java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$OUT/hs_err_%p.log" -cp "$CP" org.ndkkit.reliability.ReliabilityMain \
         --provider reference --out "$OUT/reference" \
         --connections "${NDK_RELIABILITY_CONNECTIONS:-1000}" --cycles "${NDK_RELIABILITY_CYCLES:-1000}" \
         --bad-inputs "${NDK_RELIABILITY_BAD_INPUTS:-200}" --races "${NDK_RELIABILITY_RACES:-20}" \
         --timeout-ms "${NDK_TIMEOUT_MS:-10000}" --connect-timeout-ms "${NDK_CONNECT_TIMEOUT_MS:-15000}" \
         "$@" > >(tee "$OUT/reference/stdout.txt") 2>&1 || rc=$?
  if [[ $rc -eq 125 ]] && grep -qs 'another lab/run\|busy' "$OUT/reference/stdout.txt" && ((try < tries)); then
    echo "lab-reliability: the lab is busy; trying again in ${NDK_LAB_RETRY_WAIT:-180} s ($try of $tries)" >&2
    sleep "${NDK_LAB_RETRY_WAIT:-180}"
    continue
  fi
  break
done
t2=$(date +%s.%N)
echo "lab-reliability: lab run $(awk -v a="$t2" -v b="$t1" 'BEGIN { printf "%.1f", a - b }') s (exit $rc); results in $OUT/reference" >&2
[[ -r $OUT/lab-timings.properties ]] && sed 's/^/lab-reliability: /' "$OUT/lab-timings.properties" >&2
exit "$rc"
