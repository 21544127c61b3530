//! Encodes texts with a tokenizer.json in every mode, one JSON line a text,
//! for `scripts/model_parity.py` to compare with HF tokenizers.
//!
//! usage: pipeline_dump TOKENIZER_JSON TEXTS_JSONL [SAVED_JSON] > OUT_JSONL
//! Each input line is a JSON string. Each output line is an object with
//! `encode`, `special`, `model` (ids), `offsets` (byte ranges of `model`),
//! `decode` and `decode_skip` (of `model`'s ids). With SAVED_JSON, the
//! tokenizer is also saved there (`save_tokenizer_json`), for HF to load.

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (tokenizer, texts, saved) = match &args[..] {
        [_, tokenizer, texts] => (tokenizer, texts, None),
        [_, tokenizer, texts, saved] => (tokenizer, texts, Some(saved)),
        _ => {
            eprintln!("usage: pipeline_dump TOKENIZER_JSON TEXTS_JSONL [SAVED_JSON]");
            std::process::exit(2);
        }
    };
    let tokenizer = bytepair::Tokenizer::from_tokenizer_json_file(tokenizer)?;
    if let Some(saved) = saved {
        tokenizer.save_tokenizer_json(saved)?;
    }
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for line in std::io::BufReader::new(std::fs::File::open(texts)?).lines() {
        let text: String = serde_json::from_str(&line?)?;
        let with_offsets = tokenizer.encode_for_model_with_offsets(&text);
        let model: Vec<u32> = with_offsets.iter().map(|(id, _)| *id).collect();
        let offsets: Vec<[usize; 2]> = with_offsets.iter().map(|(_, r)| [r.start, r.end]).collect();
        let record = serde_json::json!({
            "encode": tokenizer.encode(&text),
            "special": tokenizer.encode_with_special_tokens(&text),
            "model": model,
            "offsets": offsets,
            "decode": tokenizer.decode(&model)?,
            "decode_skip": tokenizer.decode_without_special_tokens(&model)?,
        });
        writeln!(out, "{record}")?;
    }
    Ok(())
}
