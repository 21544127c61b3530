//! HF tokenizers' `tokenizer.json`: a BPE model and the pipeline around it.
//!
//! Read: the model (vocab and merges, the merges as `"a b"` strings or as
//! `["a", "b"]` pairs; a byte-level vocabulary when a `ByteLevel` stage is
//! present, else a character-level one, see `hf_char`), its options, the
//! added tokens with their flags, and the pipeline sections (`hf_pipeline`).
//! Every setting that would make HF encode differently and that bytepair
//! does not implement (a Unigram or WordPiece model, dropout, a word-chunk
//! prefix or suffix, a `Precompiled` normalizer, truncation, padding, ...) is
//! an error naming it: loading such a file anyway would silently give other
//! ids than HF.
//!
//! Written: the model with merges as pairs (unambiguous), as HF writes it,
//! and the pipeline sections as they were read; HF loads it and encodes
//! identically (checked by scripts/make_format_fixtures.py and
//! scripts/model_parity.py).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::gpt2;
use super::hf_char;
use super::hf_pipeline::{self, At};
use crate::error::{Error, ParseProblem, Result};
use crate::merges::Merges;
use crate::pipeline::{AddedToken, AddedTokens, JsonSections, Pipeline, Splitter};
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
    unk_token: Value,
    #[serde(default)]
    fuse_unk: Value,
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
    let format = |message: String| Error::json(file, message);
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
            // Unigram, WordPiece, WordLevel.
            return Err(unsupported("model.type", &Value::from(kind.as_str())));
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
    let flag = |setting: &str, value: &Value| match value {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        other => Err(unsupported(setting, other)),
    };
    let byte_fallback = flag("model.byte_fallback", &model.byte_fallback)?;
    let fuse_unk = flag("model.fuse_unk", &model.fuse_unk)?;
    let unk_token = match &model.unk_token {
        Value::Null => None,
        Value::String(s) => Some(s.as_str()),
        other => return Err(unsupported("model.unk_token", other)),
    };
    // Without a ByteLevel stage the vocabulary is made of characters, not
    // of GPT-2's byte-level alphabet: SentencePiece-style BPE.
    let char_level = !has_byte_level(&doc.pre_tokenizer) && !has_byte_level(&doc.decoder);
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
    let (vocab, merges, fallback) = if char_level {
        let pairs = merge_pairs(&model.merges, file)?;
        let options = hf_char::Options {
            byte_fallback,
            unk_token,
            fuse_unk,
        };
        let loaded = hf_char::load(model_vocab.get().as_bytes(), &pairs, &added, &options, file)?;
        (loaded.vocab, loaded.merges, Some(loaded.fallback))
    } else {
        // Tokens that no merge makes stay ordinary (unlike in GPT-2's
        // files, the added tokens are listed): HF returns one for a word
        // that is exactly it under `ignore_merges`, and never otherwise,
        // which the model's check of each token's own merge decides.
        let vocab_file = format!("{file} (model.vocab)");
        let vocab = gpt2::read_vocab_json(model_vocab.get().as_bytes(), &vocab_file, &added)?;
        let merges = read_merges(&model.merges, file, &vocab)?;
        (vocab, merges, None)
    };

    let token_id = |text: &str| {
        doc.added_tokens
            .iter()
            .find(|t| t.content == text)
            .map(|t| t.id)
            .or_else(|| crate::byte_level::text_to_bytes(text).and_then(|b| vocab.ordinary_id(&b)))
    };
    let post_processor =
        hf_pipeline::post_processor(&at("post_processor"), &doc.post_processor, &token_id)?;
    // A template that adds an id the tokenizer does not have would make ids
    // that nothing can decode.
    if let Some(post) = &post_processor {
        let known = |id: u32| {
            let placeholder = fallback.as_ref().is_some_and(|f| id >= f.first_placeholder);
            (vocab.bytes(id).is_some() && !placeholder)
                || doc.added_tokens.iter().any(|t| t.id == id)
        };
        if let Some((path, id)) = post
            .ids("post_processor")
            .into_iter()
            .find(|&(_, id)| !known(id))
        {
            let message = format!("{path}: id {id} is not a token of this tokenizer");
            return Err(Error::json(file, message));
        }
    }
    let added_tokens = doc.added_tokens.clone();
    let added = AddedTokens::new(added_tokens, normalizer.as_ref())?;
    let fast = Splitter::for_pre_tokenizer(pre_tokenizer.as_ref())?;
    let pipeline = Pipeline {
        fallback,
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

/// The merges as (left, right) pairs of token texts: a `"a b"` string is
/// split at its one space (as HF splits it), a pair is taken as it is.
fn merge_pairs<'m>(entries: &'m [MergeIn], file: &str) -> Result<Vec<(&'m str, &'m str)>> {
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| match entry {
            MergeIn::Pair(left, right) => Ok((left.as_str(), right.as_str())),
            MergeIn::Line(line) => match line.split_once(' ') {
                Some((left, right)) if !right.contains(' ') => Ok((left, right)),
                _ => Err(Error::parse(
                    format!("{file} (model.merges, entry)"),
                    Some(i + 1),
                    ParseProblem::BadMergeLine { text: line.clone() },
                )),
            },
        })
        .collect()
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
                    let problem = ParseProblem::BadMergeLine { text: line.clone() };
                    return Err(Error::parse(merges_file, Some(i + 1), problem));
                }
                text.push_str(line);
            }
            MergeIn::Pair(left, right) => {
                // Byte-level tokens never hold a space or a line end, so the
                // joined line splits back into the pair.
                if let Some(bad) = [left, right].into_iter().find(|t| t.contains([' ', '\n'])) {
                    let problem = ParseProblem::NotByteLevel { token: bad.clone() };
                    return Err(Error::parse(merges_file, Some(i + 1), problem));
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
    let (mut normalizer, mut post_processor, mut decoder) =
        (Value::Null, byte_level(true), byte_level(true));
    let (mut pre_tokenizer, mut added_tokens) = (pre_tokenizer, added_tokens);
    if let Some(pipeline) = pipeline {
        let json = &pipeline.json;
        normalizer = json.normalizer.clone();
        pre_tokenizer = json.pre_tokenizer.clone();
        post_processor = json.post_processor.clone();
        decoder = json.decoder.clone();
        added_tokens = pipeline.added.tokens.clone();
    }
    // HF keeps added tokens beside the model's vocabulary; one written into
    // it would also be found as a whole word.
    let added_only = |id: u32| {
        pipeline.is_some_and(|p| {
            p.added.by_id(id).is_some()
                && vocab
                    .bytes(id)
                    .is_none_or(|bytes| vocab.ordinary_id(bytes) != Some(id))
        })
    };
    let fallback = pipeline.and_then(|p| p.fallback.as_ref());
    let (vocab_json, merge_pairs) = match fallback {
        None => {
            let spelled = |id: u32| gpt2::token_text(vocab, id);
            let pairs = merges
                .iter()
                .map(|(left, right, _)| (spelled(left), spelled(right)))
                .collect();
            (gpt2::write_vocab_json_without(vocab, added_only), pairs)
        }
        Some(fallback) => {
            // A character-level vocabulary: tokens spelled as their text, the
            // byte tokens as `<0xNN>`; neither the placeholders nor the rules
            // that build characters from bytes are the file's.
            let spelled = |id: u32| match fallback.spellings.get(&id) {
                Some(spelling) => spelling.clone(),
                None => String::from_utf8_lossy(vocab.bytes(id).unwrap_or_default()).into_owned(),
            };
            let mut entries = serde_json::Map::new();
            for id in vocab.ids() {
                if id < fallback.first_placeholder && !added_only(id) {
                    entries.insert(spelled(id), Value::from(id));
                }
            }
            let pairs = merges
                .iter()
                .skip(fallback.building_rules)
                .map(|(left, right, _)| (spelled(left), spelled(right)))
                .collect();
            (Value::Object(entries).to_string(), pairs)
        }
    };
    let unk_token = fallback.and_then(|f| f.unk).map_or(Value::Null, |id| {
        match fallback.and_then(|f| f.spellings.get(&id)) {
            Some(spelling) => Value::from(spelling.as_str()),
            None => Value::from(String::from_utf8_lossy(vocab.bytes(id).unwrap_or_default())),
        }
    });
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
            unk_token,
            continuing_subword_prefix: Value::Null,
            end_of_word_suffix: Value::Null,
            fuse_unk: fallback.is_some_and(|f| f.fuse_unk),
            byte_fallback: fallback.is_some_and(|f| f.byte_tokens.is_some()),
            ignore_merges,
            vocab: RawValue::from_string(vocab_json).expect("vocabularies are written as JSON"),
            merges: merge_pairs,
        },
    };
    serde_json::to_string_pretty(&doc).expect("plain data serializes")
}
