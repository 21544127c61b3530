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
use crate::error::{Error, Result};
use crate::merges::Merges;
use crate::vocab::Vocab;

/// What a tokenizer.json gives: the vocabulary and merges, the
/// pretokenization pattern and whether `ignore_merges` is set.
pub(crate) struct Loaded {
    pub(crate) vocab: Vocab,
    pub(crate) merges: Merges,
    pub(crate) pattern: String,
    pub(crate) ignore_merges: bool,
}

#[derive(Deserialize)]
struct FileIn<'a> {
    version: Option<String>,
    #[serde(default)]
    truncation: Value,
    #[serde(default)]
    padding: Value,
    #[serde(default)]
    added_tokens: Vec<AddedToken>,
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
    vocab: &'a RawValue,
    merges: Vec<MergeIn>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum MergeIn {
    Line(String),
    Pair(String, String),
}

#[derive(Deserialize, Serialize)]
struct AddedToken {
    id: u32,
    content: String,
    #[serde(default)]
    single_word: bool,
    #[serde(default)]
    lstrip: bool,
    #[serde(default)]
    rstrip: bool,
    #[serde(default)]
    normalized: bool,
    #[serde(default)]
    special: bool,
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
    for (setting, value) in [
        ("truncation", &doc.truncation),
        ("padding", &doc.padding),
        ("normalizer", &doc.normalizer),
    ] {
        if !value.is_null() {
            return Err(unsupported(setting, value));
        }
    }
    let pattern = read_pre_tokenizer(&doc.pre_tokenizer, &unsupported)?;
    check_post_processor(&doc.post_processor, &unsupported)?;
    check_byte_level_or_null("decoder", &doc.decoder, &unsupported)?;

    let model = &doc.model;
    if let Some(kind) = &model.kind {
        if kind != "BPE" {
            return Err(unsupported("model.type", &Value::from(kind.as_str())));
        }
    }
    // Dropout 0 never drops a merge.
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
    let ignore_merges = match &model.ignore_merges {
        Value::Null => false,
        Value::Bool(b) => *b,
        other => return Err(unsupported("model.ignore_merges", other)),
    };

    let mut added = Vec::with_capacity(doc.added_tokens.len());
    for (i, token) in doc.added_tokens.iter().enumerate() {
        for (flag, set) in [
            ("single_word", token.single_word),
            ("lstrip", token.lstrip),
            ("rstrip", token.rstrip),
        ] {
            if set {
                return Err(unsupported(
                    &format!("added_tokens[{i}].{flag} ({:?})", token.content),
                    &Value::Bool(true),
                ));
            }
        }
        added.push((token.content.clone(), token.id));
    }

