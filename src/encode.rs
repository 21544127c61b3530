//! Byte-pair merging of one piece (one pretokenized chunk).
//!
//! The rule: start from the piece's byte tokens; while some adjacent pair has
//! a merge rule, merge the pair with the lowest rank, the leftmost one if that
//! pair occurs several times. Three paths compute it:
//!
//! 1. a piece that is itself an ordinary token is that token (one lookup);
//! 2. a short piece is merged in place in two small stack arrays, rescanning
//!    for the minimum after each merge: quadratic, but over at most
//!    [`SHORT_PIECE`] bytes that beats anything with more bookkeeping;
//! 3. a long piece uses a linked list and a heap of candidate merges with lazy
//!    deletion: O(n log n), so no input can make encoding quadratic.
//!
//! The tests compare all three with a naive oracle.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::merges::{Merge, Merges};
use crate::vocab::Vocab;

/// Pieces up to this many bytes take the stack path.
pub(crate) const SHORT_PIECE: usize = 64;

/// No rule: sorts after every real rank.
const NO_MERGE: Merge = Merge {
    rank: u32::MAX,
    merged: u32::MAX,
};

/// A vocabulary with its merge rules: everything needed to encode a piece.
pub(crate) struct Model {
    pub(crate) vocab: Vocab,
    pub(crate) merges: Merges,
    /// Ordinary tokens that merging their own bytes does not produce, sorted.
    /// The whole-piece shortcut must not return them. Empty for GPT-2 and for
    /// any vocabulary trained the usual way; a hand-edited or oddly converted
    /// vocabulary may have some.
    not_self_merging: Vec<u32>,
}

impl Model {
    /// Pairs a vocabulary with its merges, checking which tokens the
    /// whole-piece shortcut may return (about 10 ms for 50,000 tokens).
    pub(crate) fn new(vocab: Vocab, merges: Merges) -> Model {
        let mut model = Model::new_self_merging(vocab, merges);
        let mut merged = Vec::new();
        let mut exceptions = Vec::new();
        for id in model.vocab.ids() {
            let Some(bytes) = model.vocab.ordinary_bytes(id) else {
                continue;
            };
            if bytes.len() < 2 {
                continue;
            }
            merged.clear();
            model.merge(bytes, &mut |t| merged.push(t));
            if merged != [id] {
                exceptions.push(id);
            }
        }
        model.not_self_merging = exceptions;
        model
    }

    /// Pairs a vocabulary with its merges without the check of [`Model::new`],
    /// for a vocabulary known to have no exceptions: the embedded GPT-2, which
    /// a unit test checks.
    pub(crate) fn new_self_merging(vocab: Vocab, merges: Merges) -> Model {
        Model {
            vocab,
            merges,
            not_self_merging: Vec::new(),
        }
    }

    /// Emits the token ids of `piece` to `emit`, in order.
    #[inline]
    pub(crate) fn encode_piece(&self, piece: &[u8], emit: &mut impl FnMut(u32)) {
        match self.vocab.ordinary_id(piece) {
            Some(id) if self.not_self_merging.is_empty() || !self.is_exception(id) => emit(id),
            _ => self.merge(piece, emit),
        }
    }

    #[cold]
    fn is_exception(&self, id: u32) -> bool {
        self.not_self_merging.binary_search(&id).is_ok()
    }

    /// The merge rule applied to `piece` from its bytes, without the shortcut.
    #[inline]
    fn merge(&self, piece: &[u8], emit: &mut impl FnMut(u32)) {
        if piece.len() <= SHORT_PIECE {
            merge_short(&self.vocab, &self.merges, piece, emit);
        } else {
            merge_long(&self.vocab, &self.merges, piece, emit);
        }
    }
}

#[inline]
fn rule(merges: &Merges, left: u32, right: u32) -> Merge {
    merges.get(left, right).unwrap_or(NO_MERGE)
}

/// The in-place path for pieces of at most [`SHORT_PIECE`] bytes.
fn merge_short(vocab: &Vocab, merges: &Merges, piece: &[u8], emit: &mut impl FnMut(u32)) {
    debug_assert!(piece.len() <= SHORT_PIECE);
    let mut ids = [0u32; SHORT_PIECE];
    // rules[i] is the rule for the pair (ids[i], ids[i + 1]).
    let mut rules = [NO_MERGE; SHORT_PIECE];
    let mut len = piece.len();
    for (slot, &byte) in ids.iter_mut().zip(piece) {
        *slot = vocab.byte_id(byte);
    }
    for i in 0..len.saturating_sub(1) {
        rules[i] = rule(merges, ids[i], ids[i + 1]);
    }
    while len > 1 {
        // The strict `<` keeps the leftmost of equal ranks.
        let mut best = 0;
        for i in 1..len - 1 {
            if rules[i].rank < rules[best].rank {
                best = i;
            }
        }
        let merge = rules[best];
        if merge.rank == u32::MAX {
            break;
        }
        ids[best] = merge.merged;
        ids.copy_within(best + 2..len, best + 1);
        if best + 2 < len {
            rules.copy_within(best + 2..len - 1, best + 1);
        }
        len -= 1;
        if best > 0 {
            rules[best - 1] = rule(merges, ids[best - 1], ids[best]);
        }
        if best + 1 < len {
            rules[best] = rule(merges, ids[best], ids[best + 1]);
        }
    }
    for &id in &ids[..len] {
        emit(id);
    }
}

