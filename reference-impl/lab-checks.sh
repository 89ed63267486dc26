#!/usr/bin/env bash
# reference-impl/lab-checks.sh [OUTDIR] [--long]
#
# Builds on the host and runs org.ndkkit.reference.LabChecks in the SoftRoCE lab: provider paths
# the feature suite does not reach (NdkConnect, the rdma cgroup limit, abandoned connections, the
# accept timer, prohibit/blackhole routes) and the raw rdma_cm observations behind MAPPING.md.
# --long adds rdma_cm's own ~100 s silent-host timeout. Exit status: LabChecks' (1 = a mismatch).
# The guest JVM runs with -XX:TieredStopAtLevel=1 (C1 only): under QEMU's multi-threaded TCG the
# JVM crashed now and then (SIGSEGV at a compiled method's entry, just patched by HotSpot to
# "not entrant" when tiered compilation replaced it: cross-modifying code). C1-only code is
# never replaced by tier, which takes away nearly all of that patching, at no cost in speed here.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/reference-impl/target/lab-checks}
[[ $# -gt 0 ]] && shift
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -q install -DskipTests
CP_FILE=$(mktemp)
trap 'rm -f -- "$CP_FILE"' EXIT
mvn -B -q -pl reference-impl dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP="reference-impl/target/classes:reference-impl/target/test-classes:$(cat -- "$CP_FILE")"
rm -f -- "$OUT/events.log"
exec lab/run --out "$OUT" --timeout 900 -- \
  java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$OUT/hs_err_%p.log" -Dndk.provider.event-log="$OUT/events.log" -cp "$CP" org.ndkkit.reference.LabChecks "$@"
