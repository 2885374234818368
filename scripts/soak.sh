#!/usr/bin/env bash
# Seeded soak: N random fault schedules (bad builds, throttling, 5xx, latency, lost instances, a crash at any step
# followed by --resume or recover, Ctrl-C, an alarm during the bake) on the simulated cloud, every invariant checked
# after every event. No AWS account, no network. Exits 1 and prints each failing seed if an invariant broke.
#
#   bash scripts/soak.sh [RUNS (default 2000)] [FIRST SEED (default 1)]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-2000}"
seed="${2:-1}"
swift build -c release --product ce >&2
exec .build/release/ce sandbox soak --runs "$runs" --seed "$seed"
