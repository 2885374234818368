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
if [ $# -eq 0 ]; then CE_CHECKOV=$(ensure_checkov); export CE_CHECKOV; fi
swift build --build-tests
status=0
in_private_network bash scripts/lib/run-tests-with-moto.sh "$@" || status=$?
# The Terraform module with Terraform itself, where a binary exists (fmt, validate of the examples, terraform test
# with a mocked provider); terraform/tests checked it without one inside the suite.
if [ $# -eq 0 ]; then
    if command -v terraform >/dev/null; then
        bash scripts/terraform-check.sh || status=1
    else
        echo "note: no terraform on PATH: the module was checked by terraform/tests (hcl2, checkov, ce's names) only" >&2
    fi
fi
# The shipped binary (with the whole suite only): a static release build that needs nothing but the C runtime of
# glibc 2.34 or later and runs with its trimmed ICU data (scripts/check-binary.sh).
ce="$(swift build --show-bin-path)/ce"
if [ $# -eq 0 ] && [ -z "${CE_SKIP_BINARY_CHECK:-}" ]; then
    if bash scripts/check-binary.sh; then ce="$PWD/dist/ce"; else status=1; fi
fi
# The README's soak, through the binary in a process of its own (with the whole suite only; the shipped binary when it
# was built): 1,000 seeded fault schedules, every invariant after every event; a scenario still running after 60 s of
# wall time is a hang, and fails.
if [ $# -eq 0 ] && [ -z "${CE_SKIP_SOAK:-}" ]; then
    soak_dir=$(mktemp -d -t ce-soak.XXXXXX)
    echo "soak: $ce sandbox soak --runs 1000 --scenario-timeout 60" >&2
    (cd "$soak_dir" && "$ce" sandbox soak --runs 1000 --scenario-timeout 60) || { echo "error: the soak broke an invariant or hung" >&2; status=1; }
    rm -rf "$soak_dir"
fi
exit "$status"
