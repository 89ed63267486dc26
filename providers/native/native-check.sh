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
#      runs the kit's @clause:CSE-SUCCESS scenarios through it twice. What the kit reports for an
#      agent that died in a scenario: that scenario and every later one environment-error, naming the
#      agent ("the callback stream of the agent at ... broke"), exit 2, as for a Java agent that is
#      killed. The agent logs "failed (crashed): signal 11 (SIGSEGV) in call N
#      (connect_with_shared_endpoint) of session S" and a new worker serves the same port: the second
#      run's preflight opens a new session, and its report's identity facts carry the crash
#      (agent.worker-restarts=1, agent.last-crash); SIGTERM then stops the agent with exit 0.
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
check_crash_run() {  # check_crash_run NAME RUN-NUMBER
  python3 - "$OUT/$1/summary.json" "$kit_rc" "$kit_s" "$port" "$2" <<'PY'
import json, sys
path, rc, secs, port, run = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
s = json.load(open(path))
c = s["counts"]
problems = []
target = f"the agent at 127.0.0.1:{port}"
verdicts = [(sc["id"], sc["verdict"], sc.get("reason") or "") for sc in s["scenarios"]]
if not verdicts or any(v != "environment-error" or target not in r for _, v, r in verdicts):
    problems.append(f"verdicts {verdicts}: expected every scenario environment-error naming {target}")
if rc != 2 or s["verdict"]["exitCode"] != 2:
    problems.append(f"exit {rc} (summary {s['verdict']['exitCode']}); expected 2 (environment-error)")
ident = s["provider"].get("identity") or {}
if run == 2:
    if ident.get("agent.worker-restarts") != "1" or "connect_with_shared_endpoint" not in ident.get("agent.last-crash", ""):
        problems.append(f"the second run's identity facts do not carry the crash: {ident}")
elif "agent.last-crash" in ident:
    problems.append(f"the first run's identity facts name a crash before any: {ident['agent.last-crash']}")
print(f"native-check: crash run {run} in {secs} s: exit {rc}, {s['verdict']['status']}; "
      + "; ".join(f"{i} {v}: {r}" for i, v, r in verdicts))
if run == 2:
    print(f"native-check: crash run 2's identity: agent.worker-restarts={ident.get('agent.worker-restarts')}, "
          f"agent.last-crash={ident.get('agent.last-crash')}")
for p in problems:
    print("native-check: NOT as expected: " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

if start_agent crash "$TEST_PROVIDER" -s crash-in=connect_with_shared_endpoint; then
  echo "native-check: ndk-agent-native serves libndk-abi-test-provider.so (crash-in=connect_with_shared_endpoint) on 127.0.0.1:$port"
  for run in 1 2; do
    before=$(grep -c 'failed (crashed)' "$OUT/crash-agent.log" || true)
    if kit "crash-$run" --tags @clause:CSE-SUCCESS; then
      check_crash_run "crash-$run" "$run" || deviate "the kit's verdicts in crash run $run ($OUT/crash-$run.log)"
    fi
    line=
    for _ in $(seq 1 50); do
      line=$(grep 'failed (crashed)' "$OUT/crash-agent.log" | sed -n "$((before + 1))p")
      [[ -n $line ]] && break
      sleep 0.1
    done
    if [[ $line == *"failed (crashed): signal 11 (SIGSEGV) in call "*" (connect_with_shared_endpoint) of session "* ]]; then
      echo "native-check: agent log: ${line#* ndk-agent-native: }"
    else
      deviate "the agent did not log the crash of run $run as 'failed (crashed): signal 11 (SIGSEGV) in call N (connect_with_shared_endpoint) of session S' (log: $OUT/crash-agent.log)"
    fi
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
