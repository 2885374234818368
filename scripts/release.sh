#!/usr/bin/env bash
# A release build an operator can copy to an admin node: the Swift runtime linked statically where the toolchain
# allows it (Linux), stripped. Prints where it is and its size.
#
#   bash scripts/release.sh [destination (default: dist/ce)]
set -euo pipefail
cd "$(dirname "$0")/.."
destination="${1:-dist/ce}"
flags=(-c release --product ce)
# Linux: the Swift runtime, Foundation and libstdc++ linked in, so that the binary needs only the C runtime (libc,
# libm, libgcc_s, libz) of glibc 2.34 or later: Amazon Linux 2023, Ubuntu 22.04 and 24.04, Debian 12. The Swift driver
# asks for -lstdc++ itself; a linker script of that name, found first, makes it the static archive.
if [ "$(uname -s)" = Linux ]; then
    mkdir -p .build/static-libstdcxx
    archive=$( (command -v "${CXX:-g++}" >/dev/null && "${CXX:-g++}" -print-file-name=libstdc++.a) || gcc -print-file-name=libstdc++.a)
    echo "INPUT($archive)" > .build/static-libstdcxx/libstdc++.so
    flags+=(--static-swift-stdlib -Xlinker "-L$PWD/.build/static-libstdcxx")
fi
swift build "${flags[@]}" >&2
binary="$(swift build "${flags[@]}" --show-bin-path)/ce"
mkdir -p "$(dirname "$destination")"
cp "$binary" "$destination"
strip "$destination" 2>/dev/null || true
echo "$destination: $(du -h "$destination" | cut -f1) ($(stat -c %s "$destination" 2>/dev/null || stat -f %z "$destination") bytes); copy it onto the PATH (e.g. sudo install -m 755 $destination /usr/local/bin/ce)"
