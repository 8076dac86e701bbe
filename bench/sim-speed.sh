#!/usr/bin/env bash
# Simulator speed on the national load: one simulated hour, 2,000 aircraft airborne,
# 30 radars, 15 ADS-B stations, on one core. Prints simulated seconds per wall second,
# in process (the streaming API) and through `vigie sim` writing its CSV files.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p vigie
echo "== in process (cargo bench -p vigie-sim --bench sim)"
taskset -c 0 cargo bench --quiet -p vigie-sim --bench sim 2>/dev/null
echo "== vigie sim with files"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
taskset -c 0 ./target/release/vigie sim scenarios/bench-national.toml --out "$out" --quiet 2>&1 | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g'
end=$(date +%s.%N)
du -sh "$out"
python3 -c "print(f'wall {float($end) - float($start):.1f} s for 3600 simulated s: {3600 / (float($end) - float($start)):.0f}x real time')"
