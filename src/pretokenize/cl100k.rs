//! A hand-written scanner that yields exactly the chunks of cl100k's pattern
//!
//! ```text
//! '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
//! ```
//!
//! under leftmost-first matching (the quantifiers are possessive, so each
//! alternative either takes its longest run or fails). At each position:
//!
//! 1. an apostrophe and `s`, `d`, `m`, `t`, `ll`, `ve` or `re` in any case
//!    (case-insensitive as the `regex` crate folds: `ſ` counts as `s`);
//! 2. one character that is not a letter, number, `\r` or `\n`, then letters
//!    (`"(hello"`, `" world"`, `"\tword"`); or letters alone;
//! 3. one to three numbers;
//! 4. an optional space, characters that are neither whitespace, letters nor
//!    numbers, then any `\r` and `\n`;
//! 5. whitespace: all of it if it ends the text; else up to and including its
//!    last `\r` or `\n`; else all but its last character, unless it is one
//!    character, which is then a chunk of its own.
//!
//! The tests check this against fancy-regex with the pattern itself.

use super::classes::Class;
use super::scan::{char_at, run_end, whitespace_run};

/// The length in bytes of a case-insensitive contraction at `bytes[i..]`
/// (which starts with `'`), or 0: `'` and `s`/`d`/`m`/`t`, or `ll`, `ve`, `re`.
/// `ſ` (U+017F) folds to `s` and counts.
#[inline]
pub(super) fn contraction_len(bytes: &[u8], i: usize) -> usize {
    let next = |k: usize| bytes.get(i + k).map(u8::to_ascii_lowercase);
    match next(1) {
        Some(b's' | b'd' | b'm' | b't') => 2,
        Some(b'l') if next(2) == Some(b'l') => 3,
        Some(b'v' | b'r') if next(2) == Some(b'e') => 3,
        // U+017F LATIN SMALL LETTER LONG S, in UTF-8.
        Some(0xC5) if bytes.get(i + 2) == Some(&0xBF) => 3,
        _ => 0,
    }
}

/// The end of the chunk that starts at `start` (`start < text.len()`).
#[inline]
pub(crate) fn chunk_end(text: &str, start: usize) -> usize {
    chunk_end_with::<3, true>(text, start)
}

/// The end of the chunk that starts at `start` under cl100k's pattern
/// (`WHOLE_FINAL_SPACE`: whitespace that ends the text is one chunk, `\s++$`)
/// or under Llama 3's and Qwen's (without that alternative, see `llama3`),
/// with numbers in runs of at most `MAX_DIGITS`.
#[inline]
pub(super) fn chunk_end_with<const MAX_DIGITS: usize, const WHOLE_FINAL_SPACE: bool>(
    text: &str,
    start: usize,
) -> usize {
    let bytes = text.as_bytes();
    let i = start;
    let b = bytes[i];
    if b == b'\'' {
        let n = contraction_len(bytes, i);
        if n > 0 {
            return i + n;
        }
    }
    let (class, len) = char_at(bytes, i);
    match class {
        Class::Letter => return run_end(bytes, i + len, Class::Letter),
        Class::Number => {
            let mut end = i + len;
            for _ in 1..MAX_DIGITS {
                match (end < bytes.len()).then(|| char_at(bytes, end)) {
                    Some((Class::Number, len)) => end += len,
                    _ => break,
                }
            }
            return end;
        }
        Class::Other | Class::Whitespace => {}
    }
    // One character other than a letter, number, \r or \n, then letters.
    if !matches!(b, b'\r' | b'\n') && i + len < bytes.len() {
        let (next, next_len) = char_at(bytes, i + len);
        if next == Class::Letter {
            return run_end(bytes, i + len + next_len, Class::Letter);
        }
    }
    // An optional space, other characters, then line ends.
    let other_start = if b == b' ' && i + 1 < bytes.len() && char_at(bytes, i + 1).0 == Class::Other
    {
        i + 1
    } else {
        i
    };
    if char_at(bytes, other_start).0 == Class::Other {
        let mut end = run_end(bytes, other_start, Class::Other);
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        return end;
    }
    // Whitespace.
    let (end, last, line_end) = whitespace_run(bytes, i);
    if WHOLE_FINAL_SPACE && end == bytes.len() {
        end
    } else if let Some(line_end) = line_end {
        line_end
    } else if end == bytes.len() {
        end
    } else if last > i {
        last
    } else {
        i + len
    }
}
