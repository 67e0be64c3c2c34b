#!/bin/bash
# Builds the libFuzzer targets with clang 14 (ASan + UBSan) and runs each for a
# bounded time (meson suite 'fuzz').
#   Usage: tests/fuzz/run.sh [SECONDS [BUILD_DIR]]   (defaults: 20, build-fuzz)
# tools/test passes its build-asan: one clang build there serves the unit suite
# under the sanitizers and the fuzz targets, instead of compiling twice.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-${L2TPSEC_FUZZ_SECONDS:-20}}
dir=${2:-build-fuzz}
if [[ ! -f $dir/build.ninja ]]; then
  CXX=clang++-14 meson setup "$dir" -Dfuzz=true -Dfuzz_seconds="$seconds" -Doptimization=1 \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
else
  meson configure "$dir" -Dfuzz_seconds="$seconds"
fi
# Only the fuzz targets and what they link: a fresh build-fuzz need not compile
# the daemon, the tools and the unit tests as well.
mapfile -t targets < <(ninja -C "$dir" -t targets all | grep -o '^tests/fuzz/fuzz_[a-z0-9_]*' | sort -u)
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz: no fuzz targets in $dir (configured without -Dfuzz=true?)" >&2; exit 1; }
ninja -C "$dir" "${targets[@]}"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
exec meson test -C "$dir" --suite fuzz --no-rebuild --print-errorlogs
