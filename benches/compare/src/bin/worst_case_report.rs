//! Prints the README's worst-case table from criterion's results: for each
//! input and encoder, the time for 1 MB relative to the same encoder's time
//! for 1 MB of prose, and the growth exponent from 100 kB to 1 MB
//! (1.0 = linear, 2.0 = quadratic).
//!
//! `cargo run --release --bin worst_case_report` (from benches/compare).

use std::path::Path;

const ENCODERS: [&str; 6] = [
    "bytepair",
    "splintr",
    "wordchipper",
    "bpe",
    "tiktoken-rs",
    "hf-tokenizers",
];
const INPUTS: [&str; 13] = [
    "prose",
    "a-repeated",
    "random-letters",
    "random-base64",
    "digits",
    "punctuation",
    "spaces",
    "cjk",
    "one-emoji",
    "contractions",
    "crlf",
    "combining-marks",
    "endoftext",
];

/// (median seconds, bytes) of one benchmark, if it ran.
fn measurement(group: &str, encoder: &str) -> Option<(f64, f64)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(group)
        .join(encoder);
    let read = |file: &str| -> Option<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(dir.join("new").join(file)).ok()?).ok()
    };
    let median_ns = read("estimates.json")?["median"]["point_estimate"].as_f64()?;
    let bytes = read("benchmark.json")?["throughput"]["Bytes"].as_f64()?;
    Some((median_ns * 1e-9, bytes))
}

fn main() {
    let columns: Vec<&str> = ENCODERS
        .into_iter()
        .filter(|e| measurement("worst-prose-1M", e).is_some())
        .collect();
    println!("| 1 MB input | {} |", columns.join(" | "));
    println!("|---|{}", "---:|".repeat(columns.len()));
    for input in INPUTS {
        let cells: Vec<String> = columns
            .iter()
            .map(|encoder| {
                let prose = measurement("worst-prose-1M", encoder);
                let large = measurement(&format!("worst-{input}-1M"), encoder);
                let small = measurement(&format!("worst-{input}-100k"), encoder);
                match (prose, large, small) {
                    (Some((p, pb)), Some((l, lb)), Some((s, sb))) => {
                        let relative = (l / lb) / (p / pb);
                        let exponent = (l / s).ln() / (lb / sb).ln();
                        format!("{:.0} ms, {relative:.2}x prose, n^{exponent:.2}", l * 1e3)
                    }
                    (_, None, Some((s, _))) => format!("{:.1} s for 100 kB; 1 MB not run", s),
                    _ => "-".to_string(),
                }
            })
            .collect();
        println!("| {input} | {} |", cells.join(" | "));
    }
}
