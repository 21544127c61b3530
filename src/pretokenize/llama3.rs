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

/// The end of the chunk that starts at `start` (`start < text.len()`);
/// `MAX_DIGITS` is 3 for Llama 3 and 1 for Qwen. cl100k's scanner with the
/// whitespace rule of item 5.
#[inline]
pub(crate) fn chunk_end<const MAX_DIGITS: usize>(text: &str, start: usize) -> usize {
    super::cl100k::chunk_end_with::<MAX_DIGITS, false>(text, start)
}