    let vocab_file = format!("{file} (model.vocab)");
    let mut vocab = gpt2::read_vocab_json(model.vocab.get().as_bytes(), &vocab_file, &added)?;
    let merges = read_merges(&model.merges, file, &vocab)?;
    gpt2::demote_unmade(&mut vocab, &merges);
    Ok(Loaded {
        vocab,
        merges,
        pattern,
        ignore_merges,
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

/// The pattern a pre-tokenizer splits with.
fn read_pre_tokenizer(
    value: &Value,
    unsupported: &impl Fn(&str, &Value) -> Error,
) -> Result<String> {
    let kind = value.get("type").and_then(Value::as_str);
    match kind {
        Some("ByteLevel") => {
            check_byte_level("pre_tokenizer", value, unsupported)?;
            if use_regex(value) {
                Ok(crate::pretokenize::GPT2_PATTERN.to_string())
            } else {
                // No split at all: each text would be one chunk.
                Err(unsupported("pre_tokenizer.use_regex", &Value::Bool(false)))
            }
        }
        Some("Sequence") => {
            let parts = value
                .get("pretokenizers")
                .and_then(Value::as_array)
                .ok_or_else(|| unsupported("pre_tokenizer", value))?;
            let [split, byte_level] = &parts[..] else {
                return Err(unsupported("pre_tokenizer.pretokenizers", value));
            };
            let pattern = read_split(split, unsupported)?;
            if byte_level.get("type").and_then(Value::as_str) != Some("ByteLevel") {
                return Err(unsupported("pre_tokenizer.pretokenizers[1]", byte_level));
            }
            check_byte_level("pre_tokenizer.pretokenizers[1]", byte_level, unsupported)?;
            if use_regex(byte_level) {
                // A second split with GPT-2's regex inside each chunk.
                return Err(unsupported(
                    "pre_tokenizer.pretokenizers[1].use_regex",
                    &Value::Bool(true),
                ));
            }
            Ok(pattern)
        }
        _ => Err(unsupported("pre_tokenizer", value)),
    }
}

/// The pattern of a `Split` pre-tokenizer that keeps matches and gaps as
/// chunks (`Isolated`, not inverted).
fn read_split(value: &Value, unsupported: &impl Fn(&str, &Value) -> Error) -> Result<String> {
    let at = "pre_tokenizer.pretokenizers[0]";
    if value.get("type").and_then(Value::as_str) != Some("Split") {
        return Err(unsupported(at, value));
    }
    let behavior = value.get("behavior").unwrap_or(&Value::Null);
    if behavior.as_str() != Some("Isolated") {
        return Err(unsupported(&format!("{at}.behavior"), behavior));
    }
    let invert = value.get("invert").unwrap_or(&Value::Null);
    if !(invert.is_null() || *invert == Value::Bool(false)) {
        return Err(unsupported(&format!("{at}.invert"), invert));
    }
    let pattern = value.get("pattern").unwrap_or(&Value::Null);
    if let Some(regex) = pattern.get("Regex").and_then(Value::as_str) {
        if crate::pretokenize::has_possessive_interval(regex) {
            // HF's Oniguruma reads `{n,m}+` as a repetition, fancy-regex as
            // possessive: the chunks would differ.
            return Err(unsupported(
                &format!("{at}.pattern (an interval followed by +)"),
                pattern,
            ));
        }
        Ok(regex.to_string())
    } else if let Some(literal) = pattern.get("String").and_then(Value::as_str) {
        Ok(regex::escape(literal))
    } else {
        Err(unsupported(&format!("{at}.pattern"), pattern))
    }
}

fn use_regex(byte_level: &Value) -> bool {
    byte_level
        .get("use_regex")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// A `ByteLevel` pre-tokenizer must not add a prefix space (bytepair encodes
/// the text as given, like GPT-2).
fn check_byte_level(
    at: &str,
    value: &Value,
    unsupported: &impl Fn(&str, &Value) -> Error,
) -> Result<()> {
    match value.get("add_prefix_space") {
        Some(Value::Bool(true)) => Err(unsupported(
            &format!("{at}.add_prefix_space"),
            &Value::Bool(true),
        )),
        _ => Ok(()),
    }
}

/// A decoder must be `ByteLevel` (or absent): it only maps the byte-level
/// alphabet back to bytes, which bytepair does.
fn check_byte_level_or_null(
    at: &str,
    value: &Value,
    unsupported: &impl Fn(&str, &Value) -> Error,
) -> Result<()> {
    match value.get("type").and_then(Value::as_str) {
        _ if value.is_null() => Ok(()),
        Some("ByteLevel") => Ok(()),
        _ => Err(unsupported(at, value)),
    }
}

/// A post-processor must not add tokens: `ByteLevel` (which only adjusts
/// offsets) or none. Templates that add a BOS token are refused, since
/// bytepair's ids would lack it.
fn check_post_processor(value: &Value, unsupported: &impl Fn(&str, &Value) -> Error) -> Result<()> {
    check_byte_level_or_null("post_processor", value, unsupported)
}

#[derive(Serialize)]
struct FileOut {
    version: &'static str,
    truncation: Value,
    padding: Value,
    added_tokens: Vec<AddedToken>,
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

/// The text of a tokenizer.json for `vocab` and `merges`, splitting with
/// `pattern` (spelled for HF's regex engine).
pub(crate) fn write(vocab: &Vocab, merges: &Merges, pattern: &str, ignore_merges: bool) -> String {
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
        .map(|(text, id)| AddedToken {
            id: *id,
            content: text.clone(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
            special: true,
        })
        .collect();
    let vocab_json = gpt2::write_vocab_json(vocab);
    let spelled = |id: u32| gpt2::token_text(vocab, id);
    let doc = FileOut {
        version: "1.0",
        truncation: Value::Null,
        padding: Value::Null,
        added_tokens,
        normalizer: Value::Null,
        pre_tokenizer,
        post_processor: byte_level(true),
        decoder: byte_level(true),
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
