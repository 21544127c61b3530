//! HF tokenizers' `tokenizer.json`, for byte-level BPE models.
//!
//! Read: a `BPE` model (vocab and merges, the merges as `"a b"` strings or
//! as `["a", "b"]` pairs), a `ByteLevel` pre-tokenizer with GPT-2's regex or
//! a `Split` regex followed by `ByteLevel(use_regex = false)` (as GPT-4-style
//! conversions write), `added_tokens` as special tokens, and
//! `ignore_merges`. Every setting that would make HF encode differently
//! and that bytepair does not implement (dropout, a word-piece prefix or
//! suffix, byte fallback, a normalizer, a post-processor that adds tokens,
//! truncation, padding, ...) is an [`Error::Unsupported`] naming it: loading
//! such a file anyway would silently give other ids than HF.
//!
//! Written: the same shape, with merges as pairs (unambiguous), as HF writes
//! it; HF loads it and encodes identically (checked by
//! scripts/make_format_fixtures.py).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::gpt2;
use super::hf_pipeline::{self, At};
use crate::error::{Error, Result};
use crate::merges::Merges;
use crate::pipeline::{AddedToken, AddedTokens, JsonSections, Pipeline, PreTokenizer};
use crate::vocab::Vocab;

/// What a tokenizer.json gives: the vocabulary and merges, whether
/// `ignore_merges` is set, and the pipeline around the model.
pub(crate) struct Loaded {
    pub(crate) vocab: Vocab,
    pub(crate) merges: Merges,
    pub(crate) ignore_merges: bool,
    pub(crate) pipeline: Pipeline,
}

#[derive(Deserialize)]
struct FileIn<'a> {
    version: Option<String>,
    #[serde(default)]
    truncation: Value,
    #[serde(default)]
    padding: Value,
    #[serde(default)]
    added_tokens: Vec<AddedTokenIn>,
    #[serde(default)]
    normalizer: Value,
    #[serde(default)]
    pre_tokenizer: Value,
    #[serde(default)]
    post_processor: Value,
    #[serde(default)]
    decoder: Value,
    #[serde(borrow)]
    model: ModelIn<'a>,
}

#[derive(Deserialize)]
struct ModelIn<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    dropout: Value,
    #[serde(default)]
    continuing_subword_prefix: Value,
    #[serde(default)]
    end_of_word_suffix: Value,
    #[serde(default)]
    byte_fallback: Value,
    #[serde(default)]
    ignore_merges: Value,
    #[serde(borrow)]
    vocab: Option<&'a RawValue>,
    #[serde(default)]
    merges: Vec<MergeIn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MergeIn {
    Line(String),
    Pair(String, String),
}

#[derive(Deserialize, Serialize)]
struct AddedTokenIn {
    id: u32,
    content: String,
    #[serde(default)]
    single_word: bool,
    #[serde(default)]
    lstrip: bool,
    #[serde(default)]
    rstrip: bool,
    #[serde(default = "yes")]
    normalized: bool,
    #[serde(default)]
    special: bool,
}

fn yes() -> bool {
    true
}

/// Whether a pre-tokenizer or decoder section has a `ByteLevel` part: the
/// vocabulary is then written in GPT-2's byte-level alphabet.
fn has_byte_level(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.get("type").and_then(Value::as_str) == Some("ByteLevel")
                || map.values().any(has_byte_level)
        }
        Value::Array(items) => items.iter().any(has_byte_level),
        _ => false,
    }
}

