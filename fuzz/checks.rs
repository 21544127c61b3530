//! The properties the fuzz targets check, one function per target. The fuzz
//! targets call them on libFuzzer's inputs; `tests/fuzz_regressions.rs` calls
//! them on every input kept in `tests/fixtures/fuzz/` and on the seeds, so
//! each crash or interesting input stays a regression test of `cargo test`.

use std::sync::OnceLock;

use bytepair::{AllowedSpecial, Tokenizer, Trainer};

/// A text with something of everything, encoded by each loaded tokenizer.
const PROBE: &str = "Hello world's 1234567 ünïcödé 中文 😀\r\n\n  <|endoftext|> x";

/// A tokenizer that loaded must encode, count, decode and save consistently.
/// `decodes_to_input`: its ids decode to the text's bytes (not so for a
/// tokenizer.json pipeline, whose normalizer or `▁` may change the text).
fn exercise(t: &Tokenizer, decodes_to_input: bool) {
    for text in [PROBE, "", " ", "a", "\u{2581}x  \u{3000}e\u{301}"] {
        let ids = t.encode(text);
        assert_eq!(t.count(text), ids.len());
        let special = t.encode_with_special_tokens(text);
        if decodes_to_input {
            assert_eq!(t.decode_bytes(&ids).unwrap(), text.as_bytes());
            assert_eq!(t.decode_bytes(&special).unwrap(), text.as_bytes());
        } else {
            t.decode_lossy(&ids).unwrap();
            t.decode_without_special_tokens(&special).unwrap();
        }
        // Offsets are ranges of the text (HF's widen a token that holds part
        // of a character to the whole character).
        let model = t.encode_for_model_with_offsets(text);
        for (_, range) in &model {
            assert!(
                range.start <= range.end && range.end <= text.len(),
                "{range:?}"
            );
            let whole = text.is_char_boundary(range.start) && text.is_char_boundary(range.end);
            assert!(whole || decodes_to_input, "{range:?}");
        }
        let ids: Vec<u32> = model.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, t.encode_for_model(text));
        let mut stream = t.decode_stream();
        for &id in &ids {
            stream.push(id).unwrap();
        }
        assert_eq!(t.encode_batch(&[text]), [t.encode(text)]);
    }
    // Whatever loaded can be written as tokenizer.json and read back (unless
    // its pattern cannot be written for HF), encoding the same.
    if let Ok(json) = t.to_tokenizer_json() {
        let back = Tokenizer::from_tokenizer_json(json.as_bytes())
            .unwrap_or_else(|e| panic!("saved tokenizer.json does not load: {e}"));
        assert_eq!(back.encode(PROBE), t.encode(PROBE));
        assert_eq!(
            back.encode_with_special_tokens(PROBE),
            t.encode_with_special_tokens(PROBE)
        );
        assert_eq!(back.encode_for_model(PROBE), t.encode_for_model(PROBE));
    }
}

/// A scratch path unique to this process and thread.
fn scratch(name: &str) -> std::path::PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
    std::env::temp_dir().join(format!(
        "bytepair-fuzz-{}-{thread}-{name}",
        std::process::id()
    ))
}

/// vocab.json + merges.txt, separated by the first 0xFF byte (which UTF-8
/// never holds): an error or a working tokenizer.
pub fn load_gpt2(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (vocab, merges) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    if let Ok(t) = Tokenizer::from_gpt2(vocab, merges) {
        exercise(&t, true);
    }
}

/// A `.tiktoken` rank file: an error or a working tokenizer that saves back
/// to a rank file encoding the same.
pub fn load_tiktoken(data: &[u8]) {
    let specials = [("<|endoftext|>", 1_000_000)];
    let Ok(t) = Tokenizer::from_tiktoken(data, r"\S+|\s+", &specials) else {
        return;
    };
    exercise(&t, true);
    let path = scratch("ranks.tiktoken");
    if t.save_tiktoken(&path).is_ok() {
        let saved = std::fs::read(&path).unwrap();
        let back = Tokenizer::from_tiktoken(&saved, r"\S+|\s+", &specials).unwrap();
        assert_eq!(back.encode(PROBE), t.encode(PROBE));
    }
    let _ = std::fs::remove_file(&path);
}

/// An HF tokenizer.json: an error or a working tokenizer.
pub fn load_tokenizer_json(data: &[u8]) {
    if let Ok(t) = Tokenizer::from_tokenizer_json(data) {
        exercise(&t, false);
    }
}

fn encoders() -> &'static [Tokenizer] {
    static CELL: OnceLock<Vec<Tokenizer>> = OnceLock::new();
    CELL.get_or_init(|| {
        let gpt2 = Tokenizer::gpt2();
        vec![
            gpt2.with_pattern(bytepair::CL100K_PATTERN).unwrap(),
            gpt2.with_pattern(bytepair::O200K_PATTERN).unwrap(),
            gpt2.with_pattern(r"\p{L}+|\p{N}{1,2}|\s+|.").unwrap(),
            gpt2,
        ]
    })
}

