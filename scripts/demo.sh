#!/usr/bin/env bash
# ce over the real AWS wire protocol, no AWS account needed: builds ce, starts a moto server on a free 127.0.0.1 port
# with Compiler Explorer's crowded layout (load balancer GccExplorerApp with other services' rules, preview rules and
# authenticate actions; Prod/Beta/Staging blue-green target groups and ASGs; SSM parameters), and runs ce against
# it: doctor, status, validate, a deploy plan, a switch and a rollback.
# moto is stopped by PID at the end. (The README's main job, `ce --sandbox`, needs neither moto nor Python.)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build --product ce
trap stop_moto EXIT
start_moto
python3 scripts/moto_layout.py --endpoint "$MOTO_ENDPOINT" --crowded >/dev/null
echo "moto server with Compiler Explorer's crowded layout at $MOTO_ENDPOINT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1

ce() {
    echo
    echo "\$ ce $*"
    .build/debug/ce --endpoint-url "$MOTO_ENDPOINT" "$@" || echo "(exit $?)"
}

ce doctor
ce --env prod environment status
ce --env beta environment status --verbose
ce --env prod environment validate
ce --env prod builds set_current v2 --yes
ce --env prod environment refresh --strategy=blue-green --dry-run
python3 - "$MOTO_ENDPOINT" <<'PY'
import sys, boto3
boto3.client("autoscaling", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing",
             aws_secret_access_key="testing").update_auto_scaling_group(
    AutoScalingGroupName="prod-green", MinSize=0, MaxSize=24, DesiredCapacity=2)
PY
echo; echo "(prod-green scaled to 2 by hand, standing in for a deploy's new instances)"
ce --env prod environment switch --to green --from blue --yes
ce --env prod environment status
ce --env prod environment rollback --yes
ce --env beta environment switch --to green
