//! The features around encoding: the special-token policy, offsets,
//! streaming decode and token budgets, each on its edge cases (empty input,
//! a special token at the start or end, adjacent special tokens, characters
//! split across tokens, a limit of 0), checked against plain `encode`.

mod common;

use bytepair::{AllowedSpecial, Error, Tokenizer};
use common::{Rng, fixture_text, random_text};

const EOT: u32 = 50256;

fn cl100k_like() -> Tokenizer {
    // GPT-2's vocabulary with extra special tokens, to have several.
    let dir = std::env::temp_dir().join(format!("bytepair-features-{}", std::process::id()));
    let gpt2 = Tokenizer::gpt2();
    gpt2.save_gpt2(&dir).unwrap();
    let vocab = std::fs::read_to_string(dir.join("vocab.json")).unwrap();
    let vocab = format!(
        "{},\"<|fim|>\":50257,\"<|fim|>x>\":50258}}",
        vocab.strip_suffix('}').unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let merges = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gpt2/merges.txt"),
    )
    .unwrap();
    let t = Tokenizer::from_gpt2(vocab.as_bytes(), &merges).unwrap();
    assert_eq!(t.special_tokens().count(), 3);
    t
}

#[test]
fn allowed_special_policies() {
    let t = cl100k_like();
    let text = "<|endoftext|>a<|fim|><|fim|>x><|endoftext|>";
    let all = t
        .encode_with_allowed_special(text, AllowedSpecial::All)
        .unwrap();
    assert_eq!(all, t.encode_with_special_tokens(text));
    // The longest special token wins where two start together.
    assert_eq!(all, [EOT, t.encode("a")[0], 50257, 50258, EOT]);
    let only = t
        .encode_with_allowed_special(text, AllowedSpecial::Only(&["<|endoftext|>"]))
        .unwrap_err();
    match only {
        Error::DisallowedSpecialToken { token, offset } => {
            assert_eq!((token.as_str(), offset), ("<|fim|>", 14));
        }
        other => panic!("{other:?}"),
    }
    let none = t
        .encode_with_allowed_special(text, AllowedSpecial::None)
        .unwrap_err();
    assert!(
        matches!(none, Error::DisallowedSpecialToken { offset: 0, .. }),
        "{none}"
    );
    assert!(none.to_string().contains("<|endoftext|>"));
    // At the end only.
    let end = t.encode_with_allowed_special("abc<|fim|>", AllowedSpecial::Only(&["<|fim|>x>"]));
    assert!(matches!(
        end,
        Err(Error::DisallowedSpecialToken { offset: 3, .. })
    ));
    // Text without special tokens is plain `encode` under every policy.
    for policy in [
        AllowedSpecial::All,
        AllowedSpecial::None,
        AllowedSpecial::Only(&[]),
    ] {
        assert!(
            t.encode_with_allowed_special("", policy)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            t.encode_with_allowed_special("<|endoftext| > plain", policy)
                .unwrap(),
            t.encode("<|endoftext| > plain")
        );
    }
    // A typo in the allowed list is an error, not a silent refusal.
    let typo = t.encode_with_allowed_special("x", AllowedSpecial::Only(&["<|endoftxt|>"]));
    assert!(matches!(typo, Err(Error::UnknownSpecialToken { .. })));
    // Adjacent allowed tokens.
    let adjacent = t
        .encode_with_allowed_special(
            "<|endoftext|><|endoftext|>",
            AllowedSpecial::Only(&["<|endoftext|>"]),
        )
        .unwrap();
    assert_eq!(adjacent, [EOT, EOT]);
}

#[test]
fn offsets_cover_the_text() {
    let t = Tokenizer::gpt2();
    assert!(t.encode_with_offsets("").is_empty());
    let mut rng = Rng::new(7);
    for _ in 0..3000 {
        let text = random_text(&mut rng, 10);
        let tokens = t.encode_with_offsets(&text);
        let ids: Vec<u32> = tokens.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, t.encode(&text));
        let mut end = 0;
        for (id, range) in &tokens {
            assert_eq!(range.start, end, "{text:?}");
            assert_eq!(&text.as_bytes()[range.clone()], t.id_to_token(*id).unwrap());
            end = range.end;
        }
        assert_eq!(end, text.len());
        let special = t.encode_with_special_tokens(&text);
        let ranges = t.token_ranges(&special).unwrap();
        assert_eq!(ranges.last().map_or(0, |r| r.end), text.len());
        for (id, range) in special.iter().zip(&ranges) {
            assert_eq!(&text.as_bytes()[range.clone()], t.id_to_token(*id).unwrap());
        }
    }
    // A character split across tokens: each token covers its own bytes.
    let text = "😀";
    let tokens = t.encode_with_offsets(text);
    assert_eq!(tokens.len(), 2);
    assert_eq!((tokens[0].1.clone(), tokens[1].1.clone()), (0..3, 3..4));
    assert!(text.get(tokens[0].1.clone()).is_none());
    // Special tokens at the start and end.
    let ids = t.encode_with_special_tokens("<|endoftext|>hi<|endoftext|>");
    assert_eq!(t.token_ranges(&ids).unwrap(), [0..13, 13..15, 15..28]);
    assert!(matches!(
        t.token_ranges(&[1, 999_999]),
        Err(Error::UnknownId { position: 1, .. })
    ));
}

