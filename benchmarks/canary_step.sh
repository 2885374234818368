#!/usr/bin/env bash
# One canary step's AWS calls and sequential round trips, from its first route change to its verified weights, on
# moto through a latency proxy (see canary_step.py). Prints a table for BENCHMARKS.md.
#
#   bash benchmarks/canary_step.sh [runs (default 3)] [added latency in ms (default 25)]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build -c release --product ce
in_private_network python3 benchmarks/canary_step.py "${1:-3}" "${2:-25}"
