#!/usr/bin/env bash
# providers/archetype/archetype-selftest.sh: a vendor's first hour, end to end. Generates a provider
# project from the installed ndk-provider-archetype into a temporary folder outside the repository
# (offline: the archetype, the SPI and the plugins come from the local Maven repository), builds it
# offline with its own test, then runs the kit's spec on the skeleton through cli/ndk-cli (in-process,
# no lab) and checks that the kit treats a provider with nothing implemented honestly:
#   - no scenario passed, failed, timed out, crashed or went unreached;
#   - every scenario is unsupported with reason code not-implemented, and the run is not certified
#     (exit 1): the skeleton's openTestbed throws TestbedNotImplementedException, which is neither an
#     environment error (exit 2) nor anything that could pass;
#   - each reason carries the skeleton's own message naming what to implement.
# Prints the figures and exits 0 when all of that holds, 1 naming the deviation otherwise.
# Usage: providers/archetype/archetype-selftest.sh [--keep]   (--keep: leave the temporary folder)
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd -- "$ROOT"
keep=0
[[ ${1:-} == --keep ]] && keep=1
t0=$(date +%s.%N)
fail() { echo "archetype-selftest: NOT as expected: $*" >&2; exit 1; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

kit_version=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)
spi_version=$(sed -n 's:.*<ndk.spi.version>\(.*\)</ndk.spi.version>.*:\1:p' pom.xml)
plugin_version=$(sed -n 's:.*<archetype.version>\(.*\)</archetype.version>.*:\1:p' providers/archetype/pom.xml)
[[ -n $kit_version && -n $spi_version && -n $plugin_version ]] || fail "cannot read the versions from the poms"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ndk-archetype-selftest.XXXXXX")
if [[ $keep == 1 ]]; then
  echo "archetype-selftest: working in $tmp (kept)"
else
  trap 'rm -rf -- "$tmp"' EXIT
fi
# The generated project resolves org.ndkkit:ndk-spi (and the kit's parent pom it names) from the local
# repository, and archetype:generate the archetype: install the three (a 'mvn verify' installs nothing).
mvn -B -ntp install -DskipTests -Djapicmp.skip=true -pl providers/spi,providers/archetype -am >"$tmp/install.log" 2>&1 \
  || { grep -E 'ERROR' "$tmp/install.log" | head -10 >&2; fail "installing the SPI and the archetype failed"; }
name=example-nic class=ExampleNicProvider artifact=example-ndk-provider

t=$(date +%s.%N)
(cd "$tmp" && mvn -B -ntp -o "org.apache.maven.plugins:maven-archetype-plugin:$plugin_version:generate" \
    -DarchetypeGroupId=org.ndkkit -DarchetypeArtifactId=ndk-provider-archetype -DarchetypeVersion="$kit_version" \
    -DgroupId=com.example.nic -DartifactId="$artifact" -DproviderName="$name" -DproviderClass="$class" \
    -DinteractiveMode=false >"$tmp/generate.log" 2>&1) \
  || { tail -20 "$tmp/generate.log" >&2; fail "archetype:generate failed (log above)"; }
gen_s=$(since "$t")
proj=$tmp/$artifact
for f in pom.xml README.md src/main/resources/META-INF/services/org.ndkkit.spi.NdkProvider \
         src/main/java/com/example/nic/$class.java src/main/java/com/example/nic/${class}Testbed.java \
         src/main/java/com/example/nic/${class}Adapter.java src/test/java/com/example/nic/${class}Test.java; do
  [[ -f $proj/$f ]] || fail "the generated project has no $f"
done
grep -q "<ndk.spi.version>$spi_version</ndk.spi.version>" "$proj/pom.xml" \
  || fail "the generated pom does not default to SPI $spi_version (the kit's ndk.spi.version)"
[[ $(cat "$proj/src/main/resources/META-INF/services/org.ndkkit.spi.NdkProvider") == "com.example.nic.$class" ]] \
  || fail "META-INF/services/org.ndkkit.spi.NdkProvider does not name com.example.nic.$class"
todos=$(grep -rc 'TODO(vendor)' "$proj/src/main/java" | awk -F: '{n += $2} END {print n}')

t=$(date +%s.%N)
(cd "$proj" && mvn -B -ntp -o package >"$tmp/build.log" 2>&1) \
  || { tail -30 "$tmp/build.log" >&2; fail "the generated project does not build offline (log above)"; }
