#!/usr/bin/env bash
# providers/agent/lab-two-host-suite.sh OUTDIR
#
# The two-host certification, as `./ndk run` makes it (the report, JUnit XML and bundle in
# OUTDIR/cert, the lab's consoles, timings and agent logs in OUTDIR/cert.lab): lab/run --hosts 2
# boots the test machine and the support machine, an ndk-agent serves the reference provider in
# each (lab-agents.sh), and the CLI runs on the host through the `remote` provider, its LOCAL host
# on the test machine and its PEER on the support machine, so every connection crosses the virtual
# Ethernet link, and the network-fault scenarios disturb that link from the host.
# Exit status: 0 when the run ended with a verdict (certified or not) and no scenario failed, timed
# out or was not reached, and the report and bundle exist; the run's own status otherwise.
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:?usage: lab-two-host-suite.sh OUTDIR}
mkdir -p -- "$OUT" && OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
rm -rf -- "$OUT/cert" "$OUT/cert.lab"
rc=0
./ndk run --out "$OUT/cert" --progress log >"$OUT/run.log" 2>&1 || rc=$?
tail -n 4 "$OUT/run.log"
((rc <= 1)) || { echo "lab-two-host-suite: the two-host run ended with exit $rc; see $OUT/run.log" >&2; exit "$rc"; }
[[ -r $OUT/cert/summary.json ]] || { echo "lab-two-host-suite: no summary; see $OUT/run.log" >&2; exit 1; }
python3 - "$OUT/cert" "$OUT/cert.lab/lab-timings.properties" <<'PY'
import json, os, sys
out = sys.argv[1]
s = json.load(open(os.path.join(out, "summary.json")))
c = s["counts"]
t = " ".join(l.strip() for l in open(sys.argv[2]) if "=" in l) if os.path.exists(sys.argv[2]) else "(no timings)"
print("two-host lab:", c, "| timings:", t)
bad = [k for k in ("failed", "timeout", "not-reached", "environment-error") if c.get(k)]
for f in ("allure-report/index.html", "junit", "bundle"):
    if not os.path.exists(os.path.join(out, f)):
        bad.append(f + " missing")
for sc in s["scenarios"]:
    if sc["verdict"] != "passed":
        print("  ", sc["verdict"], sc["id"], (sc.get("reason") or "")[:300])
if bad:
    print("two-host lab: not clean:", bad)
sys.exit(1 if bad else 0)
PY
