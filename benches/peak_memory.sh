#!/usr/bin/env bash
# Peak resident memory of encoding 25 MB of the reference corpus once, per
# encoder (GNU time's maximum RSS). Run from the repository root:
#   bash benches/peak_memory.sh [ENCODER...]
set -euo pipefail
cd "$(dirname "$0")/compare"
cargo build --release --quiet --bin peak_memory
encoders=("$@")
[ ${#encoders[@]} -gt 0 ] || encoders=(bytepair tiktoken-rs splintr wordchipper bpe hf-tokenizers)
echo "| encoder | peak RSS, 25 MB of text |"
echo "|---|---:|"
for encoder in "${encoders[@]}"; do
    kb=$( { /usr/bin/time -f "%M" ./target/release/peak_memory "$encoder" > /dev/null; } 2>&1 | tail -1)
    echo "| $encoder | $((kb / 1024)) MB |"
done
