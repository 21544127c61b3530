//! A hand-written scanner that yields exactly the chunks of Llama 3's pattern
//!
//! ```text
//! (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! and of Qwen 2/3's, the same with `\p{N}` for `\p{N}{1,3}` (numbers one
//! digit a chunk). Under leftmost-first matching, at each position:
//!
//! 1. an apostrophe and a contraction, in any case (as cl100k's);
//! 2. one character that is not a letter, number, `\r` or `\n`, then
//!    letters; or letters alone (backtracking never shortens a run here:
//!    the alternative succeeds with its longest match or not at all);
//! 3. one to three numbers (one for Qwen);
//! 4. an optional space, characters that are neither whitespace, letters nor
//!    numbers, then any `\r` and `\n`;
//! 5. whitespace: up to and including its last `\r` or `\n` if it has one
//!    (`\s*` gives back characters until `[\r\n]+` can match); else all of it
//!    if it ends the text; else all but its last character, unless it is
//!    one character, which is then a chunk of its own.
//!
//! cl100k's pattern differs only in 5: its `\s++$` comes first, so
//! whitespace that ends the text is one chunk even with a line end inside.
//! The tests check both scanners against fancy-regex with the patterns.

use super::cl100k::contraction_len;
use super::classes::Class;
use super::scan::{char_at, run_end, whitespace_run};

/// The end of the chunk that starts at `start` (`start < text.len()`);
/// `max_digits` is 3 for Llama 3 and 1 for Qwen.
#[inline]
pub(crate) fn chunk_end(text: &str, start: usize, max_digits: usize) -> usize {
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
            for _ in 1..max_digits {
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
