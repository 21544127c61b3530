//! The tokenizer.json pipeline against HF tokenizers: one tiny tokenizer.json
//! per component and option (normalizers, pre-tokenizers, added tokens and
//! their flags, post-processors, decoders), built and run by HF itself
//! (scripts/make_pipeline_fixtures.py), on tricky strings and corpus lines.

mod common;

use bytepair::Tokenizer;
use common::{fixture_path, fixture_text};
use serde_json::Value;

/// Every fixture the script writes.
const FIXTURES: &[&str] = &[
    "nfc_split",
    "nfkc_bytelevel",
    "nfd_strip_accents_lowercase",
    "nfkd_strip_replace",
    "strip_both",
    "strip_left_prepend",
    "empty_sequence",
    "split_removed_invert",
    "byte_level_prefix_space",
    "digits_individual",
    "digits_contiguous",
    "punctuation_whitespace",
    "whitespace_split",
    "bert_pre_tokenizer",
    "char_delimiter",
    "metaspace_always",
    "metaspace_first_nosplit",
    "metaspace_never",
    "no_pre_tokenizer",
    "added_flags",
    "template_bos",
    "template_sequence",
    "roberta",
    "decoder_chain",
    "decoder_metaspace",
    "decoder_bpe",
    "no_decoder",
    "ignore_merges_unreachable",
    "sp_llama2",
    "sp_gemma",
    "sp_metaspace_first",
    "sp_metaspace_split",
    "sp_unk_fused",
    "sp_unk_unfused",
];

/// The fixtures with pairs recorded.
const PAIRED: &[&str] = &[
    "template_bos",
    "template_sequence",
    "roberta",
    "bert_pre_tokenizer",
    "byte_level_prefix_space",
    "sp_llama2",
];

fn ids(value: &Value) -> Vec<u32> {
    value
        .as_array()
        .expect("a list of ids")
        .iter()
        .map(|v| v.as_u64().expect("an id") as u32)
        .collect()
}

fn texts() -> Vec<String> {
    fixture_text("pipeline/texts.jsonl")
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON string"))
        .collect()
}

