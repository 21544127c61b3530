//! The fast encoder against a naive one written from the definition, on many
//! seeded generated strings. The naive encoder shares no code with the crate:
//! it reads the GPT-2 files itself, splits with fancy-regex and GPT-2's
//! pattern, and merges by recomputing every adjacent pair's rank after every
//! merge.

mod common;

use std::collections::HashMap;

use bytepair::Tokenizer;
use common::{Rng, fixture_text, random_text};

/// GPT-2's pattern, spelled out here rather than taken from the crate.
const PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

struct NaiveBpe {
    regex: fancy_regex::Regex,
    /// Token text (byte-level alphabet) -> id.
    vocab: HashMap<String, u32>,
    /// (left, right) -> rank.
    ranks: HashMap<(String, String), usize>,
    /// Byte -> its character in the byte-level alphabet.
    byte_char: Vec<char>,
}

impl NaiveBpe {
    fn gpt2() -> NaiveBpe {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/gpt2/");
        let vocab: HashMap<String, u32> =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}vocab.json")).unwrap())
                .unwrap();
        let merges = std::fs::read_to_string(format!("{dir}merges.txt")).unwrap();
        let ranks = merges
            .lines()
            .skip(1)
            .enumerate()
            .map(|(rank, line)| {
                let (l, r) = line.split_once(' ').unwrap();
                ((l.to_string(), r.to_string()), rank)
            })
            .collect();
        // GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for
        // themselves, the others take U+0100, U+0101, ... in byte order.
        let mut next = 0x100;
        let byte_char = (0..=255u32)
            .map(|b| {
                if (0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE {
                    char::from_u32(b).unwrap()
                } else {
                    next += 1;
                    char::from_u32(next - 1).unwrap()
                }
            })
            .collect();
        NaiveBpe {
            regex: fancy_regex::Regex::new(PATTERN).unwrap(),
            vocab,
            ranks,
            byte_char,
        }
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        for chunk in self.regex.find_iter(text) {
            let chunk = chunk.unwrap().as_str();
            let mut parts: Vec<String> = chunk
                .bytes()
                .map(|b| self.byte_char[b as usize].to_string())
                .collect();
            loop {
                // The lowest-ranked adjacent pair, the leftmost on ties.
                let best = (0..parts.len().saturating_sub(1))
                    .filter_map(|i| {
                        let pair = (parts[i].clone(), parts[i + 1].clone());
                        self.ranks.get(&pair).map(|&rank| (rank, i))
                    })
                    .min();
                let Some((_, i)) = best else { break };
                let right = parts.remove(i + 1);
                parts[i].push_str(&right);
            }
            ids.extend(parts.iter().map(|p| self.vocab[p]));
        }
        ids
    }
}

#[test]
fn fast_encoder_equals_naive_on_generated_strings() {
    let naive = NaiveBpe::gpt2();
    let tokenizer = Tokenizer::gpt2();
    let mut rng = Rng::new(0xB17E_9A12);
    for case in 0..12_000 {
        let text = random_text(&mut rng, 24);
        let expected = naive.encode(&text);
        let ids = tokenizer.encode(&text);
        assert_eq!(ids, expected, "case {case}: {text:?}");
        assert_eq!(tokenizer.count(&text), expected.len(), "case {case}: count");
    }
}

/// Long unbroken pieces take the heap path; compare it with the naive loop too.
#[test]
fn fast_encoder_equals_naive_on_long_pieces() {
    let naive = NaiveBpe::gpt2();
    let tokenizer = Tokenizer::gpt2();
    let mut rng = Rng::new(7);
    let alphabets: [&[char]; 6] = [
        &['a', 'b', 'e', 'r', 's', 't'],
        &['a'],
        &['0', '1', '9'],
        &['!', '=', '-', '.', '*'],
        &['中', '文', '字'],
        &['é', 'e', '\u{301}', 'n'],
    ];
    for case in 0..400 {
        let alphabet = alphabets[case % alphabets.len()];
        let len = 40 + rng.below(400);
        let piece: String = (0..len).map(|_| *rng.pick(alphabet)).collect();
        let text = format!(" {piece}");
        assert_eq!(
            tokenizer.encode(&text),
            naive.encode(&text),
            "case {case}: {text:?}"
        );
    }
}

/// The hand-written GPT-2 scanner yields exactly fancy-regex's chunks.
#[test]
fn split_equals_fancy_regex_on_fixtures_and_generated_text() {
    let regex = fancy_regex::Regex::new(PATTERN).unwrap();
    let tokenizer = Tokenizer::gpt2();
    let check = |label: &str, text: &str| {
        let expected: Vec<&str> = regex.find_iter(text).map(|m| m.unwrap().as_str()).collect();
        let ours: Vec<&str> = tokenizer.split(text).collect();
        if ours != expected {
            let at = ours
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{label}: chunk {at} differs: ours {:?}, regex {:?}",
                &ours[at..(at + 3).min(ours.len())],
                &expected[at..(at + 3).min(expected.len())]
            );
        }
    };
    for name in ["prose", "multilingual", "code", "prose_crlf"] {
        check(name, &fixture_text(&format!("corpus/{name}.txt")));
    }
    let mut rng = Rng::new(99);
    for case in 0..20_000 {
        check(&format!("case {case}"), &random_text(&mut rng, 30));
    }
}

/// Every scalar value between a selection of neighbours.
#[test]
fn split_equals_fancy_regex_for_every_scalar_in_context() {
    let regex = fancy_regex::Regex::new(PATTERN).unwrap();
    let tokenizer = Tokenizer::gpt2();
    let contexts = [
        ("", ""),
        (" ", ""),
        ("a", "b"),
        (" ", " x"),
        ("1", "2"),
        ("'", "s"),
        ("!", "?"),
        ("\n", "\n\n"),
        ("  ", "a"),
        ("\u{3000}", "\u{85}"),
    ];
    for (before, after) in contexts {
        let mut text = String::new();
        for c in (0..0x110000u32).filter_map(char::from_u32) {
            text.push_str(before);
            text.push(c);
            text.push(c);
            text.push_str(after);
        }
        let expected: Vec<&str> = regex
            .find_iter(&text)
            .map(|m| m.unwrap().as_str())
            .collect();
        let ours: Vec<&str> = tokenizer.split(&text).collect();
        assert!(ours == expected, "context {before:?} .. {after:?}");
    }
}
