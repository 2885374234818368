#!/usr/bin/env bash
# Inside the private network: start moto, run the built tests, stop moto by PID, check nothing was skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh

trap stop_moto EXIT
start_moto
echo "moto server $MOTO_ENDPOINT (pid $MOTO_PID)"

log=$(mktemp -t ce-tests.XXXXXX.log)
status=0
# No instance-metadata lookups, no stray credentials or profiles from the machine.
env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
    CE_MOTO_ENDPOINT="$MOTO_ENDPOINT" AWS_EC2_METADATA_DISABLED=true \
    swift test --skip-build "$@" 2>&1 | tee "$log" || status=$?

total=$(grep -oE 'Test run with [0-9]+ tests?' "$log" | grep -oE '[0-9]+' | tail -1 || true)
failed=$(grep -cE '✘ Test .* failed after' "$log" || true)
passed=$(( ${total:-0} - failed ))
skipped=$(grep -cE '(Test|Suite) .* skipped' "$log" || true)
if [ "$skipped" -gt 0 ]; then
    echo "error: $skipped test(s) were skipped; every test, the moto integration tests included, must run:" >&2
    grep -E '(Test|Suite) .* skipped' "$log" >&2
    status=1
fi
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
    echo "error: no test ran" >&2
    status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"

# The instance's side (bootstrap/ce-build): its SigV4 against botocore's, the layouts on moto, a deploy and a rollback.
if [ $# -eq 0 ]; then
    bootstrap_log=$(mktemp -t ce-bootstrap.XXXXXX.log)
    env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
        CE_MOTO_ENDPOINT="$MOTO_ENDPOINT" CE_BINARY="$(swift build --show-bin-path)/ce" \
        python3 -m unittest discover -s bootstrap/tests -v 2>&1 | tee "$bootstrap_log" || status=1
    if grep -q "skipped" "$bootstrap_log"; then
        echo "error: a bootstrap test was skipped" >&2
        status=1
    fi
    # The Terraform module without Terraform: parsing, ignore_changes derived from ce's mutations, names against
    # `ce config show`, checkov (CE_CHECKOV, installed by scripts/test.sh).
    terraform_log=$(mktemp -t ce-terraform.XXXXXX.log)
    CE_BINARY="$(swift build --show-bin-path)/ce" python3 -m unittest discover -s terraform/tests -v 2>&1 \
        | tee "$terraform_log" || status=1
    if grep -q "skipped" "$terraform_log"; then
        echo "error: a Terraform test was skipped (is CE_CHECKOV set?)" >&2
        status=1
    fi
fi

# Fault injection, bounded: every change of a prod refresh killed (then recover, or --resume), interrupted (SIGINT)
# and denied, each point checked for consistency. (The full suite: bash scripts/fault_injection.sh --full.)
if [ -z "${CE_SKIP_FAULTS:-}" ] && [ $# -eq 0 ]; then
    if ! python3 scripts/fault_injection.py --endpoint "$MOTO_ENDPOINT" --ce "$(swift build --show-bin-path)/ce" --bounded; then
        echo "error: fault injection found an inconsistent point" >&2
        status=1
    fi
fi
exit "$status"