build_s=$(since "$t")
tests=$(grep -E '^\[INFO\] Tests run: [1-9][0-9]*, Failures: 0, Errors: 0, Skipped: [0-9]+$' "$tmp/build.log" \
        | tail -1 | sed 's/^\[INFO\] //') && [[ -n $tests ]] \
  || fail "the generated project's build ran no test"
jar=$proj/target/$artifact-1.0-SNAPSHOT.jar
[[ -f $jar ]] || fail "the build wrote no $jar"

t=$(date +%s.%N)
rc=0
CI=true cli/ndk-cli run --provider "$name" --provider-path "$jar" --out "$tmp/report" --no-report \
  --run-timeout 300 >"$tmp/run.log" 2>&1 || rc=$?
run_s=$(since "$t")
[[ -f $tmp/report/summary.json ]] || { tail -20 "$tmp/run.log" >&2; fail "the kit's run (exit $rc) wrote no summary.json"; }

python3 - "$tmp/report/summary.json" "$rc" "$name" "${class}Testbed.open" "$gen_s" "$build_s" "$run_s" "$tests" "$todos" <<'PY' \
  || { tail -15 "$tmp/run.log" >&2; exit 1; }
import json, sys
path, rc, name, todo, gen_s, build_s, run_s, tests, todos = sys.argv[1:]
rc = int(rc)
s = json.load(open(path))
c = s["counts"]
problems = []
for k in ("passed", "failed", "timeout", "not-reached", "waived"):
    if c.get(k):
        problems.append(f"{c[k]} scenario(s) {k}: a skeleton that implements nothing must have none")
if c["total"] != s["kit"]["spec"]["scenarios"]:
    problems.append(f"{c['total']} scenarios judged of the spec's {s['kit']['spec']['scenarios']}")
verdicts = {sc["verdict"] for sc in s["scenarios"]}
# The honest outcome: every scenario unsupported for the missing testbed, not certified. Anything
# mixed, an environment error, or anything else, is a deviation.
expected = {"unsupported": (1, "not-certified")}
if len(verdicts) != 1 or next(iter(verdicts)) not in expected:
    problems.append(f"verdicts {sorted(verdicts)}: expected every scenario unsupported (not-implemented)")
else:
    v = next(iter(verdicts))
    want_rc, want_status = expected[v]
    if rc != want_rc or s["verdict"]["exitCode"] != want_rc:
        problems.append(f"exit {rc} (summary says {s['verdict']['exitCode']}); expected {want_rc} when every scenario is {v}")
    if s["verdict"]["status"] != want_status:
        problems.append(f"status {s['verdict']['status']}; expected {want_status}")
crashed = [sc["id"] for sc in s["scenarios"] if sc.get("reasonCode") == "crashed"]
if crashed:
    problems.append(f"crashed: {crashed[:3]}")
vague = [sc["id"] for sc in s["scenarios"]
         if sc.get("reasonCode") != "not-implemented" or todo not in (sc.get("reason") or "")]
if vague:
    problems.append(f"{len(vague)} scenario(s) without the skeleton's reason (not-implemented ... {todo}), e.g. "
                    f"{vague[0]}: {next(x for x in s['scenarios'] if x['id'] == vague[0]).get('reason')}")
first = s["scenarios"][0]
print(f"archetype-selftest: generated {name} ({todos} TODO(vendor) marks) in {gen_s} s, built offline in {build_s} s ({tests})")
print(f"archetype-selftest: the kit's spec on the skeleton in {run_s} s (suite {s['run']['durationMillis']} ms): "
      f"exit {rc}, {s['verdict']['status']}; scenarios {c['total']}: environment-error {c['environment-error']}, "
      f"unsupported {c['unsupported']}, passed {c['passed']}, failed {c['failed']}, timeout {c['timeout']}, "
      f"not-reached {c['not-reached']}")
print(f"archetype-selftest: reason: {first.get('reason')}")
if problems:
    for p in problems:
        print("archetype-selftest: NOT as expected: " + p, file=sys.stderr)
    sys.exit(1)
PY
# The skeleton's bundle stands on its own: verify re-judges it to the same not-certified verdict.
[[ -d $tmp/report/bundle ]] || fail "the kit's run wrote no bundle"
cli/ndk-cli verify --provider-path "$jar" "$tmp/report/bundle" >"$tmp/verify.log" 2>&1 \
  || { cat "$tmp/verify.log" >&2; fail "verify rejected the skeleton's bundle"; }
echo "archetype-selftest: verify: $(grep -c '^  ok ' "$tmp/verify.log" || true) checks ok on the skeleton's bundle"
echo "archetype-selftest: as expected ($(since "$t0") s in all)"
