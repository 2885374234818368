#!/usr/bin/env python3
"""Writes a smaller ICU common data package for the shipped binary (scripts/release.sh).

Foundation on Linux links ICU's whole data package (icudt<N>_dat, 34 MB in Swift 6.3: every locale, converter,
collation and transliterator). ce formats no locale's text: its dates are ISO 8601 in UTC, its numbers are printf's,
its strings UTF-8. It keeps ICU's tables and the data of the root and English locales, time zones, normalisation and
likely subtags, so Foundation's Locale, TimeZone, Calendar and ISO 8601 formatters work as with the whole package,
and any other locale falls back to root as ICU does when a locale's data is absent.

    python3 scripts/icu-trim.py INPUT.dat OUTPUT.dat     prints what it kept

The package format (ICU's "CmnD"): a data header, then a table of contents (count, then per item the offsets of its
name and of its data, from the table's start), the names, then each item's data at a 16-byte boundary. Items are
kept in their order (sorted by name: ICU searches the table by bisection).
"""
import re
import struct
import sys

# Subpackages whose data ce never asks for: localised names of currencies, languages, regions, time zones and units;
# collation; break iteration; transliteration; rule-based number spelling. Their root bundles stay (ICU opens root
# first when it looks for any locale's data) and so do the English ones.
DROPPED_TREES = {"coll", "brkitr", "curr", "lang", "region", "zone", "unit", "translit", "rbnf"}
# A locale bundle's name: language, then script/region/variant parts.
LOCALE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
KEPT_LOCALES = re.compile(r"^(root|en|en_US|en_US_POSIX|en_001|en_GB)\.res$")


def keep(name: str) -> bool:
    parts = name.split("/")
    leaf = parts[-1]
    if len(parts) > 2:
        if parts[1] == "translit":
            return False
        if parts[1] in DROPPED_TREES:
            return leaf in ("res_index.res", "pool.res") or bool(KEPT_LOCALES.match(leaf))
        return True
    if leaf.endswith(".cnv") or leaf.endswith(".cfu"):
        return False  # converters for encodings other than Unicode's; confusables
    if LOCALE.match(leaf) and leaf != "root.res":
        return bool(KEPT_LOCALES.match(leaf))
    return True


def main() -> int:
    source, destination = sys.argv[1], sys.argv[2]
    data = open(source, "rb").read()
    header_size = struct.unpack_from("<H", data, 0)[0]
    if data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        print(f"error: {source} is not an ICU common data package", file=sys.stderr)
        return 1
    count = struct.unpack_from("<I", data, header_size)[0]
    entries = []
    for index in range(count):
        name_offset, data_offset = struct.unpack_from("<II", data, header_size + 4 + 8 * index)
        start = header_size + name_offset
        entries.append((data[start:data.index(b"\0", start)], header_size + data_offset))
    items = []
    for index, (name, start) in enumerate(entries):
        end = entries[index + 1][1] if index + 1 < count else len(data)
        if keep(name.decode()):
            items.append((name, data[start:end]))

    names = b""
    name_offsets = []
    table_size = 4 + 8 * len(items)
    for name, _ in items:
        name_offsets.append(table_size + len(names))
        names += name + b"\0"
    position = table_size + len(names)
    position += -(header_size + position) % 16
    body = b""
    data_offsets = []
    for _, item in items:
        data_offsets.append(position + len(body))
        body += item
        body += b"\0" * (-(header_size + position + len(body)) % 16)
    table = struct.pack("<I", len(items))
    for name_offset, data_offset in zip(name_offsets, data_offsets):
        table += struct.pack("<II", name_offset, data_offset)
    out = data[:header_size] + table + names
    out += b"\0" * (-len(out) % 16)
    out += body
    open(destination, "wb").write(out)
    print(f"{destination}: {len(items)} of {count} ICU items, {len(out)} of {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
