#!/usr/bin/env bash
# providers/remote/wire-check.sh [OUTDIR]
#
# The whole spec on the simulated provider through the wire: an ndk-agent process on loopback
# serves `simulated`, the suite drives it with the `remote` provider, once per completion path
# (inline, pending, pending-in-call). Each path's verdicts must equal, scenario by scenario, the
# in-process run of the same build (steps/target/conformance/simulated-PATH/summary.json, written
# by `mvn verify`). Then one certification run through the CLI (`ndk-cli run --provider remote`)
# must name the served provider in its report, and the agent must stop cleanly on SIGTERM.
# Reports go to OUTDIR (default providers/remote/target/wire-check). Exit status 0 when all holds.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/providers/remote/target/wire-check}
rm -rf -- "$OUT"
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"

# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -q install -DskipTests -pl steps,providers/agent,cli -am -Dndk.cli.setup.skip=true
CP_FILE=$(mktemp)
AGENT_PID=
cleanup() {
  rm -f -- "$CP_FILE"
  if [[ -n $AGENT_PID ]] && kill -0 "$AGENT_PID" 2>/dev/null; then kill -KILL "$AGENT_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT
mvn -B -q -pl steps dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
CP="steps/target/classes:$(cat -- "$CP_FILE")"

providers/agent/ndk-agent --provider simulated --listen 127.0.0.1:0 >"$OUT/agent.out" 2>"$OUT/agent.log" &
AGENT_PID=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/^ndk-agent listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT/agent.out")
  [[ -n $port ]] && break
  kill -0 "$AGENT_PID" 2>/dev/null || { echo "wire-check: the agent exited at start:" >&2; cat "$OUT/agent.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { echo "wire-check: the agent did not start within 30 s" >&2; exit 1; }
echo "wire-check: ndk-agent (simulated) on 127.0.0.1:$port"

rc=0
for path in inline pending pending-in-call; do
  timeout 600 java -Dndk.provider=remote -Dndk.provider.local="127.0.0.1:$port" \
    -Dndk.provider.completion-path="$path" -Dndk.out="$OUT/$path" \
    -cp "$CP" org.ndkkit.kit.ConformanceMain >"$OUT/$path.log" 2>&1 || true
  providers/remote/wire-compare.py "$ROOT/steps/target/conformance/simulated-$path/summary.json" \
    "$OUT/$path/summary.json" "simulated, $path" || rc=1
done

# A certification run through the CLI: its report names what was really tested.
NDK_CLI_JAVA_OPTS= cli/ndk-cli run --provider remote -s local="127.0.0.1:$port" --out "$OUT/cli" --progress log \
  >"$OUT/cli.log" 2>&1 || echo "wire-check: ndk-cli run exited $? (see $OUT/cli.log)"
python3 - "$OUT/cli/summary.json" <<'PY' || rc=1
import json, sys
s = json.load(open(sys.argv[1]))
p = s["provider"]
desc = p.get("description") or ""
print(f"wire-check: ndk-cli run --provider remote: {s['counts']}; provider: {desc}")
sys.exit(0 if desc.startswith("remote \u2192 simulated") and s["counts"].get("failed", 0) == 0 else 1)
PY

kill -TERM "$AGENT_PID"
for _ in $(seq 1 100); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$AGENT_PID" 2>/dev/null; then
  echo "wire-check: the agent did not stop within 10 s of SIGTERM" >&2; rc=1
else
  wait "$AGENT_PID" && arc=0 || arc=$?
  # 143 = 128 + SIGTERM: the JVM's own exit status after its shutdown hooks ran.
  if [[ $arc -ne 0 && $arc -ne 143 ]]; then echo "wire-check: the agent exited $arc on SIGTERM" >&2; rc=1; fi
  echo "wire-check: the agent stopped on SIGTERM (exit $arc)"
fi
AGENT_PID=
exit "$rc"
