#!/usr/bin/env bash
# reference-impl/lab-faults.sh [OUTDIR] [ERRNO]
#
# Fault injection at the native boundary, in the SoftRoCE lab: org.ndkkit.reference.LabFaults
# fails each librdmacm/libibverbs call site of one connection cycle in turn (NativeFaults; errno
# EIO unless given) and checks that the provider gives back everything it took (its own counts and
# the kernel's `rdma resource show`), loses no completion, and still connects afterwards. Prints
# one line per fault and ends with "fault injection: F faults at S call sites ..., L leaks, ...".
# Exit status: LabFaults' (1 = a leak, a lost completion or a failed recovery), or lab/run's.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/reference-impl/target/lab-faults}
ERRNO=${2:-5}
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -q install -DskipTests -pl reference-impl -am
CP_FILE=$(mktemp)
trap 'rm -f -- "$CP_FILE"' EXIT
mvn -B -q -pl reference-impl dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP="reference-impl/target/classes:reference-impl/target/test-classes:$(cat -- "$CP_FILE")"
rc=0
lab/run --out "$OUT" --timeout 900 -q -- \
  java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$OUT/hs_err_%p.log" -cp "$CP" org.ndkkit.reference.LabFaults "$ERRNO" \
  >"$OUT/lab-faults.log" 2>&1 || rc=$?
grep -E '^(clean cycle|fault |lost completions)' "$OUT/lab-console.log" | sed 's/^/  /' || true
grep -E '^fault injection:' "$OUT/lab-console.log" || echo "lab-faults: no summary line (exit $rc); see $OUT/lab-console.log" >&2
exit "$rc"
