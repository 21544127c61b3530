//! Exactness of the other OpenAI encodings: the ids must equal tiktoken's for
//! r50k_base, p50k_base, cl100k_base and o200k_base, loaded from the rank
//! files in data/tiktoken with tiktoken's patterns and special tokens.
//! scripts/make_format_fixtures.py computed the reference ids with tiktoken.

mod common;

use bytepair::{AllowedSpecial, Tokenizer};
use common::{blocks, fixture_ids, fixture_strings, fixture_text, rows, sweep_text};

const R50K_SPECIALS: &[(&str, u32)] = &[("<|endoftext|>", 50256)];

fn rank_file(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("data/tiktoken/{name}.tiktoken"))
}

/// The encoding as tiktoken defines it, from the repository's rank file.
fn encoding(name: &str) -> Tokenizer {
    let (pattern, specials) = match name {
        "r50k_base" | "p50k_base" => (bytepair::R50K_PATTERN, R50K_SPECIALS),
        "cl100k_base" => (bytepair::CL100K_PATTERN, bytepair::CL100K_SPECIAL_TOKENS),
        "o200k_base" => (bytepair::O200K_PATTERN, bytepair::O200K_SPECIAL_TOKENS),
        _ => unreachable!(),
    };
    Tokenizer::from_tiktoken_file(rank_file(name), pattern, specials).unwrap()
}

/// Checks every row of `encodings/{name}.tsv`.
fn check_encoding(name: &str) {
    let tokenizer = encoding(name);
    let samples: Vec<(String, String)> = ["prose", "multilingual", "code", "prose_crlf"]
        .iter()
        .map(|s| (s.to_string(), fixture_text(&format!("corpus/{s}.txt"))))
        .collect();
    let sample_blocks: Vec<(String, Vec<&str>)> = samples
        .iter()
        .map(|(s, text)| (s.clone(), blocks(text)))
        .collect();
    let block = |key: &str| {
        let (sample, index) = key.split_once(':').unwrap();
        let (_, parts) = sample_blocks.iter().find(|(s, _)| s == sample).unwrap();
        parts[index.parse::<usize>().unwrap()].to_string()
    };
    let tricky = fixture_strings("gpt2_tricky.jsonl");
    let random = fixture_strings("random_strings.jsonl");
    let mut kinds = std::collections::BTreeMap::new();
    for row in rows(&format!("encodings/{name}.tsv")) {
        let (text, special) = match row.kind.as_str() {
            "corpus" => (block(&row.key), false),
            "special" => (block(&row.key), true),
            "tricky" => (tricky[row.key.parse::<usize>().unwrap()].clone(), false),
            "random" => (random[row.key.parse::<usize>().unwrap()].clone(), false),
            "rspecial" => (random[row.key.parse::<usize>().unwrap()].clone(), true),
            "sweep" => {
                let (start, template) = row.key.split_once(':').unwrap();
                let start = u32::from_str_radix(start.trim_start_matches("0x"), 16).unwrap();
                (sweep_text(start, template.parse().unwrap()), false)
            }
            other => panic!("unknown row kind {other}"),
        };
        let ids = if special {
            tokenizer.encode_with_special_tokens(&text)
        } else {
            tokenizer.encode(&text)
        };
        row.assert_ids(&ids, &text, &format!("{name} against tiktoken"));
        if !special {
            assert_eq!(tokenizer.count(&text), ids.len());
        }
        assert_eq!(tokenizer.decode_bytes(&ids).unwrap(), text.as_bytes());
        *kinds.entry(row.kind).or_insert(0) += 1;
    }
    // Every kind of row is there: 3.3 MB of corpus blocks twice, the strings,
    // the sweep.
    assert!(
        kinds["corpus"] > 700 && kinds["special"] == kinds["corpus"],
        "{kinds:?}"
    );
    assert_eq!(
        (kinds["tricky"], kinds["random"], kinds["rspecial"]),
        (208, 4000, 4000)
    );
    assert_eq!(kinds["sweep"], 272 * 4);
}

#[test]
fn r50k_base_matches_tiktoken() {
    check_encoding("r50k_base");
}

/// r50k_base is GPT-2: loaded from its rank file (tiktoken's rule, without
/// merge trees, so long pieces take the queue, numbers with their own rules)
/// it gives the reference ids of the long pieces too.
#[test]
fn r50k_base_merges_long_pieces_like_gpt2() {
    let text = fixture_text("corpus/long_pieces.txt");
    let ids = encoding("r50k_base").encode(&text);
    assert!(ids == fixture_ids("corpus/long_pieces.ids"));
}

#[test]
fn p50k_base_matches_tiktoken() {
    check_encoding("p50k_base");
}

#[test]
fn cl100k_base_matches_tiktoken() {
    check_encoding("cl100k_base");
}

#[test]
fn o200k_base_matches_tiktoken() {
    check_encoding("o200k_base");
}

/// r50k_base is GPT-2: the same ids as the embedded vocab.json + merges.txt.
#[test]
fn r50k_base_equals_the_embedded_gpt2() {
    let r50k = encoding("r50k_base");
    let gpt2 = Tokenizer::gpt2();
    let text = fixture_text("corpus/multilingual.txt");
    assert_eq!(r50k.encode(&text), gpt2.encode(&text));
    assert_eq!(r50k.vocab_size(), gpt2.vocab_size());
}

