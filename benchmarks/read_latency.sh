#!/usr/bin/env bash
# Wall time of one read against a local moto server: ce vs the AWS CLI vs a boto3 script. Prints medians and ratios.
#
#   bash benchmarks/read_latency.sh [runs]      (default 20 runs of each, after 2 warm-ups)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
python3 -c 'import awscli' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check awscli
swift build -c release --product ce
in_private_network python3 benchmarks/read_latency.py "${1:-20}"