#[test]
fn streaming_decode_returns_whole_characters() {
    let t = Tokenizer::gpt2();
    let mut rng = Rng::new(11);
    for _ in 0..3000 {
        let text = random_text(&mut rng, 10);
        let mut stream = t.decode_stream();
        let mut shown = String::new();
        for id in t.encode_with_special_tokens(&text) {
            let piece = stream.push(id).unwrap();
            shown.push_str(piece);
            // Nothing is shown that is not a prefix of the text.
            assert!(text.starts_with(&shown), "{text:?}");
        }
        assert_eq!(stream.replaced(), 0);
        stream.finish().unwrap();
        assert_eq!(shown, text);
    }
    // Empty stream.
    t.decode_stream().finish().unwrap();
    // An emoji in two tokens: nothing, then the emoji.
    let ids = t.encode("😀");
    let mut stream = t.decode_stream();
    assert_eq!(stream.push(ids[0]).unwrap(), "");
    assert_eq!(stream.push(ids[1]).unwrap(), "😀");
    // Ending inside a character reports the held bytes.
    let mut stream = t.decode_stream();
    assert_eq!(stream.push(ids[0]).unwrap(), "");
    match stream.finish() {
        Err(Error::InvalidUtf8 { bytes, .. }) => assert_eq!(bytes, "😀".as_bytes()[..3]),
        other => panic!("{other:?}"),
    }
    // Bytes that can never be UTF-8 become U+FFFD, and are counted.
    let ff = t.token_to_id([0xFF]).unwrap();
    let a = t.token_to_id("a").unwrap();
    let mut stream = t.decode_stream();
    assert_eq!(stream.push(ids[0]).unwrap(), "");
    assert_eq!(stream.push(a).unwrap(), "\u{FFFD}a");
    assert_eq!(stream.push(ff).unwrap(), "\u{FFFD}");
    assert_eq!(stream.replaced(), 2);
    stream.finish().unwrap();
    // An unknown id changes nothing.
    let mut stream = t.decode_stream();
    stream.push(ids[0]).unwrap();
    assert!(matches!(
        stream.push(4_000_000),
        Err(Error::UnknownId { position: 1, .. })
    ));
    assert_eq!(stream.push(ids[1]).unwrap(), "😀");
}

#[test]
fn count_till_limit_stops_at_the_limit() {
    let t = Tokenizer::gpt2();
    assert_eq!(t.count_till_limit("", 0), Some(0));
    assert_eq!(t.count_till_limit("a", 0), None);
    let mut rng = Rng::new(3);
    for _ in 0..2000 {
        let text = random_text(&mut rng, 12);
        let n = t.count(&text);
        assert_eq!(t.count_till_limit(&text, n), Some(n), "{text:?}");
        assert_eq!(t.count_till_limit(&text, n + 5), Some(n));
        if n > 0 {
            assert_eq!(t.count_till_limit(&text, n - 1), None, "{text:?}");
        }
    }
    // Early exit: a small budget on a large text.
    let text = fixture_text("corpus/prose.txt");
    assert_eq!(t.count_till_limit(&text, 100), None);
    assert_eq!(t.count_till_limit(&text, usize::MAX), Some(t.count(&text)));
}

#[test]
fn truncation_cuts_at_a_token_boundary() {
    let t = Tokenizer::gpt2();
    assert_eq!(t.truncate_to_tokens("", 0), "");
    assert_eq!(t.truncate_to_tokens("", 5), "");
    assert_eq!(t.truncate_to_tokens("hello", 0), "");
    let mut rng = Rng::new(5);
    let mut exact = 0;
    for _ in 0..3000 {
        let text = random_text(&mut rng, 12);
        let ids = t.encode(&text);
        for max in [
            0,
            1,
            2,
            3,
            ids.len().saturating_sub(1),
            ids.len(),
            ids.len() + 1,
        ] {
            let prefix = t.truncate_to_tokens(&text, max);
            assert!(text.starts_with(prefix));
            // Within the budget.
            assert!(t.count(prefix) <= max, "{text:?} {max}");
            // The text of the first tokens of the text, and the longest such
            // prefix (on a character boundary, within the budget).
            let mut end = 0;
            let mut ends = vec![0];
            for &id in ids.iter().take(max) {
                end += t.id_to_token(id).unwrap().len();
                if text.is_char_boundary(end) {
                    ends.push(end);
                }
            }
            assert!(ends.contains(&prefix.len()), "{text:?} {max}");
            let longest = ends
                .iter()
                .rev()
                .find(|&&e| t.count(&text[..e]) <= max)
                .unwrap();
            assert_eq!(prefix.len(), *longest, "{text:?} {max}");
            if prefix.len() == *ends.last().unwrap() {
                exact += 1;
            }
        }
        assert_eq!(t.truncate_to_tokens(&text, ids.len()), text);
    }
    // Stepping back for the budget is rare.
    assert!(exact > 3000 * 7 * 9 / 10, "{exact}");
    // The example from the documentation: "\n\n'm" is "\n", "\n", "'m",
    // but "\n\n" alone is one token.
    assert_eq!(t.encode("\n\n'm"), [198, 198, 1101]);
    assert_eq!(t.truncate_to_tokens("\n\n'm", 2), "\n\n");
    assert_eq!(t.encode("\n\n"), [628]);
    // Emoji: one token is half a character, so nothing fits in one.
    assert_eq!(t.truncate_to_tokens("😀😀", 1), "");
    assert_eq!(t.truncate_to_tokens("😀😀", 2), "😀");
    assert_eq!(t.truncate_to_tokens("😀😀", 3), "😀");
}
