//! Pretokenization: cutting text into the chunks that BPE merges within.
//!
//! Merges never cross a chunk boundary, so the chunks decide much of the
//! output. GPT-2's pattern is matched by a hand-written scanner
//! ([`gpt2`]) that is checked against fancy-regex in the tests.

mod class_table;
mod classes;
mod gpt2;

/// GPT-2's pretokenization pattern, verbatim from OpenAI's `encoder.py`.
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// How a tokenizer cuts text into chunks.
#[derive(Clone, Debug)]
pub(crate) enum Pretokenizer {
    /// GPT-2's pattern, by the hand-written scanner.
    Gpt2,
}

impl Pretokenizer {
    /// The chunks of `text`, in order; together they are exactly `text`.
    pub(crate) fn split<'t>(&self, text: &'t str) -> impl Iterator<Item = &'t str> + 't {
        match self {
            Pretokenizer::Gpt2 => gpt2::Gpt2Chunks::new(text),
        }
    }
}
