#!/bin/bash
# Builds the libFuzzer targets with clang 14 (ASan + UBSan) in build-fuzz and
# runs each for a bounded time (meson suite 'fuzz'). Usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-${L2TPSEC_FUZZ_SECONDS:-20}}
if [[ ! -f build-fuzz/build.ninja ]]; then
  CXX=clang++-14 meson setup build-fuzz -Dfuzz=true -Dfuzz_seconds="$seconds" \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
else
  meson configure build-fuzz -Dfuzz_seconds="$seconds"
fi
# Only the fuzz targets and what they link: the daemon and tools are not
# fuzzed, and building them with clang + sanitizers would double the time.
mapfile -t targets < <(ninja -C build-fuzz -t targets all | grep -o '^tests/fuzz/fuzz_[a-z0-9_]*' | sort -u)
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz: no fuzz targets in build-fuzz" >&2; exit 1; }
ninja -C build-fuzz "${targets[@]}"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
exec meson test -C build-fuzz --suite fuzz --no-rebuild --print-errorlogs
