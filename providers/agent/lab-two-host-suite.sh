#!/usr/bin/env bash
# providers/agent/lab-two-host-suite.sh OUTDIR [NDK-RUN-ARGS...]
#
# The two-host certification, as `./ndk run` makes it (the report, JUnit XML and bundle in
# OUTDIR/cert, the lab's consoles, timings and agent logs in OUTDIR/cert.lab): lab/run --hosts 2
# boots the test machine and the support machine, an agent serves the provider in each
# (lab-agents.sh; by default the reference provider, else as NDK-RUN-ARGS say: --provider rdmacm-c,
# --support-provider reference, ...), and the CLI runs on the host through the `remote` provider,
# its LOCAL host on the test machine and its PEER on the support machine, so every connection
# crosses the virtual Ethernet link, and the network-fault scenarios disturb that link from the host.
# Exit status: 0 when the provider came out certified (exit 0, every scenario passed, no waiver),
# or, when NDK-RUN-ARGS narrow the run with --tags or --scenarios, incomplete (exit 4) with every selected scenario
# passed; with its report and bundle, and its bundle verifies; 1 otherwise (the run's own code for
# an environment or usage error).
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:?usage: lab-two-host-suite.sh OUTDIR [NDK-RUN-ARGS...]}
shift
narrowed=0
for a in "$@"; do case $a in --tags|--tags=*|--scenarios|--scenarios=*) narrowed=1 ;; esac; done
mkdir -p -- "$OUT" && OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
rm -rf -- "$OUT/cert" "$OUT/cert.lab"
rc=0
./ndk run --out "$OUT/cert" --progress log "$@" >"$OUT/run.log" 2>&1 || rc=$?
tail -n 4 "$OUT/run.log"
((rc <= 1 || (narrowed && rc == 4))) || { echo "lab-two-host-suite: the two-host run ended with exit $rc; see $OUT/run.log" >&2; exit "$rc"; }
# (a run with a verdict goes on to the listing below, which names what kept it from certified)
[[ -r $OUT/cert/summary.json ]] || { echo "lab-two-host-suite: no summary; see $OUT/run.log" >&2; exit 1; }
python3 - "$OUT/cert" "$OUT/cert.lab/lab-timings.properties" "$narrowed" <<'PY'
import json, os, sys
out = sys.argv[1]
expected, code = ("incomplete", 4) if sys.argv[3] == "1" else ("certified", 0)
s = json.load(open(os.path.join(out, "summary.json")))
c = s["counts"]
t = " ".join(l.strip() for l in open(sys.argv[2]) if "=" in l) if os.path.exists(sys.argv[2]) else "(no timings)"
print("two-host lab:", c, "| timings:", t)
bad = [k for k in ("failed", "timeout", "not-reached", "environment-error", "unsupported", "waived") if c.get(k)]
v = s["verdict"]
if v["status"] != expected or v["exitCode"] != code:
    bad.append(f"status {v['status']} (exit {v['exitCode']}), expected {expected} (exit {code})")
ident = s["provider"].get("identity") or {}
who = " / ".join(ident.get(k, "?") for k in ("local.agent.provider-file", "peer.agent.provider-file"))
print(f"two-host lab: {s['provider'].get('name')} ({who}, test / support machine) is", v["status"], "(exit %d)" % v["exitCode"])
for sc in s["scenarios"]:
    for cond in sc.get("conditions") or []:
        print("   lab condition", sc["id"], cond["condition"], cond.get("host") or cond.get("address") or "", cond["method"])
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
prc=$?
((prc == 0)) || exit 1
# The certificate stands on its own: verify re-judges it from the bundle.
cli/ndk-cli verify "$OUT/cert/bundle" >"$OUT/verify.txt" 2>&1 \
  || { cat "$OUT/verify.txt" >&2; echo "lab-two-host-suite: verify rejected the bundle" >&2; exit 1; }
grep -E "judgement|identity-facts|bundle OK" "$OUT/verify.txt"
