//! Reading the pipeline sections of a tokenizer.json (`normalizer`,
//! `pre_tokenizer`, `post_processor`, `decoder`) into the pipeline's enums.
//!
//! Every component is checked against the kinds and options HF defines; one
//! that bytepair does not implement is an [`Error::Unsupported`] naming its
//! JSON path (`normalizer.normalizers[1]`) and its type, since loading it
//! anyway would give other ids than HF.

use std::collections::HashMap;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::pipeline::{
    Behavior, Decoder, Item, Normalizer, Pattern, PostProcessor, PreTokenizer, PrependScheme,
};

/// Where a component is, for errors.
pub(crate) struct At<'a> {
    pub(crate) file: &'a str,
    pub(crate) path: String,
}

impl At<'_> {
    fn child(&self, key: &str) -> At<'_> {
        At {
            file: self.file,
            path: format!("{}.{key}", self.path),
        }
    }

    fn index(&self, i: usize) -> At<'_> {
        At {
            file: self.file,
            path: format!("{}[{i}]", self.path),
        }
    }

    fn unsupported(&self, value: impl Into<String>) -> Error {
        Error::Unsupported {
            file: self.file.to_string(),
            setting: self.path.clone(),
            value: value.into(),
        }
    }

    fn format(&self, message: &str) -> Error {
        Error::json(self.file, format!("{}: {message}", self.path))
    }

    fn kind<'v>(&self, value: &'v Value) -> Result<&'v str> {
        value
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| self.format("expected an object with a \"type\""))
    }

    fn string<'v>(&self, value: &'v Value, key: &str) -> Result<&'v str> {
        value
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| self.child(key).format("expected a string"))
    }

    fn bool_or(&self, value: &Value, key: &str, default: bool) -> Result<bool> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.child(key).format("expected true or false")),
        }
    }

    fn char(&self, value: &Value, key: &str) -> Result<char> {
        let s = self.string(value, key)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(self.child(key).format("expected one character")),
        }
    }

    fn list<'v>(&self, value: &'v Value, key: &str) -> Result<&'v Vec<Value>> {
        value
            .get(key)
            .and_then(Value::as_array)
            .ok_or_else(|| self.child(key).format("expected a list"))
    }
}

/// A `{"String": ...}` or `{"Regex": ...}` pattern.
fn pattern(at: &At<'_>, value: Option<&Value>) -> Result<Pattern> {
    let value = value.unwrap_or(&Value::Null);
    if let Some(literal) = value.get("String").and_then(Value::as_str) {
        return Ok(Pattern::Literal(literal.to_string()));
    }
    let Some(regex) = value.get("Regex").and_then(Value::as_str) else {
        return Err(at.format("expected {\"String\": ...} or {\"Regex\": ...}"));
    };
    if crate::pretokenize::has_possessive_interval(regex) {
        // Oniguruma reads `{n,m}+` as a repetition, fancy-regex as
        // possessive: the matches would differ.
        return Err(at.unsupported(format!("{regex:?} (an interval followed by +)")));
    }
    Pattern::regex(regex)
}

