#!/usr/bin/env bash
# benchmarks/lab-bench-two-host.sh [OUTDIR] [N...]
#
# Connection set-up across the two-host lab's link: the reference provider against rdma-core's
# cmtime, both with the active side on the test machine and the passive side on the support
# machine, in the same boot, paired rounds as benchmarks/lab-bench.sh (default N = 1 10 100 1000).
#
# Builds on the host, boots both guests (lab/run --hosts 2), then from the host (lab/labctl):
#   support machine: cmtime's server on the first PEER address, port 7471, and PeerAcceptor (the
#                    reference provider listening on one port per connection from 20000, accepting
#                    every request on its own thread, as cmtime's server does);
#   test machine:    benchmarks/bench-in-guest.sh with BENCH_PEER_ACCEPTOR set: each ConnectBench
#                    round (active side only) after a cmtime client round to the support machine.
# Then each side alone, each against cmtime's own other side:
#   passive side: before each round, cmtime's client runs twice, against cmtime's server and against
#                 the PeerAcceptor's first port (one listener takes them all): the same active side;
#   active side:  a second bench-in-guest.sh pass (OUTDIR/active-side) where ConnectBench connects to
#                 cmtime's server, with a port of its own per connection (BENCH_LOCAL_ENDPOINT=
#                 dedicated: one listening port cannot tell one shared endpoint's connections apart);
#                 BENCH_SIDE_NS (default: the same N) sets its N, "none" skips it.
# Prints the report (report.txt in OUTDIR, default benchmarks/target/lab-bench-two-host), the
# table by side, the acceptor's summary and the IB CM's counters that moved on each machine.
# BENCH_* settings reach the guest script as in lab-bench.sh;
# BENCH_ACCEPTOR_JAVA_OPTS (split on spaces) go to the support machine's PeerAcceptor JVM, e.g. a
# JFR recording (benchmarks/README.md, "Scale"). BENCH_ACCEPTOR_PERF (a rate in Hz, e.g. 997): perf
# records the support machine while both servers serve the both-sides and passive-side rounds, and
# perf/process-perf.py says where each server's CPU went per connection (support-perf-processes.txt).
# Exit status: the guest script's (0 = every N has both rates), 1 when the support machine's
# side failed, or lab/run's 124/125.
#
# Internal: lab-bench-two-host.sh --in-lab OUTDIR N...   (the COMMAND of lab/run, on the host)
set -euo pipefail
SELF=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/$(basename -- "${BASH_SOURCE[0]}")
ROOT=$(cd -- "$(dirname -- "$SELF")/.." && pwd)
ACCEPTOR_PORT=20000
log() { printf 'lab-bench-two-host: %s\n' "$*"; }

