#!/usr/bin/env bash
# Encodes every file of the reference corpus with bytepair's CLI and with both
# reference engines (HF tokenizers and tiktoken, via ../shared/tools/oracle.py),
# and reports whether the ids are identical. Not part of `cargo test`: it needs
# the corpus (60 MB) and the Python references (see ../shared/tools/README.md).
#
# usage: scripts/corpus_parity.sh [SHARED_DIR] [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
python=${2:-/tmp/oracle-venv/bin/python}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --release --quiet --bin bytepair
status=0
total_files=0 total_bytes=0 total_tokens=0
for file in "$shared"/data/corpus/*.txt "$shared"/data/corpus/*.md; do
    name=$(basename "$file")
    ./target/release/bytepair encode "$file" | tr ' ' '\n' > "$out/ours"
    verdict="identical to hf and tiktoken"
    for engine in hf tiktoken; do
        "$python" "$shared/tools/oracle.py" "$file" --engine "$engine" | tr ' ' '\n' > "$out/$engine"
        if ! cmp -s "$out/ours" "$out/$engine"; then
            verdict="DIFFERENT from $engine"
            status=1
        fi
    done
    tokens=$(grep -c . "$out/ours" || true)
    bytes=$(wc -c < "$file")
    echo "$verdict: $name ($bytes bytes, $tokens tokens)"
    total_files=$((total_files + 1)) total_bytes=$((total_bytes + bytes)) total_tokens=$((total_tokens + tokens))
done
echo "total: $total_files files, $total_bytes bytes, $total_tokens tokens"
exit $status
