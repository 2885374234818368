#!/usr/bin/env bash
# `ce simulate compare` at scale (release build): prod with 100 instances, the four strategies (rolling, blue-green,
# instances, canary), 50 requests/s, on the simulator calibrated as AWS. Wall time of the whole command, process
# included, median of 5; then the table it prints. Target: under 2 s.
#
#   bash benchmarks/compare.sh [instances (default 100)]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
swift build -c release --product ce >&2
ce="$PWD/.build/release/ce"
times=()
for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$ce" simulate compare --env prod --instances "$n" >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "release build, $(nproc) cores: ce simulate compare --env prod --instances $n (4 strategies): median ${sorted[2]} ms (runs: ${times[*]} ms)"
echo
"$ce" simulate compare --env prod --instances "$n"
