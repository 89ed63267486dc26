#!/usr/bin/env bash
# reference-impl/lab-interop-two-host.sh [OUTDIR]
#
# rdma-core's own tools against the reference provider across the two-host lab's link:
# org.ndkkit.reference.Interop runs on the test machine (the reference provider on its rxe0) and
# every `ucmatose` it asks for runs on the support machine, started by this script on the host
# (lab/labctl) through a relay directory in the lab's out dir: the provider's connect to a
# ucmatose server there, then a ucmatose client from there to the provider's listener, each with
# an exchange of SENDs and a disconnect. Exit status: 0 when every step interoperated.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/reference-impl/target/lab-interop-two-host}
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
CP_FILE=$(mktemp)
trap 'rm -f -- "$CP_FILE"' EXIT
mvn -B -q -pl reference-impl dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP="$ROOT/reference-impl/target/classes:$ROOT/reference-impl/target/test-classes:$(cat -- "$CP_FILE")"
export NDK_INTEROP_CP=$CP
# shellcheck disable=SC2016 # expanded by the COMMAND's bash on the host
exec lab/run --hosts 2 --out "$OUT" --timeout 600 -q -- bash -c '
  relay=$NDK_LAB_OUT/interop-relay
  rm -rf -- "$relay"; mkdir -p -- "$relay"
  # the relay: each ID.cmd the test machine writes runs on the support machine; ID.out, ID.rc back
  (
    while [[ ! -e $relay/done ]]; do
      for f in "$relay"/*.cmd; do
        [[ -e $f ]] || continue
        id=${f%.cmd}
        mv -- "$f" "$id.run"
        ( rc=0; lab/labctl support --timeout 60 -c "$(cat -- "$id.run")" >"$id.out" 2>&1 || rc=$?
          echo "$rc" >"$id.rc.tmp"; mv -- "$id.rc.tmp" "$id.rc" ) &
      done
      sleep 0.1
    done
    wait
  ) &
  rc=0
  lab/labctl test --timeout 400 -- java -XX:TieredStopAtLevel=1 -XX:ErrorFile="$NDK_LAB_OUT/hs_err_%p.log" \
    -Dndk.interop.relay="$relay" -cp "$NDK_INTEROP_CP" org.ndkkit.reference.Interop >"$NDK_LAB_OUT/interop.log" 2>&1 || rc=$?
  cat -- "$NDK_LAB_OUT/interop.log"
  touch "$relay/done"
  wait
  exit "$rc"'