/// Marks a node that has been merged into its left neighbour.
const GONE: u32 = u32::MAX;

/// The heap path: O(n log n) for pieces of any length.
fn merge_long(vocab: &Vocab, merges: &Merges, piece: &[u8], emit: &mut impl FnMut(u32)) {
    let n = piece.len();
    // Node i starts as byte i. `next[i]` is the following live node (n at the end),
    // `prev[i]` the preceding one. A merge keeps the left node and retires the right.
    let mut ids: Vec<u32> = piece.iter().map(|&b| vocab.byte_id(b)).collect();
    let mut next: Vec<u32> = (1..=n as u32).collect();
    let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
    // Candidates (rank, left node). Entries go stale when a neighbour merges;
    // they are recognised on pop by re-reading the pair's current rule.
    let mut heap = BinaryHeap::with_capacity(n);
    for i in 0..n - 1 {
        let m = rule(merges, ids[i], ids[i + 1]);
        if m.rank != u32::MAX {
            heap.push(Reverse((m.rank, i as u32)));
        }
    }
    while let Some(Reverse((rank, left))) = heap.pop() {
        let left = left as usize;
        if ids[left] == GONE {
            continue;
        }
        let right = next[left] as usize;
        if right >= n {
            continue;
        }
        // A rank names one pair, so an unchanged rank means an unchanged pair.
        let m = rule(merges, ids[left], ids[right]);
        if m.rank != rank {
            continue;
        }
        ids[left] = m.merged;
        ids[right] = GONE;
        let after = next[right];
        next[left] = after;
        if (after as usize) < n {
            prev[after as usize] = left as u32;
            let m = rule(merges, ids[left], ids[after as usize]);
            if m.rank != u32::MAX {
                heap.push(Reverse((m.rank, left as u32)));
            }
        }
        let before = prev[left];
        if before != u32::MAX {
            let m = rule(merges, ids[before as usize], ids[left]);
            if m.rank != u32::MAX {
                heap.push(Reverse((m.rank, before)));
            }
        }
    }
    let mut i = 0;
    while i < n {
        emit(ids[i]);
        i = next[i] as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::gpt2;

    fn gpt2_model() -> (Vocab, Merges) {
        gpt2::load(
            include_bytes!("../data/gpt2/vocab.json"),
            "vocab.json",
            include_bytes!("../data/gpt2/merges.txt"),
            "merges.txt",
        )
        .unwrap()
    }

    /// The whole-piece shortcut is only sound if merging a token's own bytes
    /// gives back that token. It holds for every GPT-2 token, which is why
    /// `Tokenizer::gpt2` may skip the check.
    #[test]
    fn every_gpt2_token_merges_back_to_itself() {
        let (vocab, merges) = gpt2_model();
        let model = Model::new(vocab, merges);
        assert_eq!(model.not_self_merging, Vec::<u32>::new());
        // The long path agrees with the short one on every token.
        for id in model.vocab.ids().filter(|&id| !model.vocab.is_special(id)) {
            let bytes = model.vocab.bytes(id).unwrap();
            let mut out = Vec::new();
            merge_long(&model.vocab, &model.merges, bytes, &mut |t| out.push(t));
            assert_eq!(out, [id]);
        }
    }

    /// A vocabulary where "abc" is a token that the merges do not build from
    /// its bytes: "ab" merges first and no rule joins "ab" and "c". Encoding
    /// "abc" must follow the rules, not the shortcut.
    #[test]
    fn shortcut_skips_tokens_the_merges_do_not_build() {
        let (gpt2_vocab, _) = gpt2_model();
        let mut list = crate::vocab::TokenList::default();
        for b in 0..=255u8 {
            list.push_ordinary(&[b], gpt2_vocab.byte_id(b));
        }
        list.push_ordinary(b"ab", 300);
        list.push_ordinary(b"bc", 301);
        list.push_ordinary(b"abc", 302);
        let vocab = Vocab::new(list).unwrap();
        let mut merges = Merges::with_capacity(3);
        let (a, b, c) = (
            vocab.byte_id(b'a'),
            vocab.byte_id(b'b'),
            vocab.byte_id(b'c'),
        );
        merges.push(a, b, 300).unwrap();
        merges.push(b, c, 301).unwrap();
        merges.push(a, 301, 302).unwrap();
        let model = Model::new(vocab, merges);
        assert_eq!(model.not_self_merging, [302]);
        let mut out = Vec::new();
        model.encode_piece(b"abc", &mut |t| out.push(t));
        assert_eq!(out, [300, c]);
        out.clear();
        model.encode_piece(b"ab", &mut |t| out.push(t));
        assert_eq!(out, [300]);
    }
}
