//! A hand-written scanner that yields exactly the chunks of o200k's pattern
//!
//! ```text
//! [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! under leftmost-first matching with backtracking. Write U for
//! `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` ("upper"), W for
//! `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` ("lower"; modifier and other letters and marks
//! are both) and P for `[^\r\n\p{L}\p{N}]`. At each position, with P tried
//! first as a one-character prefix and then without it:
//!
//! 1. `U* W+`: the U run, then the W run after it if the character after the
//!    U run is W; otherwise the U run backs off to its last W character,
//!    which ends the match (fails if it has none);
//! 2. `U+ W*`: the U run and the W run after it;
//!
//! either followed by a case-insensitive contraction if one follows; then
//! 3. one to three numbers;
//! 4. an optional space, characters that are neither whitespace, letters nor
//!    numbers, then any `\r`, `\n` and `/`;
//! 5. whitespace: up to and including its last `\r` or `\n`; else all of it
//!    if it ends the text; else all but its last character, unless it is one
//!    character, which is then a chunk of its own.
//!
//! The tests check this against fancy-regex with the pattern itself.

use super::cl100k::contraction_len;
use super::classes::Fine;
use super::scan::{ascii_run_end, fine_char_at, fine_run_end, whitespace_run};

#[inline]
fn is_upper(f: Fine) -> bool {
    matches!(f, Fine::Upper | Fine::OtherLetter | Fine::Mark)
}

#[inline]
fn is_lower(f: Fine) -> bool {
    matches!(f, Fine::Lower | Fine::OtherLetter | Fine::Mark)
}

/// `[^\s\p{L}\p{N}]`.
#[inline]
fn is_other(f: Fine) -> bool {
    matches!(f, Fine::Other | Fine::Mark)
}

/// `U* W+` at `s`: the end of the match, if any.
fn upper_then_lower(bytes: &[u8], s: usize) -> Option<usize> {
    let u = fine_run_end(bytes, s, is_upper);
    if u < bytes.len() && is_lower(fine_char_at(bytes, u).0) {
        return Some(fine_run_end(bytes, u, is_lower));
    }
    // Back off to the last W character of the U run.
    let mut i = s;
    let mut end = None;
    while i < u {
        let (f, len) = fine_char_at(bytes, i);
        if is_lower(f) {
            end = Some(i + len);
        }
        i += len;
    }
    end
}

/// `U+ W*` at `s`: the end of the match, if any.
fn upper_run_then_lower(bytes: &[u8], s: usize) -> Option<usize> {
    if s >= bytes.len() || !is_upper(fine_char_at(bytes, s).0) {
        return None;
    }
    let u = fine_run_end(bytes, s, is_upper);
    Some(fine_run_end(bytes, u, is_lower))
}

/// `end` extended by a contraction that follows, if any.
#[inline]
fn with_contraction(bytes: &[u8], end: usize) -> usize {
    if bytes.get(end) == Some(&b'\'') {
        end + contraction_len(bytes, end)
    } else {
        end
    }
}

/// Rule 1 or 2 at a position: the end of its match, if any.
type LetterRule = fn(&[u8], usize) -> Option<usize>;

/// What ASCII alone says of the letter rules (1 and 2) at `i`.
enum AsciiLetters {
    /// They match, up to here.
    End(usize),
    /// Neither matches: the chunk is a number, punctuation or whitespace.
    None,
    /// A non-ASCII character could take part: ask the full scanner.
    Undecided,
}

/// The letter rules at `i` for an optional ASCII prefix (P), then ASCII
/// capitals and ASCII small letters, followed by ASCII or the end of the
/// text. A capital is U and not W and a small letter W and not U, so both
/// rules end where the small letters do (rule 1 when there are some; else
/// rule 1 fails, having no W to back off to, and rule 2 takes the
/// capitals). Without letters after the prefix, neither rule matches.
#[inline]
fn ascii_letters(bytes: &[u8], i: usize) -> AsciiLetters {
    let first = bytes[i];
    let start = if first.is_ascii_alphabetic() {
        i
    } else if first.is_ascii_digit() || first == b'\r' || first == b'\n' {
        // No prefix, and no letter here.
        return AsciiLetters::None;
    } else if first.is_ascii() {
        i + 1
    } else {
        return AsciiLetters::Undecided;
    };
    let capitals = ascii_run_end(bytes, start, b'A', b'Z', false);
    let end = ascii_run_end(bytes, capitals, b'a', b'z', false);
    match bytes.get(end) {
        Some(c) if !c.is_ascii() => AsciiLetters::Undecided,
        _ if end > start => AsciiLetters::End(end),
        _ => AsciiLetters::None,
    }
}

/// The end of the chunk that starts at `start` (`start < text.len()`).
#[inline]
pub(crate) fn chunk_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let i = start;
    let ascii = ascii_letters(bytes, i);
    if let AsciiLetters::End(end) = ascii {
        return with_contraction(bytes, end);
    }
    let (class, len) = fine_char_at(bytes, i);
    let prefix = !matches!(
        class,
        Fine::Lower | Fine::Upper | Fine::OtherLetter | Fine::Number
    ) && !matches!(bytes[i], b'\r' | b'\n');
    let letter_rules: &[LetterRule] = match ascii {
        AsciiLetters::Undecided => &[upper_then_lower, upper_run_then_lower],
        _ => &[],
    };
    for letters in letter_rules {
        if prefix {
            if let Some(end) = letters(bytes, i + len) {
                return with_contraction(bytes, end);
            }
        }
        if let Some(end) = letters(bytes, i) {
            return with_contraction(bytes, end);
        }
    }
    if class == Fine::Number {
        let mut end = i + len;
        for _ in 0..2 {
            match (end < bytes.len()).then(|| fine_char_at(bytes, end)) {
                Some((Fine::Number, len)) => end += len,
                _ => break,
            }
        }
        return end;
    }
    let other_start =
        if bytes[i] == b' ' && i + 1 < bytes.len() && is_other(fine_char_at(bytes, i + 1).0) {
            i + 1
        } else {
            i
        };
    if is_other(fine_char_at(bytes, other_start).0) {
        let mut end = fine_run_end(bytes, other_start, is_other);
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n' | b'/') {
            end += 1;
        }
        return end;
    }
    let (end, last, line_end) = whitespace_run(bytes, i);
    if let Some(line_end) = line_end {
        line_end
    } else if end == bytes.len() {
        end
    } else if last > i {
        last
    } else {
        i + len
    }
}
