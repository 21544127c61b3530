//! The public API: constructors, lookups, special tokens, saving, round trips,
//! sharing between threads, long inputs.

mod common;

use std::collections::HashMap;

use bytepair::Tokenizer;
use common::{Rng, random_text};

#[test]
fn tokenizer_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<Tokenizer>();
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<bytepair::Error>();
}

#[test]
fn hello_world() {
    let t = Tokenizer::gpt2();
    assert_eq!(t.encode("Hello world"), [15496, 995]);
    assert_eq!(t.count("Hello world"), 2);
    assert_eq!(t.decode(&[15496, 995]).unwrap(), "Hello world");
    assert_eq!(t.encode(""), Vec::<u32>::new());
    assert_eq!(t.count(""), 0);
    assert_eq!(t.decode(&[]).unwrap(), "");
}

#[test]
fn vocabulary_lookups() {
    let t = Tokenizer::gpt2();
    assert_eq!(t.vocab_size(), 50257);
    assert_eq!(t.id_bound(), 50257);
    assert_eq!(t.token_to_id(b" world"), Some(995));
    assert_eq!(t.token_to_id("Hello"), Some(15496));
    assert_eq!(
        t.token_to_id("Ġworld"),
        None,
        "lookups take bytes, not vocab.json spelling"
    );
    assert_eq!(t.token_to_id("<|endoftext|>"), Some(50256));
    assert_eq!(t.id_to_token(995), Some(&b" world"[..]));
    assert_eq!(t.id_to_token(50256), Some(&b"<|endoftext|>"[..]));
    assert_eq!(t.id_to_token(50257), None);
    assert_eq!(t.id_to_token(0), Some(&b"!"[..]));
    assert_eq!(t.special_token_id("<|endoftext|>"), Some(50256));
    assert_eq!(t.special_token_id("<|startoftext|>"), None);
    assert_eq!(
        t.special_tokens().collect::<Vec<_>>(),
        [("<|endoftext|>", 50256)]
    );
    assert!(t.is_special(50256));
    assert!(!t.is_special(995));
    // Every one of the 256 bytes has a token.
    for b in 0..=255u8 {
        let id = t.token_to_id([b]).expect("byte token");
        assert_eq!(t.id_to_token(id), Some(&[b][..]));
    }
}

#[test]
fn special_tokens_only_with_the_special_variant() {
    let t = Tokenizer::gpt2();
    let eot = 50256;
    let ordinary = t.encode("<|endoftext|>");
    assert_eq!(ordinary, [27, 91, 437, 1659, 5239, 91, 29]);
    assert!(!ordinary.contains(&eot));
    assert_eq!(t.count("<|endoftext|>"), 7);

    let cases: [(&str, &[u32]); 6] = [
        ("<|endoftext|>", &[eot]),
        ("<|endoftext|><|endoftext|>", &[eot, eot]),
        ("<|endoftext|>Hello", &[eot, 15496]),
        ("Hello<|endoftext|>", &[15496, eot]),
        ("Hello <|endoftext|> world", &[15496, 220, eot, 995]),
        ("<|endoftext|", &[27, 91, 437, 1659, 5239, 91]),
    ];
    for (text, expected) in cases {
        let ids = t.encode_with_special_tokens(text);
        assert_eq!(ids, expected, "{text:?}");
        assert_eq!(t.decode(&ids).unwrap(), text);
    }
    // Whitespace before a special token is at the end of its segment.
    assert_eq!(
        t.encode_with_special_tokens("a\n\n<|endoftext|>"),
        [64, 628, eot]
    );
}

#[test]
fn count_equals_encode_len() {
    let t = Tokenizer::gpt2();
    let mut rng = Rng::new(3);
    for _ in 0..2000 {
        let text = random_text(&mut rng, 40);
        assert_eq!(t.count(&text), t.encode(&text).len(), "{text:?}");
    }
}

#[test]
fn every_encode_variant_has_a_count_twin() {
    let pipeline = Tokenizer::from_tokenizer_json_file(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pipeline/template_bos.json"),
    )
    .unwrap();
    let mut rng = Rng::new(5);
    for t in [Tokenizer::gpt2(), pipeline] {
        let specials: Vec<&str> = t.special_tokens().map(|(text, _)| text).collect();
        for _ in 0..500 {
            let mut text = random_text(&mut rng, 30);
            for special in &specials {
                text.push_str(special);
                text.push_str(&random_text(&mut rng, 5));
            }
            let other = random_text(&mut rng, 10);
            assert_eq!(t.count(&text), t.encode(&text).len());
            assert_eq!(
                t.count_with_special_tokens(&text),
                t.encode_with_special_tokens(&text).len(),
                "{text:?}"
            );
            for allowed in [
                bytepair::AllowedSpecial::All,
                bytepair::AllowedSpecial::None,
                bytepair::AllowedSpecial::Only(&specials[..1]),
            ] {
                let encoded = t.encode_with_allowed_special(&text, allowed);
                let counted = t.count_with_allowed_special(&text, allowed);
                assert_eq!(counted.ok(), encoded.ok().map(|ids| ids.len()));
            }
            assert_eq!(t.count_for_model(&text), t.encode_for_model(&text).len());
            assert_eq!(
                t.count_pair_for_model(&text, &other),
                t.encode_pair_for_model(&text, &other).len()
            );
        }
    }
}

