#!/usr/bin/env bash
# benchmarks/suite-timings.sh [OUTDIR]
#
# The conformance suite's own wall time, and what dominates it:
#   1. the whole spec on the reference provider in the SoftRoCE lab: build, boot, suite,
#      power-down (reference-impl/lab-suite.sh, which also builds what run 2 uses);
#   2. the whole spec on the simulated provider, on this host (one JVM, pending completions).
# Prints one `suite-time` line for each and where the time went (JVM start and preflight, the
# scenarios, the slowest ones, the settle after each scenario). OUTDIR (default
# benchmarks/target/suite-timings) keeps both runs' results. benchmarks/lab-bench.sh runs it
# after the benchmark. Exit status: 0 when both runs gave every scenario a verdict with none
# failed, 1 otherwise.
set -uo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/benchmarks/target/suite-timings}
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd -P)
cd -- "$ROOT"
rm -rf -- "$OUT/simulated" "$OUT/lab"

# The lab run first: lab-suite.sh builds and installs the project, which the simulated run then uses.
t0=$(date +%s%N)
reference-impl/lab-suite.sh "$OUT/lab" >"$OUT/lab.log" 2>&1
lab_rc=$?
t1=$(date +%s%N)
CP_FILE=$(mktemp)
trap 'rm -f -- "$CP_FILE"' EXIT
mvn -B -ntp -q -pl steps dependency:build-classpath -Dmdep.outputFile="$CP_FILE" || exit 1
CP="steps/target/classes:$(cat -- "$CP_FILE")"
SETTLE_MS=${NDK_SETTLE_MS:-100}

t2=$(date +%s%N)
timeout 600 java -Dndk.provider=simulated -Dndk.out="$OUT/simulated" -Dndk.settle.ms="$SETTLE_MS" \
  -cp "$CP" org.ndkkit.kit.ConformanceMain >"$OUT/simulated.log" 2>&1
sim_rc=$?
t3=$(date +%s%N)

python3 - "$OUT" "$(( (t3 - t2) / 1000000 ))" "$(( (t1 - t0) / 1000000 ))" "$SETTLE_MS" "$sim_rc" "$lab_rc" <<'PY'
import json, os, sys
out, sim_ms, lab_ms, settle_ms, sim_rc, lab_rc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
ok = True

def load(p):
    p = os.path.join(out, p)
    return json.load(open(p)) if os.path.exists(p) else None

def describe(s):
    sc = s["scenarios"]
    total = sum(x.get("durationMillis", 0) for x in sc)
    slow = sorted(sc, key=lambda x: -x.get("durationMillis", 0))[:3]
    top = "; ".join(f'{x["durationMillis"] / 1000:.1f} s {x["name"]}' for x in slow)
    return total, f'{len(sc)} scenarios, {total / 1000:.1f} s in scenarios (of which the {settle_ms} ms settle after each: ' \
                  f'{len(sc) * settle_ms / 1000:.1f} s); slowest: {top}'

def verdicts(s):
    c = s["counts"]
    return ", ".join(f"{k} {v}" for k, v in c.items() if v and k != "total")

sim = load("simulated/summary.json")
if sim is None:
    print(f"suite-time simulated: no summary.json (exit {sim_rc}); see {out}/simulated.log")
    ok = False
else:
    total, what = describe(sim)
    print(f"suite-time simulated wall={sim_ms / 1000:.1f}s ({verdicts(sim)})")
    print(f"  JVM start, provider load and set-up {max(0, sim_ms - total) / 1000:.1f} s; {what}")
    ok &= sim["counts"]["failed"] == 0 and sim["counts"]["total"] == sum(v for k, v in sim["counts"].items() if k in ("passed", "unsupported"))

lab = load("lab/reference/summary.json")
timings = {}
p = os.path.join(out, "lab", "lab-timings.properties")
if os.path.exists(p):
    for line in open(p):
        if "=" in line and not line.startswith("#"):
            k, v = line.strip().split("=", 1)
            timings[k] = float(v)
if lab is None:
    print(f"suite-time lab: no summary.json (exit {lab_rc}); see {out}/lab.log")
    ok = False
else:
    total, what = describe(lab)
    boot, cmd = timings.get("boot_to_command", float("nan")), timings.get("command", float("nan"))
    print(f"suite-time lab wall={lab_ms / 1000:.1f}s boot={boot:.1f}s suite={cmd:.1f}s ({verdicts(lab)}), build and power-down included in wall")
    print(f"  in the guest: JVM start, testbed open and preflight {max(0, cmd * 1000 - total) / 1000:.1f} s; {what}")
    ok &= lab["counts"]["failed"] == 0 and lab["counts"]["timeout"] == 0
sys.exit(0 if ok else 1)
PY
