#!/usr/bin/env bash
# Regenerates the tables of BENCHMARKS.md's section "OpenAI's encodings
# against every Rust peer": speed on every corpus file (the `encodings`
# bin), load time and memory of each encoder (the `load` bin, in fresh
# processes) and peak memory encoding 10 MB and 100 MB (the `peak_memory` bin under
# GNU time), for r50k_base, cl100k_base and o200k_base. The tables replace
# what stands between the section's two `encodings-table` markers.
#
#   bash benches/encodings_table.sh [PROCESSES]
#
# PROCESSES (5 by default): fresh processes per load figure, the median
# counts. The corpus is read from $BYTEPAIR_SHARED/data/corpus (by default
# ../shared beside the repository). Takes about a quarter of an hour.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export BYTEPAIR_SHARED=${BYTEPAIR_SHARED:-$(cd "$root/.." && pwd)/shared}
processes=${1:-5}
cd "$root/benches/compare"
cargo build --release --quiet --bin encodings --bin load --bin peak_memory
bin=target/release
encodings=(r50k_base cl100k_base o200k_base)
encoders=(bytepair tiktoken-rs "tiktoken 4.x" splintr riptoken toktok bpe-openai tokie)
table=$(mktemp)
trap 'rm -f "$table" "$table.kib" "$table.md"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

{
    echo "Speed: \`cd benches/compare && cargo run --release --bin encodings\`."
    "$bin/encodings" "${encodings[@]}"
    echo
    echo "Loading: CPU time to load the encoding and encode a first short text,"
    echo "in a fresh process (median of $processes), and that process's peak"
    echo "resident memory; \`cd benches/compare && cargo run --release --bin load --"
    echo "peer ENCODER ENCODING\`. splintr, riptoken and tokie are given the rank"
    echo "file's bytes (tokie the tokenizer.json bytepair writes for it), the"
    echo "others embed their data."
    echo
    echo "| encoder | r50k_base ms | MiB | cl100k_base ms | MiB | o200k_base ms | MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for encoder in "${encoders[@]}"; do
        row="| $encoder |"
        for encoding in "${encodings[@]}"; do
            if ! "$bin/load" peer "$encoder" "$encoding" > /dev/null 2>&1; then
                row="$row - | - |"
                continue
            fi
            runs=$(for _ in $(seq "$processes"); do "$bin/load" peer "$encoder" "$encoding"; done)
            ms=$(cut -f2 <<< "$runs" | median)
            mib=$(cut -f3 <<< "$runs" | median)
            row="$row $ms | $mib |"
        done
        echo "$row"
    done
    echo
    echo "Peak memory encoding the first 10 MB and 100 MB of the corpus once"
    echo "(beyond its 62 MB the text repeats), text and ids included (GNU time's"
    echo "maximum resident set; \`cd benches/compare && /usr/bin/time -f %M"
    echo "target/release/peak_memory ENCODER MEGABYTES ENCODING\`), MiB:"
    echo
    echo "| encoder | r50k_base 10 MB | 100 MB | cl100k_base 10 MB | 100 MB | o200k_base 10 MB | 100 MB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for encoder in "${encoders[@]}"; do
        row="| $encoder |"
        for encoding in "${encodings[@]}"; do
            for megabytes in 10 100; do
                if /usr/bin/time -o "$table.kib" -f %M "$bin/peak_memory" "$encoder" "$megabytes" "$encoding" > /dev/null 2>&1; then
                    row="$row $(($(tail -1 "$table.kib") / 1024)) |"
                else
                    row="$row - |"
                fi
            done
        done
        echo "$row"
    done
} > "$table"

awk -v table="$table" '
    /<!-- encodings-table: begin/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- encodings-table: end/ { skip = 0 }
    !skip { print }
' "$root/BENCHMARKS.md" > "$table.md"
grep -q "encodings-table: end" "$table.md" || { echo "BENCHMARKS.md lacks the encodings-table markers" >&2; exit 1; }
mv "$table.md" "$root/BENCHMARKS.md"
echo "BENCHMARKS.md: tables of OpenAI's encodings regenerated"