#[derive(serde::Deserialize)]
struct Ids {
    ordinary: Vec<u32>,
    special: Vec<u32>,
}

/// Special tokens at the start, the end, adjacent, inside words and partly
/// written, with full ids from tiktoken for every encoding.
#[test]
fn special_token_cases_match_tiktoken() {
    let names = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"];
    let tokenizers: Vec<Tokenizer> = names.iter().map(|n| encoding(n)).collect();
    let mut cases = 0;
    for line in fixture_text("encodings/special_cases.jsonl").lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = case["text"].as_str().unwrap();
        for (name, tokenizer) in names.iter().zip(&tokenizers) {
            let expected: Ids = serde_json::from_value(case[name].clone()).unwrap();
            assert_eq!(tokenizer.encode(text), expected.ordinary, "{name} {text:?}");
            assert_eq!(
                tokenizer.encode_with_special_tokens(text),
                expected.special,
                "{name} {text:?}"
            );
            assert_eq!(
                tokenizer
                    .encode_with_allowed_special(text, AllowedSpecial::All)
                    .unwrap(),
                expected.special
            );
        }
        cases += 1;
    }
    assert!(cases >= 15);
}

/// Ranks keep their values: p50k has a hole at 50256 that its special token
/// fills; cl100k and o200k leave unused ids between ranks and specials.
#[test]
fn ids_keep_their_ranks() {
    let p50k = encoding("p50k_base");
    assert_eq!(p50k.vocab_size(), 50281);
    assert_eq!(p50k.id_bound(), 50281);
    assert_eq!(p50k.special_token_id("<|endoftext|>"), Some(50256));
    assert_eq!(p50k.decode(&[50257, 50280]).unwrap(), " ".repeat(2 + 25));
    let cl100k = encoding("cl100k_base");
    assert_eq!(cl100k.vocab_size(), 100256 + 5);
    assert_eq!(cl100k.id_bound(), 100277);
    assert_eq!(cl100k.id_to_token(100256), None);
    assert_eq!(cl100k.id_to_token(100261), None);
    assert!(cl100k.decode(&[100256]).is_err());
    assert_eq!(cl100k.special_token_id("<|endofprompt|>"), Some(100276));
    let o200k = encoding("o200k_base");
    assert_eq!(o200k.vocab_size(), 199998 + 2);
    assert_eq!(o200k.id_to_token(199998), None);
    assert_eq!(
        o200k.encode_with_special_tokens("<|endofprompt|>"),
        [200018]
    );
}

/// cl100k keeps numbers to three digits, o200k splits case changes: the
/// patterns are honoured.
#[test]
fn patterns_are_honoured() {
    let cl100k = encoding("cl100k_base");
    let chunks: Vec<&str> = cl100k.split("1234567 don'T").collect();
    assert_eq!(chunks, ["123", "456", "7", " don", "'T"]);
    assert_eq!(cl100k.pattern(), bytepair::CL100K_PATTERN);
    let o200k = encoding("o200k_base");
    let chunks: Vec<&str> = o200k.split("HelloWorld's ABCdef").collect();
    assert_eq!(chunks, ["Hello", "World's", " ABCdef"]);
}

/// A rank file written by `save_tiktoken` is the file read, byte for byte,
/// and vocab.json + merges.txt saved from a rank file encode the same.
#[test]
fn rank_files_round_trip() {
    let dir = std::env::temp_dir().join(format!("bytepair-encodings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = fixture_text("corpus/code.txt");
    for name in ["p50k_base", "cl100k_base"] {
        let tokenizer = encoding(name);
        let path = dir.join(format!("{name}.tiktoken"));
        tokenizer.save_tiktoken(&path).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(rank_file(name)).unwrap(),
            "{name}"
        );
        let saved = dir.join(name);
        tokenizer.save_gpt2(&saved).unwrap();
        let reloaded =
            Tokenizer::from_gpt2_files(saved.join("vocab.json"), saved.join("merges.txt"))
                .unwrap()
                .with_pattern(tokenizer.pattern())
                .unwrap();
        assert_eq!(reloaded.encode(&text), tokenizer.encode(&text), "{name}");
        assert_eq!(
            reloaded.encode_with_special_tokens("a<|endoftext|>b"),
            tokenizer.encode_with_special_tokens("a<|endoftext|>b")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The ready-made constructors are the rank files with tiktoken's settings.
#[cfg(feature = "all-encodings")]
#[test]
fn embedded_encodings_equal_the_rank_files() {
    let text = fixture_text("corpus/multilingual.txt");
    for name in ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"] {
        let embedded = Tokenizer::by_name(name).unwrap();
        let from_file = encoding(name);
        assert_eq!(embedded.encode(&text), from_file.encode(&text), "{name}");
        assert_eq!(
            embedded.special_tokens().collect::<Vec<_>>(),
            from_file.special_tokens().collect::<Vec<_>>()
        );
    }
    assert_eq!(Tokenizer::cl100k_base().encode("Hello world"), [9906, 1917]);
    assert_eq!(Tokenizer::o200k_base().encode("Hello world"), [13225, 2375]);
    assert!(Tokenizer::by_name("gpt5").is_none());
}
