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

use super::json_object::{self, IdValue, Object};
use crate::byte_level::{self, BYTE_TO_CHAR, bytes_to_text};
use crate::error::{Error, Result};
use crate::hash::ByteTable;
use crate::merges::Merges;
use crate::vocab::{TokenList, Vocab, VocabProblem};

/// The parsed vocab.json with a lookup from bytes to entries. Entries are
/// numbered in file order.
struct VocabEntries {
    object: Object,
    ids: Vec<u32>,
    /// Where each entry's bytes are in `bytes`; empty for a key that is not
    /// written in the byte-level alphabet.
    spans: Vec<(usize, usize)>,
    /// Byte-level keys decoded to bytes, one after another.
    bytes: Vec<u8>,
    /// Byte-level entries by their bytes (values are entry indices).
    by_bytes: ByteTable,
}

impl VocabEntries {
    fn len(&self) -> usize {
        self.ids.len()
    }

    /// The key of entry `index` as written (after JSON unescaping).
    fn text(&self, index: usize) -> &str {
        self.object.entry(index).0
    }

    fn bytes_of(&self, index: u32) -> &[u8] {
        let (start, end) = self.spans[index as usize];
        &self.bytes[start..end]
    }

    fn find(&self, bytes: &[u8]) -> Option<u32> {
        self.by_bytes.get(bytes, |i| self.bytes_of(i))
    }
}

/// Parses vocab.json.
fn parse_vocab_json(json: &[u8], file: &str) -> Result<VocabEntries> {
    let object = json_object::read(json).map_err(|message| Error::VocabFormat {
        file: file.to_string(),
        message,
    })?;
    let mut ids = Vec::with_capacity(object.len());
    let mut spans = Vec::with_capacity(object.len());
    let mut bytes = Vec::with_capacity(json.len() / 2);
    for i in 0..object.len() {
        let (text, value) = object.entry(i);
        ids.push(match value {
            IdValue::Id(id) if id <= u32::MAX as u64 => id as u32,
            IdValue::Id(id) => return id_error(file, text, id.to_string()),
            IdValue::Other(value) => return id_error(file, text, value),
        });
        let start = bytes.len();
        if !byte_level::decode_into(text.as_bytes(), &mut bytes) {
            bytes.truncate(start);
        }
        spans.push((start, bytes.len()));
    }
    let mut vocab = VocabEntries {
        object,
        ids,
        spans,
        bytes,
        by_bytes: ByteTable::with_capacity(0),
    };
    let mut by_bytes = ByteTable::with_capacity(vocab.len());
    for index in 0..vocab.len() as u32 {
        let key = vocab.bytes_of(index);
        if !key.is_empty() && by_bytes.insert(key, index, |i| vocab.bytes_of(i)).is_some() {
            return Err(Error::VocabDuplicateToken {
                file: file.to_string(),
                token: vocab.text(index as usize).to_string(),
            });
        }
    }
    vocab.by_bytes = by_bytes;
    Ok(vocab)
}

fn id_error<T>(file: &str, token: &str, value: String) -> Result<T> {
    Err(Error::VocabBadId {
        file: file.to_string(),
        token: token.to_string(),
        value,
    })
}

/// One parsed merges line: the two tokens and their concatenation as
/// vocabulary entry indices, and the 1-based line number.
struct MergeLine {
    left: u32,
    right: u32,
    merged: u32,
    line: u32,
}

