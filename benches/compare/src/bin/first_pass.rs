//! One encoder on one corpus file in a process of its own: the file cut in 8
//! segments at line ends as the `encodings` bin cuts it, each encoded once,
//! CPU time. Where the `encodings` bin runs every file through one process
//! (so that an encoder's cache kept across calls arrives at each file warm
//! from the files before it), this is an encoder's first meeting with the
//! text. ROUNDS (default 1) encodes the file again that many times, for an
//! encoder's steady state.
//!
//! `cargo run --release --bin first_pass -- ENCODING ENCODER FILE`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [encoding, name, file] = &args[..] else {
        eprintln!("usage: first_pass ENCODING ENCODER FILE");
        std::process::exit(2);
    };
    let Some(encode) = bytepair_compare::encoder(encoding, name) else {
        eprintln!("no encoder {name} for {encoding}");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(file).expect("a readable UTF-8 file");
    let segments = bytepair_compare::segments(&text, 8);
    let rounds: usize = std::env::var("ROUNDS").map_or(1, |r| r.parse().expect("ROUNDS"));
    let mut tokens = 0;
    let start = bytepair_compare::cpu_seconds();
    for _ in 0..rounds {
        for segment in &segments {
            tokens += encode(segment).len();
        }
    }
    let seconds = bytepair_compare::cpu_seconds() - start;
    let mb = rounds as f64 * text.len() as f64 / 1e6;
    println!("{name}\t{:.1}\t{tokens}", mb / seconds);
}
