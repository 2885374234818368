#!/usr/bin/env bash
# Instance switching at scale, in the sandbox (release build): prod with N = 20, 100, 500 instances in one target
# group. For each N: the RegisterTargets calls (at most 20 targets each, issued concurrently), the gate's polls (one
# progress line each), the deploy's virtual time and its wall time (process included; the reset is not timed).
# That a poll costs two calls whatever N is (DescribeAutoScalingGroups + DescribeTargetHealth) is asserted by
# InstanceSwitchScenarioTests.aPollCostsTwoCallsWhateverTheNumberOfInstances. Prints a table for BENCHMARKS.md.
#
#   bash benchmarks/instances.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ce >&2
ce="$PWD/.build/release/ce"
config="$PWD/benchmarks/instances.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CE_SANDBOX_DIR="$work/sandbox"

echo "release build, $(nproc) cores; prod by instance switching (benchmarks/instances.yaml), 1 m bake"
echo
echo "| instances | RegisterTargets calls | launch + gate polls | virtual time | wall time | wall per poll |"
echo "|---|---|---|---|---|---|"
for n in 20 100 500; do
    "$ce" --config "$config" sandbox reset --prod-instances "$n" >/dev/null
    start=$(date +%s%N)
    out=$("$ce" --sandbox --config "$config" --env prod environment refresh --version v2 --yes 2>/dev/null)
    end=$(date +%s%N)
    calls=$(echo "$out" | sed -n 's/.*register .* instance(s) in \([0-9]*\) concurrent call(s).*/\1/p')
    total=$(echo "$out" | awk '$1 == "total" {print $2}')
    polls=$(echo "$out" | grep -cE '^[0-9TZ:-]+ (launch|health gate):' || true)
    wall=$(( (end - start) / 1000000 ))
    echo "| $n | $calls | $polls | $total s | $wall ms | $(( wall / (polls > 0 ? polls : 1) )) ms |"
done
