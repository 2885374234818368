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
# Foundation's ICU data package (34 MB: every locale, converter and collation) is replaced by the part ce uses
# (scripts/icu-trim.py says which): the trimmed copy is linked in under a name of its own and ICU's symbol made to
# point at it, so the archive member holding the whole package is never pulled in.
if [ "$(uname -s)" = Linux ]; then
    links=.build/static-link
    mkdir -p "$links/icu"
    archive=$( (command -v "${CXX:-g++}" >/dev/null && "${CXX:-g++}" -print-file-name=libstdc++.a) || gcc -print-file-name=libstdc++.a)
    echo "INPUT($archive)" > "$links/libstdc++.so"
    flags+=(--static-swift-stdlib -Xlinker "-L$PWD/$links")
    toolchain=$(dirname "$(readlink -f "$(command -v swift)")")
    icu="$toolchain/../lib/swift_static/linux/lib_FoundationICU.a"
    member=$(nm -A "$icu" 2>/dev/null | awk '$NF ~ /^icudt[0-9]+_dat$/ && $(NF-1) == "R" && !found {split($1, p, ":"); print p[2] " " $NF; found = 1}')
    if [ -n "$member" ] && command -v python3 >/dev/null; then
        set -- $member
        (cd "$links/icu" && ar x "$icu" "$1" && objcopy -O binary --only-section=.rodata "$1" whole.dat && rm "$1")
        python3 scripts/icu-trim.py "$links/icu/whole.dat" "$links/icu/trimmed.dat" >&2
        printf '.section .rodata\n.globl ce_icu_data\n.type ce_icu_data, %%object\n.balign 16\nce_icu_data:\n.incbin "%s"\n.size ce_icu_data, . - ce_icu_data\n' \
            "$PWD/$links/icu/trimmed.dat" > "$links/icu/data.S"
        "$toolchain/clang" -c "$links/icu/data.S" -o "$links/icu/ce_icu_data.o"
        flags+=(-Xlinker "--defsym=$2=ce_icu_data" -Xlinker "$PWD/$links/icu/ce_icu_data.o")
    else
        echo "warning: ICU's data package or python3 not found; the binary keeps Foundation's whole ICU data (34 MB more)" >&2
    fi
fi
binary="$(swift build "${flags[@]}" --show-bin-path)/ce"
rm -f "$binary" # linked again: SwiftPM does not see a change of the archives above
swift build "${flags[@]}" >&2
mkdir -p "$(dirname "$destination")"
cp "$binary" "$destination"
strip "$destination" 2>/dev/null || true
echo "$destination: $(du -h "$destination" | cut -f1) ($(stat -c %s "$destination" 2>/dev/null || stat -f %z "$destination") bytes); copy it onto the PATH (e.g. sudo install -m 755 $destination /usr/local/bin/ce)"
