#!/usr/bin/env bash
# `ce simulate compare --report`, looked at: writes the HTML report of prod's four strategies, then renders it in
# headless Chromium (Debian's package, installed when missing) inside a private network namespace — so a page that
# needed the network to draw would show it — and saves a screenshot to look at.
#
#   bash scripts/compare_report.sh [OUT_DIR (default /tmp/ce-compare)] [extra `simulate compare` options…]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
out="${1:-/tmp/ce-compare}"
shift || true
mkdir -p "$out"
if ! command -v chromium >/dev/null; then
    apt-get install -y --no-install-recommends chromium >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends chromium >&2; }
fi
swift build --product ce >&2
.build/debug/ce simulate compare --env prod --instances 20 --report "$out/compare.html" "$@"
in_private_network chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,2200 \
    --screenshot="$out/compare.png" "file://$out/compare.html" >/dev/null 2>&1
grep -qE '(src|href)="https?:' "$out/compare.html" && { echo "the report fetches from the network" >&2; exit 1; }
echo "screenshot: $out/compare.png"
