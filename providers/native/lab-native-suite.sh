#!/usr/bin/env bash
# providers/native/lab-native-suite.sh OUTDIR [REFERENCE-RUN]
#
# The C side in the two-host lab, for ./ndk test (each step through providers/agent/lab-two-host-suite.sh,
# which boots the lab, judges the run and verifies its bundle):
#   1. rdmacm-c, the independent C provider, served by ndk-agent-native on both machines: the whole
#      spec, which must come out certified (exit 0) (OUTDIR/rdmacm-c);
#   2. the mixed pairs, every connection with one C end and one Java end: rdmacm-c on the test
#      machine against the Java reference on the support machine (OUTDIR/c-with-java), then the
#      reference against rdmacm-c (OUTDIR/java-with-c); the spec without the network-fault feature
#      (the faults are the link's, not an interoperability question, and take most of the time) and
#      without the state table (each side's own answers in each state, which step 1 certifies; the
#      pairs are about the exchanges between the two implementations, which the other features
#      make), and of the rest only the scenarios in which a request reached the peer's listener in
#      step 1's run or REFERENCE-RUN (crossing-scenarios.py; OUTDIR/crossing.txt): every selected
#      scenario must pass (incomplete, exit 4, as a narrowed run is);
#   3. when REFERENCE-RUN (an `ndk-cli run` output dir of the reference provider across the same
#      lab) is given, `ndk-cli compare` of it with step 1's run: where the two implementations
#      behaved differently, call by call, in OUTDIR/compare.txt (findings, not failures).
# Exit status: 0 when all of that holds; 1 naming the step that did not; 2 the build failed.
set -uo pipefail
NATIVE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$NATIVE/../.." && pwd)
OUT=${1:?usage: lab-native-suite.sh OUTDIR [REFERENCE-RUN]}
REF=${2:-}
mkdir -p -- "$OUT" && OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
"$NATIVE/build-release.sh" || exit 2
failed=()
step() { # step NAME ARGS...: one two-host run, timed
  local name=$1 t0=$SECONDS
  shift
  echo "lab-native-suite: $name ($*)"
  if providers/agent/lab-two-host-suite.sh "$OUT/$name" "$@"; then
    echo "lab-native-suite: $name passed in $((SECONDS - t0)) s"
  else
    echo "lab-native-suite: $name did NOT pass ($((SECONDS - t0)) s; see $OUT/$name/run.log)" >&2
    failed+=("$name")
  fi
}
step rdmacm-c --provider rdmacm-c
# The pairs run the scenarios in which a request reached the peer's listener, in step 1's run or
# REFERENCE-RUN: in the others the support machine's provider only listens, and the test machine's
# answers alone, as in its own certification (99 of the 157 scenarios the tags select).
pair=(--tags "not @network and not @states")
if providers/native/crossing-scenarios.py "$OUT/rdmacm-c/cert" ${REF:+"$REF"} >"$OUT/crossing.txt"; then
  pair+=(--scenarios "$OUT/crossing.txt")
  echo "lab-native-suite: $(grep -vc '^#' "$OUT/crossing.txt") scenarios crossed to the peer's listener" \
    "($OUT/crossing.txt); the pairs run those the tags keep"
else
  echo "lab-native-suite: no run to pick the crossing scenarios from: the pairs run every scenario the tags select"
fi
step c-with-java --provider rdmacm-c --support-provider reference "${pair[@]}"
step java-with-c --provider reference --support-provider rdmacm-c "${pair[@]}"
if [[ -n $REF && -r $REF/summary.json && -r $OUT/rdmacm-c/cert/summary.json ]]; then
  if cli/ndk-cli compare "$REF" "$OUT/rdmacm-c/cert" --name-a reference --name-b rdmacm-c \
      --json "$OUT/compare.json" >"$OUT/compare.txt" 2>&1; then
    echo "lab-native-suite: reference and rdmacm-c compared call by call ($OUT/compare.txt):"
    sed -n '1,25p' "$OUT/compare.txt"
  else
    echo "lab-native-suite: ndk-cli compare failed:" >&2
    tail -n 5 "$OUT/compare.txt" >&2
    failed+=(compare)
  fi
fi
((${#failed[@]} == 0)) || { echo "lab-native-suite: not as expected: ${failed[*]}" >&2; exit 1; }
echo "lab-native-suite: rdmacm-c certified across the link, both mixed pairs interoperate"
