#!/usr/bin/env bash
# A/B: single-thread encode speed of two builds of bytepair, run in
# alternation so that both see the same load on a shared machine.
#
#   bash benches/ab.sh A_DIR B_DIR [ENCODING] [ROUNDS] [MODE]
#
# A_DIR and B_DIR are checkouts (e.g. `git worktree add /tmp/a main~1`);
# each builds examples/encode_speed in release mode. Prints, per corpus
# file, the best MB/s of each over ROUNDS alternations (5 by default) and
# the ratio B / A. MODE is encode_speed's: encode, parallel or batch.
set -euo pipefail
a=$1 b=$2 encoding=${3:-gpt2} rounds=${4:-5} mode=${5:-encode}
shared=${BYTEPAIR_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
for dir in "$a" "$b"; do
    (cd "$dir" && cargo build --release --quiet --example encode_speed)
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for round in $(seq "$rounds"); do
    for side in a b; do
        dir=$a; [ "$side" = b ] && dir=$b
        BYTEPAIR_SHARED=$shared "$dir/target/release/examples/encode_speed" "$encoding" 1 "$mode" >> "$out/$side"
    done
done
echo "| file | A MB/s | B MB/s | B / A |"
echo "|---|---:|---:|---:|"
awk '
    FNR == 1 { side++ }
    { if ($2 > best[side, $1]) best[side, $1] = $2; files[$1] = 1 }
    END { for (f in files) printf "| %s | %.1f | %.1f | %.3f |\n", f, best[1, f], best[2, f], best[2, f] / best[1, f] }
' "$out/a" "$out/b" | sort
