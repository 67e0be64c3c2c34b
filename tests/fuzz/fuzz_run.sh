#!/bin/bash
# Runs one libFuzzer target for a bounded time: fuzz_run.sh TARGET SECONDS SCRATCH SEEDS
# New inputs go to SCRATCH (in the build tree); SEEDS (checked in) are only read.
set -euo pipefail
target=$1 seconds=$2 scratch=$3 seeds=$4
mkdir -p "$scratch"
exec "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 "$scratch" "$seeds"
