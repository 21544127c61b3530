//! Real models' tokenizer.json files: bytepair against HF's `tokenizers`
//! crate on the same text, single thread.
//!
//! Each corpus file is cut into blocks of about 4 kB (at a line end), as a
//! dataset's documents would come, and both engines encode the blocks one
//! after the other. For each model, both load the same file; their ids are
//! compared on every corpus file (HF's `encode(text, add_special_tokens=False)` with special
//! tokens' text as text, bytepair's `encode`) before anything is timed.
//! Then each file is encoded by each engine in alternation, `ROUNDS` times
//! (HF's word cache cleared before each run, so that every run sees text it
//! has not seen), and the median CPU time of each counts.
//!
//! `cargo run --release --bin models [ROUNDS]` (from benches/compare); the
//! files are those `scripts/model_parity.py` fetches, in `$BYTEPAIR_MODELS`
//! (default `/tmp/bytepair-models`); `BENCH_MODELS=qwen3,claude` and
//! `BENCH_FILES=...` choose.

use bytepair_compare::{corpus, cpu_seconds, selected};

const MODELS: &[&str] = &[
    "llama3",
    "llama3_1",
    "gptoss",
    "qwen3",
    "deepseek_v3",
    "claude",
    "gpt4o",
    "gpt35turbo",
    "llama2",
    "gemma3",
    "gemma",
    "gemini",
    "yi",
];

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn clear_hf_cache(hf: &tokenizers::Tokenizer) {
    if let tokenizers::ModelWrapper::BPE(bpe) = hf.get_model() {
        bpe.clear_cache();
    }
}

/// `text` in blocks of about 4 kB, each ending at a line end.
fn blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut from = (start + 4096).min(text.len());
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let end = text[from..].find('\n').map_or(text.len(), |i| from + i + 1);
        out.push(&text[start..end]);
        start = end;
    }
    out
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(5, |n| n.parse().expect("ROUNDS must be a number"));
    let dir = std::env::var("BYTEPAIR_MODELS").unwrap_or_else(|_| "/tmp/bytepair-models".into());
    let files = corpus();
    println!("| model | file | MB | bytepair MB/s | HF MB/s | bytepair / HF |");
    println!("|---|---|---:|---:|---:|---:|");
    let mut summary = Vec::new();
    for model in MODELS {
        if !selected("BENCH_MODELS", model) {
            continue;
        }
        let path = format!("{dir}/{model}/package/models/tokenizer.json");
        if !std::path::Path::new(&path).exists() {
            eprintln!("{model}: {path} is missing (scripts/model_parity.py fetches it)");
            continue;
        }
        let t = cpu_seconds();
        let ours = bytepair::Tokenizer::from_tokenizer_json_file(&path)
            .unwrap_or_else(|e| panic!("{model}: {e}"));
        let load_ours = cpu_seconds() - t;
        let t = cpu_seconds();
        let mut hf = tokenizers::Tokenizer::from_file(&path).expect("HF loads it");
        let load_hf = cpu_seconds() - t;
        hf.set_encode_special_tokens(true);
        let (mut bytes, mut time_ours, mut time_hf) = (0usize, 0f64, 0f64);
        for (file, text) in &files {
            if !selected("BENCH_FILES", file) {
                continue;
            }
            let blocks = blocks(text);
            let expected: Vec<u32> = blocks
                .iter()
                .flat_map(|b| hf.encode(*b, false).expect("HF encodes").get_ids().to_vec())
                .collect();
            let got: Vec<u32> = blocks.iter().flat_map(|b| ours.encode(b)).collect();
            if got != expected {
                let at = got.iter().zip(&expected).position(|(a, b)| a != b);
                println!("| {model} | {file} | different ids (first at {at:?}): not timed | | | |");
                continue;
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                let t = cpu_seconds();
                for b in &blocks {
                    std::hint::black_box(ours.encode(b));
                }
                a.push(cpu_seconds() - t);
                clear_hf_cache(&hf);
                let t = cpu_seconds();
                for b in &blocks {
                    std::hint::black_box(hf.encode(*b, false).expect("HF encodes"));
                }
                b.push(cpu_seconds() - t);
            }
            let (a, b) = (median(a), median(b));
            let mb = text.len() as f64 / 1e6;
            println!(
                "| {model} | {file} | {mb:.1} | {:.1} | {:.1} | {:.2}x |",
                mb / a,
                mb / b,
                b / a
            );
            bytes += text.len();
            time_ours += a;
            time_hf += b;
        }
        summary.push((model, bytes, time_ours, time_hf, load_ours, load_hf));
    }
    println!();
    println!(
        "| model | MB | bytepair MB/s | HF MB/s | bytepair / HF | load bytepair ms | load HF ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (model, bytes, a, b, la, lb) in summary {
        let mb = bytes as f64 / 1e6;
        println!(
            "| {model} | {mb:.1} | {:.1} | {:.1} | {:.2}x | {:.0} | {:.0} |",
            mb / a,
            mb / b,
            b / a,
            la * 1e3,
            lb * 1e3
        );
    }
}
