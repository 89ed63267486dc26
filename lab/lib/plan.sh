# lab/lib/plan.sh: the lab's address plan and how to set it up. Sourced (bash) by lab/run on
# the host and concatenated into the guest's start-up script. Every address is inside
# 198.18.0.0/15 (RFC 2544 benchmarking range, never routed) or, for IPv6, its twin 2001:2::/48
# (RFC 5180); nothing else is ever used.

# Defaults. In direct mode (a real RDMA device on the host) each can be overridden by setting
# the NDK_LAB_* variable of the same name before calling lab/run.
lab_plan_defaults() {
  : "${NDK_LAB_DEVICE:=rxe0}"
  : "${NDK_LAB_NETDEV:=ndk0}"
  # The IPv6 address comes last: scenarios pick the first, second ... address by position.
  : "${NDK_LAB_LOCAL:=198.18.0.1,198.18.0.2,2001:2::1}"              # the local ends' addresses
  : "${NDK_LAB_PEER:=198.18.1.1,198.18.1.2,198.18.1.3,2001:2::1:1}"  # the peers' (same device: rxe loopback)
  : "${NDK_LAB_SILENT_HOST:=198.18.1.77}"                 # on-link, not assigned: never answers
  : "${NDK_LAB_HOST_UNREACHABLE:=198.18.2.1}"             # inside an 'unreachable' route: EHOSTUNREACH
  : "${NDK_LAB_HOST_UNREACHABLE_ROUTE:=198.18.2.0/24}"
  : "${NDK_LAB_NETWORK_UNREACHABLE:=198.19.255.1}"        # no route at all: ENETUNREACH
  : "${NDK_LAB_FOREIGN:=198.18.3.1}"                      # assigned nowhere: not a local address
  : "${NDK_LAB_PREFIX:=16}"                               # prefix length of the IPv4 addresses on the netdev
  : "${NDK_LAB_PREFIX6:=48}"                              # and of the IPv6 ones (all of 2001:2::/48 on-link)
}

LAB_PLAN_VARS=(NDK_LAB_DEVICE NDK_LAB_NETDEV NDK_LAB_LOCAL NDK_LAB_PEER NDK_LAB_SILENT_HOST
  NDK_LAB_HOST_UNREACHABLE NDK_LAB_NETWORK_UNREACHABLE NDK_LAB_FOREIGN NDK_LAB_CGROUP)

