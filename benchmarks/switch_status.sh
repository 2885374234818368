#!/usr/bin/env bash
# ce environment status and switch against moto: AWS calls made and wall time. Prints figures for BENCHMARKS.md.
#
#   bash benchmarks/switch_status.sh [runs]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build -c release --product ce
in_private_network python3 benchmarks/switch_status.py "${1:-10}"
