#!/usr/bin/env bash
# providers/native/native-check.sh [OUTDIR] [--release]
#
# The C ABI end to end, no lab: builds providers/native with CMake (one AddressSanitizer +
# UndefinedBehaviorSanitizer build, in providers/native/target/asan; --release also builds the
# Release agent in providers/native/target/release and runs the kit's checks on it instead), runs the
# agent's own tests with CTest, builds and tests rdmacm-provider/ the same way (its own CMake), then:
#   1. serves the skeleton provider (libndk-skeleton-provider.so) with ndk-agent-native on loopback
#      and runs the kit against it through the remote provider (cli/ndk-cli run --provider remote):
#      every scenario must be unsupported with reason not-implemented and the skeleton's message
#      (skeleton_open_testbed), exit 1 (not certified), exactly as the Java archetype's skeleton;
#      then SIGTERM must stop the agent with exit 0;
#   2. serves the agent's test provider with every completion made inside its call and runs the four
#      SE-LOCAL-ADDRESS-BUFFER scenarios (IPv4) through it: all must pass;
#   3. serves the agent's test provider told to crash (SIGSEGV) in connect_with_shared_endpoint and
#      runs the kit's @clause:CSE-SUCCESS scenarios through it. The agent logs "failed (crashed):
#      signal 11 (SIGSEGV) in call N (connect_with_shared_endpoint) of session S" and a new worker
#      serves the same port; the kit, whose connection broke, asks it how session S ended (ndk.wire.v1.3
#      SessionEnd) and reports the scenario failed, reason code crashed, "the provider crashed: signal
#      11 (SIGSEGV) in call N (connect_with_shared_endpoint) of session S, as the agent at ... reports";
#      its suite process ends and the CLI resumes the scenarios without a verdict in a fresh one, whose
#      session the new worker serves (its identity facts: agent.worker-restarts, agent.last-crash); a
#      crash during the probes after the scenarios is an error finding with the same words.
#      Exit 1 (not certified), never an environment error. Run twice: with --max-restarts 3 (every
#      scenario gets a verdict) and 0 (the ones after the crash are not reached); SIGTERM then stops
#      the agent with exit 0.
# Prints the timings; exits 0 when all of that holds, 1 naming each deviation (2: it could not build).
# Reports and logs go to OUTDIR (default providers/native/target/native-check).
set -euo pipefail
NATIVE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$NATIVE/../.." && pwd)
OUT=
release=0
for a in "$@"; do
  case $a in
    --release) release=1 ;;
    -*) echo "usage: providers/native/native-check.sh [OUTDIR] [--release]" >&2; exit 2 ;;
    *) OUT=$a ;;
  esac
done
OUT=${OUT:-$NATIVE/target/native-check}
rm -rf -- "$OUT"
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"

t_all=$(date +%s.%N)
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }
deviations=()
deviate() { echo "native-check: NOT as expected: $*" >&2; deviations+=("$*"); }

