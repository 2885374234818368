#!/usr/bin/env bash
# The main job for now (no AWS account needed): builds ce, starts a moto server on a free 127.0.0.1 port with the
# design document's layout (load balancer GccExplorerApp, Prod/Beta/Staging blue-green target groups and ASGs, SSM
# parameters), runs `ce doctor` against it, and stops moto. Later issues replace this with `ce --sandbox`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build --product ce
trap stop_moto EXIT
start_moto
python3 scripts/moto_layout.py --endpoint "$MOTO_ENDPOINT" >/dev/null
echo "moto server with the design document's layout at $MOTO_ENDPOINT"
echo "\$ ce --endpoint-url $MOTO_ENDPOINT --region us-east-1 doctor"
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
    .build/debug/ce --endpoint-url "$MOTO_ENDPOINT" --region us-east-1 doctor "$@"
