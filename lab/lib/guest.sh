# lab/lib/guest.sh: main part of the guest's start-up script. lab/run writes, into
# OUT/.lab-run/guest.sh (OUT/.lab-run-ROLE/guest.sh for each guest of --hosts 2), a header
# (LAB_OUT, LAB_RUN, LAB_ROLE, LAB_CWD, LAB_CMD, LAB_ENV), then lib/plan.sh, then this. It runs as
# root, chrooted into the host's read-only root, under bash.
# One host: set up, run LAB_CMD, power off. Two hosts (LAB_ROLE test or support): set up this
# guest's side of the link, then serve the host's control requests (lab/labctl: command files in
# LAB_RUN/ctl) until lab/run asks it to stop (LAB_RUN/stop).
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
umask 022

lab_uptime() { local u; read -r u _ </proc/uptime; echo "${u/./}"; } # centiseconds
lab_sub() { local d=$((10#$1 - 10#$2)); printf '%d.%02d' $((d / 100)) $((d % 100)); } # cs -> "s.cc"

lab_fail() {
  echo "[lab] LAB FAILED: $*" >&2
  echo "lab_error=$*" >"$LAB_RUN/result"
  exit 125
}

# LAB_TRACE=1 in lab/run's environment traces the set-up with timestamps on the console.
if [[ $LAB_TRACE == 1 ]]; then PS4='+ ${EPOCHREALTIME} '; set -x; fi
t_setup0=$(lab_uptime)
# Watchdog: the VM powers itself off a little after lab/run's deadline, even if lab/run was
# killed with SIGKILL and could not stop qemu.
( sleep "$((LAB_TIMEOUT + 15))"; echo "[lab] guest watchdog: ${LAB_TIMEOUT} s passed, powering off" >&2
  echo o >/proc/sysrq-trigger ) </dev/null &
echo "[lab] guest up at $(lab_sub "$t_setup0" 0) s; setting up SoftRoCE${LAB_ROLE:+ (the $LAB_ROLE machine)}"
if [[ -n $LAB_ROLE ]]; then
  LAB_HOSTS=2
  export NDK_LAB_ROLE=$LAB_ROLE NDK_LAB_HOSTS=2 NDK_LAB_SILENT_MAC
  lab_two_host_defaults
  lab_configure_two_host "$LAB_ROLE" || lab_fail "SoftRoCE set-up of the $LAB_ROLE machine failed (see the messages above)"
  props=$LAB_OUT/lab-$LAB_ROLE.properties
else
  lab_plan_defaults
  lab_configure || lab_fail "SoftRoCE set-up failed (see the messages above)"
  props=$LAB_OUT/lab.properties
fi
export NDK_LAB_OUT=$LAB_OUT
lab_export_env
lab_write_properties "$props" vm || lab_fail "cannot write $props"
# shellcheck disable=SC2163 # kv is NAME=VALUE
for kv in "${LAB_ENV[@]}"; do export "$kv"; done
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
cd -- "$LAB_CWD" || lab_fail "cannot cd to $LAB_CWD in the guest"
set +x
t_ready=$(lab_uptime)
echo "NDK-LAB-READY uptime=$(lab_sub "$t_ready" 0) setup=$(lab_sub "$t_ready" "$t_setup0")"

# The control loop of a two-host guest: each request is a bash script LAB_RUN/ctl/ID.cmd (written
# whole, then renamed, by lab/labctl), which then creates LAB_RUN/ctl/bell; the script runs in the
# background with this guest's environment, its output goes to ID.out and its exit status to ID.rc
# (renamed into place, so a reader never sees half of it). The tick is a read with a timeout on a
# private fifo: a builtin, where sleep would fork an exec every 0.1 s on the emulated CPU. A tick
# only looks for the bell (one stat over 9p); the directory is listed when it rings, and every
# 5 s regardless. Listing it every tick cost 4-7% of the guest's one vCPU in every measurement:
# each 9p readdir allocates and clears a buffer of msize (512 KB) in the guest's kernel.
lab_serve() {
  local ctl=$LAB_RUN/ctl f id tick=/run/lab-tick n=0
  mkfifo "$tick" || return 1
  while [[ ! -e $LAB_RUN/stop ]]; do
    if [[ -e $ctl/bell ]] || ((n % 50 == 0)); then
      # Removed before the listing: a command written after the listing rings it again.
      [[ -e $ctl/bell ]] && rm -f -- "$ctl/bell"
      for f in "$ctl"/*.cmd; do
        [[ -e $f ]] || continue
        id=${f%.cmd}
        mv -- "$f" "$id.run" || continue
        ( bash "$id.run" >"$id.out" 2>&1 </dev/null; echo $? >"$id.rc.tmp"; mv -- "$id.rc.tmp" "$id.rc" ) &
      done
    fi
    n=$((n + 1))
    read -rt 0.1 _ <>"$tick"
  done
}

if [[ -n $LAB_ROLE ]]; then
  lab_serve
  rc=$?
else
  "${LAB_CMD[@]}" </dev/null
  rc=$?
fi
echo "command_rc=$rc" >"$LAB_RUN/result"
echo "NDK-LAB-DONE rc=$rc command=$(lab_sub "$(lab_uptime)" "$t_ready")"
exit "$rc"
