//! tiktoken's `.tiktoken` rank files: one token a line, the token's bytes in
//! standard base64 (with `=` padding), a space, its rank. The rank is both
//! the token's id and its merge priority; there is no merges list, so the
//! rules are derived: a token's rule joins the two lower-ranked tokens that
//! merging its bytes with lower ranks only ends with (DESIGN.md, section 1b).
//!
//! Read strictly: blank lines are skipped and `\r\n` accepted, but a line
//! must be exactly `base64 rank`, the base64 canonical, the rank a decimal
//! `u32`; repeated tokens and ranks are errors naming the line.

use super::compact_ranks;
use crate::error::{Error, ParseProblem, Result};
use crate::merges::Merges;
use crate::vocab::{TokenList, Vocab};

/// Decodes standard base64 with padding into `out`, strictly: only the 64
/// characters and `=`, a length that is a multiple of 4, padding only at
/// the end, no bits set in the padding (so each byte string has one
/// spelling), and not empty. The `base64` crate's standard engine checks
/// all but the last, and decodes twice as fast as a byte-at-a-time loop.
pub(crate) fn decode_base64(text: &[u8], out: &mut Vec<u8>) -> bool {
    use base64::Engine;
    !text.is_empty()
        && base64::engine::general_purpose::STANDARD
            .decode_vec(text, out)
            .is_ok()
}

/// Encodes bytes as standard base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8], out: &mut String) {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode_string(bytes, out);
}

/// Reads a `.tiktoken` file into a vocabulary (with `specials` added) and
/// its merge rules: those of the embedded encoding with the same tokens (an
/// OpenAI rank file read from disk), else derived. `file` names the source
/// in errors.
pub(crate) fn load(data: &[u8], file: &str, specials: &[(&str, u32)]) -> Result<(Vocab, Merges)> {
    let vocab = read_vocab(data, file, specials)?;
    let merges = match compact_ranks::known_rules(&vocab) {
        Some(rules) => Merges::from_rules(rules),
        None => derive_merges(&vocab),
    };
    Ok((vocab, merges))
}

/// The vocabulary of a `.tiktoken` file, with `specials` added.
pub(crate) fn read_vocab(data: &[u8], file: &str, specials: &[(&str, u32)]) -> Result<Vocab> {
    let mut list = TokenList::with_capacity(data.len() / 10, data.len() / 2);
    // (rank, 1-based line) of each token, in file order, for errors.
    let mut lines: Vec<(u32, u32)> = Vec::with_capacity(data.len() / 10);
    let mut bytes = Vec::new();
    for (index, raw) in data.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let bad = || {
            let text = String::from_utf8_lossy(line).into_owned();
            Error::parse(file, Some(number), ParseProblem::BadTiktokenLine { text })
        };
        let space = line.iter().position(|&b| b == b' ').ok_or_else(bad)?;
        let (token, rank) = (&line[..space], &line[space + 1..]);
        bytes.clear();
        if !decode_base64(token, &mut bytes) {
            return Err(bad());
        }
        let rank: u32 = std::str::from_utf8(rank)
            .ok()
            .filter(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|r| r.parse().ok())
            .ok_or_else(bad)?;
        list.push_ordinary(&bytes, rank);
        lines.push((rank, u32::try_from(number).unwrap_or(u32::MAX)));
    }
    let ordinary_count = lines.len();
    for &(text, id) in specials {
        list.push_special(text, id);
    }
    let vocab = Vocab::new(list).map_err(|problem| {
        let describe = |index: usize| match lines.get(index) {
            Some(&(rank, line)) => format!("the token of rank {rank} on line {line}"),
            None => format!("special token {:?}", specials[index - ordinary_count].0),
        };
        let byte_token = |byte: u8| format!("{byte:#04x}");
        let count = lines.len() + specials.len();
        let problem = super::vocab_problem(problem, describe, byte_token, count);
        Error::parse(file, None, problem)
    })?;
    Ok(vocab)
}

