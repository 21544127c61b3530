//! Long chunks under monotone rules: merged in stretches of [`STRETCH`] bytes,
//! each seam checked and repaired (DESIGN.md proves the result exact).

use super::{MAX_SPINE, STRETCH, Scratch};
use crate::encode::{Model, Tree};
use crate::merges::{Merges, NO_RULE, rank_of};

impl Model {
    /// Long chunks, for monotone rules: merge stretches of [`STRETCH`] bytes
    /// one at a time and repair each seam, so that all work happens on a few
    /// dozen bytes that stay in the cache (merging a megabyte in rank order
    /// instead jumps all over it; see DESIGN.md for the measurements).
    ///
    /// Why this is exact. Call two adjacent tokens *compatible* when merging
    /// their bytes together gives back those two tokens. For monotone rules,
    /// a sequence of tokens is the merge of its bytes if and only if every
    /// adjacent pair is compatible (DESIGN.md gives the proof). The merge of
    /// a stretch satisfies this inside the stretch; at a seam whose two tokens
    /// are not compatible, the tokens around the seam are merged again as one
    /// region, widened until the region's edges are compatible too.
    ///
    /// The ids are appended to `tokens`, whose earlier contents are left as
    /// they are (the encoder passes its result vector).
    pub(in crate::encode) fn merge_in_stretches(
        &self,
        chunk: &[u8],
        tokens: &mut Vec<u32>,
        scratch: &mut Scratch,
    ) {
        let merges = self.merges_for(chunk);
        let base = tokens.len();
        let mut stretch = std::mem::take(&mut scratch.stretch);
        let mut overlap = Overlap::default();
        // The dropped token and the one before it were side by side in a
        // stretch's merge, so they are compatible: when the next stretch gives
        // back the dropped token first, the seam needs no check (on random
        // digits, two seams in five).
        let mut known = None;
        let mut start = 0;
        while start < chunk.len() {
            let end = (start + STRETCH).min(chunk.len());
            self.merge_whole_by(merges, &chunk[start..end], scratch);
            std::mem::swap(&mut stretch, &mut scratch.out);
            start = end;
            // Leave the stretch's last token to the next stretch, which sees its
            // bytes with their right-hand context, when that pays (see
            // `Overlap`).
            let mut dropped = None;
            if overlap.on && end < chunk.len() && stretch.len() > 1 {
                let last = stretch.pop().unwrap_or_default();
                start -= self.vocab.bytes(last).map_or(0, <[u8]>::len);
                dropped = stretch.last().map(|&kept| (kept, last));
            }
            let repaired = self.join_by(merges, tokens, base, &stretch, known, scratch);
            known = dropped;
            overlap.seam(repaired);
        }
        scratch.stretch = stretch;
    }

    /// Appends `right`, the merge of the bytes that follow those of
    /// `left[base..]`, to `left`, so that `left[base..]` becomes the merge of
    /// all those bytes. Returns whether the seam needed repair.
    ///
    /// `known` is a pair of tokens known to be compatible: when the seam is
    /// that pair, it needs no check.
    #[cfg(test)]
    pub(super) fn join(
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
    pub(super) fn compatible_by_trees(
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
    pub(super) fn compatible(&self, first: u32, second: u32, scratch: &mut Scratch) -> bool {
        self.compatible_by(&self.merges, first, second, scratch)
    }

    /// [`Model::compatible`] with the rules of `merges`.
    ///
    /// There is no shortcut for two bytes at the seam that no token
    /// contains: the encoder cuts chunks at such pairs before merging, so
    /// seams never have one, and reading the two tokens' bytes to find out
    /// would cost a load per seam. (The spines answer such pairs correctly
    /// too: no rule joins them.)
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
    pub(super) fn compatible_by_merging(
        &self,
        first: u32,
        second: u32,
        scratch: &mut Scratch,
    ) -> bool {
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
}

/// Whether stretches overlap by one token, decided from the seams so far.
///
/// A stretch's last token is the one its cut most often gets wrong: on random
/// digits most seams need repair unless each stretch leaves its last token to
/// the next. Where cuts are harmless the overlap is pure waste (a run of
/// `a`, whose tokens are four bytes). DESIGN.md has both figures. So a chunk
/// starts without overlap and counts repairs over windows of
/// [`SEAM_WINDOW`] seams: more than a quarter turns the overlap on, fewer
/// than one in twenty turns it off again. The choice only moves cuts; the
/// result is exact either way.
#[derive(Default)]
pub(super) struct Overlap {
    pub(super) on: bool,
    seams: u32,
    repairs: u32,
}

/// Seams per decision of [`Overlap`].
pub(super) const SEAM_WINDOW: u32 = 64;

impl Overlap {
    pub(super) fn seam(&mut self, repaired: bool) {
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