/// Compares one fixture on every text; returns the number of texts.
fn check(name: &str, texts: &[String]) -> usize {
    let tokenizer =
        Tokenizer::from_tokenizer_json_file(fixture_path(&format!("pipeline/{name}.json")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = fixture_text(&format!("pipeline/{name}.jsonl"));
    let records: Vec<&str> = expected.split('\n').filter(|l| !l.is_empty()).collect();
    assert_eq!(records.len(), texts.len(), "{name}");
    for (text, record) in texts.iter().zip(records) {
        let hf: Value = serde_json::from_str(record).expect("a JSON object");
        let encode = ids(&hf["encode"]);
        let special = hf.get("special").map_or_else(|| encode.clone(), ids);
        let model = hf.get("model").map_or_else(|| special.clone(), ids);
        let decode = hf["decode"].as_str().expect("text");
        let decode_skip = hf
            .get("decode_skip")
            .and_then(Value::as_str)
            .unwrap_or(decode);
        let offsets: Vec<usize> = hf["offsets"]
            .as_array()
            .expect("offsets")
            .iter()
            .map(|v| v.as_u64().expect("an offset") as usize)
            .collect();

        assert_eq!(tokenizer.encode(text), encode, "{name}: encode {text:?}");
        assert_eq!(
            tokenizer.count(text),
            encode.len(),
            "{name}: count {text:?}"
        );
        assert_eq!(
            tokenizer.encode_with_special_tokens(text),
            special,
            "{name}: encode_with_special_tokens {text:?}"
        );
        let with_offsets = tokenizer.encode_for_model_with_offsets(text);
        let ours: Vec<u32> = with_offsets.iter().map(|(id, _)| *id).collect();
        assert_eq!(ours, model, "{name}: encode_for_model {text:?}");
        assert_eq!(tokenizer.encode_for_model(text), model, "{name}: {text:?}");
        let ours: Vec<usize> = with_offsets
            .iter()
            .flat_map(|(_, r)| [r.start, r.end])
            .collect();
        assert_eq!(ours, offsets, "{name}: offsets {text:?}");
        assert_eq!(
            tokenizer.decode(&model).unwrap(),
            decode,
            "{name}: decode {text:?}"
        );
        assert_eq!(
            tokenizer.decode_without_special_tokens(&model).unwrap(),
            decode_skip,
            "{name}: decode skipping special tokens {text:?}"
        );
    }
    texts.len()
}

/// The pair templates, on each text paired with the next.
fn check_pairs(name: &str, texts: &[String]) {
    let tokenizer =
        Tokenizer::from_tokenizer_json_file(fixture_path(&format!("pipeline/{name}.json")))
            .unwrap();
    let expected = fixture_text(&format!("pipeline/{name}.jsonl"));
    let records: Vec<&str> = expected.split('\n').filter(|l| !l.is_empty()).collect();
    for (i, record) in records.iter().enumerate() {
        let hf: Value = serde_json::from_str(record).unwrap();
        let (a, b) = (&texts[i], &texts[(i + 1) % texts.len()]);
        let ours = tokenizer.encode_pair_for_model_with_offsets(a, b);
        let ids_ours: Vec<u32> = ours.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids_ours, ids(&hf["pair"]), "{name}: pair {a:?} {b:?}");
        let offsets_ours: Vec<u64> = ours
            .iter()
            .flat_map(|(_, r)| [r.start as u64, r.end as u64])
            .collect();
        let offsets: Vec<u64> = hf["pair_offsets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(offsets_ours, offsets, "{name}: pair offsets {a:?} {b:?}");
        assert_eq!(tokenizer.encode_pair_for_model(a, b), ids_ours);
    }
}

#[test]
fn pair_templates_equal_hf() {
    let texts = texts();
    for name in PAIRED {
        check_pairs(name, &texts);
    }
}

#[test]
fn every_component_equals_hf() {
    let texts = texts();
    assert!(texts.len() > 100);
    for name in FIXTURES {
        check(name, &texts);
    }
}

/// Saving writes the whole pipeline back: the saved file, loaded again,
/// encodes every text as the original.
#[test]
fn saved_pipelines_load_back_the_same() {
    let texts = texts();
    let dir = std::env::temp_dir().join(format!("bytepair-pipeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in FIXTURES {
        let path = fixture_path(&format!("pipeline/{name}.json"));
        let tokenizer = Tokenizer::from_tokenizer_json_file(&path).unwrap();
        let saved = dir.join(format!("{name}.json"));
        tokenizer.save_tokenizer_json(&saved).unwrap();
        let again = Tokenizer::from_tokenizer_json_file(&saved).unwrap();
        for text in &texts {
            assert_eq!(
                again.encode_for_model(text),
                tokenizer.encode_for_model(text),
                "{name}: {text:?}"
            );
            assert_eq!(
                again.encode(text),
                tokenizer.encode(text),
                "{name}: {text:?}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Streaming decode shows, id by id, the text that decoding all the ids
/// gives: through each fixture's decoder (byte-level, `▁` and byte fallback,
/// `Strip`, `Metaspace`).
#[test]
fn streaming_decode_equals_decode() {
    let texts = texts();
    let mut streamed_texts = 0;
    for name in FIXTURES {
        let tokenizer =
            Tokenizer::from_tokenizer_json_file(fixture_path(&format!("pipeline/{name}.json")))
                .unwrap();
        for text in &texts {
            let ids = tokenizer.encode_for_model(text);
            let whole = tokenizer.decode(&ids).unwrap();
            let mut stream = tokenizer.decode_stream();
            let mut shown = String::new();
            for &id in &ids {
                shown.push_str(stream.push(id).unwrap());
            }
            if whole.contains(char::REPLACEMENT_CHARACTER) {
                continue;
            }
            assert_eq!(shown, whole, "{name}: {text:?}");
            stream.finish().unwrap();
            streamed_texts += 1;
        }
    }
    assert!(streamed_texts > 3000, "{streamed_texts}");
}

/// Budgets and batches go through the pipeline too.
#[test]
fn budgets_and_batches_use_the_pipeline() {
    let texts = texts();
    for name in ["nfc_split", "sp_llama2", "sp_gemma", "added_flags"] {
        let tokenizer =
            Tokenizer::from_tokenizer_json_file(fixture_path(&format!("pipeline/{name}.json")))
                .unwrap();
        let batch = tokenizer.encode_batch(&texts);
        for (text, ids) in texts.iter().zip(&batch) {
            assert_eq!(*ids, tokenizer.encode(text), "{name}: {text:?}");
            assert_eq!(tokenizer.encode_parallel(text), *ids, "{name}: {text:?}");
            let n = ids.len();
            assert_eq!(tokenizer.count_till_limit(text, n), Some(n));
            if n > 0 {
                assert_eq!(tokenizer.count_till_limit(text, n - 1), None);
                let cut = tokenizer.truncate_to_tokens(text, n / 2);
                assert!(text.starts_with(cut));
                assert!(tokenizer.count(cut) <= n / 2, "{name}: {text:?} -> {cut:?}");
            }
        }
    }
}

/// HF's character-level BPE spelled out, as the oracle for bytepair's
/// (which runs it on the byte engine with rules that build characters from
/// bytes): a word's characters become their tokens, or their bytes'
/// `<0xNN>` tokens, or the unknown token (consecutive ones fused); then the
/// lowest-ranked adjacent pair merges, the leftmost first, until none has a
/// rule.
struct NaiveCharBpe {
    vocab: std::collections::HashMap<String, u32>,
    ranks: std::collections::HashMap<(String, String), usize>,
    byte_fallback: bool,
    unk: Option<String>,
    fuse_unk: bool,
}

impl NaiveCharBpe {
    fn from_json(json: &str) -> NaiveCharBpe {
        let doc: Value = serde_json::from_str(json).unwrap();
        let model = &doc["model"];
        let vocab = model["vocab"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as u32))
            .collect();
        let ranks = model["merges"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(rank, m)| {
                let pair = match m {
                    Value::String(line) => {
                        let (a, b) = line.split_once(' ').unwrap();
                        (a.to_string(), b.to_string())
                    }
                    Value::Array(p) => (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    ),
                    _ => panic!("merge {m}"),
                };
                (pair, rank)
            })
            .collect();
        NaiveCharBpe {
            vocab,
            ranks,
            byte_fallback: model["byte_fallback"].as_bool().unwrap_or(false),
            unk: model["unk_token"].as_str().map(str::to_string),
            fuse_unk: model["fuse_unk"].as_bool().unwrap_or(false),
        }
    }

    fn encode_word(&self, word: &str) -> Vec<u32> {
        let mut symbols: Vec<String> = Vec::new();
        let mut unk_open = false;
        for c in word.chars() {
            let text = c.to_string();
            if self.vocab.contains_key(&text) {
                symbols.push(text);
                unk_open = false;
                continue;
            }
            let bytes: Option<Vec<String>> = self
                .byte_fallback
                .then(|| text.bytes().map(|b| format!("<0x{b:02X}>")).collect());
            match bytes.filter(|b| b.iter().all(|t| self.vocab.contains_key(t))) {
                Some(bytes) => {
                    symbols.extend(bytes);
                    unk_open = false;
                }
                None => {
                    if let Some(unk) = &self.unk {
                        if !(unk_open && self.fuse_unk) {
                            symbols.push(unk.clone());
                        }
                        unk_open = true;
                    }
                }
            }
        }
        loop {
            let best = (0..symbols.len().saturating_sub(1))
                .filter_map(|i| {
                    let pair = (symbols[i].clone(), symbols[i + 1].clone());
                    self.ranks.get(&pair).map(|&r| (r, i))
                })
                .min();
            let Some((_, i)) = best else { break };
            let merged = format!("{}{}", symbols[i], symbols[i + 1]);
            symbols.splice(i..i + 2, [merged]);
        }
        symbols.iter().map(|s| self.vocab[s]).collect()
    }
}

/// Llama 2-style fixtures (no pre-tokenizer: the normalized text is one
/// word) against the naive oracle, on random text with many characters the
/// vocabulary lacks, and on one long paragraph.
#[test]
fn character_level_bpe_equals_the_naive_oracle() {
    let pieces = [
        "the", " ", "  ", "a", "e", "s", "t", "ing", " of", "\n", "\t", "é", "中", "😀", "\u{301}",
        "<0x41>", "<unk>", "ß", "x", "q", "Z", "..", "!",
    ];
    let mut rng = common::Rng::new(5);
    for name in ["sp_llama2", "sp_unk_fused", "sp_unk_unfused"] {
        let path = fixture_path(&format!("pipeline/{name}.json"));
        let tokenizer = Tokenizer::from_tokenizer_json_file(&path).unwrap();
        let naive = NaiveCharBpe::from_json(&std::fs::read_to_string(&path).unwrap());
        let expect = |text: &str| {
            if text.is_empty() {
                return Vec::new();
            }
            naive.encode_word(&format!("\u{2581}{}", text.replace(' ', "\u{2581}")))
        };
        for _ in 0..400 {
            let text: String = (0..rng.below(12))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            assert_eq!(tokenizer.encode(&text), expect(&text), "{name}: {text:?}");
        }
        let paragraph: String = (0..1000)
            .map(|_| pieces[rng.below(pieces.len())])
            .filter(|p| !p.contains('\n'))
            .collect();
        assert_eq!(
            tokenizer.encode(&paragraph),
            expect(&paragraph),
            "{name}: paragraph"
        );
    }
}

/// An ordinary added token is not a special token; a special one is.
#[test]
fn added_tokens_keep_their_special_flag() {
    let tokenizer =
        Tokenizer::from_tokenizer_json_file(fixture_path("pipeline/nfc_split.json")).unwrap();
    let think = tokenizer.token_to_id("<think>").unwrap();
    assert!(!tokenizer.is_special(think));
    assert_eq!(tokenizer.special_token_id("<think>"), None);
    let end = tokenizer.special_token_id("<|im_end|>").unwrap();
    assert!(tokenizer.is_special(end));
    let specials: Vec<&str> = tokenizer.special_tokens().map(|(t, _)| t).collect();
    assert!(specials.contains(&"<|im_end|>") && !specials.contains(&"<think>"));
    // A pattern cannot replace one stage of a pipeline.
    assert!(matches!(
        tokenizer.with_pattern(bytepair::GPT2_PATTERN),
        Err(bytepair::Error::Unsupported { .. })
    ));
    // `encode` recognizes the ordinary one and leaves the special one as text.
    let ids = tokenizer.encode("<think>x<|im_end|>");
    assert_eq!(ids[0], think);
    assert!(!ids.contains(&end));
}