if [[ ${1:-} == --in-lab ]]; then
  OUT=$2
  shift 2
  CTL=$ROOT/lab/labctl
  count=100 # the warm-up's rounds are of 100
  for n in "$@"; do ((n > count)) && count=$n; done
  cp=$ROOT/benchmarks/target/classes:$(<"$ROOT/benchmarks/target/runtime-classpath.txt")
  rm -f -- "$OUT/acceptor.ready" "$OUT/acceptor.stop"
  # Bound of the whole measurement: what bench-in-guest.sh allows itself, generously.
  bound=600
  for n in "$@"; do bound=$((bound + 5 * (80 + n / 5) + 5 * (10 + n / 20))); done
  q() { printf '%q' "$1"; }
  # BENCH_ACCEPTOR_PERF: perf records the whole support machine from before its two servers start to
  # after cmtime's own client rounds (before the active side's pass, which connects to cmtime's server
  # too); the acceptor JVM writes its compiled code's symbols when it exits.
  perf_start="" acceptor_opts=${BENCH_ACCEPTOR_JAVA_OPTS:-}
  if [[ -n ${BENCH_ACCEPTOR_PERF:-} ]]; then
    perf_start="sysctl -qw kernel.perf_event_paranoid=-1 kernel.kptr_restrict=0 2>/dev/null
    nohup perf record -a -k CLOCK_MONOTONIC -e cpu-clock -F $BENCH_ACCEPTOR_PERF -o $(q "$OUT/support-perf.data") \
      >$(q "$OUT/support-perf-record.log") 2>&1 </dev/null & echo \$! >$(q "$OUT/support-perf.pid"); sleep 2"
    acceptor_opts+=" -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"
  fi
  "$CTL" support -c "cd $(q "$ROOT") && peer=\${NDK_LAB_PEER%%,*}
    $perf_start
    nohup cmtime -b \$peer -p 7471 >$(q "$OUT/cmtime-server.log") 2>&1 </dev/null & echo \$! >$(q "$OUT/cmtime-server.pid")
    nohup java -XX:TieredStopAtLevel=1 -XX:TieredCompileTaskTimeout=600000 -XX:ErrorFile=$(q "$OUT/hs_err_acceptor_%p.log") -Dndk.provider.backlog=65536 \
      $acceptor_opts -cp $(q "$cp") \
      org.ndkkit.benchmarks.PeerAcceptor --port $ACCEPTOR_PORT --count $count --ready $(q "$OUT/acceptor.ready") \
      --stop-file $(q "$OUT/acceptor.stop") --max-seconds $bound >$(q "$OUT/acceptor.log") 2>&1 </dev/null &
    echo \$! >$(q "$OUT/acceptor.pid")"
  # The IB CM's message counters of both machines (ib_cm's sysfs, one "dir/counter value" a line):
  # read before and after, so that a connection the two sides disagree about (an accept aborted
  # where the connect succeeded) can be traced to a lost, retried or duplicated CM message.
  cm_counters() { # cm_counters ROLE FILE
    "$CTL" "$1" -c "for f in /sys/class/infiniband/*/ports/*/cm_*/* /sys/class/infiniband_cm/*/*/cm_*/*; do
      [ -r \$f ] && d=\${f%/*} && echo \${d##*/}/\${f##*/} \$(cat \$f); done" \
      >"$2" 2>/dev/null || true
  }
  cm_counters test "$OUT/cm-test.before"
  cm_counters support "$OUT/cm-support.before"
  t0=$SECONDS
  until [[ -s $OUT/acceptor.ready ]] &&
    "$CTL" support -c "rdma resource show cm_id | grep -q 'state LISTEN .*src-addr [0-9.]*:7471'" >/dev/null 2>&1; do
    if ((SECONDS - t0 > 180)); then
      log "the support machine's cmtime server or PeerAcceptor did not listen within 180 s"
      tail -n 20 -- "$OUT/acceptor.log" "$OUT/cmtime-server.log" 2>/dev/null
      exit 125
    fi
    sleep 0.5
  done
  spec=$(<"$OUT/acceptor.ready")
  log "support machine: cmtime server and PeerAcceptor ($spec) listening after $((SECONDS - t0)) s"
  envs=""
  while IFS= read -r v; do envs+="$v=$(q "${!v}") "; done < <(compgen -e | grep '^BENCH_' || true)
  rc=0
  "$CTL" test --timeout "$bound" -c "cd $(q "$ROOT") && $envs BENCH_PEER_ACCEPTOR=$(q "$spec") \
    BENCH_CMTIME_TO_ACCEPTOR=$(q "${spec%/*}") benchmarks/bench-in-guest.sh $(q "$OUT") $*" || rc=$?
  # cmtime's server's CPU (utime and stime, fields 14 and 15, clock ticks) now, before the active side's
  # pass connects to it too: per connection of cmtime's own client rounds.
  "$CTL" support -c "read -r -a st < /proc/\$(cat $(q "$OUT/cmtime-server.pid"))/stat 2>/dev/null &&
    echo \"\${st[13]} \${st[14]} \$(getconf CLK_TCK)\" >$(q "$OUT/cmtime-server.cpu")" >/dev/null 2>&1 || true
  if [[ -n ${BENCH_ACCEPTOR_PERF:-} ]]; then
    "$CTL" support --timeout 60 -c "pid=\$(cat $(q "$OUT/support-perf.pid")); kill -INT \$pid
      for i in \$(seq 300); do kill -0 \$pid 2>/dev/null || break; sleep 0.1; done; kill -KILL \$pid 2>/dev/null; true" ||
      log "stopping the support machine's perf failed"
  fi
  sides=${BENCH_SIDE_NS-$*}
  if [[ -n $sides && $sides != none ]]; then
    abound=600
    for n in $sides; do abound=$((abound + 5 * (80 + n / 5))); done
    log "the active side alone: ConnectBench to cmtime's server (${spec%%:*}:7471), N = $sides"
    "$CTL" test --timeout "$abound" -c "cd $(q "$ROOT") && $envs BENCH_PEER_ACCEPTOR=$(q "${spec%%:*}:7471/1") \
      BENCH_LOCAL_ENDPOINT=dedicated benchmarks/bench-in-guest.sh $(q "$OUT/active-side") $sides" || rc=$?
  fi
  # The support machine's side: the acceptor stops (and says what it saw), the cmtime server is killed.
  touch -- "$OUT/acceptor.stop"
  side=0
  "$CTL" support --timeout 90 -c "pid=\$(cat $(q "$OUT/acceptor.pid"))
    for i in \$(seq 700); do kill -0 \$pid 2>/dev/null || break; sleep 0.1; done
    kill -0 \$pid 2>/dev/null && { echo 'PeerAcceptor did not stop within 70 s'; kill -KILL \$pid; exit 1; }
    kill -TERM \$(cat $(q "$OUT/cmtime-server.pid")) 2>/dev/null; exit 0" || side=1
  if [[ -n ${BENCH_ACCEPTOR_PERF:-} ]]; then # symbols resolved there, where the kernel and the JVM's map are
    "$CTL" support --timeout 900 -c "timeout -s KILL 800 perf script -i $(q "$OUT/support-perf.data") \
      -F comm,pid,tid,time,ip,sym,dso >$(q "$OUT/support-perf.txt") 2>$(q "$OUT/support-perf-script.log")" ||
      log "perf script on the support machine failed: $(tail -n 1 -- "$OUT/support-perf-script.log" 2>/dev/null)"
  fi
  cm_counters test "$OUT/cm-test.after"
  cm_counters support "$OUT/cm-support.after"
  for role in test support; do # the counters that moved, as one line per machine
    awk -v role="$role" 'NR == FNR { b[$1] = $2; next }
      $2 != b[$1] { d = d sprintf(" %s +%d", $1, $2 - b[$1]) }
      END { print "cm-counters " role ":" (d == "" ? " (none moved, or ib_cm has no sysfs counters)" : d) }' \
      "$OUT/cm-$role.before" "$OUT/cm-$role.after" 2>/dev/null | tee -a -- "$OUT/acceptor.log"
  done
  grep '^peer-acceptor: ' -- "$OUT/acceptor.log" || side=1
  grep '^peer-acceptor-cpu: ' -- "$OUT/acceptor.log"
  # cmtime's server CPU per connection: every client run's -c N, the warm-up's 10 included.
  if read -r ut stt hz < "$OUT/cmtime-server.cpu" 2>/dev/null; then
    conns=10
    for f in "$OUT"/cmtime-n*-r*.txt; do [[ -e $f ]] || continue; f=${f##*/cmtime-n}; conns=$((conns + ${f%%-r*})); done
    awk -v u="$ut" -v s="$stt" -v hz="$hz" -v c="$conns" 'BEGIN { printf "cmtime-server-cpu: %.1f s for %d connections, %.2f ms per connection (user %.2f)\n", (u + s) / hz, c, (u + s) / hz * 1000 / c, u / hz * 1000 / c }' |
      tee -a -- "$OUT/acceptor.log"
  fi
  if [[ -s $OUT/support-perf.txt ]]; then
    accepted=$(sed -n 's/^peer-acceptor: .*accepted \([0-9]*\),.*/\1/p' -- "$OUT/acceptor.log")
    python3 "$ROOT/benchmarks/perf/process-perf.py" "$OUT/support-perf.txt" --freq "$BENCH_ACCEPTOR_PERF" \
      --process "PeerAcceptor=peer-acceptor:${accepted:-0}" --process "cmtime-server=cmtime:${conns:-0}" --timeline 0.5 \
      >"$OUT/support-perf-processes.txt" 2>&1 || log "process-perf: $(tail -n 1 -- "$OUT/support-perf-processes.txt")"
    sed '/^timeline/,/^$/d; s/^/  /' -- "$OUT/support-perf-processes.txt"
  fi
  grep -q '^peer-acceptor: .* failures 0$' -- "$OUT/acceptor.log" || side=1
  ((side == 0)) || log "the support machine's side failed: see $OUT/acceptor.log"
  ((rc == 0 && side != 0)) && rc=1
  exit "$rc"
fi

OUT=$ROOT/benchmarks/target/lab-bench-two-host
if (($#)) && ! [[ $1 =~ ^[0-9]+$ ]]; then
  OUT=$1
  shift
fi
NS=("$@")
((${#NS[@]})) || NS=(1 10 100 1000)
for n in "${NS[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "lab-bench-two-host: N must be a positive integer: '$n'" >&2; exit 2; }
  ((n <= 10000)) || { echo "lab-bench-two-host: N above 10000 needs more ports than the acceptor takes" >&2; exit 2; }
done
if [[ -n ${BENCH_ACCEPTOR_PERF:-} && ! $BENCH_ACCEPTOR_PERF =~ ^[1-9][0-9]{0,4}$ ]]; then
  echo "lab-bench-two-host: BENCH_ACCEPTOR_PERF must be a rate in Hz, was '$BENCH_ACCEPTOR_PERF'" >&2
  exit 2
fi
if [[ ${BENCH_SIDE_NS-} != none ]]; then
  for n in ${BENCH_SIDE_NS-}; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "lab-bench-two-host: BENCH_SIDE_NS must be N values or none: '$n'" >&2; exit 2; }
  done
fi
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
T0=$SECONDS
# (NDK_BUILT=1: ./ndk test installed the whole tree once, before its steps)
[[ ${NDK_BUILT:-} == 1 ]] || mvn -B -ntp -q install -DskipTests -pl benchmarks -am
log "built in $((SECONDS - T0)) s; N = ${NS[*]}; out $OUT"
TOTAL=900
for n in "${NS[@]}"; do TOTAL=$((TOTAL + 5 * (80 + n / 5) + 5 * (10 + n / 20))); done
if [[ ${BENCH_SIDE_NS-} != none ]]; then # the active side's pass
  TOTAL=$((TOTAL + 600))
  for n in ${BENCH_SIDE_NS-${NS[*]}}; do TOTAL=$((TOTAL + 5 * (80 + n / 5))); done
fi
set +e
lab/run --hosts 2 -q --out "$OUT" --timeout "$TOTAL" -- "$SELF" --in-lab "$OUT" "${NS[@]}"
rc=$?
set -e
echo
if [[ -s $OUT/report.txt ]]; then
  cat -- "$OUT/report.txt"
  echo
  [[ -s $OUT/active-side/report.txt ]] && sed -n '/^connect-rate /p; /FAILED/p' -- "$OUT/active-side/report.txt" |
    sed 's/^/active-side: /'
  # Each side alone against cmtime's other side, beside both sides together (paired medians).
  python3 - "$OUT/report.json" "$OUT/active-side/report.json" <<'PY' | tee -- "$OUT/by-side.txt"
import json, os, sys
def rows(p):
    return {r["n"]: r for r in json.load(open(p))["rows"]} if os.path.exists(p) else {}
both, active = rows(sys.argv[1]), rows(sys.argv[2])
f = lambda v: "n/a" if v is None else "%.2f" % v
print("By side: the provider's rate over cmtime's, paired median of rounds (1.00 = as fast as rdma-core):")
print("%6s %12s %12s %12s" % ("N", "both sides", "active side", "passive side"))
for n in sorted(set(both) | set(active)):
    b, a = both.get(n, {}), active.get(n, {})
    print("%6d %12s %12s %12s" % (n, f(b.get("pairedRatioMedian")), f(a.get("pairedRatioMedian")),
                                  f((b.get("passiveSide") or {}).get("pairedRatioMedian"))))
print("both: the provider on both machines against cmtime's client and server; active: ConnectBench (a port per")
print("connection) against cmtime's server; passive: cmtime's client against the provider's PeerAcceptor.")
PY
else
  log "no report (lab/run exit $rc); the consoles' tails:"
  tail -n 30 -- "$OUT"/lab-console-*.log 2>/dev/null || true
fi
log "exit $rc after $((SECONDS - T0)) s; report in $OUT/report.md"
exit "$rc"
