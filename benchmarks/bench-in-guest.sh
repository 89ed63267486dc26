#!/usr/bin/env bash
# benchmarks/bench-in-guest.sh OUTDIR [N...]
#
# Runs INSIDE the SoftRoCE lab (rxe up, the lab's addresses assigned; it boots nothing). For each
# N (default 1 10 100 1000) it measures connection set-up with rdma-core's cmtime (server on the
# first PEER address, client bound to the first LOCAL address, -c N) and with ConnectBench (the
# provider through the SPI: N connections over one shared endpoint), then runs BenchReport, which
# prints one line per N
#   connect-rate N=<n> reference=<r>/s cmtime=<c>/s ratio=<x>
# and the tables, and writes OUTDIR/report.{json,md,txt}.
#
# One JVM measures every N after its warm-up (500 connections); before each of its rounds it
# runs one cmtime round (this script with --cmtime-round), so that the two figures compared are
# taken seconds apart. If the JVM dies or the testbed becomes unusable, the N values without a result run again
# in a new JVM; an N that fails twice in a row is reported failed and the next N runs. cmtime
# rounds the JVM never reached run on their own at the end. Every wait is bounded.
#
# Needs the project built on the host: mvn install -DskipTests -pl benchmarks -am writes the class
# path to benchmarks/target/runtime-classpath.txt (lab-bench.sh builds; BENCH_CP overrides it). It
# also runs after the suite in the same boot: cli/ndk-cli run ... --lab-also
# "benchmarks/bench-in-guest.sh OUTDIR 1 10 100". Environment: BENCH_ROUNDS (rounds per N;
# default 5 for N<=1000, else 3), BENCH_WARMUP (connections of the JVM's warm-up,
# default 500, in rounds of 100), BENCH_PROVIDER (default reference), BENCH_JAVA_OPTS (more options
# for the measured JVMs), BENCH_COMPLETE_CONNECT (completer-thread, the default, or in-callback),
# BENCH_LOCAL_ENDPOINT (shared, the default: one shared endpoint for every connection; dedicated:
# NdkConnect from port 0, a port per connection as cmtime has),
# BENCH_PEER_ACCEPTOR (ADDRESS:PORT/COUNT: the two-host lab's test machine, where the peer's side
# runs on the support machine: cmtime's server already listening on the first PEER address, and a
# PeerAcceptor on those ports; benchmarks/lab-bench-two-host.sh starts both), and with it
# BENCH_CMTIME_TO_ACCEPTOR (ADDRESS:PORT: each round's cmtime client runs a second time, against
# the PeerAcceptor listening there: the passive side alone, in cmtime-acceptor-n<N>-r<k>.*),
# BENCH_PERF (a sampling rate in Hz, e.g. 997: perf records the whole guest while the JVMs run,
# on CLOCK_MONOTONIC, and benchmarks/perf/window-perf.py splits the setup windows' CPU, then the close phases', by thread
# and by where it went, into OUTDIR/perf-windows.txt; the host's perf, through the lab's root).
# Exit status: 0 when every N has a rate from both programs, 1 otherwise, 2 on a usage error.
#
# Internal: bench-in-guest.sh --cmtime-round OUTDIR N K   runs cmtime round K of N.
set -uo pipefail

SELF=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/$(basename -- "${BASH_SOURCE[0]}")
ROOT=$(cd -- "$(dirname -- "$SELF")/.." && pwd)
usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$SELF" >&2; exit 2; }

LOCAL=${NDK_LAB_LOCAL%%,*}
PEER=${NDK_LAB_PEER%%,*}
PORT=7471
log() { printf 'bench-in-guest: %s\n' "$*"; }

# Waits (at most 10 s) until a cm_id listens on PEER:PORT.
wait_listening() {
  local i
  for ((i = 0; i < 200; i++)); do
    rdma resource show cm_id 2>/dev/null | grep -q "state LISTEN .*src-addr $PEER:$PORT" && return 0
    sleep 0.05
  done
  return 1
}

