#!/usr/bin/env bash
# providers/spi/api-check-selftest.sh: shows that the SPI compatibility check (japicmp, in the
# SPI's build) can fail. It checks the built SPI jar against the last release (must pass), then a
# copy of it with one public interface taken out (must fail, naming it). Exit 0 when both hold.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd -- "$ROOT"
version=$(sed -n 's:.*<ndk.spi.version>\(.*\)</ndk.spi.version>.*:\1:p' pom.xml)
jar=providers/spi/target/ndk-spi-$version.jar
[[ -f $jar ]] || mvn -B -ntp -q package -pl providers/spi -DskipTests -Djapicmp.skip=true
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
removed=org/ndkkit/spi/NdkListener.class
python3 - "$jar" "$tmp/broken.jar" "$removed" <<'PY'
import sys, zipfile
src, dst, drop = sys.argv[1:]
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        if item.filename != drop:
            zo.writestr(item, zi.read(item.filename))
PY
check() { mvn -B -ntp -pl providers/spi verify -DskipTests -Dndk.spi.api.candidate="$1" >"$2" 2>&1; }
rc=0
if check "$ROOT/$jar" "$tmp/ok.log"; then
  echo "api-check-selftest: $jar against the last release: compatible, as expected"
else
  echo "api-check-selftest: NOT as expected: $jar fails the check against the last release:" >&2
  grep -E "ERROR|ncompatib" "$tmp/ok.log" | head -5 >&2; rc=1
fi
if check "$tmp/broken.jar" "$tmp/broken.log"; then
  echo "api-check-selftest: NOT as expected: the jar without ${removed%.class} passed the check" >&2; rc=1
elif grep -q "NdkListener" "$tmp/broken.log"; then
  echo "api-check-selftest: the jar without ${removed%.class} fails the check, as expected:"
  grep -m1 -E "ncompatib" "$tmp/broken.log" | cut -c1-240
else
  echo "api-check-selftest: NOT as expected: the check failed without naming NdkListener:" >&2
  tail -5 "$tmp/broken.log" >&2; rc=1
fi
exit $rc
