#!/usr/bin/env bash
# .ci/without-rdma-core.sh [MAVEN ARGS]: `mvn verify` as on a vendor's workstation or CI runner:
# no rdma-core, no Chromium, not root. In a private mount namespace /dev/null is bind-mounted over
# librdmacm.so*, libibverbs.so* and the chromium executables, so they cannot load or run, and the
# build runs as an unprivileged user (NDK_BUILD_USER, default ndk-build, created when missing, with
# a copy of the Maven repository; the tree is theirs for the build and given back after).
# The build must pass; the tests that need what is missing skip with the reason, and this lists them.
# Then the tests that skipped for rdma-core or Chromium run again, as root, with both
# (-Dndk.require-rdma-core=true -Dndk.require-chromium=true: they may not skip now), so nothing
# that needs them goes untested on a machine that has them.
# Needs root (unshare -m, mount --bind, setpriv). Exit 0 when both passed.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$ROOT"
libs=$(ls /usr/lib/*-linux-gnu/librdmacm.so* /usr/lib/*-linux-gnu/libibverbs.so* 2>/dev/null || true)
[[ -n $libs ]] || { echo "without-rdma-core: rdma-core is not installed here: nothing to hide" >&2; exit 2; }
# Chromium installed first (as ./ndk test needs it for the second part), so hiding it is real
cli/setup
browsers=$(ls /usr/bin/chromium /usr/bin/chromium-browser /usr/lib/chromium/chromium 2>/dev/null || true)
user=${NDK_BUILD_USER:-ndk-build}
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir "/var/tmp/$user" --shell /usr/sbin/nologin "$user"
fi
uid=$(id -u "$user") gid=$(id -g "$user") home=$(getent passwd "$user" | cut -d: -f6)
((uid != 0)) || { echo "without-rdma-core: $user is root" >&2; exit 2; }
m2=${MAVEN_REPO:-$HOME/.m2/repository}
# its own temporary folder: /tmp need not be writable by it (it is not on every CI runner)
tmp=$home/tmp
rm -rf -- "$tmp"
mkdir -p -- "$m2" "$home/.m2/repository" "$ROOT/target" "$tmp"
cp -a -- "$m2/." "$home/.m2/repository/"
chown -R "$uid:$gid" "$home"
owner=$(stat -c %u:%g "$ROOT")
chown -R "$uid:$gid" "$ROOT"
# the folders above the tree (a mktemp folder, /root) searchable by the user for the build only
opened=()
d=$(dirname -- "$ROOT")
while [[ $d != / ]]; do
  # others' search bit from the octal mode (the symbolic one shows a sticky folder's x as t)
  if (($(stat -c %a "$d") % 2 == 0)); then chmod o+x "$d"; opened+=("$d"); fi
  d=$(dirname -- "$d")
done
# the tree back to its owner, those folders closed again, and what the build downloaded into
# root's repository, on every path
give_back() {
  chown -R "$owner" "$ROOT"
  ((${#opened[@]} == 0)) || chmod o-x "${opened[@]}"
  opened=()
  cp -rn --preserve=timestamps -- "$home/.m2/repository/." "$m2/" 2>/dev/null || true
}
trap give_back EXIT
start=$SECONDS
rc=0
# shellcheck disable=SC2016 # expanded by the inner bash
unshare -m bash -c 'for f in '"$(echo $libs $browsers)"'; do mount --bind /dev/null "$f"; done; exec "$@"' _ \
  setpriv --reuid="$uid" --regid="$gid" --clear-groups \
  env HOME="$home" USER="$user" LOGNAME="$user" TMPDIR="$tmp" JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$tmp" \
  mvn -B -ntp verify -Dmaven.repo.local="$home/.m2/repository" -Dndk.cli.setup.skip=true "$@" || rc=$?
give_back
trap - EXIT
((rc == 0)) || { echo "without-rdma-core: mvn verify as $user without rdma-core or Chromium failed (exit $rc)" >&2; exit 1; }
hidden_s=$((SECONDS - start))
python3 - "$ROOT" "$hidden_s" "$user" <<'PY' >"$ROOT/target/without-rdma-core.txt"
import glob, os, re, sys, xml.etree.ElementTree as ET
root, secs, user = sys.argv[1], sys.argv[2], sys.argv[3]
run = skipped = 0
reasons, again = {}, {"surefire": {}, "failsafe": {}}
modules = set()
for f in glob.glob(os.path.join(root, "**", "target", "*-reports", "**", "TEST-*.xml"), recursive=True):
    t = ET.parse(f).getroot()
    run += int(t.get("tests", 0)); skipped += int(t.get("skipped", 0))
    rel = os.path.relpath(f, root)
    mod = rel.split(os.sep + "target" + os.sep)[0]
    plugin = "failsafe" if os.sep + "failsafe-reports" + os.sep in rel else "surefire"
    for tc in t.iter("testcase"):
        s = tc.find("skipped")
        if s is None:
            continue
        # the reason: the skip's message, else the first line of its text without the exception's name
        text = (s.text or "").strip().splitlines()
        msg = s.get("message") or (text[0].split(": ", 1)[-1] if text else "")
        why = (msg.split(":")[0] + ": " + (msg.split(":", 1) + [""])[1][:90]) if msg else \
            "a scenario the simulated provider cannot run (unsupported: the suite's summary.json says why)"
        cls = tc.get("classname") or ""
        reasons.setdefault(why.strip(), []).append(f"{mod} {cls.rsplit('.', 1)[-1]}.{tc.get('name')}")
        if "rdma-core" in msg or "Chromium" in msg:
            # only the tests that skipped, by method (a parameterised test's name carries its arguments)
            method = re.split(r"[(\[]", tc.get("name") or "", maxsplit=1)[0]
            again[plugin].setdefault(cls.rsplit(".", 1)[-1], set()).add(method)
            modules.add(mod)
print(f"without rdma-core or Chromium, as {user} (not root): mvn verify passed in {secs} s: {run} tests, {skipped} skipped")
for why, tests in sorted(reasons.items()):
    print(f"  skipped ({len(tests)}): {why}")
    for t in tests[:8]:
        print(f"      {t[:160]}")
    if len(tests) > 8:
        print(f"      ... and {len(tests) - 8} more")
print("MODULES " + ",".join(sorted(modules)))
for plugin in ("surefire", "failsafe"):
    print(plugin.upper() + " " + ",".join(c + "#" + "+".join(sorted(ms)) for c, ms in sorted(again[plugin].items())))
PY
grep -v -E '^(MODULES|SUREFIRE|FAILSAFE)' "$ROOT/target/without-rdma-core.txt"
field() { sed -n "s/^$1 //p" "$ROOT/target/without-rdma-core.txt"; }
mods=$(field MODULES) unit=$(field SUREFIRE) it=$(field FAILSAFE)
[[ $mods == *reference-impl* ]] || { echo "without-rdma-core: no test skipped for rdma-core: is the hiding working?" >&2; exit 1; }
[[ -n $browsers ]] && [[ $mods != *spec-site* ]] &&
  { echo "without-rdma-core: no spec-site test skipped for Chromium: is the hiding working?" >&2; exit 1; }
echo "without-rdma-core: the tests that skipped, again as root with rdma-core and Chromium ($mods):"
echo "  unit: ${unit:-none}; integration: ${it:-none}"
# (-am: mvn verify installs nothing, so the modules they depend on are built here again, their own
# tests filtered out by the test names)
mvn -B -ntp verify -pl "$mods" -am -Dndk.require-rdma-core=true -Dndk.require-chromium=true \
  -Dtest="${unit:-NoSuchTest}" -Dit.test="${it:-NoSuchTest}" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
