#!/usr/bin/env bash
# A release build an operator can copy to an admin node: the Swift runtime linked statically where the toolchain
# allows it (Linux), stripped. Prints where it is and its size.
#
#   bash scripts/release.sh [destination (default: dist/ce)]
set -euo pipefail
cd "$(dirname "$0")/.."
destination="${1:-dist/ce}"
flags=(-c release --product ce)
if [ "$(uname -s)" = Linux ]; then flags+=(--static-swift-stdlib); fi
swift build "${flags[@]}" >&2
binary="$(swift build "${flags[@]}" --show-bin-path)/ce"
mkdir -p "$(dirname "$destination")"
cp "$binary" "$destination"
strip "$destination" 2>/dev/null || true
echo "$destination: $(du -h "$destination" | cut -f1) ($(stat -c %s "$destination" 2>/dev/null || stat -f %z "$destination") bytes); copy it onto the PATH (e.g. sudo install -m 755 $destination /usr/local/bin/ce)"
