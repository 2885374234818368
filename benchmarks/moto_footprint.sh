#!/usr/bin/env bash
# Peak memory (RSS) and wall time of `status` and a blue-green refresh against moto (127.0.0.1, inside a private
# network namespace): the dynamically linked release build, then scripts/release.sh's static binary (what an
# operator copies to an admin node). Prints tables for BENCHMARKS.md.
#
#   bash benchmarks/moto_footprint.sh [runs (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build -c release --product ce >&2
in_private_network python3 benchmarks/moto_footprint.py "${1:-5}"
echo
bash scripts/release.sh dist/ce >&2
CE_BINARY="$PWD/dist/ce" in_private_network python3 benchmarks/moto_footprint.py "${1:-5}"
