#!/usr/bin/env python3
"""Convert the official administrative-unit lists into kehoach's data/units.tsv.

Source: the JSON data files (facts only: codes, names, types, parents) of the PyPI package
`vietnam-provinces`, which republishes the General Statistics Office lists:
  * 0.6.0     -> the units before 1 July 2025 (63 provinces, 696 districts, 10,051 communes)
  * 2025.10.1 -> the units from 1 July 2025 (Decision 19/2025/QĐ-TTg: 34 provinces, 3,321 communes)

Usage:
  pip download --no-deps -d /tmp/vp vietnam-provinces==0.6.0
  pip download --no-deps -d /tmp/vp vietnam-provinces==2025.10.1
  (cd /tmp/vp && mkdir -p old new && unzip -qo vietnam_provinces-0.6.0-*.whl -d old \
      && unzip -qo vietnam_provinces-2025.10.1-*.whl -d new)
  python3 scripts/units/convert.py \
      /tmp/vp/old/vietnam_provinces/data/nested-divisions.json \
      /tmp/vp/new/vietnam_provinces/data/nested-divisions.json > data/units.tsv

The output format is described in data/README.md.
"""
import json
import sys
import unicodedata

REFORM_LAST_OLD_DAY = "2025-06-30"  # inclusive end of the pre-reform units
REFORM_FIRST_DAY = "2025-07-01"

# Type word prefix (as written in the official name) -> type code used in the data file.
PROVINCE_TYPES = [("Thành phố", "tptw"), ("Tỉnh", "tinh")]
DISTRICT_TYPES = [("Thành phố", "tp"), ("Thị xã", "thixa"), ("Quận", "quan"), ("Huyện", "huyen")]
COMMUNE_TYPES = [("Thị trấn", "thitran"), ("Phường", "phuong"), ("Xã", "xa"), ("Đặc khu", "dackhu")]


def nfc(s):
    return unicodedata.normalize("NFC", " ".join(s.split()))


def split_type(full, types, default=None):
    full = nfc(full)
    for word, code in types:
        if full.lower().startswith(word.lower() + " "):
            return code, full[len(word) + 1 :].strip()
    if default is None:
        raise SystemExit(f"no type word in {full!r}")
    return default, full


def clean(s):
    if "\t" in s or "\n" in s:
        raise SystemExit(f"bad character in {s!r}")
    return s


def main(old_path, new_path):
    old = json.load(open(old_path, encoding="utf-8"))
    new = json.load(open(new_path, encoding="utf-8"))
    rows = []  # (code, kind, type, name, parent, valid_from, valid_to)

    new_provinces = {}
    for p in new:
        t, name = split_type(p["name"], PROVINCE_TYPES, default="tinh")
        new_provinces[f"{p['code']:02d}"] = (t, name)

    continuous = set()
    counts = {"P": 0, "D": 0, "C": 0}
    for p in old:
        code = f"{p['code']:02d}"
        t, name = split_type(p["name"], PROVINCE_TYPES)
        if new_provinces.get(code) == (t, name):
            # Same code, name and type on both lists: one continuous unit.
            continuous.add(code)
            rows.append((code, "P", t, name, "", "", ""))
        else:
            rows.append((code, "P", t, name, "", "", REFORM_LAST_OLD_DAY))
        counts["P"] += 1
        for d in p["districts"]:
            dcode = f"{d['code']:03d}"
            dt, dname = split_type(d["name"], DISTRICT_TYPES)
            rows.append((dcode, "D", dt, dname, code, "", REFORM_LAST_OLD_DAY))
            counts["D"] += 1
            for w in d["wards"]:
                wt, wname = split_type(w["name"], COMMUNE_TYPES)
                rows.append((f"{w['code']:05d}", "C", wt, wname, dcode, "", REFORM_LAST_OLD_DAY))
                counts["C"] += 1
    assert counts == {"P": 63, "D": 696, "C": 10051}, counts

    ncounts = {"P": 0, "C": 0}
    for p in new:
        code = f"{p['code']:02d}"
        t, name = new_provinces[code]
        if code not in continuous:
            rows.append((code, "P", t, name, "", REFORM_FIRST_DAY, ""))
        ncounts["P"] += 1
        for w in p["wards"]:
            wt, wname = split_type(w["name"], COMMUNE_TYPES)
            rows.append((f"{w['code']:05d}", "C", wt, wname, code, REFORM_FIRST_DAY, ""))
            ncounts["C"] += 1
    assert ncounts == {"P": 34, "C": 3321}, ncounts

    out = sys.stdout
    out.write("# kehoach administrative units. Format: see data/README.md\n")
    out.write("# code\tkind\ttype\tname\tparent\tvalid_from\tvalid_to\n")
    for r in rows:
        out.write("\t".join(clean(x) for x in r) + "\n")
    print(f"old {counts}, new {ncounts}, continuous provinces {sorted(continuous)}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
