#!/usr/bin/env bash
# The operator display under 5,000 tracks updated every second: the server's CPU share, the
# WebSocket bytes per second, and the browser's frame times while panning (headless
# Chromium, software WebGL). Needs /usr/bin/chromium and web/node_modules (cargo build
# installs them). VIGIE_BENCH_TRACKS changes the track count.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --benches -p vigie-server
out=$(mktemp)
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
VIGIE_BENCH_DURATION_S=${VIGIE_BENCH_DURATION_S:-45} cargo bench --quiet -p vigie-server --bench display > "$out" 2>&1 &
server=$!
for _ in $(seq 120); do grep -q '^ready' "$out" 2>/dev/null && break; sleep 0.5; done
url=$(grep -o 'http://[0-9.:]*' "$out" | head -1)
mkdir -p web/e2e/artifacts
browser=$(cd web && node e2e/bench-pan.mjs "$url" bench bench-password)
wait $server
cat "$out" | grep -v '^ready'
python3 - "$browser" <<'PY'
import json, sys
b = json.loads(sys.argv[1])
print(f"tracks in the browser's table   {b['tracks']}")
print(f"WebSocket                       {b['ws_bytes_per_s'] / 1e6:.2f} MB/s ({b['ws_bytes_per_s']:,} bytes/s)")
print(f"frames while panning (10 s)     {b['frames']} ({b['fps']} per second)")
print(f"frame time                      p50 {b['frame_ms_p50']} ms, p95 {b['frame_ms_p95']} ms, max {b['frame_ms_max']} ms")
print("screenshot: web/e2e/artifacts/bench-5000.png")
PY
