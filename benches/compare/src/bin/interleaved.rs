//! bytepair's `encode`, `count` and `encode_parallel` on each corpus file,
//! measured in alternation: round after round, each of the three runs a few
//! times, and the best run of each counts. On a machine whose neighbours
//! come and go, criterion's medians for two variants measured minutes apart
//! can differ by 20 %; measured side by side like this, the ratios between
//! them hold to a few percent.
//!
//! The worst-case inputs (1 MB each, see `worst_case_inputs`) are measured
//! the same way, all of them in each round, and compared with 1 MB of prose:
//! prose is the input a busy neighbour slows most (it needs the large
//! tables, where digits stay in the core's own cache), so the ratio of the
//! two moves with the machine's load: from 2.7x to 3.6x in criterion's runs,
//! and as much here. Measuring every input in every round at least puts all
//! the inputs of one table under the same load.
//!
//! `cargo run --release --bin interleaved [ROUNDS]` (from benches/compare;
//! 5 rounds by default) prints the README's tables of those ratios.

use std::time::Instant;

use bytepair_compare::{corpus, selected, worst_case_inputs};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(5, |n| n.parse().expect("ROUNDS must be a number"));
    let tokenizer = bytepair::Tokenizer::gpt2();
    corpus_table(&tokenizer, rounds);
    println!();
    worst_case_table(&tokenizer, rounds);
}

/// `encode`, `count` and `encode_parallel` on each corpus file.
fn corpus_table(tokenizer: &bytepair::Tokenizer, rounds: usize) {
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

/// `encode` on each 1 MB worst-case input, as a multiple of 1 MB of prose.
fn worst_case_table(tokenizer: &bytepair::Tokenizer, rounds: usize) {
    let inputs: Vec<(&str, String)> = worst_case_inputs()
        .into_iter()
        .filter(|(name, _, _)| selected("BENCH_INPUTS", name))
        .map(|(name, _, large)| (name, large))
        .collect();
    let mut best = vec![f64::MAX; inputs.len()];
    for _ in 0..rounds {
        for ((_, text), slot) in inputs.iter().zip(&mut best) {
            for _ in 0..3 {
                let start = Instant::now();
                std::hint::black_box(tokenizer.encode(text));
                *slot = slot.min(start.elapsed().as_secs_f64());
            }
        }
    }
    let prose = inputs
        .iter()
        .position(|(name, _)| *name == "prose")
        .map(|i| best[i]);
    println!("| 1 MB input | encode ms | / prose |");
    println!("|---|---:|---:|");
    for ((name, _), seconds) in inputs.iter().zip(&best) {
        let ratio = prose.map_or(String::from("-"), |p| format!("{:.2}x", seconds / p));
        println!("| {name} | {:.1} | {ratio} |", seconds * 1e3);
    }
}