/// The merge rules of a rank file. Each token of two or more bytes gets, as
/// its rule, the two lower-ranked tokens that merging its bytes by tiktoken's
/// rule (any two adjacent parts that concatenate to a token of lower rank,
/// lowest rank first) ends with: its *own split*.
///
/// When every token has an own split (all four of OpenAI's files), these
/// rules in id order reproduce tiktoken exactly: a chunk span that ends up
/// as one token `T` evolved as `T`'s bytes alone do (no merge crossed its
/// edges), and alone they end with `T`'s own split, so tiktoken's other ways
/// of joining two tokens into `T` never apply. DESIGN.md gives the argument
/// in full. A token without an own split (an unreachable token, possible in
/// a hand-made file) can only form through another split, so then every
/// split of such a token into two tokens becomes an alias rule, and ranks
/// become ids (`Merges::push_ranked_by_id`).
pub(crate) fn derive_merges(vocab: &Vocab) -> Merges {
    let tokens = multi_byte_tokens(vocab);
    let splits = own_splits(vocab, &tokens);
    let halves = |id: u32, k: usize| {
        let bytes = vocab.ordinary_bytes(id).unwrap_or_default();
        let left = vocab.ordinary_id(&bytes[..k])?;
        let right = vocab.ordinary_id(&bytes[k..])?;
        Some((left, right))
    };
    if splits.iter().all(|(_, split)| split.is_some()) {
        // Every token has its own split: its two halves are its rule.
        let rules: Vec<(u32, u32, u32)> = splits
            .iter()
            .filter_map(|&(id, split)| {
                let (left, right) = halves(id, split?)?;
                Some((left, right, id))
            })
            .collect();
        // A pair of ids concatenates to one string: no repeats.
        return Merges::from_rules(rules);
    }
    let mut merges = Merges::with_capacity(tokens.len());
    for &(id, split) in &splits {
        let own = split.and_then(|k| halves(id, k));
        if let Some((left, right)) = own {
            merges.push_ranked_by_id(left, right, id, true);
        } else {
            let bytes = vocab.ordinary_bytes(id).unwrap_or_default();
            for k in 1..bytes.len() {
                if let Some((left, right)) = halves(id, k) {
                    merges.push_ranked_by_id(left, right, id, false);
                }
            }
        }
    }
    merges
}

/// The ordinary tokens of two or more bytes, in id order.
fn multi_byte_tokens(vocab: &Vocab) -> Vec<u32> {
    let mut tokens: Vec<u32> = vocab
        .ids()
        .filter(|&id| vocab.ordinary_bytes(id).is_some_and(|b| b.len() > 1))
        .collect();
    tokens.sort_unstable();
    tokens
}

/// Each of `tokens` with its own split, if it has one.
fn own_splits(vocab: &Vocab, tokens: &[u32]) -> Vec<(u32, Option<usize>)> {
    let mut parts = Vec::new();
    tokens
        .iter()
        .map(|&id| {
            let bytes = vocab.ordinary_bytes(id).unwrap_or_default();
            (id, own_split(vocab, id, bytes, &mut parts))
        })
        .collect()
}

