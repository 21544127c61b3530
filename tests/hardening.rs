//! Adversarial inputs and concurrency: texts built to make a tokenizer slow
//! or wrong (megabytes without a break, one emoji repeated, a million
//! contractions or CRLFs, runs of combining marks, a hundred thousand special
//! tokens) each round-trip with `count == encode().len()`, under GPT-2's,
//! cl100k's and o200k's pretokenizers; and one tokenizer shared by eight
//! threads gives the ids of sequential encoding. How the time grows with the
//! input is measured by the worst-case benchmark, not here.

mod common;

use bytepair::Tokenizer;
use common::{Rng, fixture_text};

fn tokenizers() -> Vec<(&'static str, Tokenizer)> {
    let gpt2 = Tokenizer::gpt2();
    vec![
        ("gpt2", gpt2.clone()),
        (
            "cl100k pattern",
            gpt2.with_pattern(bytepair::CL100K_PATTERN).unwrap(),
        ),
        (
            "o200k pattern",
            gpt2.with_pattern(bytepair::O200K_PATTERN).unwrap(),
        ),
    ]
}

/// Encodes `text` with each tokenizer and checks the round trip, the count,
/// the parallel encoder and the special-token encoder.
fn check(label: &str, text: &str) {
    for (name, t) in tokenizers() {
        let ids = t.encode(text);
        assert_eq!(t.count(text), ids.len(), "{label}, {name}");
        assert!(
            t.decode_bytes(&ids).unwrap() == text.as_bytes(),
            "{label}, {name}: round trip"
        );
        assert!(t.encode_parallel(text) == ids, "{label}, {name}: parallel");
        let special = t.encode_with_special_tokens(text);
        assert!(
            t.decode_bytes(&special).unwrap() == text.as_bytes(),
            "{label}, {name}"
        );
    }
}

#[test]
fn ten_megabytes_without_whitespace() {
    let mut rng = Rng::new(1);
    let alphabet: Vec<char> = "abcXYZ019!#%&*+-./:;=?@_~éß中文😀".chars().collect();
    let text: String = (0..10 << 20).map(|_| *rng.pick(&alphabet)).collect();
    assert!(text.len() >= 10 << 20);
    check("10 MB without whitespace", &text);
    // And the plainest unbroken inputs, 1 MB each.
    check("a repeated", &"a".repeat(1 << 20));
    check("digits", &"1234567890".repeat(1 << 17));
    check("punctuation", &"!?.,;:".repeat(1 << 17));
}

#[test]
fn a_megabyte_of_one_emoji() {
    check("emoji", &"😀".repeat(1 << 18));
    check(
        "ZWJ family",
        &"👨\u{200d}👩\u{200d}👧\u{200d}👦".repeat(1 << 16),
    );
}

#[test]
fn a_million_contractions_and_line_ends() {
    check("'s", &"'s".repeat(1_000_000));
    check("x's", &"x's".repeat(1_000_000));
    check("\\r\\n", &"\r\n".repeat(1_000_000));
    check("spaces", &" ".repeat(1_000_000));
    check("space and newline", &" \n".repeat(1_000_000));
}

#[test]
fn long_runs_of_combining_marks() {
    let marks: String = ('\u{300}'..='\u{36f}').collect();
    check("one mark", &format!("e{}", "\u{301}".repeat(500_000)));
    check("all marks", &format!("a{}", marks.repeat(10_000)));
    check("marks between letters", &"e\u{301}\u{302}x".repeat(200_000));
}

#[test]
fn a_hundred_thousand_special_tokens() {
    let text = "<|endoftext|>".repeat(100_000);
    check("specials", &text);
    let t = Tokenizer::gpt2();
    assert_eq!(t.encode_with_special_tokens(&text), vec![50256; 100_000]);
    let mixed = "a<|endoftext|>".repeat(100_000);
    let ids = t.encode_with_special_tokens(&mixed);
    assert_eq!(ids.len(), 200_000);
    assert!(matches!(
        t.encode_with_allowed_special(&mixed, bytepair::AllowedSpecial::None),
        Err(bytepair::Error::DisallowedSpecialToken { offset: 1, .. })
    ));
}

/// One tokenizer, eight threads, different texts: the ids of sequential
/// encoding, whether the threads share a reference or hold clones.
#[test]
fn eight_threads_share_one_tokenizer() {
    let corpus = [
        fixture_text("corpus/prose.txt"),
        fixture_text("corpus/multilingual.txt"),
        fixture_text("corpus/code.txt"),
    ];
    let mut rng = Rng::new(8);
    let texts: Vec<String> = (0..64)
        .map(|i| {
            let source = &corpus[i % 3];
            let start = rng.below(source.len() - 40_000);
            let start = (start..).find(|&s| source.is_char_boundary(s)).unwrap();
            let end = (start + 30_000..)
                .find(|&e| source.is_char_boundary(e))
                .unwrap();
            format!(
                "{}{}",
                &source[start..end],
                common::random_text(&mut rng, 20)
            )
        })
        .collect();
    for (name, tokenizer) in tokenizers() {
        let sequential: Vec<Vec<u32>> = texts.iter().map(|t| tokenizer.encode(t)).collect();
        let results: Vec<(usize, Vec<u32>)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..8)
                .map(|w| {
                    let (shared, owned) = (&tokenizer, tokenizer.clone());
                    let texts = &texts;
                    scope.spawn(move || {
                        (w..texts.len())
                            .step_by(8)
                            .map(|i| {
                                let t = if i % 2 == 0 { shared } else { &owned };
                                (i, t.encode(&texts[i]))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        assert_eq!(results.len(), texts.len());
        for (i, ids) in results {
            assert!(
                ids == sequential[i],
                "{name}: text {i} differs between threads"
            );
        }
        assert_eq!(tokenizer.encode_batch(&texts), sequential, "{name}: batch");
    }
}
