//! Exactness: the ids must equal those of OpenAI's GPT-2 tokenizer as computed
//! by tiktoken (r50k_base) and HF tokenizers (the fixtures hold ids on which
//! both agree; scripts/make_fixtures.py regenerates them).

mod common;

use bytepair::Tokenizer;
use common::{assert_same_ids, fixture_ids, fixture_text, fnv1a, sweep_text};

fn check_corpus_sample(name: &str) {
    let tokenizer = Tokenizer::gpt2();
    let text = fixture_text(&format!("corpus/{name}.txt"));
    let reference = fixture_ids(&format!("corpus/{name}.ids"));
    let ids = tokenizer.encode(&text);
    assert_same_ids(&tokenizer, name, &ids, &reference);
    assert_eq!(tokenizer.count(&text), reference.len(), "{name}: count");
    assert_eq!(tokenizer.decode(&ids).unwrap(), text, "{name}: round trip");
}

#[test]
fn prose_sample_matches_the_reference() {
    check_corpus_sample("prose");
}

#[test]
fn multilingual_sample_matches_the_reference() {
    check_corpus_sample("multilingual");
}

#[test]
fn code_sample_matches_the_reference() {
    check_corpus_sample("code");
}

#[test]
fn crlf_prose_matches_the_reference() {
    check_corpus_sample("prose_crlf");
}

/// Pieces of tens of kilobytes without a break: random digits (which merge
/// with the digits' own rule table), with a leading space, years, digits of
/// two scripts, letters, base64, a run of `a`, punctuation.
#[test]
fn long_pieces_match_the_reference() {
    check_corpus_sample("long_pieces");
}

#[test]
fn samples_are_at_least_a_mebibyte() {
    for name in ["prose", "multilingual", "code"] {
        let len = fixture_text(&format!("corpus/{name}.txt")).len();
        assert!(len >= 1 << 20, "{name} is {len} bytes");
    }
}

#[derive(serde::Deserialize)]
struct Vector {
    text: String,
    special: bool,
    ids: Vec<u32>,
}

#[test]
fn all_tricky_vectors_match() {
    let tokenizer = Tokenizer::gpt2();
    let vectors: Vec<Vector> = fixture_text("gpt2_tricky.jsonl")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(vectors.len(), 208);
    for v in &vectors {
        let ids = if v.special {
            tokenizer.encode_with_special_tokens(&v.text)
        } else {
            tokenizer.encode(&v.text)
        };
        assert_same_ids(&tokenizer, &format!("{:?}", v.text), &ids, &v.ids);
        assert_eq!(tokenizer.decode(&ids).unwrap(), v.text);
        if !v.special {
            assert_eq!(tokenizer.count(&v.text), v.ids.len());
        }
    }
}

#[derive(serde::Deserialize)]
struct RandomString {
    text: String,
    ids: Vec<u32>,
    special_ids: Vec<u32>,
}

#[test]
fn random_mixed_strings_match() {
    let tokenizer = Tokenizer::gpt2();
    let mut checked = 0;
    for line in fixture_text("random_strings.jsonl").lines() {
        let s: RandomString = serde_json::from_str(line).unwrap();
        let label = format!("{:?}", s.text);
        assert_same_ids(&tokenizer, &label, &tokenizer.encode(&s.text), &s.ids);
        let special = tokenizer.encode_with_special_tokens(&s.text);
        assert_same_ids(&tokenizer, &label, &special, &s.special_ids);
        assert_eq!(tokenizer.decode(&special).unwrap(), s.text);
        checked += 1;
    }
    assert_eq!(checked, 4000);
}

#[test]
fn every_unicode_scalar_in_four_contexts_matches() {
    let tokenizer = Tokenizer::gpt2();
    let mut checked = 0;
    for line in fixture_text("unicode_sweep.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let block = u32::from_str_radix(fields[0].trim_start_matches("0x"), 16).unwrap();
        let template: usize = fields[1].parse().unwrap();
        let count: usize = fields[2].parse().unwrap();
        let hash = u64::from_str_radix(fields[3], 16).unwrap();
        let text = sweep_text(block, template);
        let ids = tokenizer.encode(&text);
        assert_eq!(
            (ids.len(), fnv1a(&ids)),
            (count, hash),
            "block {block:#x}, template {template}"
        );
        checked += 1;
    }
    assert_eq!(checked, 272 * 4);
}
