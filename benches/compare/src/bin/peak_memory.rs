//! Encodes MEGABYTES (default 25) of the corpus once with one encoder, for
//! measuring peak memory from outside (`/usr/bin/time -f %M`); the README's
//! memory figures come from `benches/peak_memory.sh`. Beyond the corpus's
//! 62 MB the text repeats. `bytepair-count` counts without building ids.
//!
//! `cargo run --release --bin peak_memory -- ENCODER [MEGABYTES] [ENCODING]`
//! (with ENCODING, one of r50k_base, cl100k_base, o200k_base, the encoder
//! is one of the `encodings` bin's).

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bytepair".to_string());
    let size: usize = std::env::args()
        .nth(2)
        .map_or(25, |s| s.parse().expect("MEGABYTES is a number"))
        * 1_000_000;
    if let Some(encoding) = std::env::args().nth(3) {
        let encode = bytepair_compare::encoder(&encoding, &name)
            .unwrap_or_else(|| panic!("no encoder {name} for {encoding}"));
        let text = corpus_text(size);
        let ids = encode(&text);
        println!(
            "{name} {encoding}: {} bytes, {} tokens",
            text.len(),
            ids.len()
        );
        return;
    }
    if name == "bytepair-count" {
        let text = corpus_text(size);
        let tokens = bytepair::Tokenizer::gpt2().count(&text);
        println!("{name}: {} bytes, {tokens} tokens", text.len());
        return;
    }
    let encoder = bytepair_compare::all_encoders_lazy(&name).unwrap_or_else(|| {
        eprintln!("unknown encoder {name}");
        std::process::exit(2);
    });
    let text = corpus_text(size);
    let ids = encoder.encode(&text);
    println!("{name}: {} bytes, {} tokens", text.len(), ids.len());
}

/// The first `size` bytes of the corpus files, one after another, repeated
/// as often as needed, cut at a character boundary. Files are read one at a
/// time, so that only the text stays in memory.
fn corpus_text(size: usize) -> String {
    let dir = bytepair_compare::shared_dir().join("data/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let mut text = String::with_capacity(size + (16 << 20));
    'fill: loop {
        for path in &paths {
            text.push_str(&std::fs::read_to_string(path).unwrap());
            if text.len() >= size {
                break 'fill;
            }
        }
    }
    let mut end = size;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}
