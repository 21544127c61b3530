//! Merging one chunk from its bytes: the in-place path for short chunks and
//! the queue path for long ones.
//!
//! Both apply the rule exactly: the adjacent pair with the lowest rank first,
//! the leftmost of equal ones. The short path rescans for the minimum after
//! each merge, which is quadratic but fastest for a few dozen bytes. The long
//! path keeps the chunks as a linked list and candidate merges
//! `rank << 32 | position` in a priority queue, so that each merge costs two
//! rule lookups and a few queue operations, whatever the chunk's length.
//!
//! The queue is a radix heap when the merge rules are *monotone*: every rule
//! only combines tokens that lower-ranked rules made (true of any vocabulary
//! that BPE training produced, GPT-2's included, and checked when the
//! tokenizer is built). Then a merge of rank `r` only creates pairs of rank
//! above `r`, the keys leave the queue in increasing order, and a radix heap
//! does each operation in amortized constant time with sequential memory
//! access. For other rules a binary heap (O(log n), with lazy deletion) keeps
//! the order without that assumption.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Model, SHORT_CHUNK};
use crate::merges::{Merges, NO_RULE, merged_of};
use queue::{Node, RadixHeap};

/// Long chunks are merged in stretches of this many bytes (see
/// `merge_in_stretches`; DESIGN.md, section 4, compares 16 to 64).
const STRETCH: usize = 24;

/// The longest spine of a merge tree that seams are checked on (see
/// `compatible_by_trees`).
const MAX_SPINE: usize = 32;

/// The id of a node merged into its left neighbour (no token has this id:
/// ids are bounded far below it when the vocabulary is loaded).
const RETIRED: u32 = u32::MAX;

/// Reusable buffers for merging, one set per call.
#[derive(Default)]
pub(crate) struct Scratch {
    nodes: Vec<Node>,
    heap: BinaryHeap<Reverse<u64>>,
    radix: RadixHeap,
    /// For merging by stretches: the tokens so far, the current stretch's, a
    /// re-merged region's, and the bytes being merged for a seam.
    tokens: Vec<u32>,
    stretch: Vec<u32>,
    region: Vec<u32>,
    region_bytes: Vec<u8>,
    pair_bytes: Vec<u8>,
    /// The ids of the last merged chunk.
    pub(crate) out: Vec<u32>,
}

impl Model {
    /// The packed rules of the adjacent byte pairs of `chunk`.
    #[inline]
    fn initial_rules<'p>(&'p self, chunk: &'p [u8]) -> impl Iterator<Item = u64> + 'p {
        chunk
            .windows(2)
            .map(|w| self.byte_pair_rules[(w[0] as usize) << 8 | w[1] as usize])
    }

    /// The in-place path for chunks of at most [`SHORT_CHUNK`] bytes.
    pub(super) fn merge_short(&self, chunk: &[u8], scratch: &mut Scratch) {
        self.merge_short_by(&self.merges, chunk, scratch);
    }

    /// [`Model::merge_short`] with the rules of `merges`.
    fn merge_short_by(&self, merges: &Merges, chunk: &[u8], scratch: &mut Scratch) {
        // The arrays are filled before each merge, so the stretches of long
        // chunks (24 bytes) get arrays no larger than they need.
        if chunk.len() <= 32 {
            self.merge_short_in::<32>(merges, chunk, scratch);
        } else {
            self.merge_short_in::<SHORT_CHUNK>(merges, chunk, scratch);
        }
    }

    /// [`Model::merge_short`] with arrays of `N` slots, for chunks of at
    /// most `N` bytes.
    fn merge_short_in<const N: usize>(&self, merges: &Merges, chunk: &[u8], scratch: &mut Scratch) {
        debug_assert!(chunk.len() <= N);
        let n = chunk.len().min(N);
        if n == 0 {
            return;
        }
        let mut ids = [0u32; N];
        // rules[i] is the rule for the pair (ids[i], ids[i + 1]).
        let mut rules = [NO_RULE; N];
        for (slot, &b) in ids[..n].iter_mut().zip(chunk) {
            *slot = self.vocab.byte_id(b);
        }
        for (slot, rule) in rules.iter_mut().zip(self.initial_rules(chunk)) {
            *slot = rule;
        }
        let mut pairs = n.saturating_sub(1);
        while pairs > 0 {
            // The strict `<` keeps the leftmost of equal ranks.
            let (mut best, mut best_rule) = (0, rules[0]);
            for (i, &rule) in rules[..pairs].iter().enumerate().skip(1) {
                if rule < best_rule {
                    (best, best_rule) = (i, rule);
                }
            }
            if best_rule == NO_RULE {
                break;
            }
            ids[best] = merged_of(best_rule);
            // Move both tails left by one slot, in blocks of 8: fixed-size
            // copies compile to a few vector moves, where `copy_within`
            // calls memmove for every merge.
            // A block may run past the live slots into dead ones; only near
            // the arrays' end are the moves cut to size.
            let mut from = best + 1;
            while from < pairs {
                let block = (pairs - from).min(8);
                if from + 9 <= N {
                    let moved: [u32; 8] = ids[from + 1..from + 9].try_into().unwrap_or([0; 8]);
                    ids[from..from + 8].copy_from_slice(&moved);
                    let moved: [u64; 8] = rules[from..from + 8].try_into().unwrap_or([0; 8]);
                    rules[from - 1..from + 7].copy_from_slice(&moved);
                } else {
                    ids.copy_within(from + 1..from + 1 + block, from);
                    rules.copy_within(from..from + block, from - 1);
                }
                from += block;
            }
            pairs -= 1;
            if best > 0 {
                rules[best - 1] = merges.packed(ids[best - 1], ids[best]);
            }
            if best < pairs {
                rules[best] = merges.packed(ids[best], ids[best + 1]);
            }
        }
        scratch.out.extend_from_slice(&ids[..pairs + 1]);
    }

    /// The path for chunks longer than [`SHORT_CHUNK`].
    pub(super) fn merge_long(&self, chunk: &[u8], scratch: &mut Scratch) {
        if self.trees.is_some() {
            let mut tokens = std::mem::take(&mut scratch.tokens);
            tokens.clear();
            self.merge_in_stretches(chunk, &mut tokens, scratch);
            // Swapped rather than copied: for a long chunk the result is as
            // long as the chunk, and a copy would be a second buffer that
            // size.
            std::mem::swap(&mut scratch.out, &mut tokens);
            scratch.tokens = tokens;
        } else {
            let mut queue = std::mem::take(&mut scratch.heap);
            self.merge_with_queue(self.merges_for(chunk), chunk, scratch, &mut queue);
            scratch.heap = queue;
        }
    }

    /// Merges `bytes` into `scratch.out` by the short path or the radix-heap
    /// queue, never by stretches (the seam repair below uses it).
    fn merge_whole(&self, bytes: &[u8], scratch: &mut Scratch) {
        self.merge_whole_by(&self.merges, bytes, scratch);
    }

    /// [`Model::merge_whole`] with the rules of `merges`.
    fn merge_whole_by(&self, merges: &Merges, bytes: &[u8], scratch: &mut Scratch) {
        scratch.out.clear();
        if bytes.len() <= SHORT_CHUNK {
            self.merge_short_by(merges, bytes, scratch);
        } else {
            let mut queue = std::mem::take(&mut scratch.radix);
            self.merge_with_queue(merges, bytes, scratch, &mut queue);
            scratch.radix = queue;
        }
    }
}

mod queue;
mod stretches;
#[cfg(test)]
mod tests;
