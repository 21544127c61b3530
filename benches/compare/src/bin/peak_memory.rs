//! Encodes 25 MB of the corpus once with one encoder, for measuring peak
//! memory from outside (`/usr/bin/time -f %M`); the README's memory figures
//! come from `benches/peak_memory.sh`.
//!
//! `cargo run --release --bin peak_memory -- ENCODER`

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bytepair".to_string());
    let encoder = bytepair_compare::all_encoders_lazy(&name).unwrap_or_else(|| {
        eprintln!("unknown encoder {name}");
        std::process::exit(2);
    });
    let mut text = String::new();
    for (_, file) in bytepair_compare::corpus() {
        text.push_str(&file);
        if text.len() >= 25_000_000 {
            break;
        }
    }
    let mut end = 25_000_000.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    let ids = encoder.encode(&text);
    println!("{name}: {} bytes, {} tokens", text.len(), ids.len());
}
