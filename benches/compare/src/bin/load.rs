//! Loads one tokenizer.json with one engine in a fresh process and prints
//! the CPU time and the peak resident memory it took, so that each engine's
//! figure is its own.
//!
//! `cargo run --release --bin load -- bytepair|hf FILE` (from
//! benches/compare); `scripts/load_table.sh` runs it for every model.
//! `load encoding NAME` loads one of bytepair's embedded encodings;
//! `load peer ENCODER ENCODING` loads one of the `encodings` bin's encoders
//! (bytepair among them) for an OpenAI encoding and encodes a short text, so
//! that what an encoder builds on first use counts too.

use bytepair_compare::cpu_seconds;

/// Peak resident memory of this process, in MiB.
fn peak_mib() -> f64 {
    // SAFETY: getrusage writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, peer, name, encoding] = &args[..]
        && peer == "peer"
    {
        load_peer(name, encoding);
        return;
    }
    let [_, engine, path] = &args[..] else {
        eprintln!(
            "usage: load bytepair|hf FILE, load encoding NAME, or load peer ENCODER ENCODING"
        );
        std::process::exit(2);
    };
    let before = peak_mib();
    let t = cpu_seconds();
    let size = match engine.as_str() {
        "bytepair" => bytepair::Tokenizer::from_tokenizer_json_file(path)
            .expect("bytepair loads it")
            .vocab_size(),
        // An embedded encoding by name (`load encoding o200k_base`).
        "encoding" => bytepair::Tokenizer::by_name(path)
            .expect("an embedded encoding")
            .vocab_size(),
        "hf" => tokenizers::Tokenizer::from_file(path)
            .expect("HF loads it")
            .get_vocab_size(true),
        other => panic!("unknown engine {other}"),
    };
    let cpu = cpu_seconds() - t;
    println!(
        "{engine}\t{size}\t{:.0} ms\t{:.0} MiB peak (+{:.0} MiB)",
        cpu * 1e3,
        peak_mib(),
        peak_mib() - before
    );
}

/// `load peer ENCODER ENCODING`: one line, `ENCODER<TAB>ms<TAB>MiB`, the CPU
/// time to load and first encode, and the peak resident memory.
fn load_peer(name: &str, encoding: &str) {
    let t = cpu_seconds();
    let Some(encode) = bytepair_compare::encoder(encoding, name) else {
        eprintln!("no encoder {name} for {encoding}");
        std::process::exit(2);
    };
    let ids = encode("Hello world");
    let cpu = cpu_seconds() - t;
    assert!(!ids.is_empty());
    println!("{name}\t{:.0}\t{:.0}", cpu * 1e3, peak_mib());
}
