#!/usr/bin/env bash
# AWS calls, sequential round trips and wall time of status, switch and refresh against moto, through a proxy that
# adds the same latency to every call and counts the calls and their rounds. Prints a table for BENCHMARKS.md.
#
#   bash benchmarks/round_trips.sh [runs (default 5)] [added latency in ms (default 25)]
#   CE_BASELINE=/path/to/older/ce CE_LAYOUT=plain bash benchmarks/round_trips.sh   # side by side with an older build
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build -c release --product ce
in_private_network env CE_BASELINE="${CE_BASELINE:-}" CE_LAYOUT="${CE_LAYOUT:---crowded}" python3 benchmarks/round_trips.py "${1:-5}" "${2:-25}"
