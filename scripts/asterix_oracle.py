#!/usr/bin/env python3
"""Cross-checks vigie's ASTERIX decoding against libasterix (PyPI), an independent decoder
generated from the same specifications.

    python3 scripts/asterix_oracle.py RECORDING.bin VIGIE.jsonl

RECORDING.bin holds the ASTERIX data blocks (concatenated payloads), VIGIE.jsonl vigie's
JSON line per record, in the same order. Every element of every record is compared:
quantities (in the specification's unit, to 1e-9), integers, table values, strings. Exits
non-zero on the first disagreement, naming the record and the element.
"""

import json
import math
import sys

try:
    from asterix.base import Bits, RawDatablock, ParsingMode
    import asterix.base as base
    import asterix.generated as gen
except ImportError:
    sys.exit("needs libasterix: pip install libasterix")


def spec_of(cat, edition):
    name = f"Cat_{cat:03d}_{edition.replace('.', '_')}"
    return getattr(gen, name)


def content_value(content):
    if isinstance(content, base.ContentQuantity):
        return content._as_quantity()
    if isinstance(content, base.ContentString):
        return content.as_string().rstrip()
    if isinstance(content, base.ContentInteger):
        return content.as_integer()
    if isinstance(content, base.ContentBds):
        return None  # shown as hex by vigie; compared through the raw bits elsewhere
    return content.as_uint()


def flatten_variation(var, path, out):
    if isinstance(var, base.Element):
        rule = var._get_rule()
        if isinstance(rule, base.RuleContentContextFree):
            v = content_value(rule._get_content())
            if v is not None:
                out[path] = v
        else:
            out[path] = rule.as_uint()  # context dependent: compared as raw
        return
    if isinstance(var, base.Group):
        for item in var.arg:
            flatten_item(item, path, out)
        return
    if isinstance(var, base.Extended):
        for group in var.arg:
            for item in group or []:
                if item is not None:
                    flatten_item(item, path, out)
        return
    if isinstance(var, base.Repetitive):
        for i, sub in enumerate(var.arg):
            flatten_variation(sub, f"{path}/{i}", out)
        return
    if isinstance(var, base.Compound):
        for name, nsp in var.arg.items():
            flatten_nonspare(nsp, f"{path}/{name}", out)
        return
    # Explicit (SP, RE): opaque here.


def flatten_rule(rule, path, out):
    if isinstance(rule, base.RuleVariationContextFree):
        flatten_variation(rule.arg, path, out)
    else:
        out[path] = rule.as_uint()


def flatten_nonspare(nsp, path, out):
    flatten_rule(nsp.arg, path, out)


def flatten_item(item, path, out):
    if isinstance(item, base.Spare):
        return
    nsp = item.arg
    flatten_nonspare(nsp, f"{path}/{nsp.cv_name}", out)


def flatten_json(value, path, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten_json(v, f"{path}/{k}", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flatten_json(v, f"{path}/{i}", out)
    else:
        out[path] = value


def libasterix_records(data):
    # Blocks are split here: libasterix's own splitter recurses once per block.
    at = 0
    while at + 3 <= len(data):
        cat, n = data[at], int.from_bytes(data[at + 1:at + 3], "big")
        if n < 3 or at + n > len(data):
            sys.exit(f"a malformed block at byte {at}")
        yield cat, Bits.from_bytes(data[at + 3:at + n])
        at += n


def main():
    data = open(sys.argv[1], "rb").read()
    ours = [json.loads(line) for line in open(sys.argv[2])]
    it = iter(ours)
    known = {r["category"] for r in ours}
    checked = elements = 0
    for cat, raw in libasterix_records(data):
        pending = []
        # Blocks vigie has no specification for are skipped by both.
        if cat not in known:
            continue
        peek = next(it, None)
        if peek is None:
            sys.exit("vigie decoded fewer records than libasterix")
        spec = spec_of(cat, peek["edition"])
        recs = spec.cv_uap.parse(raw) if hasattr(spec, "cv_uap") else None
        if recs is None or isinstance(recs, ValueError):
            sys.exit(f"libasterix cannot parse a CAT{cat:03d} block: {recs}")
        pending.append(peek)
        for _ in range(len(recs) - 1):
            pending.append(next(it))
        for k, (rec, mine) in enumerate(zip(recs, pending)):
            theirs = {}
            for name, nsp in rec.items_regular.items():
                flatten_nonspare(nsp, name, theirs)
            flat = {}
            for name, v in mine["items"].items():
                flatten_json(v, name, flat)
            for p, v in theirs.items():
                if p.split("/")[0] in ("SP", "RE"):
                    continue
                if p not in flat:
                    sys.exit(f"CAT{cat:03d} record {checked + k}: {p} = {v!r} in libasterix, absent in vigie")
                w = flat[p]
                same = (math.isclose(float(v), float(w), rel_tol=1e-9, abs_tol=1e-9)
                        if isinstance(v, (int, float)) and isinstance(w, (int, float)) else v == w)
                if not same:
                    sys.exit(f"CAT{cat:03d} record {checked + k}: {p}: libasterix {v!r}, vigie {w!r}")
                elements += 1
        checked += len(recs)
    print(f"libasterix agrees with vigie on {checked} records, {elements} elements")


if __name__ == "__main__":
    main()
