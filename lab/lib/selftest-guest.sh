#!/usr/bin/env bash
# lab/lib/selftest-guest.sh EXPECTED_CWD PROBE: the in-lab half of lab/selftest.
# Prints PASS/FAIL per check, writes $OUT/selftest-guest.properties (timings), exits 1 on any FAIL.
# shellcheck disable=SC2015 # pass never fails
set -uo pipefail
expected_cwd=$1 probe=$2
out=$NDK_LAB_OUT
failures=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
now() { echo "${EPOCHREALTIME//[.,]/}"; }
dt() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (a - b) / 1000000 }'; }
IFS=, read -r -a local_addrs <<<"$NDK_LAB_LOCAL"
IFS=, read -r -a peer_addrs <<<"$NDK_LAB_PEER"
peer=${peer_addrs[0]}

# 1. environment, cwd, out share
[[ ${NDK_LAB:-} == 1 ]] && pass "NDK_LAB=1, device $NDK_LAB_DEVICE, local $NDK_LAB_LOCAL, peer $NDK_LAB_PEER" || fail "NDK_LAB not set"
[[ $(pwd -P) == "$expected_cwd" ]] && pass "cwd is $expected_cwd" || fail "cwd is $(pwd -P), expected $expected_cwd"
[[ -s $out/lab.properties ]] && pass "lab.properties written" || fail "no $out/lab.properties"
echo "written-in-guest" >"$out/selftest-guest-wrote" && pass "out share $out writable" || fail "cannot write to $out"

# 2. rdma link ACTIVE, ibv_devices
links=$(rdma link show 2>&1)
[[ $links == *"link $NDK_LAB_DEVICE/"*"state ACTIVE"* ]] && pass "rdma link: ${links//$'\n'/ }" || fail "rdma link: $links"
devs=$(ibv_devices 2>&1)
[[ $devs == *"$NDK_LAB_DEVICE"* ]] && pass "ibv_devices lists $NDK_LAB_DEVICE" || fail "ibv_devices: $devs"

# 3. rping: server on the first peer address, clients from the same address and from a local one
timeout 60 rping -s -P -a "$peer" >/dev/null 2>&1 &
server=$!
listening=0
for ((i = 0; i < 100; i++)); do # at most ~10 s
  if rdma res show cm_id 2>/dev/null | grep -q "state LISTEN.*src-addr $peer:"; then listening=1; break; fi
  sleep 0.1
done
((listening)) || fail "rping server did not listen on $peer"
t=$(now)
if timeout 30 rping -c -a "$peer" -C 3 -v; then
  rping_s=$(dt "$(now)" "$t"); pass "rping -c -a $peer -C 3 -v (${rping_s} s)"
else fail "rping -c -a $peer -C 3 -v"; rping_s=; fi
t=$(now)
if timeout 30 rping -c -I "${local_addrs[0]}" -a "$peer" -C 3 -v; then
  rping2_s=$(dt "$(now)" "$t"); pass "rping -c -I ${local_addrs[0]} -a $peer -C 3 -v (${rping2_s} s)"
else fail "rping -c -I ${local_addrs[0]} -a $peer -C 3 -v"; rping2_s=; fi
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null

# 3b. the same over IPv6, between the last (IPv6) local and peer addresses, if the plan has them
local6=${local_addrs[-1]} peer6=${peer_addrs[-1]}
if [[ $local6 == *:* && $peer6 == *:* ]]; then
  timeout 60 rping -s -P -a "$peer6" >/dev/null 2>&1 &
  server=$!
  for ((i = 0; i < 100; i++)); do # at most ~10 s
    rdma res show cm_id 2>/dev/null | grep -q "state LISTEN.*src-addr $peer6:" && break
    sleep 0.1
  done
  t=$(now)
  if timeout 30 rping -c -I "$local6" -a "$peer6" -C 3 -v >/dev/null; then
    rping6_s=$(dt "$(now)" "$t"); pass "rping -c -I $local6 -a $peer6 -C 3 (${rping6_s} s)"
  else fail "rping -c -I $local6 -a $peer6 -C 3"; rping6_s=; fi
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
else
  fail "no IPv6 address last in NDK_LAB_LOCAL / NDK_LAB_PEER"; rping6_s=
fi

# 4. rdma_cm conditions
t=$(now)
if timeout 60 "$probe"; then pass "probe ($(dt "$(now)" "$t") s)"; else fail "probe"; fi

# 5. cgroup rdma controller: a process whose cgroup allows no HCA handle cannot open the device
cg=$NDK_LAB_CGROUP/selftest
if mkdir -p "$cg" && [[ -w $cg/rdma.max ]] && echo "$NDK_LAB_DEVICE hca_handle=0 hca_object=0" >"$cg/rdma.max"; then
  msg=$(bash -c 'echo $$ >"$1/cgroup.procs" || exit 99; exec ibv_devinfo -d "$2"' _ "$cg" "$NDK_LAB_DEVICE" 2>&1)
  r=$?
  if ((r != 0 && r != 99)) && ibv_devinfo -d "$NDK_LAB_DEVICE" >/dev/null 2>&1; then
    pass "cgroup $cg: with rdma.max '$NDK_LAB_DEVICE hca_handle=0' ibv_devinfo fails (${msg//$'\n'/ }), outside it works"
  else
    fail "cgroup $cg: rdma.max had no effect (exit $r: $msg)"
  fi
  rmdir "$cg" 2>/dev/null
else
  fail "cannot create $cg with a writable rdma.max"
fi

# 6. java
t=$(now)
if jv=$(java -version 2>&1); then
  java_s=$(dt "$(now)" "$t"); pass "java -version (${java_s} s): $(head -n1 <<<"$jv")"
else fail "java -version: $jv"; java_s=; fi

{
  echo "rping_same_ip=$rping_s"
  echo "rping_local_to_peer=$rping2_s"
  echo "rping_ipv6=$rping6_s"
  echo "java_version=$java_s"
} >"$out/selftest-guest.properties"
echo "selftest-guest: $failures failure(s)"
((failures == 0))
