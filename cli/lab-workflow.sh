#!/usr/bin/env bash
# cli/lab-workflow.sh CERT_DIR [OUTDIR]
#
# A vendor's workflow on the reference provider in the SoftRoCE lab, after a certification run in
# CERT_DIR (./ndk test makes one in target/lab-certification):
#   1. verify: the bundle as written is accepted (exit 0); a copy with one byte changed is rejected (exit 1);
#   2. a regression run against a doctored copy of CERT_DIR/summary.json, with a live waiver:
#      the scenario the baseline had as failed is reported as a new pass, the waived scenario is
#      `waived`, and there is no new failure (exit 0);
#   3. the same waiver, expired: the scenario is back to its own verdict, the waiver listed as expired.
# Runs 2 and 3 run three scenarios and one (two lab boots, about 50 s). Exit 0 when all went so.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
CERT=${1:?usage: cli/lab-workflow.sh CERT_DIR [OUTDIR]}
OUT=${2:-$ROOT/cli/target/lab-workflow}
cd -- "$ROOT"
[[ -r $CERT/summary.json && -d $CERT/bundle ]] || { echo "lab-workflow: no certification run in $CERT" >&2; exit 2; }
rm -rf -- "$OUT"
mkdir -p -- "$OUT"

# The scenarios: one that passes on SoftRoCE, and one made unsupported for these runs: with
# exhaust-resources=unavailable the reference testbed offers no resource exhaustion (it injects it
# by default, reference-impl/README.md). The waiver names the unsupported one's clause.
PASSING=CSE-SUCCESS
WAIVED=CSE-INSUFFICIENT-RESOURCES
TAGS="@clause:$PASSING or @clause:$WAIVED"

# 1. verify, intact and with one byte changed.
zip=$(find "$CERT/bundle" -maxdepth 1 -name '*.zip' | head -n 1)
[[ -n $zip ]] || { echo "lab-workflow: no bundle zip in $CERT/bundle" >&2; exit 1; }
cp -r -- "$CERT/bundle" "$OUT/bundle-tampered"
tampered="$OUT/bundle-tampered/$(basename -- "$zip")"
python3 - "$tampered" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0x01
open(p, "wb").write(bytes(b))
PY
cli/ndk-cli verify "$CERT/bundle" >"$OUT/verify-intact.txt" 2>&1 && intact=0 || intact=$?
cli/ndk-cli verify "$OUT/bundle-tampered" >"$OUT/verify-tampered.txt" 2>&1 && tamper=0 || tamper=$?
echo "lab-workflow: verify intact exit $intact, one byte changed exit $tamper"

# 2. regression against a doctored baseline, with a live waiver.
python3 - "$CERT/summary.json" "$OUT/baseline-doctored.json" "$PASSING" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
n = 0
for sc in s["scenarios"]:
    if sys.argv[3] in sc.get("clauses", []) and sc["verdict"] == "passed":
        sc["verdict"], sc["reason"] = "failed", "doctored by lab-workflow.sh"
        n += 1
json.dump(s, open(sys.argv[2], "w"), indent=1)
sys.exit(0 if n else 1)
PY
cat >"$OUT/waivers-live.yaml" <<EOF
waivers:
  - id: LAB-WORKFLOW-1
    clause: $WAIVED
    provider: reference
    versions: "*"
    reason: "exercise: a waiver on the reference provider"
    issue: https://example.invalid/ndk-kit/lab-workflow
    expires: 2999-12-31
EOF
sed -e 's/expires: 2999-12-31/expires: 2020-01-31/' "$OUT/waivers-live.yaml" >"$OUT/waivers-expired.yaml"
set +e
cli/ndk-cli run --provider reference --profile regression --baseline "$OUT/baseline-doctored.json" \
  --waivers "$OUT/waivers-live.yaml" --tags "$TAGS" -s exhaust-resources=unavailable --no-report --no-probes \
  --progress log --out "$OUT/regression"
reg=$?
# 3. the waiver expired.
cli/ndk-cli run --provider reference --waivers "$OUT/waivers-expired.yaml" --tags "@clause:$WAIVED" \
  -s exhaust-resources=unavailable --no-report --no-probes --progress log --out "$OUT/expired"
exp=$?
set -e
python3 - "$OUT" "$PASSING" "$WAIVED" "$intact" "$tamper" "$reg" "$exp" <<'PY'
import json, os, sys
out, passing, waived = sys.argv[1:4]
intact, tamper, reg, exp = map(int, sys.argv[4:8])
problems = []
if intact != 0: problems.append(f"verify of the intact bundle: exit {intact}, expected 0")
if tamper != 1: problems.append(f"verify of the bundle with one byte changed: exit {tamper}, expected 1")
def load(name):
    p = os.path.join(out, name, "summary.json")
    return json.load(open(p)) if os.path.exists(p) else None
def verdicts(s, clause):
    return [x["verdict"] for x in s["scenarios"] if clause in x.get("clauses", [])]
r = load("regression")
if r is None:
    problems.append("the regression run wrote no summary.json")
else:
    g = r.get("regression") or {}
    new_passes = [c.get("name") for c in g.get("newPasses", [])]
    if reg != 0: problems.append(f"regression run: exit {reg}, expected 0 (no new failure)")
    if not g.get("newPasses"): problems.append("regression: the doctored scenario is not reported as a new pass")
    if g.get("newFailures"): problems.append(f"regression: unexpected new failures {g.get('newFailures')}")
    if verdicts(r, waived) != ["waived"]: problems.append(f"live waiver: {waived} is {verdicts(r, waived)}, expected ['waived']")
    vp = verdicts(r, passing)
    if not vp or set(vp) != {"passed"}: problems.append(f"{passing} is {vp}, expected every one passed")
    print("lab-workflow: regression", g.get("status"), "new passes", new_passes, "; with the live waiver", waived, verdicts(r, waived))
e = load("expired")
if e is None:
    problems.append("the expired-waiver run wrote no summary.json")
else:
    v = verdicts(e, waived)
    expired = (e.get("waivers") or {}).get("expired") or []
    if v != ["unsupported"]: problems.append(f"expired waiver: {waived} is {v}, expected ['unsupported'] (its own verdict)")
    if len(expired) != 1: problems.append(f"expired waiver: {len(expired)} listed as expired, expected 1")
    print("lab-workflow: with the waiver expired", waived, v, "exit", exp)
for p in problems:
    print("lab-workflow: NOT as expected:", p)
print("lab-workflow:", "as expected" if not problems else "NOT as expected")
sys.exit(1 if problems else 0)
PY
