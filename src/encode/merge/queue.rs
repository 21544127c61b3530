//! Long chunks merged in rank order with a priority queue: a radix heap for
//! monotone rules, a binary heap for any others.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{RETIRED, Scratch};
use crate::encode::Model;
use crate::merges::{Merges, NO_RULE, merged_of, rank_of};

impl Model {
    pub(super) fn merge_with_queue(
        &self,
        merges: &Merges,
        chunk: &[u8],
        scratch: &mut Scratch,
        queue: &mut impl Queue,
    ) {
        let Scratch { nodes, out, .. } = scratch;
        let n = chunk.len();
        // Node i starts as byte i; a merge keeps the left node and retires
        // the right one. All of a node's fields share a cache line: in a long
        // chunk merges happen in rank order, all over the chunk, and each
        // touches a few neighbouring nodes.
        nodes.clear();
        nodes.extend(chunk.iter().enumerate().map(|(i, &b)| Node {
            rule: NO_RULE,
            id: self.vocab.byte_id(b),
            next: i as u32 + 1,
            prev: (i as u32).wrapping_sub(1),
        }));
        // Candidates `rank << 32 | node`, smallest first: the lowest rank,
        // then the leftmost. An entry is stale once its node was retired or
        // its pair changed; the node's `rule` says which pair is current.
        queue.clear();
        for (i, rule) in self.initial_rules(chunk).enumerate() {
            nodes[i].rule = rule;
            if rule != NO_RULE {
                queue.push((rank_of(rule) as u64) << 32 | i as u64);
            }
        }
        while let Some(entry) = queue.pop() {
            let (rank, left) = ((entry >> 32) as u32, entry as u32 as usize);
            let node = nodes[left];
            if node.id == RETIRED || node.rule == NO_RULE || rank_of(node.rule) != rank {
                continue;
            }
            let right = node.next as usize;
            let merged = merged_of(node.rule);
            let after = nodes[right].next as usize;
            nodes[right].id = RETIRED;
            let mut rule = NO_RULE;
            if after < n {
                nodes[after].prev = left as u32;
                rule = merges.packed(merged, nodes[after].id);
                if rule != NO_RULE {
                    queue.push((rank_of(rule) as u64) << 32 | left as u64);
                }
            }
            nodes[left] = Node {
                rule,
                id: merged,
                next: after as u32,
                prev: node.prev,
            };
            if node.prev != u32::MAX {
                let before = node.prev as usize;
                let rule = merges.packed(nodes[before].id, merged);
                nodes[before].rule = rule;
                if rule != NO_RULE {
                    queue.push((rank_of(rule) as u64) << 32 | before as u64);
                }
            }
        }
        let mut i = 0;
        while i < n {
            out.push(nodes[i].id);
            i = nodes[i].next as usize;
        }
    }
}

/// One chunk of a long chunk being merged: its token, its neighbours, and the
/// rule for the pair it starts.
#[derive(Clone, Copy)]
pub(super) struct Node {
    rule: u64,
    id: u32,
    next: u32,
    prev: u32,
}

/// A min-priority queue of `u64` keys.
pub(super) trait Queue {
    fn clear(&mut self);
    fn push(&mut self, key: u64);
    fn pop(&mut self) -> Option<u64>;
}

impl Queue for BinaryHeap<Reverse<u64>> {
    fn clear(&mut self) {
        BinaryHeap::clear(self);
    }

    fn push(&mut self, key: u64) {
        BinaryHeap::push(self, Reverse(key));
    }

    fn pop(&mut self) -> Option<u64> {
        BinaryHeap::pop(self).map(|Reverse(key)| key)
    }
}

/// A radix heap: a min-priority queue for keys that are never smaller than
/// the last key popped. A key goes into the bucket numbered by the highest
/// bit in which it differs from the last popped key; popping takes bucket 0
/// (keys equal to the last), or else empties the first non-empty bucket,
/// whose minimum becomes the last key, into lower buckets. Each key moves
/// down at most 64 times and usually a few, in sequential passes.
#[derive(Default)]
pub(super) struct RadixHeap {
    buckets: Vec<Vec<u64>>,
    last: u64,
}

impl RadixHeap {
    #[inline]
    fn bucket(&self, key: u64) -> usize {
        64 - (key ^ self.last).leading_zeros() as usize
    }
}

impl Queue for RadixHeap {
    fn clear(&mut self) {
        self.buckets.resize_with(65, Vec::new);
        self.buckets.iter_mut().for_each(Vec::clear);
        self.last = 0;
    }

    #[inline]
    fn push(&mut self, key: u64) {
        debug_assert!(key >= self.last, "radix heap keys must not decrease");
        let bucket = self.bucket(key);
        self.buckets[bucket].push(key);
    }

    fn pop(&mut self) -> Option<u64> {
        if self.buckets[0].is_empty() {
            let index = self.buckets.iter().position(|b| !b.is_empty())?;
            let mut keys = std::mem::take(&mut self.buckets[index]);
            self.last = keys.iter().copied().min().unwrap_or(self.last);
            for key in keys.drain(..) {
                let bucket = self.bucket(key);
                self.buckets[bucket].push(key);
            }
            // Keep the emptied bucket's allocation for later.
            self.buckets[index] = keys;
        }
        self.buckets[0].pop()
    }
}
