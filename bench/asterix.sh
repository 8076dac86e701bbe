#!/usr/bin/env bash
# vigie's ASTERIX CAT048 decoding against the C++ asterix decoder (CroatiaControl's, as
# PyPI's asterix_decoder packages it), on the same data: the Niger exercise's plots for an
# hour, as each radar sends them (a block of its plots each second). Also prints vigie's
# Beast-to-reports rate on the real long_flight recording. One core each.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import asterix" 2>/dev/null || python3 -m pip install --quiet asterix_decoder
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
VIGIE_BENCH_CAT048="$tmp/cat048.ast" cargo bench --quiet -p vigie-ingest --bench decode 2>/dev/null | tee "$tmp/vigie.txt"
python3 - "$tmp/cat048.ast" "$tmp/vigie.txt" <<'PY'
import re, sys, time
import asterix
data = open(sys.argv[1], "rb").read()
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    records = asterix.parse(data)
    best = min(best, time.perf_counter() - t)
n = len(records)
rate = n / best
print(f"C++ asterix decoder (PyPI asterix_decoder):     {rate:>9.0f} records/s ({n} records)")
text = open(sys.argv[2]).read()
for label in ("to the tracker's reports", "every item decoded"):
    m = re.search(label + r"[^0-9]*([0-9]+) records/s", text)
    if m:
        print(f"vigie ({label}) / C++ decoder: {float(m.group(1)) / rate:.1f}x")
PY
