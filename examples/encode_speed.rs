//! Single-thread `encode` speed on each file of the reference corpus, for
//! A/B comparisons of two builds (`benches/ab.sh` runs two of these
//! binaries in alternation): one line per file, `file MB/s`, the best of
//! ROUNDS runs in the thread's CPU time.
//!
//! `cargo run --release --example encode_speed [ENCODING] [ROUNDS]`
//! (ENCODING: gpt2, r50k_base, cl100k_base or o200k_base; gpt2 and 3 rounds
//! by default). The corpus is read from `$BYTEPAIR_SHARED/data/corpus`
//! (default `../shared`); `BENCH_FILES=en_,code_` picks files by substring.

use std::path::PathBuf;

/// The calling thread's CPU time in seconds (Linux's schedstat), or the wall
/// clock where that is missing.
fn cpu_seconds() -> f64 {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok();
    match schedstat.and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok()) {
        Some(ns) => ns as f64 * 1e-9,
        None => std::time::UNIX_EPOCH.elapsed().map_or(0.0, |d| d.as_secs_f64()),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "gpt2".to_string());
    let rounds: usize = args.next().map_or(3, |n| n.parse().expect("ROUNDS must be a number"));
    let tokenizer = bytepair::Tokenizer::by_name(&name).expect("a known, embedded encoding");
    let shared = std::env::var_os("BYTEPAIR_SHARED").map_or(PathBuf::from("../shared"), PathBuf::from);
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("data/corpus"))
        .expect("the corpus in $BYTEPAIR_SHARED/data/corpus")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let wanted = std::env::var("BENCH_FILES").unwrap_or_default();
    for path in files {
        let file = path.file_name().unwrap_or_default().to_string_lossy().to_string();
        if !wanted.is_empty() && !wanted.split(',').any(|w| file.contains(w)) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut best = f64::INFINITY;
        for _ in 0..rounds {
            let start = cpu_seconds();
            let ids = tokenizer.encode(&text);
            best = best.min(cpu_seconds() - start);
            std::hint::black_box(ids);
        }
        println!("{file} {:.1}", text.len() as f64 / best / 1e6);
    }
}
