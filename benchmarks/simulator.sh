#!/usr/bin/env bash
# Simulator figures (release build, no network): a 1,000-instance blue-green deploy through the sandbox (the whole
# ce process: load the world, deploy with gate, switch and bake in virtual time, save it), and 1,000 seeded soak
# scenarios. Prints wall times; see BENCHMARKS.md.
#
#   bash benchmarks/simulator.sh [REPEATS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats="${1:-5}"
swift build -c release --product ce >&2
ce=.build/release/ce
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CE_SANDBOX_DIR="$dir"

ms() { date +%s%N; }
echo "$(nproc) core(s); release build; times are the ce process's wall time (date around it)"
echo "1,000-instance deploy (prod: 1,000 live instances → 1,000 new ones, gate, switch, 60 s bake; the sandbox reset before each run not timed, the world's load and save timed):"
for i in $(seq 1 "$repeats"); do
    "$ce" sandbox reset --prod-instances 1000 --requests-per-second 20 >/dev/null
    start=$(ms)
    "$ce" --sandbox --env prod environment refresh --version "v$i" --yes >"$dir/out" 2>"$dir/err"
    end=$(ms)
    virtual=$(grep -oE '^sandbox: [0-9hms]+ of virtual time' "$dir/err" | awk '{print $2}')
    instances=$(grep -oE 'healthy [0-9]+/[0-9]+' "$dir/out" | tail -1)
    echo "  run $i: $(( (end - start) / 1000000 )) ms wall, $virtual virtual, gate $instances"
done

echo "1,000 seeded soak scenarios (one process, scenarios in parallel on every core, each with a 5 min settle):"
"$ce" sandbox soak --runs 1000 --seed 1 | head -1
echo "100 seeded soak scenarios with 1,000 live instances each:"
"$ce" sandbox soak --runs 100 --seed 1 --instances 1000 | head -1
