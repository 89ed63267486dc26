#!/usr/bin/env bash
# benchmarks/wire-bench.sh [WireOverheadBench options]
#
# What the wire costs: a connection's cycle and setup window on the simulated provider in-process
# and behind an ndk-agent process on loopback (through `remote`), median and p99 of each
# (org.ndkkit.benchmarks.WireOverheadBench; options --cycles N --warmup N --block N
# --completion-path PATH). Builds first. Runs on the host: no lab, no RDMA.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$ROOT"
mvn -B -q install -DskipTests -pl benchmarks -am
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/runtime-classpath.txt)" \
  org.ndkkit.benchmarks.WireOverheadBench "$@"
