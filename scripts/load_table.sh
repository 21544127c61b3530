#!/usr/bin/env bash
# Loading each model's tokenizer.json with bytepair and with HF's tokenizers
# crate, each in a fresh process: CPU time and peak resident memory, median
# of RUNS runs (default 5). The files are those scripts/model_parity.py
# fetches into $BYTEPAIR_MODELS (default /tmp/bytepair-models).
#
# usage: scripts/load_table.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../benches/compare"
runs=${1:-5}
dir=${BYTEPAIR_MODELS:-/tmp/bytepair-models}
cargo build --release --quiet --bin load
echo "| model | bytepair ms | HF ms | bytepair MiB | HF MiB |"
echo "|---|---:|---:|---:|---:|"
for path in "$dir"/*/package/models/tokenizer.json; do
    model=$(basename "$(dirname "$(dirname "$(dirname "$path")")")")
    row="| $model"
    for field in 3 4; do
        for engine in bytepair hf; do
            values=$(for _ in $(seq "$runs"); do ./target/release/load "$engine" "$path" | cut -f"$field" | cut -d' ' -f1; done | sort -n)
            median=$(echo "$values" | sed -n "$(( (runs + 1) / 2 ))p")
            row="$row | $median"
        done
    done
    echo "$row |"
done
