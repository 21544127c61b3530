//! GPT-2's two files: `vocab.json` (token -> id) and `merges.txt` (ordered
//! merge rules), read strictly and written as OpenAI and HF tokenizers write
//! them.
//!
//! Reading rules (see FORMATS.md in the reference material and DESIGN.md):
//! - vocab.json is one JSON object of string keys and integer ids in
//!   `0..=u32::MAX`; a repeated key or a repeated id is an error.
//! - merges.txt: an optional first line starting with `#version`; then one
//!   merge per line, two tokens separated by exactly one space. `\r\n` line
//!   endings and blank lines are accepted. Line numbers in errors count every
//!   line of the file, from 1.
//! - Tokens are written in GPT-2's byte-level alphabet. A vocabulary entry
//!   that is neither one of the 256 byte tokens nor the result of a merge
//!   (GPT-2's `<|endoftext|>`) is a special token, kept as literal text.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};

use crate::byte_level::{BYTE_TO_CHAR, bytes_to_text, text_to_bytes};
use crate::error::{Error, Result};
use crate::hash::{FxHashMap, FxHashSet};
use crate::merges::Merges;
use crate::vocab::{Token, Vocab, VocabProblem};

/// vocab.json's entries in file order, repeated keys kept.
struct Entries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object mapping token strings to integer ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// Parses vocab.json into (token text, id) pairs in file order.
fn parse_vocab_json(json: &[u8], file: &str) -> Result<Vec<(String, u32)>> {
    let Entries(entries) = serde_json::from_slice(json).map_err(|e| Error::VocabFormat {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    seen.reserve(entries.len());
    for (token, _) in &entries {
        if !seen.insert(token.as_str()) {
            return Err(Error::VocabDuplicateToken {
                file: file.to_string(),
                token: token.clone(),
            });
        }
    }
    drop(seen);
    entries
        .into_iter()
        .map(|(token, value)| {
            match value.as_u64().and_then(|id| u32::try_from(id).ok()) {
                Some(id) => Ok((token, id)),
                None => Err(Error::VocabBadId {
                    file: file.to_string(),
                    token,
                    value: value.to_string(),
                }),
            }
        })
        .collect()
}

/// One parsed merges line: the two tokens (vocabulary entry indices) and the
/// 1-based line number.
struct MergeLine {
    left: usize,
    right: usize,
    merged: usize,
    line: usize,
}

/// Parses merges.txt against the vocabulary entries.
fn parse_merges_txt(
    text: &[u8],
    file: &str,
    entries: &[(String, u32)],
) -> Result<Vec<MergeLine>> {
    let index_of: FxHashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, (token, _))| (token.as_str(), i))
        .collect();
    let mut merges = Vec::new();
    let mut merged_text = String::new();
    let mut offset = 0;
    for (line_index, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line_number = line_index + 1;
        let line_offset = offset;
        offset += raw.len() + 1;
        let line = std::str::from_utf8(raw).map_err(|e| Error::NotUtf8 {
            file: file.to_string(),
            line: line_number,
            offset: line_offset + e.valid_up_to(),
        })?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || (line_number == 1 && line.starts_with("#version")) {
            continue;
        }
        let bad_line = || Error::MergesBadLine {
            file: file.to_string(),
            line: line_number,
            text: line.to_string(),
        };
        let (left, right) = line.split_once(' ').ok_or_else(bad_line)?;
        if left.is_empty() || right.is_empty() || right.contains(' ') {
            return Err(bad_line());
        }
        let lookup = |token: &str| -> Result<usize> {
            let index = *index_of.get(token).ok_or_else(|| Error::MergesUnknownToken {
                file: file.to_string(),
                line: line_number,
                token: token.to_string(),
            })?;
            if text_to_bytes(token).is_none() {
                return Err(Error::MergesNotByteLevel {
                    file: file.to_string(),
                    line: line_number,
                    token: token.to_string(),
                });
            }
            Ok(index)
        };
        let left_index = lookup(left)?;
        let right_index = lookup(right)?;
        merged_text.clear();
        merged_text.push_str(left);
        merged_text.push_str(right);
        let merged_index = lookup(&merged_text)?;
        merges.push(MergeLine {
            left: left_index,
            right: right_index,
            merged: merged_index,
            line: line_number,
        });
    }
    Ok(merges)
}

