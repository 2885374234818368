#!/usr/bin/env bash
# The shipped binary (scripts/release.sh's dist/ce) runs on any Linux with glibc 2.34 or later: it needs only the C
# runtime. Fails if ldd lists anything else (libxml2, ICU, libstdc++, …) or a symbol asks a newer glibc; prints the
# libraries, the glibc floor and the size.
#
#   bash scripts/check-binary.sh [binary (default: build dist/ce first)]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-}"
if [ -z "$binary" ]; then
    bash scripts/release.sh >&2
    binary=dist/ce
fi
allowed='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libgcc_s\.so\.1|libz\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1)$'
libraries=$(ldd "$binary" | awk '{print $1}')
status=0
for library in $libraries; do
    if ! [[ "$library" =~ $allowed ]]; then
        echo "error: $binary needs $library, which is not part of the C runtime: it would not start where that library differs" >&2
        status=1
    fi
done
floor=$(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
if [ "$(printf '%s\n' "$floor" 2.34 | sort -V | tail -1)" != 2.34 ]; then
    echo "error: $binary asks glibc $floor: it would not start on glibc 2.34 (Amazon Linux 2023)" >&2
    objdump -T "$binary" | grep "GLIBC_$floor" >&2 || true
    status=1
fi
if objdump -T "$binary" | grep -q 'GLIBCXX_\|CXXABI_'; then
    echo "error: $binary asks libstdc++ symbols: link it statically (-static-libstdc++)" >&2
    status=1
fi
# It runs: a deploy in the sandbox and status as JSON under another locale and time zone (Foundation's dates and
# formatting on the trimmed ICU data of scripts/release.sh).
run_dir=$(mktemp -d -t ce-binary.XXXXXX)
binary_path=$(readlink -f "$binary")
if ! (cd "$run_dir" && "$binary_path" sandbox reset >log 2>&1 \
    && "$binary_path" --sandbox environment refresh --env beta --version v2 --yes >>log 2>&1 \
    && LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 TZ=Europe/Berlin "$binary_path" --sandbox environment status --env beta -o json 2>>log \
        | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["activeColor"] == "green" and d["colors"]["green"]["version"] == "v2", d'); then
    cat "$run_dir/log" >&2
    echo "error: $binary does not deploy in the sandbox (see above)" >&2
    status=1
fi
rm -rf "$run_dir"
echo "$binary: $(echo $libraries | tr '\n' ' '); glibc floor $floor; $(stat -c %s "$binary") bytes ($(du -h "$binary" | cut -f1))"
exit "$status"
