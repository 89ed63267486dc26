#!/usr/bin/env bash
# providers/agent/lab-agents.sh PROVIDER [--support PROVIDER] -- COMMAND [ARG...]
#
# The COMMAND of `lab/run --hosts 2` that certifies PROVIDER across the two-host lab: starts an
# agent serving PROVIDER in each guest (the test machine's serves the host under test, the
# support machine's its peer; --support serves another provider there: a mixed pair), each
# listening on its control NIC, waits until both listen, runs
# COMMAND on the host with the two agents' forwarded addresses in JDK_JAVA_OPTIONS
# (-Dndk.provider.local=..., -Dndk.provider.peer=...: what the `remote` provider reads) and the
# lab's link control (-Dndk.provider.link-control=lab/link-control), then
# stops both agents (SIGTERM, bounded). Each agent's log: $NDK_LAB_OUT/agent-ROLE.log.
# NDK_AGENT_CLASSPATH (extra provider jars) reaches the guests like every NDK_* variable;
# NDK_AGENT_JAVA_OPTS defaults to C1 only (see lab/README.md on the emulated JVM).
# COMMAND also gets NDK_LAB_AGENT_RESTART_SUPPORT: the command that starts the support machine's
# agent again after lab/link-control kill-peer-provider (the network-fault feature's restart).
# Exit status: COMMAND's, or 125 when an agent did not start.
#
# A PROVIDER is a Java provider's name (served by providers/agent/ndk-agent) or native:LIB, a C
# provider library (providers/native/include/ndk_provider.h) served by ndk-agent-native
# ($NDK_AGENT_NATIVE, default providers/native/target/release/agent/ndk-agent-native; LIB relative
# to the project's root or absolute).
#
# Internal: lab-agents.sh --start ROLE PROVIDER   (re)starts ROLE's agent, waits until it listens
# (at most 120 s); the log of an agent before it becomes agent-ROLE.log.N.
set -uo pipefail
SELF=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)/$(basename -- "${BASH_SOURCE[0]}")
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
RESTART_ROLE=
if [[ ${1:-} == --start ]]; then
  RESTART_ROLE=${2:?usage: lab-agents.sh --start ROLE PROVIDER}
  shift 2
fi
PROVIDER=${1:?usage: lab-agents.sh PROVIDER [--support PROVIDER] -- COMMAND...}
shift
SUPPORT_PROVIDER=$PROVIDER
if [[ ${1:-} == --support ]]; then
  SUPPORT_PROVIDER=${2:?usage: lab-agents.sh PROVIDER [--support PROVIDER] -- COMMAND...}
  shift 2
