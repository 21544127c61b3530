fn main() {
    let path = std::env::args().nth(1).unwrap();
    let t = std::time::Instant::now();
    let tok = bytepair::Tokenizer::from_tokenizer_json_file(&path).unwrap();
    eprintln!("load {:?} vocab {}", t.elapsed(), tok.vocab_size());
}
