#!/usr/bin/env bash
# providers/agent/lab-two-host-suite.sh OUTDIR [PROVIDER]
#
# The whole spec across the two-host lab: lab/run --hosts 2 boots the test machine and the support
# machine, an ndk-agent serves PROVIDER (default reference) in each (lab-agents.sh), and the kit runs
# on the host through the `remote` provider, its LOCAL host on the test machine and its PEER on the
# support machine, so every connection crosses the virtual Ethernet link. The kit's summary.json
# goes to OUTDIR/kit/, the lab's consoles, timings and agent logs to OUTDIR.
# Exit status: 0 when no scenario failed, timed out or was not reached; the lab's otherwise.
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:?usage: lab-two-host-suite.sh OUTDIR [PROVIDER]}
PROVIDER=${2:-reference}
mkdir -p -- "$OUT" && OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
rm -rf -- "$OUT/kit"
rc=0
lab/run --hosts 2 --out "$OUT" --timeout 1200 -q -- providers/agent/lab-agents.sh "$PROVIDER" -- \
  java -Dndk.provider=remote -Dndk.out="$OUT/kit" -Dndk.timeout.ms=20000 -Dndk.connect-timeout.ms=3000 \
  -Dndk.settle.ms=100 -cp "steps/target/classes:$(cat steps/target/runtime-classpath.txt)" \
  org.ndkkit.kit.ConformanceMain >"$OUT/suite.log" 2>&1 || rc=$?
tail -n 3 "$OUT/suite.log"
[[ -r $OUT/kit/summary.json ]] || { echo "lab-two-host-suite: no summary (exit $rc); see $OUT/suite.log" >&2; exit $((rc ? rc : 1)); }
python3 - "$OUT/kit/summary.json" "$OUT/lab-timings.properties" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = s["counts"]
print("two-host lab:", c, "| timings:", " ".join(l.strip() for l in open(sys.argv[2]) if "=" in l))
for sc in s["scenarios"]:
    if sc["verdict"] != "passed":
        print("  ", sc["verdict"], sc["id"], (sc.get("reason") or "")[:300])
sys.exit(1 if any(c[k] for k in ("failed", "timeout", "not-reached", "environment-error")) else 0)
PY