# cmtime_run N FILEBASE [ADDRESS PORT]: one cmtime server + client run; the client's output in
# FILEBASE.txt, its exit status in FILEBASE.rc, both programs' CPU (GNU time: user sys elapsed) in
# FILEBASE.client-time and FILEBASE.server-time. With ADDRESS and PORT (across the link only) the
# client connects there instead of to cmtime's server.
cmtime_run() {
  local n=$1 base=$2 to=${3:-$PEER} port=${4:-$PORT} bound srv p c rc
  bound=$((60 + n / 10))
  rm -f -- "$base".*
  if [[ -n ${BENCH_PEER_ACCEPTOR:-} ]]; then
    # Across the link: the server runs on the support machine for the whole benchmark (its CPU is
    # not measured per round: no .server-time).
    timeout -s KILL "$bound" /usr/bin/time -f '%U %S %e' -o "$base.client-time" \
      cmtime -s "$to" -b "$LOCAL" -p "$port" -c "$n" >"$base.txt" 2>&1
    rc=$?
    ((rc == 137)) && echo "cmtime client killed after $bound s" >>"$base.txt"
    echo "$rc" >"$base.rc"
    return 0
  fi
  timeout -s KILL $((bound + 10)) /usr/bin/time -f '%U %S %e' -o "$base.server-time" \
    cmtime -b "$PEER" -p "$PORT" >"$base.server.txt" 2>&1 &
  srv=$!
  if ! wait_listening; then
    echo "cmtime server did not listen on $PEER:$PORT within 10 s" >"$base.txt"
    echo 125 >"$base.rc"
  else
    timeout -s KILL "$bound" /usr/bin/time -f '%U %S %e' -o "$base.client-time" \
      cmtime -s "$PEER" -b "$LOCAL" -p "$PORT" -c "$n" >"$base.txt" 2>&1
    rc=$?
    ((rc == 137)) && echo "cmtime client killed after $bound s" >>"$base.txt"
    echo "$rc" >"$base.rc"
  fi
  # The server loops forever: stop it, by pid (the cmtime under our timeout and time).
  for p in $(pgrep -P "$srv" 2>/dev/null); do
    for c in $p $(pgrep -P "$p" 2>/dev/null); do
      [[ $(cat "/proc/$c/comm" 2>/dev/null) == cmtime ]] && kill -TERM "$c" 2>/dev/null
    done
  done
  wait "$srv" 2>/dev/null
  return 0
}

