//! The vocabulary and merges of a character-level (SentencePiece-style) BPE
//! in tokenizer.json: tokens are strings of characters (`▁the`), merging
//! starts from the characters of a word, and a character the vocabulary
//! lacks becomes its UTF-8 bytes' `<0xNN>` tokens (`byte_fallback`) or the
//! unknown token.
//!
//! bytepair's merge engine starts from bytes. A character-level model runs
//! on it unchanged with two additions, made here:
//!
//! - Rules that build every character of the vocabulary from its bytes,
//!   ranked before all of the model's rules. Merging always applies the
//!   lowest-ranked rule first, so every known character is whole before any
//!   of the model's rules applies: the same start as HF's. These rules never
//!   meet the model's (they join a byte or a partial character to a byte,
//!   which no model rule does), nor each other across characters (a partial
//!   character starts with a lead byte, and a lead byte never follows one
//!   in the middle of a character).
//! - Placeholder tokens, with ids after the vocabulary's, for the bytes and
//!   partial characters those rules go through. What is still a placeholder
//!   after merging is a character the vocabulary lacks; the pipeline turns
//!   it into byte tokens or the unknown token (see `pipeline::fallback`).

use std::collections::HashMap;

use super::json_object::{self, IdValue};
use crate::error::{Error, ParseProblem, Result};
use crate::merges::Merges;
use crate::pipeline::Fallback;
use crate::vocab::{TokenList, Vocab};

/// What the model section of a character-level tokenizer.json gives.
pub(crate) struct CharModel {
    pub(crate) vocab: Vocab,
    pub(crate) merges: Merges,
    pub(crate) fallback: Fallback,
}

/// The byte a `<0xNN>` token stands for (HF looks them up spelled with
/// upper-case hex digits).
fn byte_token(key: &str) -> Option<u8> {
    let hex = key.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

/// Options of the model section that shape a character-level model.
pub(crate) struct Options<'a> {
    pub(crate) byte_fallback: bool,
    pub(crate) unk_token: Option<&'a str>,
    pub(crate) fuse_unk: bool,
}

