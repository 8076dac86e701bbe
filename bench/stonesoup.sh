#!/usr/bin/env bash
# vigie against Stone Soup 1.9.1 (EKF, GNN with a k-d tree gate, M-of-N initiation) on the
# same plots: one 3-D radar, 6 s scan, Pd 0.9, 20 clutter plots per scan within 50 km, and
# 20 targets (airliners, fighters turning at 4-10 deg/s, drones) for 10 minutes. Both track
# pictures are scored by `vigie eval` (GOSPA c = 5 km, p = 1, alpha = 2) at the same instants.
#
# Needs: pip install stonesoup==1.9.1 pymap3d (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import stonesoup, pymap3d" 2>/dev/null || pip install --quiet stonesoup==1.9.1 pymap3d
cargo build --release --quiet -p vigie
vigie=./target/release/vigie
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

python3 bench/stonesoup/make_scenario.py
$vigie sim scenarios/bench-stonesoup.toml --out "$out" --quiet 2>/dev/null
plots=$(($(wc -l < "$out/plots.csv") - 1))

echo "== vigie track"
start=$(date +%s.%N)
for _ in 1 2 3 4 5 6 7 8 9 10; do
  $vigie track --plots "$out/plots.csv" --sensors "$out/sensors.toml" --out "$out/tracks-vigie.csv" --grid-s 6 --quiet 2>/dev/null
done
end=$(date +%s.%N)
vigie_s=$(python3 -c "print((float('$end') - float('$start')) / 10)")
$vigie eval --truth "$out/truth.csv" --tracks "$out/tracks-vigie.csv" --json "$out/vigie.json" --svg "$out/vigie.svg" 2>/dev/null

echo "== Stone Soup"
# Timed as a whole process, as vigie is: interpreter start, imports, reading the plots,
# tracking, writing the tracks.
start=$(date +%s.%N)
ss_line=$(python3 bench/stonesoup/stonesoup_track.py "$out/plots.csv" "$out/sensors.toml" "$out/tracks-stonesoup.csv" 6)
end=$(date +%s.%N)
echo "$ss_line"
ss_s=$(python3 -c "print(float('$end') - float('$start'))")
$vigie eval --truth "$out/truth.csv" --tracks "$out/tracks-stonesoup.csv" --json "$out/stonesoup.json" --svg "$out/stonesoup.svg" 2>/dev/null

mkdir -p bench/results
cp "$out/vigie.svg" bench/results/stonesoup-vigie.svg
cp "$out/stonesoup.svg" bench/results/stonesoup-stonesoup.svg
python3 - "$out" "$plots" "$vigie_s" "$ss_s" <<'PY'
import json, sys
out, plots, vigie_s, ss_s = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
v = json.load(open(f"{out}/vigie.json"))
s = json.load(open(f"{out}/stonesoup.json"))
rows = [
    ("GOSPA mean (c 5 km, p 1)", "gospa_mean", "{:.0f}"),
    ("  location part", "gospa_location_mean", "{:.0f}"),
    ("  missed part", "gospa_missed_mean", "{:.0f}"),
    ("  false part", "gospa_false_mean", "{:.0f}"),
    ("position RMSE, m", "position_rmse_m", "{:.0f}"),
    ("velocity RMSE, m/s", "velocity_rmse_mps", "{:.1f}"),
    ("completeness", "completeness", "{:.3f}"),
    ("track numbers for 20 targets", "track_ids", "{}"),
    ("id switches", "id_switches", "{}"),
    ("track breaks", "breaks", "{}"),
]
print(f"\n{'':32}{'vigie':>12}{'Stone Soup':>14}{'ratio':>9}")
for name, key, fmt in rows:
    a, b = v[key], s[key]
    ratio = f"{a / b:.2f}" if b else "-"
    print(f"{name:32}{fmt.format(a):>12}{fmt.format(b):>14}{ratio:>9}")
print(f"{'wall time, s':32}{vigie_s:>12.3f}{ss_s:>14.2f}{vigie_s / ss_s:>9.4f}")
print(f"{'plots per second':32}{plots / vigie_s:>12.0f}{plots / ss_s:>14.0f}{ss_s / vigie_s:>8.0f}x")
print("\nBoth wall times are whole processes doing the same job (reading the plots, tracking, writing")
print("the tracks): vigie's the mean of 10 runs, Stone Soup's one. Pictures: bench/results/stonesoup-*.svg")
PY