fi
[[ ${1:-} == -- ]] && shift
[[ -n $RESTART_ROLE ]] || (($#)) || { echo "lab-agents: no COMMAND" >&2; exit 2; }
: "${NDK_LAB_OUT:?lab-agents: run it as the COMMAND of lab/run --hosts 2}"
: "${NDK_LAB_AGENT_TEST:?}" "${NDK_LAB_AGENT_SUPPORT:?}"
CTL=${NDK_LAB_CTL:-$ROOT/lab/labctl}
# shellcheck source=../../lab/lib/plan.sh
. "$ROOT/lab/lib/plan.sh" # LAB_CTL_GUEST, LAB_AGENT_PORT
native_agent=${NDK_AGENT_NATIVE:-$ROOT/providers/native/target/release/agent/ndk-agent-native}
opts=${NDK_AGENT_JAVA_OPTS:--XX:TieredStopAtLevel=1}

# The guest's command line that serves provider $1 (role $2) on the control NIC; exit 125 when
# what it needs is not built.
agent_command() {
  local provider=$1 role=$2 lib
  if [[ $provider == native:* ]]; then
    lib=${provider#native:}
    [[ $lib == /* ]] || lib=$ROOT/$lib
    [[ -x $native_agent ]] || { echo "lab-agents: $native_agent is missing: build it (providers/native/build-release.sh)" >&2; return 125; }
    [[ -f $lib ]] || { echo "lab-agents: the provider library $lib is missing" >&2; return 125; }
    printf 'nohup %q --provider-lib %q --listen %s:%s' "$native_agent" "$lib" "$LAB_CTL_GUEST" "$LAB_AGENT_PORT"
  else
    local jar=$ROOT/providers/agent/target/ndk-agent.jar
    [[ -f $jar ]] || { echo "lab-agents: $jar is missing: build the kit first (mvn install)" >&2; return 125; }
    printf 'NDK_AGENT_JAVA_OPTS=%q nohup providers/agent/ndk-agent --provider %q --listen %s:%s' \
      "$opts -XX:ErrorFile=$NDK_LAB_OUT/hs_err_agent_${role}_%p.log" "$provider" "$LAB_CTL_GUEST" "$LAB_AGENT_PORT"
  fi
}
TEST_COMMAND=$(agent_command "$PROVIDER" test) || exit 125
SUPPORT_COMMAND=$(agent_command "$SUPPORT_PROVIDER" support) || exit 125

start() { # $1 = role
  local log=$NDK_LAB_OUT/agent-$1.log k=1 command=$TEST_COMMAND
  [[ $1 == test ]] || command=$SUPPORT_COMMAND
  if [[ -e $log ]]; then
    while [[ -e $log.$k ]]; do k=$((k + 1)); done
    mv -- "$log" "$log.$k"
  fi
  rm -f -- "$NDK_LAB_OUT/agent-$1.pid"
  # cd on its own: with 'cd && nohup ... &' the background job is a subshell, and $! its pid, not the agent's
  "$CTL" "$1" -c "cd $(printf %q "$ROOT") || exit 1
    $command >$(printf %q "$log") 2>&1 </dev/null & echo \$! >$(printf %q "$NDK_LAB_OUT/agent-$1.pid")"
}
listening() { grep -q '^ndk-agent listening on ' "$NDK_LAB_OUT/agent-$1.log" 2>/dev/null; }
stop() { # $1 = role: SIGTERM, then at most 15 s for the agent to close its session and exit
  local pid
  pid=$(cat "$NDK_LAB_OUT/agent-$1.pid" 2>/dev/null) || return 0
  "$CTL" "$1" --timeout 30 -c "kill -TERM $pid 2>/dev/null || exit 0
    for i in \$(seq 150); do kill -0 $pid 2>/dev/null || exit 0; sleep 0.1; done
    echo 'the agent did not stop within 15 s of SIGTERM'; kill -KILL $pid; exit 1"
}

if [[ -n $RESTART_ROLE ]]; then
  start "$RESTART_ROLE" || { echo "lab-agents: cannot start the $RESTART_ROLE machine's agent" >&2; exit 1; }
  t0=$SECONDS
  until listening "$RESTART_ROLE"; do
    if ((SECONDS - t0 > 120)); then
      echo "lab-agents: the $RESTART_ROLE machine's agent did not listen within 120 s" >&2
      tail -n 20 -- "$NDK_LAB_OUT/agent-$RESTART_ROLE.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  exit 0
fi

for role in test support; do start "$role" || { echo "lab-agents: cannot start the $role machine's agent" >&2; exit 125; }; done
t0=$SECONDS
until listening test && listening support; do
  if ((SECONDS - t0 > 120)); then
    echo "lab-agents: the agents did not listen within 120 s" >&2
    for role in test support; do echo "--- agent-$role.log" >&2; tail -n 20 "$NDK_LAB_OUT/agent-$role.log" >&2; done
    exit 125
  fi
  sleep 0.2
done
echo "lab-agents: $PROVIDER served on the test machine ($NDK_LAB_AGENT_TEST), $SUPPORT_PROVIDER on the support" \
     "machine ($NDK_LAB_AGENT_SUPPORT), after $((SECONDS - t0)) s" >&2
# the link between the guests is disturbed from here, the host (lab/link-control), never by an agent
export NDK_LAB_AGENT_RESTART_SUPPORT="$SELF --start support $SUPPORT_PROVIDER"
export JDK_JAVA_OPTIONS="${JDK_JAVA_OPTIONS:+$JDK_JAVA_OPTIONS }-Dndk.provider.local=$NDK_LAB_AGENT_TEST -Dndk.provider.peer=$NDK_LAB_AGENT_SUPPORT -Dndk.provider.link-control=$ROOT/lab/link-control"
"$@"
rc=$?
for role in test support; do stop "$role" || { echo "lab-agents: the $role machine's agent did not stop cleanly" >&2; ((rc == 0)) && rc=1; }; done
exit "$rc"
