#!/usr/bin/env bash
# providers/native/build-release.sh
#
# Builds what the lab serves of the C side, optimised and without sanitizers (quick when built):
#   providers/native/target/release/agent/ndk-agent-native          the C++ agent (no test client)
#   providers/native/target/rdmacm-release/libndk-rdmacm-provider.so the C provider on rdma_cm
# Warnings are errors in both (-Wall -Wextra). The guests of the lab run these binaries from the
# host's shared root, so they are built here, on the host, never in a guest.
# Exit status: 0 built; 2 a build failed (the log's errors on standard error).
set -uo pipefail
NATIVE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
mkdir -p -- "$NATIVE/target"
build() { # build NAME SOURCE DIR CMAKE-ARGS...
  local name=$1 src=$2 dir=$3 log=$NATIVE/target/build-$1.log
  shift 3
  if ! { cmake -S "$src" -B "$dir" "$@" && cmake --build "$dir" -j 2; } >"$log" 2>&1; then
    grep -E 'error|Error' "$log" | head -20 >&2
    echo "build-release: the $name build failed (log: $log)" >&2
    exit 2
  fi
}
build agent "$NATIVE" "$NATIVE/target/release" -DCMAKE_BUILD_TYPE=Release -DNDK_TESTS=OFF
build rdmacm-provider "$NATIVE/rdmacm-provider" "$NATIVE/target/rdmacm-release" -DCMAKE_BUILD_TYPE=Release
echo "build-release: $NATIVE/target/release/agent/ndk-agent-native, $NATIVE/target/rdmacm-release/libndk-rdmacm-provider.so"
