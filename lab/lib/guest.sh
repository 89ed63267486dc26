# lab/lib/guest.sh: main part of the guest's start-up script. lab/run writes, into
# OUT/.lab-run/guest.sh, a header (LAB_OUT, LAB_CWD, LAB_CMD, LAB_ENV), then lib/plan.sh, then
# this. It runs as root, chrooted into the host's read-only root, under bash.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
umask 022

lab_uptime() { local u; read -r u _ </proc/uptime; echo "${u/./}"; } # centiseconds
lab_sub() { local d=$((10#$1 - 10#$2)); printf '%d.%02d' $((d / 100)) $((d % 100)); } # cs -> "s.cc"

lab_fail() {
  echo "[lab] LAB FAILED: $*" >&2
  echo "lab_error=$*" >"$LAB_OUT/.lab-run/result"
  exit 125
}

# LAB_TRACE=1 in lab/run's environment traces the set-up with timestamps on the console.
if [[ $LAB_TRACE == 1 ]]; then PS4='+ ${EPOCHREALTIME} '; set -x; fi
t_setup0=$(lab_uptime)
# Watchdog: the VM powers itself off a little after lab/run's deadline, even if lab/run was
# killed with SIGKILL and could not stop qemu.
( sleep "$((LAB_TIMEOUT + 15))"; echo "[lab] guest watchdog: ${LAB_TIMEOUT} s passed, powering off" >&2
  echo o >/proc/sysrq-trigger ) </dev/null &
echo "[lab] guest up at $(lab_sub "$t_setup0" 0) s; setting up SoftRoCE"
lab_plan_defaults
lab_configure || lab_fail "SoftRoCE set-up failed (see the messages above)"
export NDK_LAB_OUT=$LAB_OUT
lab_export_env
lab_write_properties "$LAB_OUT/lab.properties" vm || lab_fail "cannot write $LAB_OUT/lab.properties"
# shellcheck disable=SC2163 # kv is NAME=VALUE
for kv in "${LAB_ENV[@]}"; do export "$kv"; done
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
cd -- "$LAB_CWD" || lab_fail "cannot cd to $LAB_CWD in the guest"
set +x
t_ready=$(lab_uptime)
echo "NDK-LAB-READY uptime=$(lab_sub "$t_ready" 0) setup=$(lab_sub "$t_ready" "$t_setup0")"
"${LAB_CMD[@]}" </dev/null
rc=$?
echo "command_rc=$rc" >"$LAB_OUT/.lab-run/result"
echo "NDK-LAB-DONE rc=$rc command=$(lab_sub "$(lab_uptime)" "$t_ready")"
exit "$rc"