# Sets REPLY to IPv6 literal $1 with all eight groups as four lowercase hex digits (the form of
# rxe's sysfs GIDs); fails for anything else, including the dotted forms (::ffff:a.b.c.d). REPLY,
# not output: a command substitution forks, and a fork costs ~30 ms in the emulated guest.
lab_ip6_expand() {
  local a=${1,,} head tail g out=() n=0 i
  [[ $a =~ ^[0-9a-f:]+$ && $a != *:::* && $a != :[!:]* && $a != *[!:]: ]] || return 1
  if [[ $a == *::* ]]; then
    head=${a%%::*} tail=${a#*::}
    [[ $tail != *::* ]] || return 1
  else
    head=$a tail=
  fi
  local -a hg=() tg=()
  [[ -z $head ]] || IFS=: read -r -a hg <<<"$head"
  [[ -z $tail ]] || IFS=: read -r -a tg <<<"$tail"
  n=$((${#hg[@]} + ${#tg[@]}))
  if [[ $a == *::* ]]; then ((n < 8)) || return 1; else ((n == 8)) || return 1; fi
  for g in "${hg[@]}"; do out+=("$g"); done
  for ((i = n; i < 8; i++)); do out+=(0); done
  for g in "${tg[@]}"; do out+=("$g"); done
  for i in "${!out[@]}"; do
    [[ ${out[i]} =~ ^[0-9a-f]{1,4}$ ]] || return 1
    printf -v "out[i]" '%04x' "0x${out[i]}"
  done
  local IFS=:
  REPLY="${out[*]}"
}

# True when $1 (an address, optionally /len) lies inside 198.18.0.0/15, or is an IPv6 address
# inside 2001:2::/48 (a /len then at least 48).
lab_in_range() {
  local a=${1%/*} o1 o2 o3 o4 REPLY
  if [[ $a == *:* ]]; then
    lab_ip6_expand "$a" || return 1
    [[ $REPLY == 2001:0002:0000:* ]] || return 1
    [[ $1 != */* ]] && return 0
    [[ ${1#*/} =~ ^[0-9]{1,3}$ ]] && ((${1#*/} >= 48 && ${1#*/} <= 128))
    return
  fi
  IFS=. read -r o1 o2 o3 o4 <<<"$a"
  [[ $o1 == 198 && ( $o2 == 18 || $o2 == 19 ) && $o3 =~ ^[0-9]+$ && $o4 =~ ^[0-9]+$ ]] &&
    ((o3 <= 255 && o4 <= 255))
}

# Refuse to touch anything outside 198.18.0.0/15 and 2001:2::/48.
lab_check_plan() {
  local a
  for a in ${NDK_LAB_LOCAL//,/ } ${NDK_LAB_PEER//,/ } "$NDK_LAB_SILENT_HOST" "$NDK_LAB_HOST_UNREACHABLE" \
           ${NDK_LAB_HOST_UNREACHABLE_ROUTE:+"$NDK_LAB_HOST_UNREACHABLE_ROUTE"} "$NDK_LAB_NETWORK_UNREACHABLE" "$NDK_LAB_FOREIGN"; do
    lab_in_range "$a" || { echo "lab: address $a is outside 198.18.0.0/15 and 2001:2::/48; refusing" >&2; return 1; }
  done
}

# Sets REPLY to the GID rxe gives address $1: the IPv6 address itself, an IPv4 address
# IPv4-mapped.
lab_gid_of() {
  local o1 o2 o3 o4
  if [[ $1 == *:* ]]; then lab_ip6_expand "$1"; return; fi
  IFS=. read -r o1 o2 o3 o4 <<<"$1"
  printf -v REPLY '0000:0000:0000:0000:0000:ffff:%02x%02x:%02x%02x' "$o1" "$o2" "$o3" "$o4"
}

# Waits (at most 10 s) until port 1 of device $1 has a GID for every address in $2..; fails
# naming the ones missing. Builtins only on the sysfs files, in index order: there are ~1000,
# the used ones come first, and an exec each would cost minutes under emulation.
lab_wait_gids() {
  local dev=$1 a g i n REPLY end=$((SECONDS + 10))
  shift
  local -A want=()
  for a in "$@"; do lab_gid_of "$a" && want[$REPLY]=$a; done
  while :; do
    local -a files=(/sys/class/infiniband/"$dev"/ports/1/gids/*)
    n=${#files[@]}
    for ((i = 0; i < n && ${#want[@]} > 0; i++)); do
      read -r g <"/sys/class/infiniband/$dev/ports/1/gids/$i" 2>/dev/null && unset "want[$g]"
    done
    ((${#want[@]} == 0)) && return 0
    ((SECONDS < end)) || break
    sleep 0.1
  done
  echo "lab: $dev has no GID for ${want[*]} after 10 s" >&2
  return 1
}

# lab.properties: the plan as key=value, for tests that read a file rather than the environment.
lab_write_properties() { # $1 = file, $2 = mode
  {
    echo "# written by lab/run; the same values are in the NDK_LAB_* environment variables"
    echo "mode=$2"
    echo "hosts=${LAB_HOSTS:-1}"
    [[ -z ${NDK_LAB_ROLE:-} ]] || echo "role=$NDK_LAB_ROLE"
    local k; read -r k </proc/sys/kernel/osrelease; echo "kernel=$k"
    echo "device=$NDK_LAB_DEVICE"
    echo "netdev=$NDK_LAB_NETDEV"
    echo "local=$NDK_LAB_LOCAL"
    echo "peer=$NDK_LAB_PEER"
    echo "silent_host=$NDK_LAB_SILENT_HOST"
    echo "host_unreachable=$NDK_LAB_HOST_UNREACHABLE"
    echo "host_unreachable_route=$NDK_LAB_HOST_UNREACHABLE_ROUTE"
    echo "network_unreachable=$NDK_LAB_NETWORK_UNREACHABLE"
    echo "foreign=$NDK_LAB_FOREIGN"
    echo "cgroup=${NDK_LAB_CGROUP:-}"
    echo "out=${NDK_LAB_OUT:-}"
  } >"$1"
}

lab_export_env() {
  export NDK_LAB=1 NDK_LAB_HOST_UNREACHABLE_ROUTE
  export "${LAB_PLAN_VARS[@]}"
}

lab_rdma_active() { # $1 = device: true when one of its ports is ACTIVE (sysfs, no fork)
  local f st
  for f in /sys/class/infiniband/"$1"/ports/*/state; do
    [[ -r $f ]] || continue
    read -r st <"$f" || continue
    [[ $st == *ACTIVE* ]] && return 0
  done
  return 1
}

# Set up SoftRoCE with the plan: modules, dummy netdev, addresses, routes, rxe link, cgroup.
# Idempotent (lab/run --configure-host may run it on a host that already has part of it).
# Every exec costs ~0.13 s in the emulated guest, so commands are batched and checks use
# bash builtins and sysfs. Prints what went wrong and returns 1 on failure.
lab_configure() {
  local a have='' batch REPLY
  lab_check_plan || return 1
  # IPv6 on, for the netdev made below (default) and an existing one; 'all' propagates to the rest.
  if [[ "$NDK_LAB_LOCAL,$NDK_LAB_PEER" == *:* ]]; then
    for a in all default "$NDK_LAB_NETDEV"; do
      [[ $a != "$NDK_LAB_NETDEV" || -e /proc/sys/net/ipv6/conf/$a ]] || continue
      echo 0 >"/proc/sys/net/ipv6/conf/$a/disable_ipv6" ||
        { echo "lab: cannot enable IPv6 (net.ipv6.conf.$a.disable_ipv6=0)" >&2; return 1; }
    done
  fi
  # crc32_generic first: without it rdma_rxe fails "failed to init crc32 algorithm err:-2"
  # (the kernel cannot autoload it from inside the chroot). modprobe -a loads in this order.
  modprobe -a crc32_generic rdma_rxe rdma_ucm dummy ||
    { echo "lab: modprobe crc32_generic rdma_rxe rdma_ucm dummy failed" >&2; return 1; }
  batch="link set lo up"$'\n'
  if [[ -e /sys/class/net/$NDK_LAB_NETDEV ]]; then
    have=$(ip -o addr show dev "$NDK_LAB_NETDEV")
  else
    batch+="link add $NDK_LAB_NETDEV type dummy"$'\n'
  fi
  # shellcheck disable=SC2086 # the lists split on commas
  lab_addr_batch "$have" ${NDK_LAB_LOCAL//,/ } ${NDK_LAB_PEER//,/ }
  batch+=$REPLY
  batch+="link set $NDK_LAB_NETDEV up"$'\n'
  batch+="route replace unreachable $NDK_LAB_HOST_UNREACHABLE_ROUTE"$'\n'
  printf '%s' "$batch" | ip -batch - ||
    { echo "lab: setting up $NDK_LAB_NETDEV failed; commands were:" >&2; printf '%s' "$batch" >&2; return 1; }
  # shellcheck disable=SC2086 # the lists split on commas
  lab_rxe_up ${NDK_LAB_LOCAL//,/ } ${NDK_LAB_PEER//,/ } || return 1
  lab_configure_cgroup || return 1
  lab_configure_routes || return 1
}

# Sets REPLY to the 'ip -batch' lines that add each address in $2.. to the lab's netdev, leaving
# out those `ip -o addr show` output $1 already lists.
lab_addr_batch() {
  local have=$1 a
  shift
  REPLY=
  for a in "$@"; do
    if [[ $a == *:* ]]; then # nodad: usable at once, not 'tentative' for a second or more
      [[ $have == *" inet6 $a/"* ]] || REPLY+="addr add $a/$NDK_LAB_PREFIX6 dev $NDK_LAB_NETDEV nodad"$'\n'
    else
      [[ $have == *" inet $a/"* ]] || REPLY+="addr add $a/$NDK_LAB_PREFIX dev $NDK_LAB_NETDEV"$'\n'
    fi
  done
}

# The rxe device on the lab's netdev (added unless it exists), ACTIVE (at most 20 s), with a GID
# for each address in $@: rxe adds an address's GID from a notifier, asynchronously, and rdma_cm
# cannot bind or resolve an address before its GID exists.
lab_rxe_up() {
  local i
  if [[ ! -e /sys/class/infiniband/$NDK_LAB_DEVICE ]]; then
    rdma link add "$NDK_LAB_DEVICE" type rxe netdev "$NDK_LAB_NETDEV" ||
      { echo "lab: rdma link add $NDK_LAB_DEVICE type rxe netdev $NDK_LAB_NETDEV failed" >&2; return 1; }
  fi
  for ((i = 0; i < 200; i++)); do
    lab_rdma_active "$NDK_LAB_DEVICE" && break
    sleep 0.1
  done
  lab_rdma_active "$NDK_LAB_DEVICE" ||
    { echo "lab: $NDK_LAB_DEVICE did not become ACTIVE within 20 s:" >&2; rdma link show >&2; return 1; }
  lab_wait_gids "$NDK_LAB_DEVICE" "$@"
}

# cgroup v2 with the rdma controller enabled for children of $NDK_LAB_CGROUP: a test may
# mkdir $NDK_LAB_CGROUP/x, write "rxe0 hca_handle=1 hca_object=3" to x/rdma.max and move a
# process into x/cgroup.procs.
lab_configure_cgroup() {
  local root=/sys/fs/cgroup ctl
  : "${NDK_LAB_CGROUP:=$root/ndk-lab}"
  if [[ ! -e $root/cgroup.controllers ]]; then
    mount -t cgroup2 cgroup2 "$root" || { echo "lab: cannot mount cgroup2 on $root" >&2; return 1; }
  fi
  read -r ctl <"$root/cgroup.controllers" || ctl=
  [[ " $ctl " == *" rdma "* ]] || { echo "lab: cgroup v2 has no rdma controller ($ctl)" >&2; return 1; }
  echo +rdma >"$root/cgroup.subtree_control" || { echo "lab: cannot enable +rdma in $root" >&2; return 1; }
  [[ -d $NDK_LAB_CGROUP ]] || mkdir -p "$NDK_LAB_CGROUP" || return 1
  echo +rdma >"$NDK_LAB_CGROUP/cgroup.subtree_control" ||
    { echo "lab: cannot enable +rdma in $NDK_LAB_CGROUP" >&2; return 1; }
}

# The routing conditions (their rdma_cm errno is checked by lab/selftest). The VM has no default
# route, so NETWORK_UNREACHABLE has no route at all. On a host with a default route
# (--configure-host) a 'throw' route is added for it: the lookup falls through every table and
# ends in ENETUNREACH just the same.
lab_configure_routes() {
  local out addrs
  out=$(ip route get "$NDK_LAB_NETWORK_UNREACHABLE" 2>&1) && {
    ip route replace throw "$NDK_LAB_NETWORK_UNREACHABLE/32" || { echo "lab: cannot add throw route" >&2; return 1; }
    out=$(ip route get "$NDK_LAB_NETWORK_UNREACHABLE" 2>&1) && { echo "lab: $NDK_LAB_NETWORK_UNREACHABLE still has a route: $out" >&2; return 1; }
  }
  [[ $out == *"Network is unreachable"* ]] || { echo "lab: unexpected for $NDK_LAB_NETWORK_UNREACHABLE: $out" >&2; return 1; }
  # One ip process for the other two lookups (their messages are distinct, so order does not matter).
  out=$(printf 'route get %s\nroute get %s\n' "$NDK_LAB_HOST_UNREACHABLE" "$NDK_LAB_SILENT_HOST" | ip -force -batch - 2>&1)
  [[ $out == *"No route to host"* ]] || { echo "lab: $NDK_LAB_HOST_UNREACHABLE is not host-unreachable: $out" >&2; return 1; }
  [[ $out == *"$NDK_LAB_SILENT_HOST dev $NDK_LAB_NETDEV "* ]] ||
    { echo "lab: $NDK_LAB_SILENT_HOST is not on-link via $NDK_LAB_NETDEV: $out" >&2; return 1; }
  addrs=$(ip -4 -o addr show)
  [[ $addrs != *" inet $NDK_LAB_FOREIGN/"* ]] || { echo "lab: $NDK_LAB_FOREIGN is assigned but must not be" >&2; return 1; }
  [[ $addrs != *" inet $NDK_LAB_SILENT_HOST/"* ]] || { echo "lab: $NDK_LAB_SILENT_HOST is assigned but must not be" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------
# Two hosts (lab/run --hosts 2): a test machine and a support machine, two QEMU guests whose
# virtio NICs are joined by a point-to-point Ethernet link (QEMU socket netdevs over UDP on the
# host's loopback). Each guest brings up rxe0 on its own NIC (renamed ndk0) and holds its own
# addresses: the test machine NDK_LAB_LOCAL, the support machine NDK_LAB_PEER. ARP and IPv6
# neighbour discovery run on the link. A second NIC per guest (ctl0, QEMU user networking with
# restrict=on) carries only the agents' control connections, forwarded from the host's loopback,
# so no fault on the data link cuts the kit off from its agents.
# ---------------------------------------------------------------------------------------------
LAB_CTL_NET=198.19.0.0/24  # the control NICs (each guest its own user-mode network); never the data link
LAB_CTL_GUEST=198.19.0.15  # the guest's control address (QEMU's default first guest address there)
LAB_CTL_HOST=198.19.0.2    # QEMU's side of it
LAB_AGENT_PORT=7400        # the agent's port on ctl0 in each guest
lab_data_mac() { case $1 in test) echo 52:54:00:18:00:01 ;; support) echo 52:54:00:18:01:01 ;; esac; }
lab_ctl_mac() { case $1 in test) echo 52:54:00:19:00:01 ;; support) echo 52:54:00:19:01:01 ;; esac; }
# The silent host on the link: a permanent neighbour entry on the test machine gives it a MAC no
# NIC has, so frames to it cross the link and are dropped by the support machine's NIC filter.
: "${NDK_LAB_SILENT_MAC:=52:54:00:18:01:77}"

lab_two_host_defaults() {
  lab_plan_defaults
  # An unreachable host is now an on-link address that ARPs with no one behind it (no route).
  NDK_LAB_HOST_UNREACHABLE_ROUTE=
}

# Renames the virtio NIC with MAC $1 to $2 (the kernel names them in probe order; the lab knows
# them by the MACs lab/run gave them).
lab_name_nic() {
  local f mac i
  for ((i = 0; i < 100; i++)); do
    for f in /sys/class/net/*/address; do
      read -r mac <"$f" || continue
      if [[ $mac == "$1" ]]; then
        f=${f%/address}; f=${f##*/}
        [[ $f == "$2" ]] && return 0
        ip link set dev "$f" name "$2" && return 0
        echo "lab: cannot rename $f to $2" >&2; return 1
      fi
    done
    sleep 0.05
  done
  echo "lab: no NIC with MAC $1" >&2
  return 1
}

# The guest's side of the two-host plan for role $1 (test | support).
lab_configure_two_host() {
  local role=$1 a own batch out REPLY
  lab_check_plan || return 1
  modprobe -a crc32_generic rdma_rxe rdma_ucm virtio_net sch_netem ||
    { echo "lab: modprobe crc32_generic rdma_rxe rdma_ucm virtio_net sch_netem failed" >&2; return 1; }
  lab_name_nic "$(lab_data_mac "$role")" "$NDK_LAB_NETDEV" || return 1
  lab_name_nic "$(lab_ctl_mac "$role")" ctl0 || return 1
  for a in all default "$NDK_LAB_NETDEV"; do
    echo 0 >"/proc/sys/net/ipv6/conf/$a/disable_ipv6" || { echo "lab: cannot enable IPv6 on $a" >&2; return 1; }
  done
  [[ $role == test ]] && own=$NDK_LAB_LOCAL || own=$NDK_LAB_PEER
  # shellcheck disable=SC2086 # the list splits on commas
  lab_addr_batch '' ${own//,/ }
  batch="link set lo up"$'\n'$REPLY
  batch+="link set $NDK_LAB_NETDEV up"$'\n'
  batch+="addr add $LAB_CTL_GUEST/${LAB_CTL_NET#*/} dev ctl0"$'\n'
  batch+="link set ctl0 up"$'\n'
  [[ $role == test ]] && batch+="neigh replace $NDK_LAB_SILENT_HOST lladdr $NDK_LAB_SILENT_MAC dev $NDK_LAB_NETDEV nud permanent"$'\n'
  printf '%s' "$batch" | ip -batch - ||
    { echo "lab: setting up the NICs failed; commands were:" >&2; printf '%s' "$batch" >&2; return 1; }
  # shellcheck disable=SC2086 # the list splits on commas
  lab_rxe_up ${own//,/ } || return 1
  lab_configure_cgroup || return 1
  [[ $role == test ]] || return 0
  # The conditions, as the test machine sees them: no route at all; on-link with no one behind
  # (ARP unanswered); on-link with a MAC no one has (silent); assigned nowhere.
  out=$(printf 'route get %s\nroute get %s\nroute get %s\n' "$NDK_LAB_NETWORK_UNREACHABLE" \
          "$NDK_LAB_HOST_UNREACHABLE" "$NDK_LAB_SILENT_HOST" | ip -force -batch - 2>&1)
  [[ $out == *"Network is unreachable"* ]] || { echo "lab: $NDK_LAB_NETWORK_UNREACHABLE has a route: $out" >&2; return 1; }
  [[ $out == *"$NDK_LAB_HOST_UNREACHABLE dev $NDK_LAB_NETDEV "* && $out == *"$NDK_LAB_SILENT_HOST dev $NDK_LAB_NETDEV "* ]] ||
    { echo "lab: $NDK_LAB_HOST_UNREACHABLE and $NDK_LAB_SILENT_HOST must be on-link via $NDK_LAB_NETDEV: $out" >&2; return 1; }
}