/// Reads `model.vocab` (`vocab_json`) and the merges (as `(left, right)`
/// with their 1-based positions for errors); `added` are the added tokens
/// as (content, id).
pub(crate) fn load(
    vocab_json: &[u8],
    merges: &[(&str, &str)],
    added: &[(String, u32)],
    options: &Options<'_>,
    file: &str,
) -> Result<CharModel> {
    let vocab_file = format!("{file} (model.vocab)");
    let object =
        json_object::read(vocab_json).map_err(|message| Error::json(&vocab_file, message))?;
    let mut list = TokenList::with_capacity(object.len() + added.len() + 512, vocab_json.len());
    let mut by_text: HashMap<&str, u32> = HashMap::with_capacity(object.len());
    let mut byte_tokens = [u32::MAX; 256];
    let mut spellings = HashMap::new();
    let mut max_id = 0u32;
    let added_ids: HashMap<&str, u32> = added.iter().map(|(t, id)| (t.as_str(), *id)).collect();
    for i in 0..object.len() {
        let (text, value) = object.entry(i);
        let id = match value {
            IdValue::Id(id) if id <= u32::MAX as u64 => id as u32,
            IdValue::Id(id) => return Err(bad_id(&vocab_file, text, id.to_string())),
            IdValue::Other(value) => return Err(bad_id(&vocab_file, text, value)),
        };
        max_id = max_id.max(id);
        by_text.insert(text, id);
        match byte_token(text).filter(|_| options.byte_fallback) {
            Some(byte) => {
                byte_tokens[byte as usize] = id;
                list.push_hidden(&[byte], id);
                spellings.insert(id, text.to_string());
            }
            None => {
                list.push_ordinary(text.as_bytes(), id);
                if added_ids.get(text) == Some(&id) {
                    list.push_special(text, id);
                }
            }
        }
    }
    for (text, id) in added {
        if by_text.get(text.as_str()) != Some(id) {
            list.push_special(text, *id);
        }
        max_id = max_id.max(*id);
    }

    // Placeholders: a token for each byte that is not a character of the
    // vocabulary, and for each partial character on the way to one that is.
    let first_placeholder = max_id
        .checked_add(1)
        .ok_or_else(|| Error::json(&vocab_file, "ids fill the u32 range"))?;
    let mut next = first_placeholder;
    let mut by_bytes: HashMap<Vec<u8>, u32> = HashMap::new();
    for b in 0..=255u8 {
        let text = [b];
        let known = std::str::from_utf8(&text).ok().and_then(|t| by_text.get(t));
        let id = match known {
            Some(&id) => id,
            None => {
                list.push_ordinary(&text, next);
                next += 1;
                next - 1
            }
        };
        by_bytes.insert(text.to_vec(), id);
    }
    // The characters of the vocabulary, sorted so that the rules (and
    // placeholder ids) do not depend on the file's order.
    let mut chars: Vec<(&str, u32)> = by_text
        .iter()
        .filter(|(t, _)| t.chars().count() == 1 && t.len() > 1)
        .filter(|(t, _)| !(options.byte_fallback && byte_token(t).is_some()))
        .map(|(t, id)| (*t, *id))
        .collect();
    chars.sort_unstable();
    let mut building: Vec<(u32, u32, u32)> = Vec::new();
    for (text, id) in chars {
        let bytes = text.as_bytes();
        for end in 2..=bytes.len() {
            let left = by_bytes[&bytes[..end - 1]];
            let right = by_bytes[&bytes[end - 1..end]];
            let made = if end == bytes.len() {
                id
            } else if let Some(&made) = by_bytes.get(&bytes[..end]) {
                made
            } else {
                list.push_ordinary(&bytes[..end], next);
                next += 1;
                next - 1
            };
            by_bytes.insert(bytes[..end].to_vec(), made);
            building.push((left, right, made));
        }
    }
    building.sort_unstable();
    building.dedup();

    let vocab = Vocab::new(list).map_err(|problem| {
        // Entries past the file's vocabulary are its added tokens and the
        // placeholders, which are all distinct.
        let token = |i: usize| match i < object.len() {
            true => object.entry(i).0.to_string(),
            false => format!("added token {}", i - object.len()),
        };
        let byte_token = |byte: u8| format!("<0x{byte:02X}>");
        let problem = super::vocab_problem(problem, token, byte_token, object.len());
        Error::parse(&vocab_file, None, problem)
    })?;
    let merges_file = format!("{file} (model.merges, entry)");
    let mut rules = Merges::with_capacity(building.len() + merges.len());
    for &(left, right, made) in &building {
        // Each prefix of a character has one rule: no duplicates here.
        let _ = rules.push(left, right, made);
    }
    let mut merged_text = String::new();
    for (i, &(left, right)) in merges.iter().enumerate() {
        let line = i + 1;
        let id_of = |token: &str| {
            if options.byte_fallback && byte_token(token).is_some() {
                // Merging starts from characters; a byte token is only ever
                // the fallback for a character, which bytepair adds after
                // merging.
                return Err(Error::Unsupported {
                    file: file.to_string(),
                    setting: format!("model.merges[{i}]"),
                    value: format!("{left:?} {right:?} (a merge of a byte-fallback token)"),
                });
            }
            vocab
                .ordinary_id(token.as_bytes())
                .filter(|&id| id < first_placeholder)
                .ok_or_else(|| {
                    let token = token.to_string();
                    Error::parse(
                        &merges_file,
                        Some(line),
                        ParseProblem::UnknownToken { token },
                    )
                })
        };
        let (l, r) = (id_of(left)?, id_of(right)?);
        merged_text.clear();
        merged_text.push_str(left);
        merged_text.push_str(right);
        let made = id_of(&merged_text)?;
        if let Err(rank) = rules.push(l, r, made) {
            // The building rules never join two tokens of the vocabulary.
            let problem = ParseProblem::DuplicateMerge {
                left: left.to_string(),
                right: right.to_string(),
                first_line: rank as usize - building.len() + 1,
            };
            return Err(Error::parse(merges_file, Some(line), problem));
        }
    }
    let unk = match options.unk_token {
        Some(text) => Some(*by_text.get(text).ok_or_else(|| {
            let message = format!("model.unk_token {text:?} is not in the vocabulary");
            Error::json(&vocab_file, message)
        })?),
        None => None,
    };
    if let Some(unk) = unk {
        spellings
            .entry(unk)
            .or_insert_with(|| options.unk_token.unwrap_or("").to_string());
    }
    Ok(CharModel {
        vocab,
        merges: rules,
        fallback: Fallback {
            first_placeholder,
            byte_tokens: options.byte_fallback.then_some(byte_tokens),
            unk,
            fuse_unk: options.fuse_unk,
            building_rules: building.len(),
            spellings,
        },
    })
}

fn bad_id(file: &str, token: &str, value: String) -> Error {
    let token = token.to_string();
    Error::parse(file, None, ParseProblem::BadId { token, value })
}
