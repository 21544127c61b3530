//! GPT-2's two files: `vocab.json` (token -> id) and `merges.txt` (ordered
//! merge rules), read strictly and written as OpenAI and HF tokenizers write
//! them.
//!
//! Reading rules (DESIGN.md, section 1b):
//! - vocab.json is one JSON object of string keys and integer ids in
//!   `0..=u32::MAX`; a repeated key or a repeated id is an error.
//! - merges.txt: an optional first line starting with `#version`; then one
//!   merge per line, two tokens separated by exactly one space. `\r\n` line
//!   endings and blank lines are accepted. Line numbers in errors count every
//!   line of the file, from 1.
//! - Tokens are written in GPT-2's byte-level alphabet. A vocabulary entry
//!   that is neither one of the 256 byte tokens nor part of a merge
//!   (GPT-2's `<|endoftext|>`) is a special token, kept as literal text.

use super::json_object::{self, IdValue};
use crate::byte_level::{self, BYTE_TO_CHAR, bytes_to_text};
use crate::error::{Error, ParseProblem, Result};
use crate::merges::Merges;
use crate::vocab::{TokenList, Vocab};

fn id_error<T>(file: &str, token: &str, value: String) -> Result<T> {
    Err(Error::parse(
        file,
        None,
        ParseProblem::BadId {
            token: token.to_string(),
            value,
        },
    ))
}

/// Reads vocab.json: every key written in the byte-level alphabet becomes an
/// ordinary token for now (the merges decide which stay ordinary), any other
/// key a special token. `added` are further special tokens (a
/// tokenizer.json's added tokens), which may repeat a key with its id.
pub(crate) fn read_vocab_json(json: &[u8], file: &str, added: &[(String, u32)]) -> Result<Vocab> {
    let object = json_object::read(json).map_err(|message| Error::json(file, message))?;
    let mut list = TokenList::with_capacity(object.len() + added.len(), json.len() / 2);
    let mut bytes = Vec::new();
    let mut special_keys = Vec::new();
    let added_ids: std::collections::HashMap<&str, u32> =
        added.iter().map(|(t, id)| (t.as_str(), *id)).collect();
    for i in 0..object.len() {
        let (text, value) = object.entry(i);
        let id = match value {
            IdValue::Id(id) if id <= u32::MAX as u64 => id as u32,
            IdValue::Id(id) => return id_error(file, text, id.to_string()),
            IdValue::Other(value) => return id_error(file, text, value),
        };
        bytes.clear();
        let byte_level = byte_level::decode_into(text.as_bytes(), &mut bytes) && !bytes.is_empty();
        // A key that an added token repeats with its id is that special
        // token; it is also an ordinary token only if its byte-level reading
        // is the same text (`<|endoftext|>`, or a special token a trainer
        // learned), never two different strings under one id.
        let added_here = added_ids.get(text) == Some(&id);
        if byte_level && (!added_here || bytes == text.as_bytes()) {
            list.push_ordinary(&bytes, id);
        } else {
            list.push_special(text, id);
            special_keys.push((text, id));
        }
    }
    for (text, id) in added {
        // A special key that the added tokens repeat is one token.
        if !special_keys.contains(&(text.as_str(), *id)) {
            list.push_special(text, *id);
        }
    }
    Vocab::new(list).map_err(|problem| {
        // List indices past the object's entries are added tokens.
        let text = |i: usize| match i.checked_sub(object.len()) {
            None => object.entry(i).0.to_string(),
            Some(a) => added
                .iter()
                .map(|(t, _)| t)
                .filter(|t| !special_keys.iter().any(|(k, _)| k == t))
                .nth(a)
                .cloned()
                .unwrap_or_default(),
        };
        let byte_token = |byte: u8| BYTE_TO_CHAR[byte as usize].to_string();
        let problem = super::vocab_problem(problem, text, byte_token, object.len());
        Error::parse(file, None, problem)
    })
}

