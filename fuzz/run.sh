#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30), seeded from the repository's real
# recordings and earlier findings. Needs cargo-fuzz (`cargo install cargo-fuzz`).
# A crash leaves its input in fuzz/artifacts/TARGET/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
rm -rf artifacts
mkdir -p corpus/{asterix,capture,modes,ingest,dem,scenario,journal,ident,state,memory}
cp ../testdata/asterix/cat062_sample.bin ../crates/codec/tests/fuzz_regressions/asterix-* corpus/asterix/
cp ../testdata/asterix/*.pcap* ../crates/codec/tests/fuzz_regressions/capture-* corpus/capture/
cp ../testdata/modes/sample_dump1090.bin corpus/modes/
cp ../testdata/asterix/cat062_sample.bin corpus/ingest/
cp ../data/terrain/niger_globe30s.tif corpus/dem/
cp ../scenarios/niger.toml ../crates/sim/tests/bad/* corpus/scenario/
cp ../crates/journal/tests/corpus/* corpus/journal/
cp ../scenarios/niger-ident/* corpus/ident/
# The golden state without its magic and checksum, which the target adds.
tail -c +5 ../crates/track/tests/corpus/state-small.bin | head -c -4 > corpus/state/small.bin
cp ../crates/ident/tests/corpus/memory.msgpack corpus/memory/
export RUSTC_BOOTSTRAP=1
for target in asterix capture modes ingest dem scenario journal ident state memory; do
  echo "== fuzz $target (${seconds} s)"
  cargo fuzz run --sanitizer none "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>&1 \
    | grep -E "^(Done|SUMMARY|thread .* panicked)|crash-" || true
  if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
    echo "fuzz $target: a crash; its input is in fuzz/artifacts/$target/"
    exit 1
  fi
done
