#!/usr/bin/env bash
# cli/lab-crash-resume.sh [OUTDIR]
#
# A native crash in the SoftRoCE lab does not lose the run: the CLI's test provider `faulty` reads
# address 0 in native code (a real SIGSEGV) at its third connector, inside the guest; the crashed
# scenario must be `failed` naming SIGSEGV and its frame, and a fresh lab boot must resume and give
# the remaining scenario its verdict. About 1 min (two boots). Exit 0 when it went exactly so.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/cli/target/lab-crash-resume}
cd -- "$ROOT"
[[ -d cli/target/test-classes/org/ndkkit/cli/testproviders ]] || mvn -B -q -pl cli test-compile
rc=0
cli/ndk-cli run -p faulty -s fault=segv -s fault-after=3 --tags "@clause:PD-CALLER-LIMIT or @clause:CSE-SUCCESS" \
  --lab always --provider-path cli/target/test-classes --no-report --no-probes --out "$OUT" --progress log || rc=$?
python3 - "$OUT/summary.json" "$rc" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
got = [(x["verdict"], x.get("reasonCode")) for x in s["scenarios"]]
want = [("passed", None), ("failed", "crashed"), ("passed", None)]
crashed = s["scenarios"][1].get("reason") or ""
ok = got == want and "SIGSEGV" in crashed and sys.argv[2] == "1"
print("lab crash-resume:", "as expected" if ok else "NOT as expected", got, "exit", sys.argv[2])
sys.exit(0 if ok else 1)
PY