/// Where merging `bytes` by rank, with ranks below `id` only, leaves two
/// parts: the position between them. `parts` is scratch space.
fn own_split(
    vocab: &Vocab,
    id: u32,
    bytes: &[u8],
    parts: &mut Vec<(usize, usize, u32)>,
) -> Option<usize> {
    // parts: (start, end, rank of the pair starting here). Tokens are at most
    // a few hundred bytes, so the quadratic rescan is cheap.
    let pair_rank = |parts: &[(usize, usize, u32)], i: usize| {
        let (start, _, _) = parts[i];
        let (_, end, _) = parts[i + 1];
        vocab
            .ordinary_id(&bytes[start..end])
            .filter(|&r| r < id)
            .unwrap_or(u32::MAX)
    };
    parts.clear();
    parts.extend((0..bytes.len()).map(|i| (i, i + 1, u32::MAX)));
    for i in 0..parts.len() - 1 {
        parts[i].2 = pair_rank(parts, i);
    }
    while parts.len() > 2 {
        let (best, _) = parts[..parts.len() - 1]
            .iter()
            .enumerate()
            .filter(|(_, p)| p.2 != u32::MAX)
            .min_by_key(|&(i, p)| (p.2, i))?;
        parts[best].1 = parts[best + 1].1;
        parts.remove(best + 1);
        parts[best].2 = if best + 1 < parts.len() {
            pair_rank(parts, best)
        } else {
            u32::MAX
        };
        if best > 0 {
            parts[best - 1].2 = pair_rank(parts, best - 1);
        }
    }
    match parts[..] {
        [(_, split, _), _] => Some(split),
        _ => None,
    }
}

#[cfg(test)]
mod derive_tests {
    use super::*;

    /// A file whose token "abcd" (rank 259) has no own split: "bc" (256)
    /// merges first, and neither "abc" nor "bcd" (260) ranks below it. It
    /// still forms through "a" + "bcd" once "bcd" exists, which tiktoken
    /// does (`tests/formats.rs` checks the ids), so it gets alias rules.
    #[test]
    fn an_unreachable_token_gets_alias_rules() {
        let mut file = String::new();
        let mut rank = 0;
        let mut line = |bytes: &[u8], file: &mut String| {
            encode_base64(bytes, file);
            file.push_str(&format!(" {rank}\n"));
            rank += 1;
        };
        for b in 0..=255u8 {
            line(&[b], &mut file);
        }
        for token in [&b"bc"[..], b"ab", b"cd", b"abcd", b"bcd"] {
            line(token, &mut file);
        }
        let (vocab, merges) = load(file.as_bytes(), "test", &[]).unwrap();
        assert!(merges.ranked_by_id());
        let id = |t: &[u8]| vocab.ordinary_id(t).unwrap();
        // Saved rules: bc, ab, cd, bcd; "abcd" only has the aliases
        // "a"+"bcd" and "ab"+"cd", ranked by its id.
        assert_eq!(merges.len(), 4);
        assert_eq!(merges.packed(id(b"a"), id(b"bcd")), 259 << 32 | 259);
        assert_eq!(merges.packed(id(b"ab"), id(b"cd")), 259 << 32 | 259);
        assert_eq!(merges.packed(id(b"bc"), id(b"d")), 260 << 32 | 260);
        assert_eq!(
            merges.packed(id(b"abc"[..1].as_ref()), id(b"b")),
            257 << 32 | 257
        );
    }
}

/// The text of a `.tiktoken` file for the ordinary tokens of `vocab`, in id
/// order.
pub(crate) fn write(vocab: &Vocab) -> String {
    let mut out = String::new();
    for id in vocab.ids() {
        if let Some(bytes) = vocab.ordinary_bytes(id) {
            encode_base64(bytes, &mut out);
            out.push(' ');
            out.push_str(&id.to_string());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_rejects_non_canonical_text() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(200))
                .collect();
            let mut text = String::new();
            encode_base64(&bytes, &mut text);
            let mut back = Vec::new();
            assert_eq!(decode_base64(text.as_bytes(), &mut back), len > 0, "{text}");
            if len > 0 {
                assert_eq!(back, bytes);
            }
        }
        let mut out = Vec::new();
        assert!(decode_base64(b"IQ==", &mut out));
        assert_eq!(out, b"!");
        for bad in [
            &b"IQ="[..],
            b"IR==",
            b"I===",
            b"IQ==IQ==",
            b"I!==",
            b"IQ=A",
            b"",
            b"====",
            b"IQ\n=",
        ] {
            assert!(
                !decode_base64(bad, &mut Vec::new()),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
