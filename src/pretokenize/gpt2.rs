//! A hand-written scanner that yields exactly the chunks of GPT-2's pattern
//!
//! ```text
//! 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//! ```
//!
//! under leftmost-first matching, without a regex engine. At each position the
//! first alternative that matches wins, and every quantifier is greedy:
//!
//! 1. an apostrophe followed by `s`, `t`, `m`, `d`, `re`, `ve` or `ll`
//!    (lower case only) is a contraction chunk;
//! 2. otherwise a U+0020 space followed by a letter, number or "other"
//!    character starts a chunk that takes the space and the longest run of
//!    that class (the space belongs to the next word: `" world"`);
//! 3. a letter, number or other character starts the longest run of its class;
//!    the apostrophe is an "other" character, so `"?'s"` is `"?'"`, `"s"`;
//! 4. whitespace takes its whole run when the run ends the text; otherwise it
//!    leaves the run's last character to start the next chunk (the lookahead
//!    `(?!\S)` backtracks one character), unless the run is a single
//!    character, which is then a chunk of its own (`\s+`).
//!
//! The tests check this against fancy-regex on all corpora samples, on every
//! Unicode scalar in several contexts and on random strings.

use super::classes::Class;
use super::scan::{char_at, run_end};

/// What a byte says about the character it starts: the class of an ASCII
/// character (with the two characters the rules single out), or that a
/// multi-byte character starts here.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ByteKind {
    Letter,
    Number,
    Other,
    Apostrophe,
    Space,
    Whitespace,
    /// The first byte of a multi-byte character: look the character up.
    Multibyte,
}

const BYTE_KIND: [ByteKind; 256] = {
    let mut table = [ByteKind::Multibyte; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => ByteKind::Letter,
            b'0'..=b'9' => ByteKind::Number,
            b'\'' => ByteKind::Apostrophe,
            b' ' => ByteKind::Space,
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => ByteKind::Whitespace,
            _ => ByteKind::Other,
        };
        b += 1;
    }
    table
};

/// The length of a contraction at `bytes[i..]` (which starts with `'`), or 0.
#[inline]
fn contraction_len(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i + 1) {
        Some(b's' | b't' | b'm' | b'd') => 2,
        Some(b'r') if bytes.get(i + 2) == Some(&b'e') => 3,
        Some(b'v') if bytes.get(i + 2) == Some(&b'e') => 3,
        Some(b'l') if bytes.get(i + 2) == Some(&b'l') => 3,
        _ => 0,
    }
}

/// The end of the chunk that starts at `start` (`start < text.len()`).
#[inline]
pub(crate) fn chunk_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let i = start;
    match BYTE_KIND[bytes[i] as usize] {
        ByteKind::Letter => return run_end(bytes, i + 1, Class::Letter),
        ByteKind::Number => return run_end(bytes, i + 1, Class::Number),
        ByteKind::Other => return run_end(bytes, i + 1, Class::Other),
        ByteKind::Apostrophe => {
            let n = contraction_len(bytes, i);
            if n > 0 {
                return i + n;
            }
            return run_end(bytes, i + 1, Class::Other);
        }
        ByteKind::Space => {
            // " ?X+" for X the class of the character after the space.
            if i + 1 < bytes.len() {
                let (class, len) = char_at(bytes, i + 1);
                if class != Class::Whitespace {
                    return run_end(bytes, i + 1 + len, class);
                }
            }
        }
        ByteKind::Whitespace => {}
        ByteKind::Multibyte => {
            let (class, len) = char_at(bytes, i);
            if class != Class::Whitespace {
                return run_end(bytes, i + len, class);
            }
        }
    }
    whitespace_end(bytes, start)
}

/// `\s+(?!\S)|\s+` at `start`, which holds a whitespace character.
#[inline]
fn whitespace_end(bytes: &[u8], start: usize) -> usize {
    let (_, first_len) = char_at(bytes, start);
    let mut last_start = start;
    let mut i = start + first_len;
    while i < bytes.len() {
        let (class, len) = char_at(bytes, i);
        if class != Class::Whitespace {
            // Leave the run's last character for the next chunk, unless the
            // run is that one character.
            return if last_start > start { last_start } else { i };
        }
        last_start = i;
        i += len;
    }
    i
}
