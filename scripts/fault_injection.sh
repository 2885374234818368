#!/usr/bin/env bash
# Fault injection against moto (see scripts/fault_injection.py): builds ce, starts a moto server on a free 127.0.0.1
# port inside a private network namespace, runs the suite, stops moto by PID. CI runs the bounded form after the
# tests (scripts/lib/run-tests-with-moto.sh); this runs the full one (about 1,500 points; an hour or so).
#
#   bash scripts/fault_injection.sh [--full | --bounded] [--verbose]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build --product ce >&2
in_private_network bash -c 'source scripts/lib/common.sh && trap stop_moto EXIT && start_moto && python3 scripts/fault_injection.py --endpoint "$MOTO_ENDPOINT" --ce .build/debug/ce "$@"' bash "${@:---full}"
