//! Properties that hold for every input, checked with proptest on generated
//! text and bytes: round trips, `count == encode().len()`, the scanners equal
//! fancy-regex, every API agrees with `encode`, and loaders never panic.

mod common;

use std::sync::OnceLock;

use bytepair::{AllowedSpecial, Tokenizer};
use proptest::prelude::*;

/// GPT-2, and GPT-2's vocabulary under cl100k's and o200k's patterns (their
/// scanners), and under a user's pattern (the fancy-regex path).
fn tokenizers() -> &'static [Tokenizer; 4] {
    static CELL: OnceLock<[Tokenizer; 4]> = OnceLock::new();
    CELL.get_or_init(|| {
        let gpt2 = Tokenizer::gpt2();
        [
            gpt2.clone(),
            gpt2.with_pattern(bytepair::CL100K_PATTERN).unwrap(),
            gpt2.with_pattern(bytepair::O200K_PATTERN).unwrap(),
            gpt2.with_pattern(r"\p{L}+|\p{N}|\s+|.").unwrap(),
        ]
    })
}

/// Text that stresses the tokenizer: pieces of many scripts, digits, emoji,
/// combining marks, whitespace, contractions and special-token text, mixed
/// with arbitrary characters.
fn text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        4 => prop::sample::select(vec![
            "the", " The", "hello", " world", "é", "ß", "Привет", "中文", "日本語",
            "한국어", "नमस्ते", "0", "42", " 2026", "١٢", "½", "!", "...", "“", "😀",
            "👍🏽", "👨\u{200d}👩\u{200d}👧", "🇺🇸", "e\u{301}", "\u{301}\u{302}",
            " ", "  ", "\t", "\n", "\r\n", "\n\n", "\u{a0}", "\u{3000}", "\u{2028}",
            "'s", "'S", "'ll", "’s", "'", "don't", "<|endoftext|>", "<|endoftext",
            "|>", "<|fim_prefix|>", "HelloWorld", "ABCdef", "1234567", "x/y\n",
        ]).prop_map(str::to_string),
        1 => any::<String>(),
        1 => "[ -~]{1,12}",
    ];
    prop::collection::vec(fragment, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn encoding_round_trips_and_counts(text in text()) {
        for t in tokenizers() {
            let ids = t.encode(&text);
            prop_assert_eq!(t.decode(&ids).unwrap(), text.as_str());
            prop_assert_eq!(t.count(&text), ids.len());
            prop_assert_eq!(t.try_encode(&text).unwrap(), ids.clone());
            let special = t.encode_with_special_tokens(&text);
            prop_assert_eq!(t.decode(&special).unwrap(), text.as_str());
            prop_assert_eq!(
                t.encode_with_allowed_special(&text, AllowedSpecial::All).unwrap(),
                special.clone()
            );
            if !text.contains("<|endoftext|>") {
                prop_assert_eq!(special, ids.clone());
                prop_assert_eq!(
                    t.encode_with_allowed_special(&text, AllowedSpecial::None).unwrap(),
                    ids.clone()
                );
            }
            prop_assert_eq!(t.split(&text).collect::<String>(), text.as_str());
        }
    }

    #[test]
    fn scanners_equal_fancy_regex(text in text()) {
        static REGEXES: OnceLock<Vec<fancy_regex::Regex>> = OnceLock::new();
        let regexes = REGEXES.get_or_init(|| {
            [bytepair::GPT2_PATTERN, bytepair::CL100K_PATTERN, bytepair::O200K_PATTERN]
                .iter()
                .map(|p| fancy_regex::Regex::new(p).unwrap())
                .collect()
        });
        for (t, re) in tokenizers().iter().zip(regexes) {
            let expected: Vec<&str> = re.find_iter(&text).map(|m| m.unwrap().as_str()).collect();
            let ours: Vec<&str> = t.split(&text).collect();
            prop_assert_eq!(ours, expected);
        }
    }

    #[test]
    fn the_other_apis_agree_with_encode(text in text(), limit in 0usize..40) {
        let t = &tokenizers()[0];
        let ids = t.encode(&text);
        let offsets = t.encode_with_offsets(&text);
        prop_assert_eq!(offsets.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ids.clone());
        prop_assert_eq!(offsets.last().map_or(0, |(_, r)| r.end), text.len());
        let expected = (ids.len() <= limit).then_some(ids.len());
        prop_assert_eq!(t.count_till_limit(&text, limit), expected);
        let prefix = t.truncate_to_tokens(&text, limit);
        prop_assert!(text.starts_with(prefix));
        prop_assert!(t.count(prefix) <= limit);
        let mut stream = t.decode_stream();
        let mut shown = String::new();
        for &id in &ids {
            shown.push_str(stream.push(id).unwrap());
        }
        prop_assert!(stream.finish().is_ok());
        prop_assert_eq!(shown, text.as_str());
        prop_assert_eq!(t.encode_batch(&[text.as_str(), ""]), vec![ids.clone(), vec![]]);
        prop_assert_eq!(t.encode_parallel(&text), ids);
    }

    #[test]
    fn decoding_any_ids_never_panics(ids in prop::collection::vec(0u32..60_000, 0..64)) {
        let t = &tokenizers()[0];
        let known = ids.iter().all(|&id| id < 50257);
        prop_assert_eq!(t.decode_bytes(&ids).is_ok(), known);
        let _ = t.decode(&ids);
        let _ = t.token_ranges(&ids);
        let mut stream = t.decode_stream();
        for &id in &ids {
            let _ = stream.push(id);
        }
        let _ = stream.finish();
    }

    #[test]
    fn loaders_never_panic_on_arbitrary_bytes(
        a in prop::collection::vec(any::<u8>(), 0..300),
        b in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let _ = Tokenizer::from_gpt2(&a, &b);
        let _ = Tokenizer::from_tiktoken(&a, bytepair::GPT2_PATTERN, &[]);
        let _ = Tokenizer::from_tokenizer_json(&a);
    }
}

