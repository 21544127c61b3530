//! Single-thread `encode` speed on each file of the reference corpus, for
//! A/B comparisons of two builds (`benches/ab.sh` runs two of these
//! binaries in alternation): one line per file, `file MB/s`, the best of
//! ROUNDS runs (wall time: the best of several runs is what a quiet machine
//! gives; `/proc`'s per-thread CPU time is only updated at scheduler ticks).
//!
//! `cargo run --release --example encode_speed [ENCODING] [ROUNDS] [MODE]`
//! (ENCODING: gpt2, r50k_base, cl100k_base or o200k_base; gpt2 and 3 rounds
//! by default; MODE: `encode` by default, `segments` for `encode` of the
//! file in 8 segments, `documents` for `encode` of each 4 kB document,
//! `parallel` for `encode_parallel` on all cores,
//! `batch` for `encode_batch` of the file in 4 kB documents). The corpus is read from `$BYTEPAIR_SHARED/data/corpus`
//! (default `../shared`); `BENCH_FILES=en_,code_` picks files by substring.

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "gpt2".to_string());
    let rounds: usize = args
        .next()
        .map_or(3, |n| n.parse().expect("ROUNDS must be a number"));
    let mode = args.next().unwrap_or_else(|| "encode".to_string());
    let tokenizer = bytepair::Tokenizer::by_name(&name).expect("a known, embedded encoding");
    let shared =
        std::env::var_os("BYTEPAIR_SHARED").map_or(PathBuf::from("../shared"), PathBuf::from);
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("data/corpus"))
        .expect("the corpus in $BYTEPAIR_SHARED/data/corpus")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let wanted = std::env::var("BENCH_FILES").unwrap_or_default();
    for path in files {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if !wanted.is_empty() && !wanted.split(',').any(|w| file.contains(w)) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let documents = documents(&text);
        let step = documents.len().div_ceil(8).max(1);
        let segments: Vec<String> = documents.chunks(step).map(|d| d.concat()).collect();
        let mut best = f64::INFINITY;
        for _ in 0..rounds {
            let start = std::time::Instant::now();
            let tokens = match mode.as_str() {
                "parallel" => tokenizer.encode_parallel(&text).len(),
                "segments" => segments.iter().map(|s| tokenizer.encode(s).len()).sum(),
                "documents" => documents.iter().map(|d| tokenizer.encode(d).len()).sum(),
                "batch" => tokenizer
                    .encode_batch(&documents)
                    .iter()
                    .map(Vec::len)
                    .sum(),
                _ => tokenizer.encode(&text).len(),
            };
            best = best.min(start.elapsed().as_secs_f64());
            std::hint::black_box(tokens);
        }
        println!("{file} {:.1}", text.len() as f64 / best / 1e6);
    }
}

/// `text` in documents of about 4 kB, cut at line ends.
fn documents(text: &str) -> Vec<&str> {
    let mut documents = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + 4096).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        documents.push(&text[start..end]);
        start = end;
    }
    documents
}
