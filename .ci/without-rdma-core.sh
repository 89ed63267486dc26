#!/usr/bin/env bash
# .ci/without-rdma-core.sh [MAVEN ARGS]: `mvn verify` as on a machine without rdma-core (a vendor's
# workstation or CI runner): in a private mount namespace, /dev/null is bind-mounted over
# librdmacm.so* and libibverbs.so*, so they cannot load; everything else is as on this machine.
# The build must pass; the tests that need rdma-core skip with the reason, and this lists them.
# Then it runs those modules again with the libraries (-Dndk.require-rdma-core=true: what skipped
# there must now run and pass), so nothing that needs rdma-core goes untested on a machine that has it.
# Needs root (unshare -m, mount --bind). Exit 0 when both passed.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$ROOT"
libs=$(ls /usr/lib/*-linux-gnu/librdmacm.so* /usr/lib/*-linux-gnu/libibverbs.so* 2>/dev/null || true)
[[ -n $libs ]] || { echo "without-rdma-core: rdma-core is not installed here: nothing to hide" >&2; exit 2; }
mkdir -p -- "$ROOT/target"
start=$SECONDS
# shellcheck disable=SC2016 # expanded by the inner bash
unshare -m bash -c 'for f in '"$(echo $libs)"'; do mount --bind /dev/null "$f"; done; exec "$@"' _ \
  mvn -B -ntp verify "$@"
hidden_s=$((SECONDS - start))
python3 - "$ROOT" "$hidden_s" <<'PY' >"$ROOT/target/without-rdma-core.txt"
import glob, os, re, sys, xml.etree.ElementTree as ET
root, secs = sys.argv[1], sys.argv[2]
run = skipped = 0
reasons, modules = {}, set()
for f in glob.glob(os.path.join(root, "**", "target", "*-reports", "**", "TEST-*.xml"), recursive=True):
    t = ET.parse(f).getroot()
    run += int(t.get("tests", 0)); skipped += int(t.get("skipped", 0))
    mod = os.path.relpath(f, root).split(os.sep + "target" + os.sep)[0]
    for tc in t.iter("testcase"):
        s = tc.find("skipped")
        if s is not None:
            msg = s.get("message") or ""
            why = (msg.split(":")[0] + ": " + (msg.split(":", 1) + [""])[1][:90]) if msg else \
                "a scenario the simulated provider cannot run (unsupported: the suite's summary.json says why)"
            reasons.setdefault(why.strip(), []).append(f"{mod} {tc.get('classname').rsplit('.', 1)[-1]}.{tc.get('name')}")
            if "rdma-core" in (s.get("message") or ""):
                modules.add(mod)
print(f"without rdma-core: mvn verify passed in {secs} s: {run} tests, {skipped} skipped")
for why, tests in sorted(reasons.items()):
    print(f"  skipped ({len(tests)}): {why}")
    for t in tests[:8]:
        print(f"      {t[:160]}")
    if len(tests) > 8:
        print(f"      ... and {len(tests) - 8} more")
print("MODULES " + ",".join(sorted(modules)))
PY
grep -v '^MODULES' "$ROOT/target/without-rdma-core.txt"
mods=$(sed -n 's/^MODULES //p' "$ROOT/target/without-rdma-core.txt")
[[ -n $mods ]] || { echo "without-rdma-core: no test skipped for rdma-core: is the hiding working?" >&2; exit 1; }
echo "without-rdma-core: the modules whose tests needed rdma-core, again with it: $mods"
# (-am: mvn verify installs nothing, so the modules they depend on are built here again)
mvn -B -ntp verify -pl "$mods" -am -Dndk.require-rdma-core=true
