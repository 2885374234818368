#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the Python test tools, builds, then runs every test inside a
# private network namespace with a moto server on a free 127.0.0.1 port, then checks the shipped binary's runtime
# dependencies. Fails if any test fails or is skipped.
#
#   bash scripts/test.sh [extra swift test arguments, e.g. --filter AWSCoreTests]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_python_deps
swift build --build-tests
status=0
in_private_network bash scripts/lib/run-tests-with-moto.sh "$@" || status=$?
# The shipped binary (with the whole suite only): a static release build that needs nothing but the C runtime of
# glibc 2.34 or later (scripts/check-binary.sh).
if [ $# -eq 0 ] && [ -z "${CE_SKIP_BINARY_CHECK:-}" ]; then
    bash scripts/check-binary.sh || status=1
fi
exit "$status"