/// Small edits to valid files (a byte changed, a line dropped or repeated)
/// are errors or working tokenizers, never panics; whatever loads encodes and
/// round-trips.
fn mutated(base: &[u8], seed: u64) -> Vec<u8> {
    let mut rng = common::Rng::new(seed);
    let mut data = base.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(4) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] = rng.below(256) as u8;
            }
            1 if !data.is_empty() => {
                let i = rng.below(data.len());
                data.remove(i);
            }
            2 => {
                let i = rng.below(data.len() + 1);
                data.insert(i, *rng.pick(b"\n \" {}[],:0123456789\\=+/"));
            }
            _ => {
                let start = rng.below(data.len() + 1);
                let end = (start + rng.below(40)).min(data.len());
                let copy = data[start..end].to_vec();
                data.splice(start..start, copy);
            }
        }
    }
    data
}

#[test]
fn mutated_files_load_or_fail_cleanly() {
    let json = common::fixture_text("hf/bytelevel/tokenizer.json");
    let (ranks, vocab, merges) = {
        let dir = std::env::temp_dir().join(format!("bytepair-props-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tokenizer = Tokenizer::from_tokenizer_json(json.as_bytes()).unwrap();
        tokenizer.save_tiktoken(dir.join("t.tiktoken")).unwrap();
        tokenizer.save_gpt2(&dir).unwrap();
        let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
        let files = (read("t.tiktoken"), read("vocab.json"), read("merges.txt"));
        std::fs::remove_dir_all(&dir).unwrap();
        files
    };
    let probe = "Hello world, 1234 ünïcödé 😀 <|endoftext|>\r\n";
    let check = |t: Tokenizer| {
        let ids = t.encode(probe);
        assert_eq!(t.decode_bytes(&ids).unwrap(), probe.as_bytes());
    };
    let mut loaded = 0;
    for seed in 0..600 {
        if let Ok(t) = Tokenizer::from_tokenizer_json(&mutated(json.as_bytes(), seed)) {
            check(t);
            loaded += 1;
        }
        if let Ok(t) = Tokenizer::from_tiktoken(&mutated(&ranks, seed), r"\S+|\s+", &[]) {
            check(t);
            loaded += 1;
        }
        let (v, m) = if seed % 2 == 0 {
            (mutated(&vocab, seed), merges.clone())
        } else {
            (vocab.clone(), mutated(&merges, seed))
        };
        if let Ok(t) = Tokenizer::from_gpt2(&v, &m) {
            check(t);
            loaded += 1;
        }
    }
    // Some edits are harmless (inside a token's text), most are not.
    assert!(loaded > 0 && loaded < 1800, "{loaded}");
}
