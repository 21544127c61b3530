//! Helpers shared by the unit tests.

use crate::formats::gpt2;
use crate::merges::Merges;
use crate::vocab::{TokenList, Vocab};

/// Marsaglia's xorshift: a seeded, reproducible stream for generated test
/// cases (the tests assert on what a seed produces, so no crate's generator
/// may change under them).
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// GPT-2's vocabulary and merges, as the crate embeds them.
pub(crate) fn gpt2_vocab_and_merges() -> (Vocab, Merges) {
    gpt2::load(
        include_bytes!("../data/gpt2/vocab.json"),
        "vocab.json",
        include_bytes!("../data/gpt2/merges.txt"),
        "merges.txt",
    )
    .expect("the embedded GPT-2 files load")
}

/// A token list holding the 256 byte tokens with GPT-2's ids, to which a
/// test adds its own tokens; also GPT-2's vocabulary, for its byte ids.
pub(crate) fn byte_tokens() -> (TokenList, Vocab) {
    let (gpt2_vocab, _) = gpt2_vocab_and_merges();
    let mut list = TokenList::default();
    for b in 0..=255u8 {
        list.push_ordinary(&[b], gpt2_vocab.byte_id(b));
    }
    (list, gpt2_vocab)
}
