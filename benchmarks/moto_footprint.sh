#!/usr/bin/env bash
# Peak memory (RSS) and wall time of `status` and a blue-green refresh against moto (127.0.0.1, inside a private
# network namespace), release build. Prints a table for BENCHMARKS.md.
#
#   bash benchmarks/moto_footprint.sh [runs (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build -c release --product ce
in_private_network python3 benchmarks/moto_footprint.py "${1:-5}"