AGENT_PID=
cleanup() {
  if [[ -n $AGENT_PID ]] && kill -0 "$AGENT_PID" 2>/dev/null; then kill -KILL "$AGENT_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

# ----------------------------------------------------------------------------- build and CTest
build() {  # build DIR LOG CMAKE-ARGS...
  local dir=$1 log=$2
  shift 2
  { cmake -S "$NATIVE" -B "$dir" "$@" && cmake --build "$dir" -j 2; } >"$log" 2>&1 || {
    grep -E 'error|Error' "$log" | head -20 >&2
    echo "native-check: the build in $dir failed (log: $log)" >&2
    exit 2
  }
}
ASAN=$NATIVE/target/asan
t=$(date +%s.%N)
build "$ASAN" "$OUT/build-asan.log" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNDK_ASAN=ON
build_asan_s=$(since "$t")
echo "native-check: built (AddressSanitizer, UBSan) in $build_asan_s s: $ASAN"
SERVE=$ASAN
if [[ $release == 1 ]]; then
  t=$(date +%s.%N)
  build "$NATIVE/target/release" "$OUT/build-release.log" -DCMAKE_BUILD_TYPE=Release -DNDK_TESTS=OFF
  echo "native-check: built (Release) in $(since "$t") s: $NATIVE/target/release"
  SERVE=$NATIVE/target/release
fi

t=$(date +%s.%N)
if ctest --test-dir "$ASAN" --output-on-failure -j 2 >"$OUT/ctest.log" 2>&1; then
  ctest_line=$(grep -E 'tests passed' "$OUT/ctest.log" || true)
else
  grep -E 'FAILED|Failed' "$OUT/ctest.log" | head -20 >&2
  deviate "the agent's own tests failed under AddressSanitizer (log: $OUT/ctest.log)"
  ctest_line=$(grep -E 'tests passed|tests failed' "$OUT/ctest.log" || true)
fi
ctest_s=$(since "$t")
echo "native-check: ctest in $ctest_s s: $ctest_line"

# The independent C provider (rdmacm-provider/): its own CMake project, built and tested under
# AddressSanitizer and UBSan here (its pure modules, its entry and bad handles, its whole state
# machine over a fake rdma_cm); its run on real rdma_cm is the two-host lab's (lab-native-suite.sh).
t=$(date +%s.%N)
RDMACM_ASAN=$NATIVE/target/rdmacm-asan
if { cmake -S "$NATIVE/rdmacm-provider" -B "$RDMACM_ASAN" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNDK_SANITIZE=ON &&
     cmake --build "$RDMACM_ASAN" -j 2; } >"$OUT/build-rdmacm-asan.log" 2>&1; then
  if ctest --test-dir "$RDMACM_ASAN" --output-on-failure >"$OUT/ctest-rdmacm.log" 2>&1; then
    rdmacm_line=$(grep -E 'tests passed' "$OUT/ctest-rdmacm.log" || true)
  else
    grep -E 'FAILED|Failed|ERROR' "$OUT/ctest-rdmacm.log" | head -20 >&2
    deviate "rdmacm-provider's tests failed under AddressSanitizer (log: $OUT/ctest-rdmacm.log)"
    rdmacm_line=$(grep -E 'tests passed|tests failed' "$OUT/ctest-rdmacm.log" || true)
  fi
else
  grep -E 'error|Error' "$OUT/build-rdmacm-asan.log" | head -20 >&2
  echo "native-check: the rdmacm-provider build failed (log: $OUT/build-rdmacm-asan.log)" >&2
  exit 2
fi
echo "native-check: rdmacm-provider built and tested (AddressSanitizer, UBSan) in $(since "$t") s: $rdmacm_line"

AGENT=$SERVE/agent/ndk-agent-native
SKELETON=$SERVE/skeleton-provider/libndk-skeleton-provider.so
TEST_PROVIDER=$SERVE/tests/libndk-abi-test-provider.so

# ----------------------------------------------------------------------------- the agent process
port=
start_agent() {  # start_agent NAME LIB [AGENT-ARGS...]: sets AGENT_PID and port
  local name=$1 lib=$2
  shift 2
  "$AGENT" --provider-lib "$lib" --listen 127.0.0.1:0 "$@" >"$OUT/$name-agent.out" 2>"$OUT/$name-agent.log" &
  AGENT_PID=$!
  port=
  for _ in $(seq 1 300); do
    port=$(sed -n 's/^ndk-agent listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$OUT/$name-agent.out")
    [[ -n $port ]] && return 0
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$OUT/$name-agent.log" >&2
  deviate "ndk-agent-native ($name) did not start"
  return 1
}

stop_agent() {  # stop_agent NAME: SIGTERM, then it must exit 0 within 15 s
  local name=$1 arc
  kill -TERM "$AGENT_PID"
  for _ in $(seq 1 150); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$AGENT_PID" 2>/dev/null; then
    deviate "the agent ($name) did not stop within 15 s of SIGTERM"
    kill -KILL "$AGENT_PID"
  fi
  wait "$AGENT_PID" && arc=0 || arc=$?
  AGENT_PID=
  if [[ $arc -ne 0 ]]; then deviate "the agent ($name) exited $arc on SIGTERM (log: $OUT/$name-agent.log)"; fi
  echo "native-check: the agent ($name) stopped on SIGTERM (exit $arc)"
}

kit() {  # kit OUTNAME ARGS...: the kit's CLI through the remote provider; sets kit_rc and kit_s
  local name=$1
  shift
  local t0
  t0=$(date +%s.%N)
  kit_rc=0
  CI=true NDK_CLI_JAVA_OPTS= cli/ndk-cli run --provider remote -s local="127.0.0.1:$port" --out "$OUT/$name" \
    --no-report --run-timeout 300 "$@" >"$OUT/$name.log" 2>&1 || kit_rc=$?
  kit_s=$(since "$t0")
  if [[ ! -f $OUT/$name/summary.json ]]; then
    tail -20 "$OUT/$name.log" >&2
    deviate "the kit's run $name (exit $kit_rc) wrote no summary.json"
    return 1
  fi
}

# ----------------------------------------------------------------------------- 1. the skeleton
if start_agent skeleton "$SKELETON"; then
  echo "native-check: ndk-agent-native serves libndk-skeleton-provider.so on 127.0.0.1:$port"
  if kit skeleton; then
    python3 - "$OUT/skeleton/summary.json" "$kit_rc" "$kit_s" <<'PY' || deviate "the kit's verdicts on the skeleton (see above; $OUT/skeleton.log)"
import json, sys
path, rc, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(path))
c = s["counts"]
problems = []
for k in ("passed", "failed", "timeout", "not-reached", "waived", "environment-error"):
    if c.get(k):
        problems.append(f"{c[k]} scenario(s) {k}: a skeleton that implements nothing must have none")
if c["total"] != s["kit"]["spec"]["scenarios"]:
    problems.append(f"{c['total']} scenarios judged of the spec's {s['kit']['spec']['scenarios']}")
vague = [sc["id"] for sc in s["scenarios"] if sc["verdict"] != "unsupported" or sc.get("reasonCode") != "not-implemented"
         or "skeleton_open_testbed" not in (sc.get("reason") or "")]
if vague:
    first = next(x for x in s["scenarios"] if x["id"] == vague[0])
    problems.append(f"{len(vague)} scenario(s) not unsupported (not-implemented, skeleton_open_testbed), e.g. "
                    f"{vague[0]}: {first['verdict']} {first.get('reasonCode')} {first.get('reason')}")
if rc != 1 or s["verdict"]["exitCode"] != 1 or s["verdict"]["status"] != "not-certified":
    problems.append(f"exit {rc}, summary {s['verdict']['status']} ({s['verdict']['exitCode']}); expected not-certified, exit 1")
print(f"native-check: the kit on the skeleton in {secs} s: exit {rc}, {s['verdict']['status']}; scenarios {c['total']}: "
      f"unsupported {c['unsupported']}, passed {c['passed']}, failed {c['failed']}, environment-error "
      f"{c['environment-error']}, timeout {c['timeout']}, not-reached {c['not-reached']}")
print(f"native-check: reason: {s['scenarios'][0].get('reason')}")
for p in problems:
    print("native-check: NOT as expected: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  fi
  if grep -q 'failed (crashed)' "$OUT/skeleton-agent.log"; then deviate "the skeleton's agent logged a crash"; fi
  stop_agent skeleton
fi

# ----------------------------------------------------------------------------- 2. scenarios through the C ABI
# The test provider implements NDK's buffer protocol for a shared endpoint's local address: the four
# SE-LOCAL-ADDRESS-BUFFER scenarios (IPv4) must pass through the agent, with every completion made
# inside its call (the callback machinery's hardest path: held callbacks, in_call, the kit's handler
# running inside the provider's callback).
if start_agent in-call "$TEST_PROVIDER" -s completion=in-call; then
  if kit in-call --tags "@clause:SE-LOCAL-ADDRESS-BUFFER and not @ipv6"; then
    python3 - "$OUT/in-call/summary.json" "$kit_s" <<'PY' || deviate "SE-LOCAL-ADDRESS-BUFFER through the agent ($OUT/in-call.log)"
import json, sys
s = json.load(open(sys.argv[1]))
v = [(sc["id"], sc["verdict"], sc.get("reason")) for sc in s["scenarios"]]
print(f"native-check: SE-LOCAL-ADDRESS-BUFFER through the agent, completions in the call, in {sys.argv[2]} s: "
      + ", ".join(f"{i} {x}" for i, x, _ in v))
bad = [x for x in v if x[1] != "passed"]
if len(v) < 4 or bad:
    print(f"native-check: NOT as expected: {bad or v}", file=sys.stderr)
    sys.exit(1)
PY
  fi
  stop_agent in-call
fi

# ----------------------------------------------------------------------------- 3. a provider that crashes
check_crash_run() {  # check_crash_run NAME MAX-RESTARTS LOG-LINES-BEFORE
  python3 - "$OUT/$1" "$kit_rc" "$kit_s" "$port" "$2" "$OUT/crash-agent.log" "$3" <<'PY'
import json, os, re, sys
out, rc, secs, port, restarts, agent_log, before = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
s = json.load(open(os.path.join(out, "summary.json")))
problems = []
agent = f"the agent at 127.0.0.1:{port}"
# the supervisor's lines for this run's crashes, and what the new worker answered the kit (SessionEnd)
lines = [l for l in open(agent_log, errors="replace").read().splitlines() if "failed (crashed): " in l][before:]
said = [re.search(r"failed \(crashed\): (signal 11 \(SIGSEGV\) in call \d+ \(connect_with_shared_endpoint\) of session \d+);", l)
        for l in lines]
if not lines or not all(said):
    problems.append(f"the agent did not log this run's crash(es) as 'failed (crashed): signal 11 (SIGSEGV) in call N "
                    f"(connect_with_shared_endpoint) of session S': {lines}")
words = [m.group(1) for m in said if m]
asked = open(agent_log, errors="replace").read().count("SESSION_STATE_CRASHED")
if asked < before + len(words):
    problems.append(f"the new workers answered SessionEnd CRASHED {asked} time(s) for {before + len(words)} crash(es)")
sc = [(x["id"], x["verdict"], x.get("reasonCode"), x.get("reason") or "") for x in s["scenarios"]]
crashed = [x for x in sc if x[1] == "failed" and x[2] == "crashed"]
# a crash during the declared-versus-observed probes (after the scenarios) is an error finding instead
probe = [f for f in (s.get("findings") or {}).get("items", []) if f.get("observed") == "the provider crashed"]
told = [x[3] for x in crashed] + [f.get("detail", "") for f in probe]
if not crashed or len(told) != len(words) or not all(
        any(t.endswith(f"{w}, as {agent} reports") for t in told) for w in words):
    problems.append(f"crashed scenarios {crashed}, probe findings {probe}: expected each of this run's crashes "
                    f"reported with the agent's words {words}, as {agent} reports")
if any(not x[3].startswith("the provider crashed: ") for x in crashed):
    problems.append(f"a crashed scenario's reason does not say the provider crashed: {crashed}")
if any(x[1] == "environment-error" for x in sc):
    problems.append(f"environment-error verdicts: {[x for x in sc if x[1] == 'environment-error']}")
resumed = os.path.exists(os.path.join(out, "raw", "progress-2.ndjson"))
if restarts > 0 and ((len(sc) > len(crashed) and not resumed) or any(x[1] == "not-reached" for x in sc)):
    problems.append(f"the run did not resume after the crash with the rest: {sc}")
if restarts == 0 and [x[1] for x in sc if x not in crashed] != ["not-reached"] * (len(sc) - len(crashed)):
    problems.append(f"--max-restarts 0: expected the scenarios after the crash not reached: {sc}")
if rc != 1 or s["verdict"]["exitCode"] != 1 or s["verdict"]["status"] != "not-certified":
    problems.append(f"exit {rc}, summary {s['verdict']['status']} ({s['verdict']['exitCode']}); expected not-certified, exit 1")
# the identity facts are the last suite process's session: after this run's crash when it resumed
ident = s["provider"].get("identity") or {}
n = int(ident.get("agent.worker-restarts", "0"))
if (n < before + 1 if restarts > 0 else n != before) or (n and "connect_with_shared_endpoint" not in ident.get("agent.last-crash", "")):
    problems.append(f"the identity facts of the run's last session (agent.worker-restarts={n}, expected "
                    f"{'at least ' + str(before + 1) if restarts > 0 else before}): {ident}")
print(f"native-check: crash run {os.path.basename(out)} (--max-restarts {restarts}) in {secs} s: exit {rc}, "
      f"{s['verdict']['status']}; " + "; ".join(f"{i} {v}{'/' + c if c else ''}: {r}" for i, v, c, r in sc))
for f in probe:
    print(f"native-check: {os.path.basename(out)}: finding {f['id']} {f['severity']}: {f['detail']}")
print(f"native-check: {os.path.basename(out)}: the last session's identity: agent.worker-restarts="
      f"{ident.get('agent.worker-restarts')}, agent.last-crash={ident.get('agent.last-crash')}")
for p in problems:
    print("native-check: NOT as expected: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

if start_agent crash "$TEST_PROVIDER" -s crash-in=connect_with_shared_endpoint; then
  echo "native-check: ndk-agent-native serves libndk-abi-test-provider.so (crash-in=connect_with_shared_endpoint) on 127.0.0.1:$port"
  for restarts in 3 0; do
    name=crash-restarts-$restarts
    before=$(grep -c 'failed (crashed)' "$OUT/crash-agent.log" || true)
    if kit "$name" --tags @clause:CSE-SUCCESS --max-restarts "$restarts"; then
      check_crash_run "$name" "$restarts" "$before" || deviate "the kit's verdicts in $name ($OUT/$name.log)"
    fi
    line=$(grep 'failed (crashed)' "$OUT/crash-agent.log" | sed -n "$((before + 1))p")
    [[ -n $line ]] && echo "native-check: agent log: ${line#* ndk-agent-native: }"
  done
  stop_agent crash
fi

echo "native-check: timings: build $build_asan_s s, ctest $ctest_s s, all $(since "$t_all") s"
if ((${#deviations[@]} > 0)); then
  echo "native-check: ${#deviations[@]} deviation(s):" >&2
  printf '  - %s\n' "${deviations[@]}" >&2
  exit 1
fi
echo "native-check: as expected"
