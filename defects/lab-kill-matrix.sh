#!/usr/bin/env bash
# defects/lab-kill-matrix.sh [OUTDIR] [-- EXTRA JVM OPTIONS...]
#
# The kill matrix over the reference provider: builds on the host, then runs
# org.ndkkit.defects.KillMatrix --inner reference inside the SoftRoCE lab (lab/run); only the
# matrix's JVM runs in the guest. Reports go to OUTDIR/kill-matrix/ (kill-matrix.{md,json}, each
# run under runs/); OUTDIR defaults to defects/target/lab-kill-matrix. Prints the kill line last.
#
# Exit status: KillMatrix's (0: no triggered defect survived and the control run passed; 1: one
# survived or the control failed; defects that never fire on reference are listed, not fatal),
# or the build's / lab's own failure (lab/run: 124 timeout, 125 lab failure).
#
# Bounds: shorter than a certification run's (ndk.timeout.ms 20000), since the matrix runs the
# suite 55 times; override with NDK_TIMEOUT_MS, NDK_CONNECT_TIMEOUT_MS, NDK_SETTLE_MS.
# The guest JVM runs C1-only (-XX:TieredStopAtLevel=1) like the other lab scripts: tiered
# compilation's code patching crashed the JVM now and then under QEMU's TCG (reference-impl/README).
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/defects/target/lab-kill-matrix}
[[ $# -gt 0 ]] && shift
[[ ${1:-} == -- ]] && shift
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"

# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -q install -DskipTests -pl defects -am
CP_FILE=$(mktemp)
trap 'rm -f -- "$CP_FILE"' EXIT
mvn -B -q -pl defects dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP="defects/target/classes:$(cat -- "$CP_FILE")"

rm -f -- "$OUT/kill-matrix/kill-matrix.json"
rc=0
lab/run --out "$OUT" --timeout "${NDK_LAB_KILL_MATRIX_TIMEOUT:-1800}" -- \
  java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$OUT/hs_err_%p.log" \
       -Dndk.timeout.ms="${NDK_TIMEOUT_MS:-3000}" -Dndk.connect-timeout.ms="${NDK_CONNECT_TIMEOUT_MS:-1500}" \
       -Dndk.settle.ms="${NDK_SETTLE_MS:-50}" \
       "$@" -cp "$CP" org.ndkkit.defects.KillMatrix --inner reference --out "$OUT/kill-matrix" || rc=$?
echo "lab-kill-matrix: exit $rc; reports in $OUT/kill-matrix" >&2
[[ -r $OUT/lab-timings.properties ]] && sed 's/^/lab-kill-matrix: /' "$OUT/lab-timings.properties" >&2
# The console's tail is the VM's power-down, so repeat the kill line from the report.
if [[ -r $OUT/kill-matrix/kill-matrix.json ]]; then
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["line"])' "$OUT/kill-matrix/kill-matrix.json"
else
  echo "lab-kill-matrix: no kill-matrix.json: the matrix did not finish (exit $rc)" >&2
  [[ $rc -ne 0 ]] || rc=1
fi
exit "$rc"