/// The parts of a `Sequence` (under `key`), each read by `read`; a part that
/// is `null` is left out.
fn sequence<T>(
    at: &At<'_>,
    value: &Value,
    key: &str,
    read: impl Fn(&At<'_>, &Value) -> Result<Option<T>>,
) -> Result<Vec<T>> {
    let list = at.list(value, key)?;
    let list_at = at.child(key);
    let mut parts = Vec::with_capacity(list.len());
    for (i, part) in list.iter().enumerate() {
        parts.extend(read(&list_at.index(i), part)?);
    }
    Ok(parts)
}

/// The `normalizer` section.
pub(crate) fn normalizer(at: &At<'_>, value: &Value) -> Result<Option<Normalizer>> {
    if value.is_null() {
        return Ok(None);
    }
    let kind = at.kind(value)?;
    Ok(Some(match kind {
        "NFC" => Normalizer::Nfc,
        "NFD" => Normalizer::Nfd,
        "NFKC" => Normalizer::Nfkc,
        "NFKD" => Normalizer::Nfkd,
        "Lowercase" => Normalizer::Lowercase,
        "Strip" => Normalizer::Strip {
            left: at.bool_or(value, "strip_left", true)?,
            right: at.bool_or(value, "strip_right", true)?,
        },
        "StripAccents" => Normalizer::StripAccents,
        "Replace" => Normalizer::Replace {
            pattern: pattern(&at.child("pattern"), value.get("pattern"))?,
            content: at.string(value, "content")?.to_string(),
        },
        "Prepend" => Normalizer::Prepend(at.string(value, "prepend")?.to_string()),
        "Sequence" => Normalizer::Sequence(sequence(at, value, "normalizers", normalizer)?),
        other => return Err(at.unsupported(other)),
    }))
}

fn behavior(at: &At<'_>, value: &Value, default: Behavior) -> Result<Behavior> {
    match value.get("behavior") {
        None | Some(Value::Null) => Ok(default),
        Some(b) => b
            .as_str()
            .and_then(Behavior::from_name)
            .ok_or_else(|| at.child("behavior").unsupported(b.to_string())),
    }
}

fn prepend_scheme(at: &At<'_>, value: &Value) -> Result<PrependScheme> {
    match value.get("prepend_scheme").and_then(Value::as_str) {
        Some("always") => Ok(PrependScheme::Always),
        Some("first") => Ok(PrependScheme::First),
        Some("never") => Ok(PrependScheme::Never),
        Some(other) => Err(at.child("prepend_scheme").unsupported(other)),
        // Files written before `prepend_scheme` existed.
        None => Ok(if at.bool_or(value, "add_prefix_space", true)? {
            PrependScheme::Always
        } else {
            PrependScheme::Never
        }),
    }
}

/// The `pre_tokenizer` section.
pub(crate) fn pre_tokenizer(at: &At<'_>, value: &Value) -> Result<Option<PreTokenizer>> {
    if value.is_null() {
        return Ok(None);
    }
    let kind = at.kind(value)?;
    Ok(Some(match kind {
        "Split" => PreTokenizer::Split {
            pattern: pattern(&at.child("pattern"), value.get("pattern"))?,
            behavior: behavior(at, value, Behavior::Isolated)?,
            invert: at.bool_or(value, "invert", false)?,
        },
        "ByteLevel" => PreTokenizer::ByteLevel {
            add_prefix_space: at.bool_or(value, "add_prefix_space", true)?,
            use_regex: at.bool_or(value, "use_regex", true)?,
        },
        "Digits" => PreTokenizer::Digits {
            individual: at.bool_or(value, "individual_digits", false)?,
        },
        "Punctuation" => PreTokenizer::Punctuation(behavior(at, value, Behavior::Isolated)?),
        "Whitespace" => PreTokenizer::whitespace(),
        "WhitespaceSplit" => PreTokenizer::WhitespaceSplit,
        "BertPreTokenizer" => PreTokenizer::Bert,
        "CharDelimiterSplit" => PreTokenizer::CharDelimiter(at.char(value, "delimiter")?),
        "Metaspace" => PreTokenizer::Metaspace {
            replacement: at.char(value, "replacement")?,
            prepend: prepend_scheme(at, value)?,
            split: at.bool_or(value, "split", true)?,
        },
        "Sequence" => PreTokenizer::Sequence(sequence(at, value, "pretokenizers", pre_tokenizer)?),
        other => return Err(at.unsupported(other)),
    }))
}

/// The `decoder` section.
pub(crate) fn decoder(at: &At<'_>, value: &Value) -> Result<Option<Decoder>> {
    if value.is_null() {
        return Ok(None);
    }
    let kind = at.kind(value)?;
    Ok(Some(match kind {
        "ByteLevel" => Decoder::ByteLevel,
        "Replace" => Decoder::Replace {
            pattern: pattern(&at.child("pattern"), value.get("pattern"))?,
            content: at.string(value, "content")?.to_string(),
        },
        "Strip" => {
            let count = |key: &str| {
                value
                    .get(key)
                    .and_then(Value::as_u64)
                    .map(|n| n as usize)
                    .ok_or_else(|| at.child(key).format("expected a count"))
            };
            Decoder::Strip {
                content: at.char(value, "content")?,
                start: count("start")?,
                stop: count("stop")?,
            }
        }
        "Fuse" => Decoder::Fuse,
        "ByteFallback" => Decoder::ByteFallback,
        "Metaspace" => Decoder::Metaspace {
            replacement: at.char(value, "replacement")?,
            prepend: prepend_scheme(at, value)?,
        },
        "BPEDecoder" => Decoder::Bpe {
            suffix: value
                .get("suffix")
                .and_then(Value::as_str)
                .unwrap_or("</w>")
                .to_string(),
        },
        "Sequence" => Decoder::Sequence(sequence(at, value, "decoders", decoder)?),
        other => return Err(at.unsupported(other)),
    }))
}

/// The `post_processor` section; `token_id` finds a token's id by its text.
pub(crate) fn post_processor(
    at: &At<'_>,
    value: &Value,
    token_id: &impl Fn(&str) -> Option<u32>,
) -> Result<Option<PostProcessor>> {
    if value.is_null() {
        return Ok(None);
    }
    let kind = at.kind(value)?;
    // `[text, id]`, as RoBERTa's and BERT's processors write `cls` and `sep`.
    let pair = |key: &str| -> Result<u32> {
        let v = value.get(key);
        let id = v
            .and_then(|v| v.get(1))
            .and_then(Value::as_u64)
            .and_then(|id| u32::try_from(id).ok());
        id.ok_or_else(|| at.child(key).format("expected [token, id]"))
    };
    Ok(Some(match kind {
        "ByteLevel" => PostProcessor::ByteLevel {
            trim_offsets: at.bool_or(value, "trim_offsets", true)?,
            add_prefix_space: at.bool_or(value, "add_prefix_space", true)?,
        },
        "RobertaProcessing" => PostProcessor::Roberta {
            cls: pair("cls")?,
            sep: pair("sep")?,
            trim_offsets: at.bool_or(value, "trim_offsets", true)?,
            add_prefix_space: at.bool_or(value, "add_prefix_space", true)?,
        },
        "BertProcessing" => PostProcessor::Bert {
            cls: pair("cls")?,
            sep: pair("sep")?,
        },
        "TemplateProcessing" => {
            let single = template(&at.child("single"), value.get("single"))?;
            let pair = match value.get("pair") {
                None | Some(Value::Null) => Vec::new(),
                some => template(&at.child("pair"), some)?,
            };
            let mut specials = HashMap::new();
            let specials_at = at.child("special_tokens");
            if let Some(map) = value.get("special_tokens").and_then(Value::as_object) {
                for (name, token) in map {
                    let token_at = specials_at.child(name);
                    let ids: Option<Vec<u32>> =
                        token.get("ids").and_then(Value::as_array).map(|ids| {
                            ids.iter()
                                .filter_map(|id| id.as_u64().and_then(|id| u32::try_from(id).ok()))
                                .collect()
                        });
                    let ids = ids.ok_or_else(|| token_at.format("expected \"ids\""))?;
                    specials.insert(name.clone(), ids);
                }
            }
            for item in single.iter().chain(&pair) {
                if let Item::Special(name) = item {
                    if !specials.contains_key(name) {
                        // HF refuses such a template too.
                        let ids = token_id(name)
                            .ok_or_else(|| at.format(&format!("no special token {name:?}")))?;
                        specials.insert(name.clone(), vec![ids]);
                    }
                }
            }
            PostProcessor::Template {
                single,
                pair,
                specials,
            }
        }
        "Sequence" => {
            PostProcessor::Sequence(sequence(at, value, "processors", |part_at, part| {
                post_processor(part_at, part, token_id)
            })?)
        }
        other => return Err(at.unsupported(other)),
    }))
}

/// A template: a list of `{"SpecialToken": {"id": ...}}` and
/// `{"Sequence": {"id": "A"}}`.
fn template(at: &At<'_>, value: Option<&Value>) -> Result<Vec<Item>> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| at.format("expected a list"))?;
    let mut items = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let item_at = at.index(i);
        if let Some(special) = item.get("SpecialToken") {
            items.push(Item::Special(item_at.string(special, "id")?.to_string()));
        } else if let Some(sequence) = item.get("Sequence") {
            items.push(match item_at.string(sequence, "id")? {
                "A" => Item::SequenceA,
                "B" => Item::SequenceB,
                other => return Err(item_at.unsupported(other)),
            });
        } else {
            return Err(item_at.format("expected SpecialToken or Sequence"));
        }
    }
    Ok(items)
}
