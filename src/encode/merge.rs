//! Merging one piece from its bytes: the in-place path for short pieces and
//! the queue path for long ones.
//!
//! Both apply the rule exactly: the adjacent pair with the lowest rank first,
//! the leftmost of equal ones. The short path rescans for the minimum after
//! each merge, which is quadratic but fastest for a few dozen bytes. The long
//! path keeps the pieces as a linked list and candidate merges
//! `rank << 32 | position` in a priority queue, so that each merge costs two
//! rule lookups and a few queue operations, whatever the piece's length.
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

use super::{Model, SHORT_PIECE, Tree};
use crate::merges::{Merges, NO_RULE, merged_of, rank_of};

/// Long pieces are merged in chunks of this many bytes (see
/// `merge_in_chunks`; 24 measured best between 16 and 64).
const CHUNK: usize = 24;

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
    /// For merging by chunks: the tokens so far, the current chunk's, a
    /// re-merged region's, and the bytes being merged for a seam.
    tokens: Vec<u32>,
    chunk: Vec<u32>,
    region: Vec<u32>,
    region_bytes: Vec<u8>,
    pair_bytes: Vec<u8>,
    /// The ids of the last merged piece.
    pub(crate) out: Vec<u32>,
}

impl Model {
    /// The packed rules of the adjacent byte pairs of `piece`.
    #[inline]
    fn initial_rules<'p>(&'p self, piece: &'p [u8]) -> impl Iterator<Item = u64> + 'p {
        piece
            .windows(2)
            .map(|w| self.byte_pair_rules[(w[0] as usize) << 8 | w[1] as usize])
    }

    /// The in-place path for pieces of at most [`SHORT_PIECE`] bytes.
    pub(super) fn merge_short(&self, piece: &[u8], scratch: &mut Scratch) {
        self.merge_short_by(&self.merges, piece, scratch);
    }

    /// [`Model::merge_short`] with the rules of `merges`.
    fn merge_short_by(&self, merges: &Merges, piece: &[u8], scratch: &mut Scratch) {
        // The arrays are filled before each merge, and for the chunks of
        // long pieces (24 bytes) filling 64 slots instead of 32 cost 5 %.
        if piece.len() <= 32 {
            self.merge_short_in::<32>(merges, piece, scratch);
        } else {
            self.merge_short_in::<SHORT_PIECE>(merges, piece, scratch);
        }
    }

