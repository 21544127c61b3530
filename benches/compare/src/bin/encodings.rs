//! bytepair against every Rust peer on OpenAI's encodings (r50k_base,
//! cl100k_base, o200k_base): single thread, each corpus file cut into
//! segments at line ends and each segment encoded once by each encoder (no
//! encoder sees a text twice, so caches across calls help only where text
//! repeats within the corpus), the encoders taking turns segment by
//! segment so that a busy spell on the machine hits them alike. CPU time.
//!
//! The ids are checked after timing, against tiktoken-rs's (the reference
//! here): an encoder that gives other ids on a file is reported as wrong
//! there, not timed.
//!
//! `cargo run --release --bin encodings [ENCODING...]` (from
//! benches/compare; all three by default; `BENCH_FILES` and
//! `BENCH_ENCODERS` select by name).

use std::collections::BTreeMap;

use bytepair_compare::{corpus, cpu_seconds, encoders, segments, selected};

/// Segments a file is cut into.
const SEGMENTS: usize = 8;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let encodings: Vec<&str> = if args.is_empty() {
        vec!["r50k_base", "cl100k_base", "o200k_base"]
    } else {
        args.iter().map(String::as_str).collect()
    };
    let files = corpus();
    for encoding in encodings {
        let encoders = encoders(encoding);
        let names: Vec<&str> = encoders.iter().map(|(n, _)| *n).collect();
        println!("\n{encoding}: MB/s, each segment encoded once, single thread, CPU time\n");
        println!(
            "| file | {} | bytepair / fastest exact peer | bytepair / tiktoken-rs |",
            names.join(" | ")
        );
        println!("|---|{}---:|---:|", "---:|".repeat(names.len()));
        for (file, text) in &files {
            if !selected("BENCH_FILES", file) {
                continue;
            }
            let mut seconds: BTreeMap<&str, f64> = BTreeMap::new();
            let mut ids: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
            for (s, segment) in segments(text, SEGMENTS).into_iter().enumerate() {
                // Take turns: a different encoder goes first each segment.
                for k in 0..encoders.len() {
                    let (name, encode) = &encoders[(k + s) % encoders.len()];
                    let start = cpu_seconds();
                    let got = encode(segment);
                    *seconds.entry(name).or_default() += cpu_seconds() - start;
                    ids.entry(name).or_default().extend(got);
                }
            }
            let reference = &ids["tiktoken-rs"];
            let mb = text.len() as f64 / 1e6;
            let speed = |name: &str| (&ids[name] == reference).then(|| mb / seconds[name]);
            let cells: Vec<String> = names
                .iter()
                .map(|n| speed(n).map_or("wrong ids".to_string(), |s| format!("{s:.1}")))
                .collect();
            let fastest_peer = names
                .iter()
                .filter(|n| **n != "bytepair")
                .filter_map(|n| speed(n))
                .fold(0.0, f64::max);
            let ratio = match speed("bytepair") {
                Some(ours) if fastest_peer > 0.0 => format!("{:.2}x", ours / fastest_peer),
                _ => "-".to_string(),
            };
            let over_tiktoken_rs = match (speed("bytepair"), speed("tiktoken-rs")) {
                (Some(ours), Some(theirs)) => format!("{:.1}x", ours / theirs),
                _ => "-".to_string(),
            };
            println!(
                "| {file} | {} | {ratio} | {over_tiktoken_rs} |",
                cells.join(" | ")
            );
        }
    }
}