if [[ ${1:-} == --cmtime-round ]]; then
  (($# == 4)) || usage
  cmtime_run "$3" "$2/cmtime-n$3-r$4"
  log "cmtime N=$3 round $4: exit $(cat "$2/cmtime-n$3-r$4.rc")"
  if [[ -n ${BENCH_CMTIME_TO_ACCEPTOR:-} && -n ${BENCH_PEER_ACCEPTOR:-} ]]; then
    # The passive side alone: the same cmtime client, now against the provider's PeerAcceptor.
    cmtime_run "$3" "$2/cmtime-acceptor-n$3-r$4" "${BENCH_CMTIME_TO_ACCEPTOR%:*}" "${BENCH_CMTIME_TO_ACCEPTOR##*:}"
    log "cmtime to the acceptor N=$3 round $4: exit $(cat "$2/cmtime-acceptor-n$3-r$4.rc")"
  fi
  exit 0
fi

(($# >= 1)) || usage
OUT=$1
shift
NS=("$@")
((${#NS[@]})) || NS=(1 10 100 1000)
for n in "${NS[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench-in-guest: N must be a positive integer: '$n'" >&2; exit 2; }
done
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"

CP=${BENCH_CP:-}
if [[ -z $CP ]]; then
  [[ -r benchmarks/target/runtime-classpath.txt ]] || {
    echo "bench-in-guest: no benchmarks/target/runtime-classpath.txt: build on the host first" \
      "(mvn install -DskipTests -pl benchmarks -am; benchmarks/lab-bench.sh does)" >&2
    exit 2
  }
  CP="$ROOT/benchmarks/target/classes:$(<benchmarks/target/runtime-classpath.txt)"
fi
PROVIDER=${BENCH_PROVIDER:-reference}
[[ -n $LOCAL && -n $PEER ]] || { echo "bench-in-guest: NDK_LAB_LOCAL / NDK_LAB_PEER are not set: not in the lab?" >&2; exit 2; }
for a in "$LOCAL" "$PEER"; do
  [[ $a == 198.18.* || $a == 198.19.* ]] || { echo "bench-in-guest: $a is outside 198.18.0.0/15" >&2; exit 2; }
done
command -v cmtime >/dev/null || { echo "bench-in-guest: cmtime not found (package rdmacm-utils)" >&2; exit 2; }
# C1 only, as the project's other lab programs: under QEMU's TCG, tiered compilation's code
# patching crashed the JVM now and then (reference-impl/README.md).
# TieredCompileTaskTimeout: C1 drops a queued compile whose method was not called in the last
# 50 ms, which between rounds is every method of the connection path; under emulation the queue is
# long enough that the path was then compiled in the first measured rounds (benchmarks/README.md,
# "JIT compilation in the windows"). A queued method now stays queued.
JAVA_OPTS=(-XX:TieredStopAtLevel=1 -XX:TieredCompileTaskTimeout=600000 "-XX:ErrorFile=$OUT/hs_err_%p.log")
# BENCH_JAVA_OPTS go to the measured JVMs only (ConnectBench), not to the report's.
BENCH_JVM_OPTS=("${JAVA_OPTS[@]}")
# shellcheck disable=SC2206
[[ -n ${BENCH_JAVA_OPTS:-} ]] && BENCH_JVM_OPTS+=($BENCH_JAVA_OPTS)
BENCH_ARGS=()
[[ -n ${BENCH_WARMUP:-} ]] && BENCH_ARGS+=(--warmup "$BENCH_WARMUP")
[[ -n ${BENCH_COMPLETE_CONNECT:-} ]] && BENCH_ARGS+=(--complete-connect "$BENCH_COMPLETE_CONNECT")
[[ -n ${BENCH_LOCAL_ENDPOINT:-} ]] && BENCH_ARGS+=(--local-endpoint "$BENCH_LOCAL_ENDPOINT")
[[ -n ${BENCH_PEER_ACCEPTOR:-} ]] && BENCH_ARGS+=(--peer-acceptor "$BENCH_PEER_ACCEPTOR")
rounds_for() { # ConnectBench.autoRounds, or BENCH_ROUNDS
  if [[ -n ${BENCH_ROUNDS:-} ]]; then echo "$BENCH_ROUNDS"; elif (($1 <= 1000)); then echo 5; else echo 3; fi
}
result() { echo "$OUT/$PROVIDER-n$1.json"; }

# Limits that large N meets first (the guest is ours and runs as root): each connection holds
# fds in both programs (cmtime v44: 2 completion channels per QP, and both sides run here), and
# cmtime's one listener queues up to max_backlog unread requests before ucma drops the rest (the
# client then retries after seconds). Raised for every N so all sizes measure the same system.
ulimit -Hn 1048576 2>/dev/null && ulimit -Sn 1048576 2>/dev/null
sysctl -qw net.rdma_ucm.max_backlog=65536 vm.max_map_count=262144 2>/dev/null
log "limits: open files $(ulimit -Sn), $(sysctl -n net.rdma_ucm.max_backlog 2>/dev/null || echo '?') ucma backlog;" \
  "rxe0: $(ibv_devinfo -v -d rxe0 2>/dev/null | grep -E '^\s*max_(qp|cq):' | tr -s ' \t' ' ' | paste -sd, -)"
max_n=0
for n in "${NS[@]}"; do ((n > max_n)) && max_n=$n; done
# The provider's connect, accept and disconnect timers must outlast the round (60, 30 and 10 s suit
# up to 1000 in one guest). Across the link at N=1000 the support machine's CM once never received
# 185 of 1000 DREQs (645 resends) and later sent its own DREQ for each; 10 s had run out first.
BENCH_ARGS+=(--connect-timeout-ms $((60000 + max_n * 30)))
BENCH_JVM_OPTS+=("-Dndk.provider.accept-timeout-ms=$((30000 + max_n * 30))"
  "-Dndk.provider.disconnect-timeout-ms=$((30000 + max_n * 30))")

T0=$SECONDS
log "provider $PROVIDER, N = ${NS[*]}, local $LOCAL, peer $PEER${BENCH_PEER_ACCEPTOR:+ (on the support machine: $BENCH_PEER_ACCEPTOR)}, out $OUT"
# One cmtime run first, not counted: the first connections after boot are much slower (cold
# caches; TCG translating the kernel's CM paths for the first time). The JVM warms up itself.
cmtime_run 10 "$OUT/cmtime-warmup"
log "cmtime warm-up: exit $(cat "$OUT/cmtime-warmup.rc" 2>/dev/null)"
for n in "${NS[@]}"; do rm -f -- "$(result "$n")" "$OUT/$PROVIDER-n$n.rc" "$OUT"/cmtime-n"$n"-r*.*; done

# BENCH_PERF: the whole guest, every CPU, from before the first JVM to after the last one; the
# JVMs write the symbols of their compiled code (/tmp/perf-PID.map) when they exit.
perf_pid=""
if [[ -n ${BENCH_PERF:-} ]]; then
  [[ $BENCH_PERF =~ ^[1-9][0-9]{0,4}$ ]] || { echo "bench-in-guest: BENCH_PERF must be a rate in Hz, was '$BENCH_PERF'" >&2; exit 2; }
  command -v perf >/dev/null || { echo "bench-in-guest: BENCH_PERF needs perf (package linux-perf)" >&2; exit 2; }
  sysctl -qw kernel.perf_event_paranoid=-1 kernel.kptr_restrict=0 2>/dev/null
  echo "$BENCH_PERF" >"$OUT/perf.freq"
  perf record -a -k CLOCK_MONOTONIC -e cpu-clock -F "$BENCH_PERF" -o "$OUT/perf.data" >"$OUT/perf-record.log" 2>&1 &
  perf_pid=$!
  BENCH_JVM_OPTS+=(-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit)
  log "perf recording the guest at $BENCH_PERF Hz (pid $perf_pid)"
fi

status=0
remaining=("${NS[@]}")
stuck=""
for ((attempt = 1; ${#remaining[@]} && attempt <= 2 * ${#NS[@]}; attempt++)); do
  list=$(IFS=,; echo "${remaining[*]}")
  bound=240
  for n in "${remaining[@]}"; do bound=$((bound + $(rounds_for "$n") * (80 + n / 5))); done
  hook=$(printf '%q --cmtime-round %q "$BENCH_N" "$BENCH_ROUND"' "$SELF" "$OUT")
  rargs=()
  [[ -n ${BENCH_ROUNDS:-} ]] && rargs=(--rounds "$BENCH_ROUNDS")
  log "ConnectBench (JVM $attempt) for N = $list, bound $bound s"
  timeout -s KILL "$bound" java "${BENCH_JVM_OPTS[@]}" -cp "$CP" org.ndkkit.benchmarks.ConnectBench \
    --provider "$PROVIDER" --n "$list" "${rargs[@]}" "${BENCH_ARGS[@]}" --out "$OUT" --before-round "$hook" \
    >>"$OUT/$PROVIDER.log" 2>&1
  rc=$?
  log "ConnectBench (JVM $attempt): exit $rc ($((SECONDS - T0)) s so far)"
  ((rc != 0)) && status=1
  left=()
  for n in "${remaining[@]}"; do [[ -s $(result "$n") ]] || left+=("$n"); done
  if ((${#left[@]} == ${#remaining[@]})); then
    # No progress. The first N failed twice in a row: give up on it, go on with the next.
    if [[ $stuck == "${left[0]}" ]]; then
      echo "ConnectBench exit $rc twice without a result for N=${left[0]}" >"$OUT/$PROVIDER-n${left[0]}.rc"
      log "N=${left[0]}: no result from two JVMs; reported failed"
      left=("${left[@]:1}")
      stuck=""
    else
      stuck=${left[0]}
    fi
  fi
  remaining=("${left[@]}")
done
grep -v '^bench: ' "$OUT/$PROVIDER.log" | sed 's/^/  /'
if [[ -n $perf_pid ]]; then
  kill -INT "$perf_pid" 2>/dev/null
  for ((i = 0; i < 300; i++)); do kill -0 "$perf_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$perf_pid" 2>/dev/null
  wait "$perf_pid" 2>/dev/null
  # Symbols resolved here, where the guest's kernel and the JVMs' maps are (bounded: slow under TCG).
  timeout -s KILL 600 perf script -i "$OUT/perf.data" -F comm,pid,tid,time,ip,sym,dso >"$OUT/perf.txt" 2>"$OUT/perf-script.log" ||
    log "perf script failed: $(tail -n 1 "$OUT/perf-script.log")"
  : >"$OUT/perf-windows.txt"
  for phase in setup close; do # the close phase too: what a round's closes cost, per connection
    for n in "${NS[@]}"; do
      echo "N=$n, $phase:" >>"$OUT/perf-windows.txt"
      python3 "$ROOT/benchmarks/perf/window-perf.py" "$OUT" --provider "$PROVIDER" --n "$n" --phase "$phase" \
        --kernel-top 8 >>"$OUT/perf-windows.txt" 2>&1 ||
        log "window-perf N=$n $phase: $(tail -n 1 "$OUT/perf-windows.txt")"
    done
  done
  sed 's/^/  /' "$OUT/perf-windows.txt"
fi

# cmtime rounds the JVMs never reached (they failed or died before): run them now.
for n in "${NS[@]}"; do
  r=$(rounds_for "$n")
  for ((k = 1; k <= r; k++)); do
    [[ -e $OUT/cmtime-n$n-r$k.rc ]] || { cmtime_run "$n" "$OUT/cmtime-n$n-r$k"; log "cmtime N=$n round $k (alone): exit $(cat "$OUT/cmtime-n$n-r$k.rc")"; }
  done
done

timeout -s KILL 120 java "${JAVA_OPTS[@]}" -cp "$CP" org.ndkkit.benchmarks.BenchReport \
  --provider "$PROVIDER" --out "$OUT" "${NS[@]}"
rc=$?
((rc != 0)) && status=1
log "done in $((SECONDS - T0)) s"
exit "$status"