/// Encoding text (the first byte picks the pretokenizer and a budget):
/// round trip, `count == encode().len()`, and the other APIs agree.
pub fn encode(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let t = &encoders()[choice as usize % encoders().len()];
    let ids = t.encode(&text);
    assert_eq!(t.decode_bytes(&ids).unwrap(), text.as_bytes());
    assert_eq!(t.count(&text), ids.len());
    assert_eq!(t.split(&text).collect::<String>(), text);
    let special = t.encode_with_special_tokens(&text);
    assert_eq!(t.decode_bytes(&special).unwrap(), text.as_bytes());
    assert_eq!(
        t.encode_with_allowed_special(&text, AllowedSpecial::All)
            .unwrap(),
        special
    );
    let offsets = t.encode_with_offsets(&text);
    assert!(offsets.iter().map(|(id, _)| *id).eq(ids.iter().copied()));
    let limit = choice as usize % 16;
    assert_eq!(
        t.count_till_limit(&text, limit),
        (ids.len() <= limit).then_some(ids.len())
    );
    let prefix = t.truncate_to_tokens(&text, limit);
    assert!(text.starts_with(prefix) && t.count(prefix) <= limit);
}

/// Decoding ids (two bytes each): errors for unknown ids, and the stream
/// decoder shows exactly the lossy text of the bytes.
pub fn decode(data: &[u8]) {
    let t = Tokenizer::gpt2();
    let ids: Vec<u32> = data
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]) as u32)
        .collect();
    let known = ids.iter().all(|&id| (id as usize) < t.id_bound());
    let bytes = t.decode_bytes(&ids);
    assert_eq!(bytes.is_ok(), known);
    let text = t.decode(&ids);
    assert_eq!(
        text.is_ok(),
        known && std::str::from_utf8(bytes.as_deref().unwrap_or_default()).is_ok()
    );
    let _ = t.token_ranges(&ids);
    let mut stream = t.decode_stream();
    let mut shown = String::new();
    for &id in &ids {
        match stream.push(id) {
            Ok(piece) => shown.push_str(piece),
            Err(_) => assert!((id as usize) >= t.id_bound()),
        }
    }
    let ended_cleanly = stream.finish().is_ok();
    if let Ok(bytes) = bytes {
        let lossy = String::from_utf8_lossy(&bytes);
        if ended_cleanly {
            assert_eq!(shown, lossy);
        } else {
            assert!(lossy.starts_with(&shown));
        }
    }
}

/// The trainer on a small corpus with settings from the first four bytes:
/// an error for impossible settings, otherwise a tokenizer that round-trips
/// the corpus and survives saving and loading.
pub fn train(data: &[u8]) {
    if data.len() < 4 {
        return;
    }
    let (settings, corpus) = data.split_at(4);
    let vocab_size = 250 + settings[0] as usize * 2;
    let specials: Vec<&str> = ["<|endoftext|>", "<pad>", "ab", "<|endoftext|>"]
        .into_iter()
        .take(settings[1] as usize % 5)
        .collect();
    let corpus = String::from_utf8_lossy(corpus);
    let lines: Vec<&str> = corpus.split_inclusive('\n').collect();
    let mut trainer = Trainer::new(vocab_size)
        .min_frequency(settings[2] as u64 % 4)
        .special_tokens(specials.iter().copied())
        .threads(1);
    if settings[3] % 3 == 0 {
        trainer = trainer.max_token_length(1 + settings[3] as usize % 7);
    }
    let Ok(t) = trainer.train(&lines) else {
        return;
    };
    let ids = t.encode(&corpus);
    assert_eq!(t.decode_bytes(&ids).unwrap(), corpus.as_bytes());
    assert!(t.vocab_size() <= vocab_size.max(256 + specials.len()));
    exercise(&t, true);
    let dir = scratch("trained");
    t.save_gpt2(&dir).unwrap();
    let back = Tokenizer::from_gpt2_files(dir.join("vocab.json"), dir.join("merges.txt")).unwrap();
    assert_eq!(back.encode(&corpus), ids);
    let _ = std::fs::remove_dir_all(&dir);
}

fn scanners() -> &'static [(Tokenizer, fancy_regex::Regex)] {
    static CELL: OnceLock<Vec<(Tokenizer, fancy_regex::Regex)>> = OnceLock::new();
    CELL.get_or_init(|| {
        [
            bytepair::GPT2_PATTERN,
            bytepair::CL100K_PATTERN,
            bytepair::O200K_PATTERN,
        ]
        .iter()
        .map(|p| {
            let t = Tokenizer::gpt2().with_pattern(p).unwrap();
            (t, fancy_regex::Regex::new(p).unwrap())
        })
        .collect()
    })
}

/// The hand-written scanners and fancy-regex, running the patterns they
/// implement, cut text into identical chunks.
pub fn pretokenize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for (t, re) in scanners() {
        let ours: Vec<&str> = t.split(&text).collect();
        let expected: Vec<&str> = re
            .find_iter(text.as_ref())
            .map(|m| m.unwrap().as_str())
            .collect();
        assert_eq!(ours, expected, "{:?}", t.pattern());
    }
}

/// A target's check.
pub type Check = fn(&[u8]);

/// Every target by name, for the regression test.
pub const TARGETS: [(&str, Check); 7] = [
    ("load_gpt2", load_gpt2),
    ("load_tiktoken", load_tiktoken),
    ("load_tokenizer_json", load_tokenizer_json),
    ("encode", encode),
    ("decode", decode),
    ("train", train),
    ("pretokenize", pretokenize),
];