/// Parses merges.txt against the vocabulary entries.
fn parse_merges_txt(text: &[u8], file: &str, vocab: &VocabEntries) -> Result<Vec<MergeLine>> {
    let mut merges = Vec::with_capacity(text.len() / 8);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for (line_index, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line_number = line_index + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() || (line_number == 1 && line.starts_with(b"#version")) {
            continue;
        }
        // The fast path decodes the byte-level text straight from the raw
        // line; anything unusual goes to `merge_line_error`, which explains it.
        let parsed = line.iter().position(|&b| b == b' ').and_then(|space| {
            let (l, r) = (&line[..space], &line[space + 1..]);
            left.clear();
            right.clear();
            let well_formed = !l.is_empty()
                && byte_level::decode_into(l, &mut left)
                && !r.is_empty()
                && byte_level::decode_into(r, &mut right);
            if !well_formed {
                return None;
            }
            let left_index = vocab.find(&left)?;
            let right_index = vocab.find(&right)?;
            left.extend_from_slice(&right);
            let merged = vocab.find(&left)?;
            Some(MergeLine {
                left: left_index,
                right: right_index,
                merged,
                line: line_number as u32,
            })
        });
        match parsed {
            Some(merge) => merges.push(merge),
            None => {
                let offset = raw.as_ptr() as usize - text.as_ptr() as usize;
                return Err(merge_line_error(line, line_number, offset, file, vocab));
            }
        }
    }
    Ok(merges)
}

/// Why merges line `line_number` (its bytes `line`, starting at `offset` in
/// the file) could not be parsed.
fn merge_line_error(
    line: &[u8],
    line_number: usize,
    offset: usize,
    file: &str,
    vocab: &VocabEntries,
) -> Error {
    let file = file.to_string();
    let line = match std::str::from_utf8(line) {
        Ok(line) => line,
        Err(e) => {
            return Error::NotUtf8 {
                file,
                line: line_number,
                offset: offset + e.valid_up_to(),
            };
        }
    };
    let Some((left, right)) = line
        .split_once(' ')
        .filter(|(l, r)| !l.is_empty() && !r.is_empty() && !r.contains(' '))
    else {
        return Error::MergesBadLine {
            file,
            line: line_number,
            text: line.to_string(),
        };
    };
    let merged = format!("{left}{right}");
    for token in [left, right, &merged] {
        let mut bytes = Vec::new();
        let error = if !byte_level::decode_into(token.as_bytes(), &mut bytes) {
            if (0..vocab.len()).any(|i| vocab.text(i) == token) {
                Error::MergesNotByteLevel {
                    file,
                    line: line_number,
                    token: token.to_string(),
                }
            } else {
                Error::MergesUnknownToken {
                    file,
                    line: line_number,
                    token: token.to_string(),
                }
            }
        } else if vocab.find(&bytes).is_none() {
            Error::MergesUnknownToken {
                file,
                line: line_number,
                token: token.to_string(),
            }
        } else {
            continue;
        };
        return error;
    }
    // Not reached: the fast path fails only for the reasons checked above.
    Error::MergesBadLine {
        file,
        line: line_number,
        text: line.to_string(),
    }
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
    let mut ordinary: Vec<bool> = (0..entries.len() as u32)
        .map(|i| entries.bytes_of(i).len() == 1)
        .collect();
    for m in &merge_lines {
        ordinary[m.merged as usize] = true;
    }
    let mut list = TokenList::with_capacity(entries.len(), entries.bytes.len());
    for (index, &id) in entries.ids.iter().enumerate() {
        if ordinary[index] {
            list.push_ordinary(entries.bytes_of(index as u32), id);
        } else {
            list.push_special(entries.text(index), id);
        }
    }
    let vocab = Vocab::new(list).map_err(|problem| {
        let file = vocab_file.to_string();
        let text = |i: usize| entries.text(i).to_string();
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
            VocabProblem::TooLarge => Error::VocabFormat {
                file,
                message: "more than 4 GiB of token bytes".to_string(),
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
        let id = |index: u32| entries.ids[index as usize];
        if let Err(rank) = merges.push(id(m.left), id(m.right), id(m.merged)) {
            return Err(Error::MergesDuplicate {
                file: merges_file.to_string(),
                line: m.line as usize,
                first_line: line_of_rank[rank as usize] as usize,
                left: entries.text(m.left as usize).to_string(),
                right: entries.text(m.right as usize).to_string(),
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