/// Reads a tokenizer.json; `file` names it in errors.
pub(crate) fn load(json: &[u8], file: &str) -> Result<Loaded> {
    let format = |message: String| Error::VocabFormat {
        file: file.to_string(),
        message,
    };
    let doc: FileIn = serde_json::from_slice(json).map_err(|e| format(e.to_string()))?;
    let unsupported = |setting: &str, value: &Value| Error::Unsupported {
        file: file.to_string(),
        setting: setting.to_string(),
        value: value.to_string(),
    };
    if let Some(version) = &doc.version {
        if version != "1.0" {
            return Err(unsupported("version", &Value::from(version.as_str())));
        }
    }
    for (setting, value) in [("truncation", &doc.truncation), ("padding", &doc.padding)] {
        if !value.is_null() {
            return Err(unsupported(setting, value));
        }
    }

    let model = &doc.model;
    if let Some(kind) = &model.kind {
        if kind != "BPE" {
            return Err(Error::NotBpe {
                file: file.to_string(),
                model: kind.clone(),
            });
        }
    }
    let Some(model_vocab) = model.vocab else {
        return Err(format("model.vocab is missing".to_string()));
    };
    // Dropout 0 never drops a merge; any other value is random by design.
    if !(model.dropout.is_null() || model.dropout.as_f64() == Some(0.0)) {
        return Err(unsupported("model.dropout", &model.dropout));
    }
    for (setting, value) in [
        (
            "model.continuing_subword_prefix",
            &model.continuing_subword_prefix,
        ),
        ("model.end_of_word_suffix", &model.end_of_word_suffix),
    ] {
        if !(value.is_null() || value.as_str() == Some("")) {
            return Err(unsupported(setting, value));
        }
    }
    if !(model.byte_fallback.is_null() || model.byte_fallback == Value::Bool(false)) {
        return Err(unsupported("model.byte_fallback", &model.byte_fallback));
    }
    if !has_byte_level(&doc.pre_tokenizer) && !has_byte_level(&doc.decoder) {
        // The vocabulary is then made of characters, not of the byte-level
        // alphabet: SentencePiece-style BPE.
        return Err(unsupported(
            "model (character-level BPE without a ByteLevel pre-tokenizer or decoder)",
            &Value::from("BPE"),
        ));
    }
    let ignore_merges = match &model.ignore_merges {
        Value::Null => false,
        Value::Bool(b) => *b,
        other => return Err(unsupported("model.ignore_merges", other)),
    };

    let at = |path: &str| At {
        file,
        path: path.to_string(),
    };
    let normalizer = hf_pipeline::normalizer(&at("normalizer"), &doc.normalizer)?;
    let pre_tokenizer = hf_pipeline::pre_tokenizer(&at("pre_tokenizer"), &doc.pre_tokenizer)?;
    let decoder = hf_pipeline::decoder(&at("decoder"), &doc.decoder)?;

    let added: Vec<(String, u32)> = doc
        .added_tokens
        .iter()
        .map(|t| (t.content.clone(), t.id))
        .collect();
    let vocab_file = format!("{file} (model.vocab)");
    // Tokens that no merge makes stay ordinary (unlike in GPT-2's files, the
    // added tokens are listed): HF returns one for a word that is exactly
    // it under `ignore_merges`, and never otherwise, which the model's
    // check of each token's own merge decides.
    let vocab = gpt2::read_vocab_json(model_vocab.get().as_bytes(), &vocab_file, &added)?;
    let merges = read_merges(&model.merges, file, &vocab)?;

    let token_id = |text: &str| {
        doc.added_tokens
            .iter()
            .find(|t| t.content == text)
            .map(|t| t.id)
            .or_else(|| crate::byte_level::text_to_bytes(text).and_then(|b| vocab.ordinary_id(&b)))
    };
    let post_processor =
        hf_pipeline::post_processor(&at("post_processor"), &doc.post_processor, &token_id)?;
    let added_tokens = doc
        .added_tokens
        .iter()
        .map(|t| AddedToken {
            id: t.id,
            content: t.content.clone(),
            single_word: t.single_word,
            lstrip: t.lstrip,
            rstrip: t.rstrip,
            normalized: t.normalized,
            special: t.special,
        })
        .collect();
    let added = AddedTokens::new(added_tokens, normalizer.as_ref())?;
    let fast = match pre_tokenizer
        .as_ref()
        .and_then(PreTokenizer::as_pretokenizer)
    {
        Some(fast) => Some(fast?),
        None => None,
    };
    let pipeline = Pipeline {
        added,
        normalizer: normalizer.filter(|n| !n.is_identity()),
        pre_tokenizer,
        fast,
        post_processor,
        decoder,
        json: JsonSections {
            normalizer: doc.normalizer.clone(),
            pre_tokenizer: doc.pre_tokenizer.clone(),
            post_processor: doc.post_processor.clone(),
            decoder: doc.decoder.clone(),
        },
    };
    Ok(Loaded {
        vocab,
        merges,
        ignore_merges,
        pipeline,
    })
}

/// The merges, read as merges.txt lines so that both encodings get the same
/// checks; errors name `model.merges` and the 1-based entry number as the
/// line.
fn read_merges(entries: &[MergeIn], file: &str, vocab: &Vocab) -> Result<Merges> {
    let merges_file = format!("{file} (model.merges, entry)");
    let mut text = String::with_capacity(entries.len() * 12);
    for (i, entry) in entries.iter().enumerate() {
        match entry {
            MergeIn::Line(line) => {
                if line.contains('\n') {
                    return Err(Error::MergesBadLine {
                        file: merges_file,
                        line: i + 1,
                        text: line.clone(),
                    });
                }
                text.push_str(line);
            }
            MergeIn::Pair(left, right) => {
                // Byte-level tokens never hold a space or a line end, so the
                // joined line splits back into the pair.
                if let Some(bad) = [left, right].into_iter().find(|t| t.contains([' ', '\n'])) {
                    return Err(Error::MergesNotByteLevel {
                        file: merges_file,
                        line: i + 1,
                        token: bad.clone(),
                    });
                }
                text.push_str(left);
                text.push(' ');
                text.push_str(right);
            }
        }
        text.push('\n');
    }
    gpt2::read_merges_txt(text.as_bytes(), &merges_file, vocab)
}