#[test]
fn round_trips_generated_text_exactly() {
    let t = Tokenizer::gpt2();
    let mut rng = Rng::new(11);
    for _ in 0..3000 {
        let text = random_text(&mut rng, 40);
        assert_eq!(t.decode(&t.encode(&text)).unwrap(), text);
        assert_eq!(
            t.decode(&t.encode_with_special_tokens(&text)).unwrap(),
            text
        );
    }
}

#[test]
fn split_covers_the_text() {
    let t = Tokenizer::gpt2();
    let pieces: Vec<&str> = t.split("Hello world's  end\n\n").collect();
    assert_eq!(pieces, ["Hello", " world", "'s", " ", " end", "\n\n"]);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bytepair-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn saving_gpt2_reproduces_openais_files() {
    let dir = temp_dir("save-gpt2");
    let t = Tokenizer::gpt2();
    t.save_gpt2(&dir).unwrap();

    let saved_merges = std::fs::read(dir.join("merges.txt")).unwrap();
    assert!(
        saved_merges == include_bytes!("../data/gpt2/merges.txt"),
        "merges.txt differs"
    );

    let parse = |json: &str| -> HashMap<String, u64> { serde_json::from_str(json).unwrap() };
    let saved_vocab = std::fs::read_to_string(dir.join("vocab.json")).unwrap();
    assert_eq!(
        parse(&saved_vocab),
        parse(include_str!("../data/gpt2/vocab.json"))
    );

    let reloaded =
        Tokenizer::from_gpt2_files(dir.join("vocab.json"), dir.join("merges.txt")).unwrap();
    let text = "Saved and loaded again: the same ids, even for <|endoftext|>. ✓";
    assert_eq!(reloaded.encode(text), t.encode(text));
    assert_eq!(
        reloaded.encode_with_special_tokens(text),
        t.encode_with_special_tokens(text)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn from_gpt2_equals_from_gpt2_files() {
    let from_contents = Tokenizer::from_gpt2(
        include_bytes!("../data/gpt2/vocab.json"),
        include_bytes!("../data/gpt2/merges.txt"),
    )
    .unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/gpt2");
    let from_files =
        Tokenizer::from_gpt2_files(format!("{dir}/vocab.json"), format!("{dir}/merges.txt"))
            .unwrap();
    let text = "The quick brown fox… jumps over 13 lazy dogs 🐕‍🦺";
    assert_eq!(from_contents.encode(text), Tokenizer::gpt2().encode(text));
    assert_eq!(from_files.encode(text), Tokenizer::gpt2().encode(text));
}

#[test]
fn one_tokenizer_shared_by_threads_gives_sequential_results() {
    let t = Tokenizer::gpt2();
    let mut rng = Rng::new(5);
    let texts: Vec<String> = (0..64).map(|_| random_text(&mut rng, 200)).collect();
    let sequential: Vec<Vec<u32>> = texts.iter().map(|s| t.encode(s)).collect();
    let parallel: Vec<Vec<u32>> = std::thread::scope(|scope| {
        let handles: Vec<_> = texts
            .chunks(8)
            .map(|chunk| {
                let t = &t;
                scope.spawn(move || chunk.iter().map(|s| t.encode(s)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(parallel, sequential);
}

/// Megabyte-long pieces without whitespace: encoding them must stay fast (a
/// quadratic merge would take minutes here) and exact.
#[test]
fn megabyte_pieces_round_trip() {
    let t = Tokenizer::gpt2();
    let mut rng = Rng::new(17);
    let n = 1 << 20;
    let inputs: Vec<(&str, String)> = vec![
        ("a", "a".repeat(n)),
        (
            "letters",
            (0..n)
                .map(|_| (b'a' + rng.below(26) as u8) as char)
                .collect(),
        ),
        (
            "digits",
            (0..n)
                .map(|_| (b'0' + rng.below(10) as u8) as char)
                .collect(),
        ),
        (
            "punctuation",
            (0..n)
                .map(|_| *rng.pick(&['!', '-', '=', '.', '^', '*']))
                .collect(),
        ),
        ("cjk", "中文字符".repeat(n / 12)),
        ("spaces", " ".repeat(n)),
        ("newlines", "\n".repeat(n)),
    ];
    for (name, text) in &inputs {
        let ids = t.encode(text);
        assert_eq!(t.count(text), ids.len(), "{name}");
        assert!(t.decode(&ids).unwrap() == *text, "{name} round trip");
    }
}

#[test]
fn parallel_encoding_gives_the_same_ids() {
    let t = Tokenizer::gpt2();
    for name in ["prose", "multilingual", "code", "prose_crlf"] {
        let text = common::fixture_text(&format!("corpus/{name}.txt"));
        assert!(t.encode_parallel(&text) == t.encode(&text), "{name}");
    }
    // Long texts with few or no places to cut.
    let mut rng = Rng::new(23);
    let mut odd = String::new();
    while odd.len() < 600_000 {
        odd.push_str(&random_text(&mut rng, 60));
    }
    for text in [
        odd,
        "a".repeat(700_000),
        "x y".repeat(200_000),
        "中文 ".repeat(100_000),
    ] {
        assert!(t.encode_parallel(&text) == t.encode(&text));
    }
    let texts: Vec<String> = (0..50).map(|_| random_text(&mut rng, 300)).collect();
    let one_by_one: Vec<Vec<u32>> = texts.iter().map(|s| t.encode(s)).collect();
    assert_eq!(t.encode_batch(&texts), one_by_one);
    assert_eq!(t.encode_batch::<&str>(&[]), Vec::<Vec<u32>>::new());
}