/// Reads merges.txt against the vocabulary.
pub(crate) fn read_merges_txt(text: &[u8], file: &str, vocab: &Vocab) -> Result<Merges> {
    let mut merges = Merges::with_capacity(text.len() / 8);
    let mut line_of_rank: Vec<u32> = Vec::with_capacity(text.len() / 8);
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
            let left_id = vocab.ordinary_id(&left)?;
            let right_id = vocab.ordinary_id(&right)?;
            left.extend_from_slice(&right);
            Some((left_id, right_id, vocab.ordinary_id(&left)?))
        });
        let Some((left_id, right_id, merged)) = parsed else {
            let offset = raw.as_ptr() as usize - text.as_ptr() as usize;
            return Err(merge_line_error(line, line_number, offset, file, vocab));
        };
        if let Err(rank) = merges.push(left_id, right_id, merged) {
            let spelled = |id: u32| bytes_to_text(vocab.bytes(id).unwrap_or_default());
            let problem = ParseProblem::DuplicateMerge {
                first_line: line_of_rank[rank as usize] as usize,
                left: spelled(left_id),
                right: spelled(right_id),
            };
            return Err(Error::parse(file, Some(line_number), problem));
        }
        line_of_rank.push(line_number as u32);
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
    vocab: &Vocab,
) -> Error {
    let at_line = |problem| Error::parse(file, Some(line_number), problem);
    let line = match std::str::from_utf8(line) {
        Ok(line) => line,
        Err(e) => return Error::invalid_utf8(format!("{file}:{line_number}"), line, e, offset),
    };
    let Some((left, right)) = line
        .split_once(' ')
        .filter(|(l, r)| !l.is_empty() && !r.is_empty() && !r.contains(' '))
    else {
        let text = line.to_string();
        return at_line(ParseProblem::BadMergeLine { text });
    };
    let merged = format!("{left}{right}");
    for token in [left, right, &merged] {
        let mut bytes = Vec::new();
        let token_string = token.to_string();
        let problem = if !byte_level::decode_into(token.as_bytes(), &mut bytes) {
            if vocab.specials().iter().any(|(text, _)| text == token) {
                ParseProblem::NotByteLevel {
                    token: token_string,
                }
            } else {
                ParseProblem::UnknownToken {
                    token: token_string,
                }
            }
        } else if vocab.ordinary_id(&bytes).is_none() {
            ParseProblem::UnknownToken {
                token: token_string,
            }
        } else {
            continue;
        };
        return at_line(problem);
    }
    // Not reached: the fast path fails only for the reasons checked above.
    at_line(ParseProblem::BadMergeLine {
        text: line.to_string(),
    })
}

/// Reads GPT-2 style `vocab.json` and `merges.txt` contents. `vocab_file` and
/// `merges_file` name the sources in errors.
pub(crate) fn load(
    vocab_json: &[u8],
    vocab_file: &str,
    merges_txt: &[u8],
    merges_file: &str,
) -> Result<(Vocab, Merges)> {
    let mut vocab = read_vocab_json(vocab_json, vocab_file, &[])?;
    let merges = read_merges_txt(merges_txt, merges_file, &vocab)?;
    demote_unmade(&mut vocab, &merges, merges_file)?;
    Ok((vocab, merges))
}

/// How many tokens no merge makes [`ParseProblem::UnmadeTokens`] names.
const UNMADE_NAMED: usize = 5;

/// Makes special every multi-byte ordinary token that no merge produces or
/// uses (GPT-2's `<|endoftext|>`), kept as its vocab.json key.
///
/// The format has no other way to mark special tokens, so a merges.txt cut
/// short would make specials of every token its missing lines produce, and
/// `encode_with_special_tokens` would then match them inside text. Only
/// tokens written as control tokens (`<...>`, `[...]`) are taken as special;
/// any other is an error naming `merges_file`.
fn demote_unmade(vocab: &mut Vocab, merges: &Merges, merges_file: &str) -> Result<()> {
    // Tokens that a rule makes or uses are ordinary, even one that no rule
    // makes (its rules can never fire, but it is part of the merge list).
    let mut made = vec![false; vocab.id_bound()];
    for (left, right, merged) in merges.iter() {
        for id in [left, right, merged] {
            made[id as usize] = true;
        }
    }
    // Multi-byte tokens that the ordinary lookup would find.
    let unmade: Vec<u32> = vocab
        .ids()
        .filter(|&id| !made[id as usize])
        .filter(|&id| {
            let bytes = vocab.bytes(id).unwrap_or_default();
            bytes.len() > 1 && vocab.ordinary_id(bytes) == Some(id)
        })
        .collect();
    let looks_special = |id: u32| {
        let bytes = vocab.bytes(id).unwrap_or_default();
        let wrapped =
            |open: u8, close: u8| bytes.first() == Some(&open) && bytes.last() == Some(&close);
        bytes.len() >= 3 && (wrapped(b'<', b'>') || wrapped(b'[', b']'))
    };
    let stray: Vec<u32> = unmade
        .iter()
        .copied()
        .filter(|&id| !looks_special(id))
        .collect();
    if !stray.is_empty() {
        let first = stray.iter().take(UNMADE_NAMED);
        let first = first.map(|&id| bytes_to_text(vocab.bytes(id).unwrap_or_default()));
        let problem = ParseProblem::UnmadeTokens {
            count: stray.len(),
            first: first.collect(),
        };
        return Err(Error::parse(merges_file, None, problem));
    }
    for id in unmade {
        if vocab.is_special(id) {
            // Also an added token with the same text: special only, so
            // that ordinary encoding can never produce it.
            vocab.remove_ordinary(id);
        } else {
            // The key as written spells the token's bytes.
            let text = bytes_to_text(vocab.bytes(id).unwrap_or_default());
            vocab.make_special(id, &text);
        }
    }
    Ok(())
}

/// The text of `vocab.json`: compact, in id order, special tokens literal.
pub(crate) fn write_vocab_json(vocab: &Vocab) -> String {
    write_vocab_json_without(vocab, |_| false)
}

/// [`write_vocab_json`] without the ids for which `skip` holds.
pub(crate) fn write_vocab_json_without(vocab: &Vocab, skip: impl Fn(u32) -> bool) -> String {
    let mut out = String::with_capacity(vocab.len() * 16);
    out.push('{');
    for (n, id) in vocab.ids().filter(|&id| !skip(id)).enumerate() {
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