    /// [`Model::merge_short`] with arrays of `N` slots, for pieces of at
    /// most `N` bytes.
    fn merge_short_in<const N: usize>(&self, merges: &Merges, piece: &[u8], scratch: &mut Scratch) {
        debug_assert!(piece.len() <= N);
        let n = piece.len().min(N);
        if n == 0 {
            return;
        }
        let mut ids = [0u32; N];
        // rules[i] is the rule for the pair (ids[i], ids[i + 1]).
        let mut rules = [NO_RULE; N];
        for (slot, &b) in ids[..n].iter_mut().zip(piece) {
            *slot = self.vocab.byte_id(b);
        }
        for (slot, rule) in rules.iter_mut().zip(self.initial_rules(piece)) {
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
            // called memmove for every merge (14 % of the time on digits).
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

    /// The path for pieces longer than [`SHORT_PIECE`].
    pub(super) fn merge_long(&self, piece: &[u8], scratch: &mut Scratch) {
        if self.trees.is_some() {
            let mut tokens = std::mem::take(&mut scratch.tokens);
            tokens.clear();
            self.merge_in_chunks(piece, &mut tokens, scratch);
            // Swapped rather than copied: for a long piece the result is as
            // long as the piece, and a copy would be a second buffer that
            // size.
            std::mem::swap(&mut scratch.out, &mut tokens);
            scratch.tokens = tokens;
        } else {
            let mut queue = std::mem::take(&mut scratch.heap);
            self.merge_with_queue(self.merges_for(piece), piece, scratch, &mut queue);
            scratch.heap = queue;
        }
    }

    /// Merges `bytes` into `scratch.out` by the short path or the radix-heap
    /// queue, never by chunks (the seam repair below uses it).
    fn merge_whole(&self, bytes: &[u8], scratch: &mut Scratch) {
        self.merge_whole_by(&self.merges, bytes, scratch);
    }

    /// [`Model::merge_whole`] with the rules of `merges`.
    fn merge_whole_by(&self, merges: &Merges, bytes: &[u8], scratch: &mut Scratch) {
        scratch.out.clear();
        if bytes.len() <= SHORT_PIECE {
            self.merge_short_by(merges, bytes, scratch);
        } else {
            let mut queue = std::mem::take(&mut scratch.radix);
            self.merge_with_queue(merges, bytes, scratch, &mut queue);
            scratch.radix = queue;
        }
    }

    /// Long pieces, for monotone rules: merge chunks of [`CHUNK`] bytes
    /// one at a time and repair each seam, so that all work happens on a few
    /// dozen bytes that stay in the cache (merging a megabyte in rank order
    /// instead jumps all over it; see DESIGN.md for the measurements).
    ///
    /// Why this is exact. Call two adjacent tokens *compatible* when merging
    /// their bytes together gives back those two tokens. For monotone rules,
    /// a sequence of tokens is the merge of its bytes if and only if every
    /// adjacent pair is compatible (DESIGN.md gives the proof). The merge of
    /// a chunk satisfies this inside the chunk; at a seam whose two tokens
    /// are not compatible, the tokens around the seam are merged again as one
    /// region, widened until the region's edges are compatible too.
    ///
    /// The ids are appended to `tokens`, whose earlier contents are left as
    /// they are (the encoder passes its result vector).
    pub(super) fn merge_in_chunks(
        &self,
        piece: &[u8],
        tokens: &mut Vec<u32>,
        scratch: &mut Scratch,
    ) {
        let merges = self.merges_for(piece);
        let base = tokens.len();
        let mut chunk = std::mem::take(&mut scratch.chunk);
        let mut overlap = Overlap::default();
        // The dropped token and the one before it were side by side in a
        // chunk's merge, so they are compatible: when the next chunk gives
        // back the dropped token first, the seam needs no check (on random
        // digits, two seams in five).
        let mut known = None;
        let mut start = 0;
        while start < piece.len() {
            let end = (start + CHUNK).min(piece.len());
            self.merge_whole_by(merges, &piece[start..end], scratch);
            std::mem::swap(&mut chunk, &mut scratch.out);
            start = end;
            // Leave the chunk's last token to the next chunk, which sees its
            // bytes with their right-hand context, when that pays (see
            // `Overlap`).
            let mut dropped = None;
            if overlap.on && end < piece.len() && chunk.len() > 1 {
                let last = chunk.pop().unwrap_or_default();
                start -= self.vocab.bytes(last).map_or(0, <[u8]>::len);
                dropped = chunk.last().map(|&kept| (kept, last));
            }
            let repaired = self.join_by(merges, tokens, base, &chunk, known, scratch);
            known = dropped;
            overlap.seam(repaired);
        }
        scratch.chunk = chunk;
    }

    /// Appends `right`, the merge of the bytes that follow those of
    /// `left[base..]`, to `left`, so that `left[base..]` becomes the merge of
    /// all those bytes. Returns whether the seam needed repair.
    ///
    /// `known` is a pair of tokens known to be compatible: when the seam is
    /// that pair, it needs no check.
    #[cfg(test)]
    fn join(
        &self,
        left: &mut Vec<u32>,
        base: usize,
        right: &[u32],
        known: Option<(u32, u32)>,
        scratch: &mut Scratch,
    ) -> bool {
        self.join_by(&self.merges, left, base, right, known, scratch)
    }

    /// [`Model::join`] with the rules of `merges`.
    fn join_by(
        &self,
        merges: &Merges,
        left: &mut Vec<u32>,
        base: usize,
        right: &[u32],
        known: Option<(u32, u32)>,
        scratch: &mut Scratch,
    ) -> bool {
        if left.len() == base || right.is_empty() {
            left.extend_from_slice(right);
            return false;
        }
        let seam = (left[left.len() - 1], right[0]);
        if known == Some(seam) || self.compatible_by(merges, seam.0, seam.1, scratch) {
            left.extend_from_slice(right);
            return false;
        }
        // Re-merge the last `a` tokens of `left` with the first `b` of
        // `right`, doubling a side whenever its edge is not compatible. At
        // worst the region is everything, which is plain merging.
        let (mut a, mut b) = (1, 1);
        let mut region = std::mem::take(&mut scratch.region);
        let mine = left.len() - base;
        loop {
            a = a.min(mine);
            b = b.min(right.len());
            let mut bytes = std::mem::take(&mut scratch.region_bytes);
            bytes.clear();
            for &id in left[left.len() - a..].iter().chain(&right[..b]) {
                bytes.extend_from_slice(self.vocab.bytes(id).unwrap_or_default());
            }
            self.merge_whole_by(merges, &bytes, scratch);
            scratch.region_bytes = bytes;
            region.clear();
            region.extend_from_slice(&scratch.out);
            let left_ok = a == mine
                || self.compatible_by(merges, left[left.len() - a - 1], region[0], scratch);
            let right_ok = b == right.len()
                || self.compatible_by(merges, region[region.len() - 1], right[b], scratch);
            if left_ok && right_ok {
                left.truncate(left.len() - a);
                left.extend_from_slice(&region);
                left.extend_from_slice(&right[b..]);
                scratch.region = region;
                return true;
            }
            if !left_ok {
                a *= 2;
            }
            if !right_ok {
                b *= 2;
            }
        }
    }

    /// Whether merging the bytes of `first` and `second` together gives
    /// `first`, `second`, read off the two tokens' merge trees.
    ///
    /// While each token forms, the symbols that meet at the seam are the
    /// right spine of `first` (its last byte, then larger and larger right
    /// parts, up to `first`) and the left spine of `second`. Each spine token
    /// holds the seam from the rank at which it was made until the rank at
    /// which the next one is. Two tokens that meet have a rule, and the rule
    /// fires before either side moves on, exactly when the tokens are not
    /// compatible. On a tie the leftmost pair wins: a rule of the same rank
    /// that moves `first`'s spine comes first (it is to the left), one that
    /// moves `second`'s comes after the seam's.
    ///
    /// `None` when a spine is longer than [`MAX_SPINE`] (GPT-2's are at most
    /// 8; a trained vocabulary can have deep ones, such as a run of `=` made
    /// one byte at a time).
    fn compatible_by_trees(
        &self,
        merges: &Merges,
        trees: &[Tree],
        first: u32,
        second: u32,
    ) -> Option<bool> {
        let mut right_spine = [0u32; MAX_SPINE];
        let mut left_spine = [0u32; MAX_SPINE];
        let spine = |spine: &mut [u32; MAX_SPINE], mut id: u32, go_right: bool| {
            let mut len = 0;
            loop {
                if len == spine.len() {
                    return None;
                }
                spine[len] = id;
                len += 1;
                let tree = trees.get(id as usize)?;
                if tree.made == 0 {
                    return Some(len);
                }
                id = if go_right { tree.right } else { tree.left };
            }
        };
        let mut i = spine(&mut right_spine, first, true)?;
        let mut j = spine(&mut left_spine, second, false)?;
        // Walk both spines upwards from the bytes, in rank order.
        i -= 1;
        j -= 1;
        loop {
            let (left, right) = (right_spine[i], left_spine[j]);
            let next_left = if i > 0 {
                trees[right_spine[i - 1] as usize].made
            } else {
                u32::MAX
            };
            let next_right = if j > 0 {
                trees[left_spine[j - 1] as usize].made
            } else {
                u32::MAX
            };
            let rule = merges.packed(left, right);
            if rule != NO_RULE {
                let made = rank_of(rule) + 1;
                if made < next_left && made <= next_right {
                    return Some(false);
                }
            }
            if i == 0 && j == 0 {
                return Some(true);
            }
            if next_left <= next_right && i > 0 {
                i -= 1;
            }
            if next_right <= next_left && j > 0 {
                j -= 1;
            }
        }
    }

    /// Whether merging the bytes of `first` and `second` together gives
    /// `first`, `second`.
    #[cfg(test)]
    fn compatible(&self, first: u32, second: u32, scratch: &mut Scratch) -> bool {
        self.compatible_by(&self.merges, first, second, scratch)
    }

    /// [`Model::compatible`] with the rules of `merges`.
    ///
    /// There is no shortcut for two bytes at the seam that no token
    /// contains: the encoder cuts pieces at such pairs before merging, so
    /// seams never have one, and reading the two tokens' bytes to find out
    /// cost 3 % on a megabyte of digits. (The spines answer such pairs
    /// correctly too: no rule joins them.)
    fn compatible_by(
        &self,
        merges: &Merges,
        first: u32,
        second: u32,
        scratch: &mut Scratch,
    ) -> bool {
        // A rule for the pair itself would join them.
        if merges.packed(first, second) != NO_RULE {
            return false;
        }
        match &self.trees {
            Some(trees) => self
                .compatible_by_trees(merges, trees, first, second)
                .unwrap_or_else(|| self.compatible_by_merging(first, second, scratch)),
            None => self.compatible_by_merging(first, second, scratch),
        }
    }

    /// [`Model::compatible`] by merging the two tokens' bytes.
    fn compatible_by_merging(&self, first: u32, second: u32, scratch: &mut Scratch) -> bool {
        let (Some(a), Some(b)) = (self.vocab.bytes(first), self.vocab.bytes(second)) else {
            return false;
        };
        let mut bytes = std::mem::take(&mut scratch.pair_bytes);
        bytes.clear();
        bytes.extend_from_slice(a);
        bytes.extend_from_slice(b);
        self.merge_whole(&bytes, scratch);
        scratch.pair_bytes = bytes;
        scratch.out == [first, second]
    }

    fn merge_with_queue(
        &self,
        merges: &Merges,
        piece: &[u8],
        scratch: &mut Scratch,
        queue: &mut impl Queue,
    ) {
        let Scratch { nodes, out, .. } = scratch;
        let n = piece.len();
        // Node i starts as byte i; a merge keeps the left node and retires
        // the right one. All of a node's fields share a cache line: in a long
        // piece merges happen in rank order, all over the piece, and each
        // touches a few neighbouring nodes.
        nodes.clear();
        nodes.extend(piece.iter().enumerate().map(|(i, &b)| Node {
            rule: NO_RULE,
            id: self.vocab.byte_id(b),
            next: i as u32 + 1,
            prev: (i as u32).wrapping_sub(1),
        }));
        // Candidates `rank << 32 | node`, smallest first: the lowest rank,
        // then the leftmost. An entry is stale once its node was retired or
        // its pair changed; the node's `rule` says which pair is current.
        queue.clear();
        for (i, rule) in self.initial_rules(piece).enumerate() {
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

/// Whether chunks overlap by one token, decided from the seams so far.
///
/// A chunk's last token is the one its cut most often gets wrong: on random
/// digits 57 % of seams needed repair, 15 % when each chunk leaves its last
/// token to the next (+9 % speed). Where cuts are harmless the overlap is
/// pure waste (a run of `a`, whose tokens are four bytes: -18 %). So a piece
/// starts without overlap and counts repairs over windows of
/// [`SEAM_WINDOW`] seams: more than a quarter turns the overlap on, fewer
/// than one in twenty turns it off again. The choice only moves cuts; the
/// result is exact either way.
#[derive(Default)]
struct Overlap {
    on: bool,
    seams: u32,
    repairs: u32,
}

/// Seams per decision of [`Overlap`].
const SEAM_WINDOW: u32 = 64;

impl Overlap {
    fn seam(&mut self, repaired: bool) {
        self.seams += 1;
        self.repairs += u32::from(repaired);
        if self.seams == SEAM_WINDOW {
            if self.on {
                self.on = self.repairs * 20 >= SEAM_WINDOW;
            } else {
                self.on = self.repairs * 4 > SEAM_WINDOW;
            }
            self.seams = 0;
            self.repairs = 0;
        }
    }
}

/// One piece of a long piece being merged: its token, its neighbours, and the
/// rule for the pair it starts.
#[derive(Clone, Copy)]
struct Node {
    rule: u64,
    id: u32,
    next: u32,
    prev: u32,
}

/// A min-priority queue of `u64` keys.
trait Queue {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{XorShift, byte_tokens, gpt2_vocab_and_merges};

    fn gpt2_model() -> Model {
        let (vocab, merges) = gpt2_vocab_and_merges();
        Model::with_whole_piece_shortcut(vocab, merges)
    }

    /// The short path (arrays shifted in blocks, with an exact tail near
    /// the end of the arrays) agrees with the queue path for every length it
    /// takes.
    #[test]
    fn short_path_agrees_with_the_queue_at_every_length() {
        let model = gpt2_model();
        let alphabets: [&[u8]; 4] = [
            b"0123456789",
            b"abcdefghijklmnopqrstuvwxyz",
            b"ab",
            b"e rstign.,",
        ];
        let mut rng = XorShift(11);
        let mut scratch = Scratch::default();
        for len in 1..=SHORT_PIECE {
            for case in 0..60 {
                let alphabet = alphabets[case % alphabets.len()];
                let piece: Vec<u8> = (0..len)
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect();
                scratch.out.clear();
                model.merge_short(&piece, &mut scratch);
                let short = std::mem::take(&mut scratch.out);
                let mut heap = std::mem::take(&mut scratch.heap);
                model.merge_with_queue(&model.merges, &piece, &mut scratch, &mut heap);
                scratch.heap = heap;
                assert_eq!(short, scratch.out, "{:?}", String::from_utf8_lossy(&piece));
            }
        }
    }

    /// Deep merge trees: "a" * k made by adding one "a", for k up to 80, and
    /// the prefixes of a 40-byte string made by adding one byte, after a rule
    /// joining its last byte to its first. Spines deeper than [`MAX_SPINE`]
    /// fall back to merging: seams are judged exactly for every pair of
    /// tokens, and long pieces merge exactly.
    #[test]
    fn deep_merge_trees_are_judged_exactly() {
        let (mut list, gpt2_vocab) = byte_tokens();
        let byte = |b: u8| gpt2_vocab.byte_id(b);
        let string: Vec<u8> = (b'0'..b'0' + 40).collect();
        let mut rules = Vec::new();
        let mut next_id = 256;
        let mut add = |list: &mut crate::vocab::TokenList, bytes: &[u8], left, right| {
            list.push_ordinary(bytes, next_id);
            rules.push((left, right, next_id));
            next_id += 1;
            next_id - 1
        };
        // The first rule joins the string's last byte to its first: a
        // prefix after that byte is not compatible with it.
        let (last, first) = (string[string.len() - 1], string[0]);
        add(&mut list, &[last, first], byte(last), byte(first));
        let (mut run, mut prefix) = (byte(b'a'), byte(string[0]));
        for len in 2..=80 {
            run = add(&mut list, &vec![b'a'; len], run, byte(b'a'));
            if len <= string.len() {
                let last = byte(string[len - 1]);
                prefix = add(&mut list, &string[..len], prefix, last);
            }
        }
        let vocab = crate::vocab::Vocab::new(list).unwrap();
        let mut merges = crate::merges::Merges::with_capacity(rules.len());
        for &(left, right, merged) in &rules {
            merges.push(left, right, merged).unwrap();
        }
        let model = Model::with_whole_piece_shortcut(vocab, merges);
        assert!(model.trees.is_some());
        let mut scratch = Scratch::default();
        let tokens: Vec<u32> = string
            .iter()
            .chain(b"a")
            .map(|&b| byte(b))
            .chain(rules.iter().map(|r| r.2))
            // Merging gives only tokens that merge back to themselves
            // ("aaaa" does not: it becomes "aa" "aa").
            .filter(|&id| {
                model.merge_whole(model.vocab.bytes(id).unwrap(), &mut scratch);
                scratch.out == [id]
            })
            .collect();
        assert!(tokens.len() > 80, "{}", tokens.len());
        let (mut deep, mut deep_incompatible) = (0, 0);
        for &first in &tokens {
            for &second in &tokens {
                let expected = model.compatible_by_merging(first, second, &mut scratch);
                assert_eq!(
                    model.compatible(first, second, &mut scratch),
                    expected,
                    "{first} {second}"
                );
                let trees = model.trees.as_ref().unwrap();
                if model
                    .compatible_by_trees(&model.merges, trees, first, second)
                    .is_none()
                {
                    deep += 1;
                    deep_incompatible += usize::from(!expected);
                }
            }
        }
        assert!(deep > 500, "{deep}");
        assert!(deep_incompatible > 5, "{deep_incompatible}");
        let mut rng = XorShift(5);
        for case in 0..300 {
            let state = rng.next();
            let len = 65 + (state % 700) as usize;
            let piece: Vec<u8> = match case % 3 {
                0 => vec![b'a'; len],
                1 => string.iter().copied().cycle().take(len).collect(),
                _ => (0..len)
                    .map(|i| [b'a', b'0', b'1', string[39]][(state >> (i % 61)) as usize & 3])
                    .collect(),
            };
            let mut chunked = Vec::new();
            model.merge_in_chunks(&piece, &mut chunked, &mut scratch);
            scratch.out.clear();
            let mut heap = std::mem::take(&mut scratch.heap);
            model.merge_with_queue(&model.merges, &piece, &mut scratch, &mut heap);
            scratch.heap = heap;
            assert_eq!(chunked, scratch.out, "case {case}");
            scratch.out.clear();
        }
    }

    /// Reading compatibility off the merge trees agrees with merging the two
    /// tokens' bytes, on random pairs and on pairs of related tokens.
    #[test]
    fn compatibility_by_trees_equals_by_merging() {
        let model = gpt2_model();
        let trees = model.trees.as_ref().unwrap();
        let ids: Vec<u32> = model
            .vocab
            .ids()
            .filter(|&id| !model.vocab.is_special(id))
            .collect();
        let mut scratch = Scratch::default();
        let mut rng = XorShift(3);
        let (mut compatible, mut incompatible) = (0, 0);
        for case in 0..200_000 {
            let first = ids[rng.below(ids.len())];
            // Half the time a token related to the first: one of its parts,
            // or a token that starts with the first's last bytes.
            let second = if case % 2 == 0 {
                ids[rng.below(ids.len())]
            } else {
                let t = trees[first as usize];
                [t.left, t.right, first][rng.below(3)]
            };
            let expected = model.compatible_by_merging(first, second, &mut scratch);
            let quick = model.merges.packed(first, second) == NO_RULE
                && model
                    .compatible_by_trees(&model.merges, trees, first, second)
                    .expect("GPT-2's spines are at most 8 deep");
            assert_eq!(quick, expected, "{first} {second}");
            if expected {
                compatible += 1;
            } else {
                incompatible += 1;
            }
        }
        assert!(
            compatible > 10_000 && incompatible > 10_000,
            "{compatible} {incompatible}"
        );
    }

    /// The three long-piece paths agree: chunks with seam repair, the radix
    /// heap and the binary heap, on long pieces built to make seams hard
    /// (runs of one byte, short periods, digits, letters, punctuation, CJK).
    /// The chunks of digits and spaces use the digits' rules, the queues all
    /// rules.
    #[test]
    fn chunked_radix_and_binary_heap_paths_agree() {
        let model = gpt2_model();
        assert!(model.trees.is_some(), "GPT-2's rules are monotone");
        let alphabets: [&[&str]; 10] = [
            &["a"],
            &["a", "a", "b"],
            &["ab"],
            &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            &["1", "9", "0"],
            &[" ", "1", "2", "0", "7", "00"],
            &["e", "r", "s", "t", "i", "n", "g"],
            &["!", "=", "-", ".", "*", "/"],
            &["中", "文", "的", "\u{301}"],
            &["x", "y", "xy", "yx", "xxy"],
        ];
        let mut rng = XorShift(99);
        let mut scratch = Scratch::default();
        for case in 0..1500 {
            let alphabet = alphabets[case % alphabets.len()];
            let len = 65 + rng.below(if case % 10 == 0 { 3000 } else { 400 });
            let mut text = String::new();
            while text.len() < len {
                text.push_str(alphabet[rng.below(alphabet.len())]);
            }
            let piece = text.as_bytes();
            let mut chunked = Vec::new();
            model.merge_in_chunks(piece, &mut chunked, &mut scratch);
            scratch.out.clear();
            let mut radix = std::mem::take(&mut scratch.radix);
            model.merge_with_queue(&model.merges, piece, &mut scratch, &mut radix);
            let by_radix = std::mem::take(&mut scratch.out);
            let mut heap = std::mem::take(&mut scratch.heap);
            model.merge_with_queue(&model.merges, piece, &mut scratch, &mut heap);
            let by_heap = std::mem::take(&mut scratch.out);
            assert_eq!(by_radix, by_heap, "case {case}: {text:?}");
            assert_eq!(chunked, by_heap, "case {case}: {text:?}");
        }
    }

    /// The overlap turns on where more than a quarter of a window's seams
    /// needed repair and off where fewer than one in twenty did; long pieces
    /// that switch between the two kinds of text (random digits, a run of
    /// `a`) merge exactly either way.
    #[test]
    fn chunks_overlap_where_seams_need_repair() {
        let mut overlap = Overlap::default();
        let window = |overlap: &mut Overlap, repairs: u32| {
            for seam in 0..SEAM_WINDOW {
                overlap.seam(seam < repairs);
            }
            overlap.on
        };
        assert!(!window(&mut overlap, 16), "a quarter is not more");
        assert!(window(&mut overlap, 17));
        assert!(window(&mut overlap, 4), "one in sixteen keeps it on");
        assert!(!window(&mut overlap, 3));

        let model = gpt2_model();
        let mut rng = XorShift(5);
        let mut scratch = Scratch::default();
        let mut piece = Vec::new();
        for part in 0..6 {
            for _ in 0..(3000 + rng.below(4000)) {
                piece.push(if part % 2 == 0 {
                    b'0' + rng.below(10) as u8
                } else {
                    b'a'
                });
            }
        }
        let mut chunked = Vec::new();
        model.merge_in_chunks(&piece, &mut chunked, &mut scratch);
        scratch.out.clear();
        let mut heap = std::mem::take(&mut scratch.heap);
        model.merge_with_queue(&model.merges, &piece, &mut scratch, &mut heap);
        assert_eq!(chunked, scratch.out);
    }

    /// A seam repair widens only over the piece's own tokens, never into
    /// the ids before `base` (other pieces, in the encoder's result), even
    /// where its left edge is not compatible with them. Found by search:
    /// tokens `p`, `x`, `y` such that `x`, `y` is not compatible, and `p` is
    /// not compatible with the first token of their merge.
    #[test]
    fn seam_repair_stays_within_the_piece() {
        let model = gpt2_model();
        let mut scratch = Scratch::default();
        let tokens: Vec<u32> = [
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "aa",
        ]
        .iter()
        .map(|s| model.vocab.ordinary_id(s.as_bytes()).unwrap())
        .collect();
        let mut cases = 0;
        for &p in &tokens {
            for &x in &tokens {
                for &y in &tokens {
                    if model.compatible(x, y, &mut scratch) {
                        continue;
                    }
                    let bytes = [model.vocab.bytes(x).unwrap(), model.vocab.bytes(y).unwrap()];
                    model.merge_whole(&bytes.concat(), &mut scratch);
                    let merged = scratch.out.clone();
                    if model.compatible(p, merged[0], &mut scratch) {
                        continue;
                    }
                    cases += 1;
                    let mut left = vec![p, x];
                    assert!(model.join(&mut left, 1, &[y], None, &mut scratch));
                    assert_eq!(left[0], p, "{p} {x} {y}");
                    assert_eq!(left[1..], merged[..], "{p} {x} {y}");
                }
            }
        }
        assert!(cases > 10, "{cases}");
    }

    /// Both queues pop keys in increasing order, including keys pushed
    /// between pops (never below the last popped key).
    #[test]
    fn queues_pop_in_order() {
        let mut rng = XorShift(7);
        let mut radix = RadixHeap::default();
        let mut heap = BinaryHeap::new();
        radix.clear();
        let mut reference = std::collections::BTreeMap::<u64, usize>::new();
        let mut last = 0;
        for step in 0..20_000 {
            if step % 3 != 2 {
                let key = last + rng.next() % 1_000_000;
                radix.push(key);
                Queue::push(&mut heap, key);
                *reference.entry(key).or_default() += 1;
            } else if let Some((&min, _)) = reference.iter().next() {
                assert_eq!(radix.pop(), Some(min));
                assert_eq!(Queue::pop(&mut heap), Some(min));
                let count = reference.get_mut(&min).unwrap();
                *count -= 1;
                if *count == 0 {
                    reference.remove(&min);
                }
                last = min;
            }
        }
        while let Some((&min, _)) = reference.iter().next() {
            assert_eq!(radix.pop(), Some(min));
            let count = reference.get_mut(&min).unwrap();
            *count -= 1;
            if *count == 0 {
                reference.remove(&min);
            }
        }
        assert_eq!(radix.pop(), None);
    }
}