/// Reads GPT-2 style `vocab.json` and `merges.txt` contents. `vocab_file` and
/// `merges_file` name the sources in errors.
pub(crate) fn load(
    vocab_json: &[u8],
    vocab_file: &str,
    merges_txt: &[u8],
    merges_file: &str,
) -> Result<(Vocab, Merges)> {
    let entries = parse_vocab_json(vocab_json, vocab_file)?;
    let merge_lines = parse_merges_txt(merges_txt, merges_file, &entries)?;

    // Ordinary tokens are the byte tokens and the merge results; every other
    // entry is special.
    let mut ordinary = vec![false; entries.len()];
    for m in &merge_lines {
        ordinary[m.merged] = true;
    }
    for (is_ordinary, (token, _)) in ordinary.iter_mut().zip(&entries) {
        let mut chars = token.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            if crate::byte_level::char_to_byte(c).is_some() {
                *is_ordinary = true;
            }
        }
    }
    let tokens = entries
        .iter()
        .zip(&ordinary)
        .map(|((text, id), &is_ordinary)| {
            let token = match text_to_bytes(text) {
                Some(bytes) if is_ordinary => Token::Ordinary(bytes),
                _ => Token::Special(text.clone()),
            };
            (token, *id)
        })
        .collect();
    let vocab = Vocab::new(tokens).map_err(|problem| {
        let file = vocab_file.to_string();
        let text = |i: usize| entries[i].0.clone();
        match problem {
            VocabProblem::DuplicateId { id, first, second } => Error::VocabDuplicateId {
                file,
                id,
                first: text(first),
                second: text(second),
            },
            VocabProblem::DuplicateToken { index } => Error::VocabDuplicateToken {
                file,
                token: text(index),
            },
            VocabProblem::EmptyToken => Error::VocabEmptyToken { file },
            VocabProblem::MissingByte(byte) => Error::MissingByteToken {
                file,
                byte,
                token: BYTE_TO_CHAR[byte as usize].to_string(),
            },
            VocabProblem::SparseId { id, index } => Error::VocabSparseId {
                file,
                token: text(index),
                id,
                count: entries.len(),
            },
        }
    })?;

    let mut merges = Merges::with_capacity(merge_lines.len());
    let mut line_of_rank = Vec::with_capacity(merge_lines.len());
    for m in &merge_lines {
        let (left, right, merged) = (entries[m.left].1, entries[m.right].1, entries[m.merged].1);
        if let Err(rank) = merges.push(left, right, merged) {
            return Err(Error::MergesDuplicate {
                file: merges_file.to_string(),
                line: m.line,
                first_line: line_of_rank[rank as usize],
                left: entries[m.left].0.clone(),
                right: entries[m.right].0.clone(),
            });
        }
        line_of_rank.push(m.line);
    }
    Ok((vocab, merges))
}

/// The text of `vocab.json`: compact, in id order, special tokens literal.
pub(crate) fn write_vocab_json(vocab: &Vocab) -> String {
    let mut out = String::with_capacity(vocab.len() * 16);
    out.push('{');
    for (n, id) in vocab.ids().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let text = token_text(vocab, id);
        out.push_str(&serde_json::to_string(&text).expect("strings serialize"));
        out.push(':');
        out.push_str(&id.to_string());
    }
    out.push('}');
    out
}

/// The text of `merges.txt`: the `#version: 0.2` header, then one rule a line.
pub(crate) fn write_merges_txt(vocab: &Vocab, merges: &Merges) -> String {
    let mut out = String::with_capacity(merges.len() * 10 + 16);
    out.push_str("#version: 0.2\n");
    for (left, right, _) in merges.iter() {
        out.push_str(&token_text(vocab, left));
        out.push(' ');
        out.push_str(&token_text(vocab, right));
        out.push('\n');
    }
    out
}

/// How token `id` is written in vocab.json and merges.txt.
pub(crate) fn token_text(vocab: &Vocab, id: u32) -> String {
    let bytes = vocab.bytes(id).unwrap_or_default();
    if vocab.is_special(id) {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        bytes_to_text(bytes)
    }
}