#[derive(Serialize)]
struct FileOut {
    version: &'static str,
    truncation: Value,
    padding: Value,
    added_tokens: Vec<AddedTokenIn>,
    normalizer: Value,
    pre_tokenizer: Value,
    post_processor: Value,
    decoder: Value,
    model: ModelOut,
}

#[derive(Serialize)]
struct ModelOut {
    #[serde(rename = "type")]
    kind: &'static str,
    dropout: Value,
    unk_token: Value,
    continuing_subword_prefix: Value,
    end_of_word_suffix: Value,
    fuse_unk: bool,
    byte_fallback: bool,
    ignore_merges: bool,
    vocab: Box<RawValue>,
    merges: Vec<(String, String)>,
}

/// The text of a tokenizer.json for `vocab` and `merges`: with the
/// `pipeline` read from a tokenizer.json, or else splitting with `pattern`
/// (spelled for HF's regex engine) and the byte-level stages.
pub(crate) fn write(
    vocab: &Vocab,
    merges: &Merges,
    pattern: &str,
    ignore_merges: bool,
    pipeline: Option<&Pipeline>,
) -> String {
    let byte_level = |use_regex: bool| {
        serde_json::json!({
            "type": "ByteLevel",
            "add_prefix_space": false,
            "trim_offsets": true,
            "use_regex": use_regex,
        })
    };
    let pre_tokenizer = if pattern == crate::pretokenize::GPT2_PATTERN {
        byte_level(true)
    } else {
        serde_json::json!({
            "type": "Sequence",
            "pretokenizers": [
                {
                    "type": "Split",
                    "pattern": { "Regex": pattern },
                    "behavior": "Isolated",
                    "invert": false,
                },
                byte_level(false),
            ],
        })
    };
    let added_tokens = vocab
        .specials()
        .iter()
        .map(|(text, id)| AddedTokenIn {
            id: *id,
            content: text.clone(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
            special: true,
        })
        .collect();
    let (mut normalizer, mut post_processor, mut decoder) =
        (Value::Null, byte_level(true), byte_level(true));
    let (mut pre_tokenizer, mut added_tokens) = (pre_tokenizer, added_tokens);
    if let Some(pipeline) = pipeline {
        let json = &pipeline.json;
        normalizer = json.normalizer.clone();
        pre_tokenizer = json.pre_tokenizer.clone();
        post_processor = json.post_processor.clone();
        decoder = json.decoder.clone();
        added_tokens = pipeline
            .added
            .tokens
            .iter()
            .map(|t| AddedTokenIn {
                id: t.id,
                content: t.content.clone(),
                single_word: t.single_word,
                lstrip: t.lstrip,
                rstrip: t.rstrip,
                normalized: t.normalized,
                special: t.special,
            })
            .collect();
    }
    // HF keeps added tokens beside the model's vocabulary; one written into
    // it would also be found as a whole word.
    let vocab_json = gpt2::write_vocab_json_without(vocab, |id| {
        pipeline.is_some_and(|p| {
            p.added.by_id(id).is_some()
                && vocab
                    .bytes(id)
                    .is_none_or(|bytes| vocab.ordinary_id(bytes) != Some(id))
        })
    });
    let spelled = |id: u32| gpt2::token_text(vocab, id);
    let doc = FileOut {
        version: "1.0",
        truncation: Value::Null,
        padding: Value::Null,
        added_tokens,
        normalizer,
        pre_tokenizer,
        post_processor,
        decoder,
        model: ModelOut {
            kind: "BPE",
            dropout: Value::Null,
            unk_token: Value::Null,
            continuing_subword_prefix: Value::Null,
            end_of_word_suffix: Value::Null,
            fuse_unk: false,
            byte_fallback: false,
            ignore_merges,
            vocab: RawValue::from_string(vocab_json).expect("write_vocab_json writes JSON"),
            merges: merges
                .iter()
                .map(|(left, right, _)| (spelled(left), spelled(right)))
                .collect(),
        },
    };
    serde_json::to_string_pretty(&doc).expect("plain data serializes")
}
