#!/usr/bin/env bash
# reference-impl/lab-interop.sh [OUTDIR]
#
# Builds on the host and runs org.ndkkit.reference.Interop in the SoftRoCE lab: the reference
# provider's NdkConnectWithSharedEndpoint against rdma-core's `ucmatose` server, and a `ucmatose`
# client against the reference provider's listener, each with an exchange of SENDs over the
# connection and a disconnect. Then, in the same boot, `LabChecks --quick`: the provider's
# connection life over IPv6 (2001:2::1 -> 2001:2::1:1), mixed families and IPv4-mapped addresses
# refused, and an abandoned accept whose close and next connection stay within 5 s. Exit status: 0
# when every step interoperated and every check held.
# The guest JVM runs with -XX:TieredStopAtLevel=1 (C1 only): under QEMU's multi-threaded TCG the
# JVM crashed now and then (SIGSEGV at a compiled method's entry, just patched by HotSpot to
# "not entrant" when tiered compilation replaced it: cross-modifying code). C1-only code is
# never replaced by tier, which takes away nearly all of that patching, at no cost in speed here.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/reference-impl/target/lab-interop}
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
# shellcheck disable=SC2016 # expanded by the guest's bash
exec lab/run --out "$OUT" --timeout 600 -- bash -c 'rc=0; "$@" org.ndkkit.reference.Interop || rc=1
  "$@" org.ndkkit.reference.LabChecks --quick || rc=1; exit $rc' _ \
  java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$OUT/hs_err_%p.log" -Dndk.provider.event-log="$OUT/events.log" -cp "$CP"
