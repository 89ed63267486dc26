#!/usr/bin/env bash
# providers/remote/wire-in-guest.sh OUTDIR
#
# Runs INSIDE the SoftRoCE lab (it boots nothing): an ndk-agent in this guest serves the reference
# provider on loopback, and the whole spec runs against it through the `remote` provider, with the
# lab certification run's bounds (NDK_WIRE_TIMEOUT_MS 20000, NDK_WIRE_CONNECT_TIMEOUT_MS 3000,
# NDK_WIRE_SETTLE_MS 100). The kit's summary.json goes to OUTDIR/summary.json, the agent's log to
# OUTDIR/agent.log. `./ndk test` runs it after the certification suite in the same boot
# (ndk-cli run --lab-also) and then compares the two runs' verdicts (wire-compare.py).
# Needs the build: steps/target/runtime-classpath.txt and providers/agent/target/ndk-agent.jar.
# Exit status: the suite's (0 no scenario failed), or 1 when the agent did not start or stop.
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:?usage: wire-in-guest.sh OUTDIR}
mkdir -p -- "$OUT"
cd -- "$ROOT"
# The lab VM has no network but its RDMA netdev; the control channel is loopback.
ip link set lo up 2>/dev/null || true
JAVA=(java -XX:TieredStopAtLevel=1)

"${JAVA[@]}" -XX:ErrorFile="$OUT/hs_err_agent_%p.log" -jar providers/agent/target/ndk-agent.jar \
  --provider reference --listen 127.0.0.1:0 >"$OUT/agent.out" 2>"$OUT/agent.log" &
agent=$!
port=
for _ in $(seq 1 600); do
  port=$(sed -n 's/^ndk-agent listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT/agent.out")
  [[ -n $port ]] && break
  kill -0 "$agent" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "wire-in-guest: the agent did not start within 60 s" >&2
  kill -KILL "$agent" 2>/dev/null
  exit 1
fi
echo "wire-in-guest: ndk-agent (reference) on 127.0.0.1:$port"

"${JAVA[@]}" -XX:ErrorFile="$OUT/hs_err_kit_%p.log" \
  -Dndk.provider=remote -Dndk.provider.local="127.0.0.1:$port" -Dndk.out="$OUT" \
  -Dndk.timeout.ms="${NDK_WIRE_TIMEOUT_MS:-20000}" -Dndk.connect-timeout.ms="${NDK_WIRE_CONNECT_TIMEOUT_MS:-3000}" \
  -Dndk.settle.ms="${NDK_WIRE_SETTLE_MS:-100}" \
  -cp "steps/target/classes:$(cat steps/target/runtime-classpath.txt)" org.ndkkit.kit.ConformanceMain >"$OUT/suite.log" 2>&1
rc=$?
tail -1 "$OUT/suite.log"

kill -TERM "$agent"
for _ in $(seq 1 150); do kill -0 "$agent" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$agent" 2>/dev/null; then
  echo "wire-in-guest: the agent did not stop within 15 s of SIGTERM" >&2
  kill -KILL "$agent"
  rc=1
fi
exit "$rc"
