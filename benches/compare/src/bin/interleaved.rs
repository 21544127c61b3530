//! bytepair's `encode`, `count` and `encode_parallel` on each corpus file,
//! measured in alternation: round after round, each of the three runs a few
//! times, and the best run of each counts. On a machine whose neighbours
//! come and go, criterion's medians for two variants measured minutes apart
//! can differ by 20 %; measured side by side like this, the ratios between
//! them hold to a few percent.
//!
//! `cargo run --release --bin interleaved [ROUNDS]` (from benches/compare;
//! 5 rounds by default) prints the README's table of those ratios.

use std::time::Instant;

use bytepair_compare::{corpus, selected};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(5, |n| n.parse().expect("ROUNDS must be a number"));
    let tokenizer = bytepair::Tokenizer::gpt2();
    println!(
        "| input | encode MB/s | count MB/s | count / encode | parallel MB/s | parallel / encode |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (file, text) in corpus() {
        if !selected("BENCH_FILES", &file) {
            continue;
        }
        let reference = tokenizer.encode(&text);
        assert_eq!(tokenizer.count(&text), reference.len());
        assert!(tokenizer.encode_parallel(&text) == reference);
        // Best seconds of encode, count, parallel.
        let mut best = [f64::MAX; 3];
        for _ in 0..rounds {
            for (variant, slot) in best.iter_mut().enumerate() {
                for _ in 0..3 {
                    let start = Instant::now();
                    let tokens = match variant {
                        0 => tokenizer.encode(&text).len(),
                        1 => tokenizer.count(&text),
                        _ => tokenizer.encode_parallel(&text).len(),
                    };
                    let seconds = start.elapsed().as_secs_f64();
                    assert_eq!(tokens, reference.len());
                    *slot = slot.min(seconds);
                }
            }
        }
        let speed = |seconds: f64| text.len() as f64 / seconds / 1e6;
        let [encode, count, parallel] = best.map(speed);
        println!(
            "| {file} | {encode:.1} | {count:.1} | {:.2}x | {parallel:.1} | {:.2}x |",
            count / encode,
            parallel / encode
        );
    }
}
