//! Prints the README's tables from criterion's results in target/criterion:
//! for each benchmark group with the given prefix (default `encode-`), the
//! median throughput of each encoder in MB/s (10^6 bytes) and its ratio to
//! tiktoken-rs.
//!
//! `cargo run --release --bin report [PREFIX]` (from benches/compare).

use std::collections::BTreeMap;
use std::path::Path;

const ENCODERS: [&str; 8] = [
    "bytepair",
    "bytepair-count",
    "bytepair-parallel",
    "splintr",
    "wordchipper",
    "bpe",
    "tiktoken-rs",
    "hf-tokenizers",
];
const BASELINE: &str = "tiktoken-rs";

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// (median seconds per run, bytes per run) of one benchmark.
fn measurement(dir: &Path) -> Option<(f64, f64)> {
    let estimates = read_json(&dir.join("new/estimates.json"))?;
    let median_ns = estimates["median"]["point_estimate"].as_f64()?;
    let benchmark = read_json(&dir.join("new/benchmark.json"))?;
    let bytes = benchmark["throughput"]["Bytes"].as_f64()?;
    Some((median_ns * 1e-9, bytes))
}

fn main() {
    let prefix = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "encode-".to_string());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion");
    // group -> encoder -> MB/s
    let mut table: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for group in std::fs::read_dir(&root).expect("no criterion results; run the benches first") {
        let group = group.unwrap().path();
        let name = group.file_name().unwrap().to_string_lossy().to_string();
        let Some(input) = name.strip_prefix(&prefix) else {
            continue;
        };
        for encoder in ENCODERS {
            if let Some((seconds, bytes)) = measurement(&group.join(encoder)) {
                let row = table.entry(input.to_string()).or_default();
                row.insert(encoder.to_string(), bytes / seconds / 1e6);
            }
        }
    }
    let columns: Vec<&str> = ENCODERS
        .into_iter()
        .filter(|e| table.values().any(|row| row.contains_key(*e)))
        .collect();
    println!("| input | {} |", columns.join(" | "));
    println!("|---|{}", "---:|".repeat(columns.len()));
    for (input, row) in &table {
        let baseline = row.get(BASELINE).copied();
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match (row.get(*c), baseline) {
                (Some(mbps), Some(base)) => format!("{mbps:.1} ({:.2}x)", mbps / base),
                (Some(mbps), None) => format!("{mbps:.1}"),
                (None, _) => "-".to_string(),
            })
            .collect();
        println!("| {input} | {} |", cells.join(" | "));
    }
}
