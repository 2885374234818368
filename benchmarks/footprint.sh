#!/usr/bin/env bash
# Size, start-up time and peak memory (RSS) of a release ce: `--version` and `--help` (start-up), `environment status`
# and a 1,000-instance blue-green deploy in the sandbox (reset not included in the deploy's figures). Uses GNU time
# for the peak RSS. Prints the figures for BENCHMARKS.md.
#
#   bash benchmarks/footprint.sh [runs (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
bash scripts/release.sh dist/ce >&2
ce="$PWD/dist/ce"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CE_SANDBOX_DIR="$work/sandbox"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# (Wall time from date(1) around the command, in ms; peak RSS from GNU time's %M.)
measure() { # label, command…: prints "| label | median wall ms | median peak RSS MiB |"
    local label="$1"; shift
    local times=() rss=()
    for _ in $(seq "$runs"); do
        if [ -n "${SETUP:-}" ]; then eval "$SETUP" >/dev/null 2>&1; fi
        local start end
        start=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=("$(( (end - start) / 1000000 ))")
        rss+=("$(awk '{printf "%.1f", $1 / 1024}' "$work/rss")")
    done
    echo "| $label | $(printf '%s\n' "${times[@]}" | median) ms | $(printf '%s\n' "${rss[@]}" | median) MiB |"
}

echo "binary: $(stat -c %s "$ce") bytes, stripped, Swift runtime static ($(uname -sm)); $runs runs each, medians"
echo
echo "| what | wall time | peak RSS |"
echo "|---|---|---|"
measure "ce --version (start-up)" "$ce" --version
measure "ce --help" "$ce" --help
"$ce" sandbox reset >/dev/null 2>&1
measure "ce --sandbox --env prod environment status" "$ce" --sandbox --env prod environment status
SETUP="'$ce' sandbox reset --prod-instances 1000" measure "ce --sandbox --env prod environment refresh --version v2 --yes, prod at 1,000 instances (reset not timed)" "$ce" --sandbox --env prod environment refresh --version v2 --yes
