#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the Python test tools, builds, then runs every test inside a
# private network namespace with a moto server on a free 127.0.0.1 port. Fails if any test fails or is skipped.
#
#   bash scripts/test.sh [extra swift test arguments, e.g. --filter AWSCoreTests]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build --build-tests
in_private_network bash scripts/lib/run-tests-with-moto.sh "$@"
