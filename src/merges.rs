//! The ordered merge rules: `(left id, right id) -> (rank, merged id)`.
//!
//! A rule's rank is its position in merges.txt (0 first); when several
//! adjacent pairs of a chunk have rules, the lowest rank merges first. The
//! table is keyed by the pair of ids, as HF tokenizers keys it, rather than
//! by the merged bytes, as tiktoken does; for vocabularies trained the usual
//! way the two agree (see DESIGN.md). Vocabularies read from tiktoken files
//! reproduce tiktoken's rule exactly: a rule's rank is the merged token's id,
//! and besides each token's own rule every other split of the token into two
//! tokens gets a rule (an alias) of the same rank.

use crate::hash::{Fill, U64Table};

/// A packed rule that is no rule: greater than every real one.
pub(crate) const NO_RULE: u64 = u64::MAX;

/// The rank of a packed rule.
#[inline]
pub(crate) fn rank_of(rule: u64) -> u32 {
    (rule >> 32) as u32
}

/// The merged id of a packed rule.
#[inline]
pub(crate) fn merged_of(rule: u64) -> u32 {
    rule as u32
}

/// A rule packed as `rank << 32 | merged`.
fn pack(rank: u32, merged: u32) -> u64 {
    (rank as u64) << 32 | merged as u64
}

/// All merge rules of a tokenizer.
pub(crate) struct Merges {
    /// `key(left, right)` -> `rank << 32 | merged`.
    by_pair: U64Table,
    /// A bit per hash of `key(left, right)`, set for every rule: most pairs
    /// looked up have no rule, and this answers them from 128 KB instead of
    /// a table of megabytes.
    maybe_rule: Vec<u64>,
    /// `64 - log2(bits in maybe_rule)`.
    filter_shift: u32,
    /// `(left, right, merged)` in rank order, for saving.
    ordered: Vec<(u32, u32, u32)>,
    /// Whether ranks are token ids ([`Merges::push_ranked_by_id`]).
    ranked_by_id: bool,
}

#[inline]
fn key(left: u32, right: u32) -> u64 {
    (left as u64) << 32 | right as u64
}

/// [`Merges::maybe_rule`] has at least this many bits per rule (rounded up
/// to a power of two): GPT-2's 50,000 rules get 2^20 bits, 128 KB, and about
/// one pair in twenty without a rule still goes to the table.
const FILTER_BITS_PER_RULE: usize = 16;

/// A [`Merges::subset`] is sized for this many times its rules: a table at
/// most an eighth full and a filter of 64 bits a rule, so that fewer lookups
/// probe a second slot or pass the filter wrongly. A subset is small (GPT-2's
/// numbers have 1,681 rules), so the room costs little and stays in cache.
const SUBSET_SPREAD: usize = 4;

impl Merges {
    /// An empty table with room for `capacity` rules.
    pub(crate) fn with_capacity(capacity: usize) -> Merges {
        Merges::holding(capacity, Vec::with_capacity(capacity), Fill::Dense)
    }

    /// A table with room for `capacity` rules filled up to `fill`, whose
    /// rule list is `ordered` (not yet indexed).
    fn holding(capacity: usize, ordered: Vec<(u32, u32, u32)>, fill: Fill) -> Merges {
        let filter_bits = (capacity * FILTER_BITS_PER_RULE)
            .next_power_of_two()
            .clamp(1 << 12, 1 << 24);
        Merges {
            by_pair: U64Table::filled(capacity, fill),
            maybe_rule: vec![0; filter_bits / 64],
            filter_shift: 64 - filter_bits.trailing_zeros(),
            ordered,
            ranked_by_id: false,
        }
    }

    /// The rules `(left, right, merged)`, whose pairs are all distinct,
    /// ranked in their order, as [`Merges::push`] of each would make them;
    /// the vector becomes the rule list, and the table is built in the
    /// cache-friendly order of [`U64Table::insert_all`].
    pub(crate) fn from_rules(rules: Vec<(u32, u32, u32)>) -> Merges {
        let mut merges = Merges::holding(rules.len(), rules, Fill::Dense);
        merges.index_all();
        merges
    }

    /// Appends the rule `left right -> merged` with the next rank. Returns the
    /// rank of an existing rule for the same pair instead of adding it.
    pub(crate) fn push(&mut self, left: u32, right: u32, merged: u32) -> Result<(), u32> {
        let rank = self.ordered.len() as u32;
        let value = pack(rank, merged);
        match self.by_pair.insert(key(left, right), value) {
            Some(existing) => Err((existing >> 32) as u32),
            None => {
                self.mark(key(left, right));
                self.ordered.push((left, right, merged));
                Ok(())
            }
        }
    }

    /// Puts every rule of `ordered` into the table and the filter, with its
    /// position as its rank.
    fn index_all(&mut self) {
        let rules = &self.ordered;
        let entry = |i: usize| {
            let (left, right, merged) = rules[i];
            (key(left, right), pack(i as u32, merged))
        };
        let distinct = self.by_pair.insert_all_with(rules.len(), entry);
        debug_assert!(distinct, "the pairs are distinct");
        for i in 0..self.ordered.len() {
            let (left, right, _) = self.ordered[i];
            self.mark(key(left, right));
        }
    }

    /// Adds the rule `left right -> merged` with tiktoken's rank: the merged
    /// token's id. `saved` rules are written to merges.txt (one per token, in
    /// id order); the others are aliases, the token's other splits into two
    /// tokens, which tiktoken merges as well. Returns false, adding nothing,
    /// if the pair already has a rule.
    pub(crate) fn push_ranked_by_id(
        &mut self,
        left: u32,
        right: u32,
        merged: u32,
        saved: bool,
    ) -> bool {
        let value = pack(merged, merged);
        let added = self.by_pair.insert(key(left, right), value).is_none();
        if added {
            self.mark(key(left, right));
        }
        if added && saved {
            self.ordered.push((left, right, merged));
        }
        self.ranked_by_id = true;
        added
    }

    /// Whether ranks are token ids (tiktoken's rule) rather than positions in
    /// the list; then a token can be made by several rules.
    pub(crate) fn ranked_by_id(&self) -> bool {
        self.ranked_by_id
    }

    /// The rule for `left right` packed as `rank << 32 | merged`, or
    /// [`NO_RULE`] (which compares greater than every rule). Packed rules
    /// compare by rank, so the encoder finds the best pair with one integer
    /// comparison per pair.
    #[inline]
    pub(crate) fn packed(&self, left: u32, right: u32) -> u64 {
        let key = key(left, right);
        if !self.may_have_rule(key) {
            return NO_RULE;
        }
        self.by_pair.get(key).unwrap_or(NO_RULE)
    }

    /// False when the filter knows `key` has no rule.
    #[inline]
    fn may_have_rule(&self, key: u64) -> bool {
        let bit = self.filter_bit(key);
        self.maybe_rule[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// The bit of `key` in `maybe_rule` (a different multiplier from the
    /// table's, so that the two hashes are independent).
    #[inline]
    fn filter_bit(&self, key: u64) -> usize {
        (key.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> self.filter_shift) as usize
    }

    fn mark(&mut self, key: u64) {
        let bit = self.filter_bit(key);
        self.maybe_rule[bit / 64] |= 1 << (bit % 64);
    }

    /// The rules whose merged token `keep` accepts, for lookups only (the
    /// subset cannot be saved). A chunk whose bytes all belong to a small
    /// alphabet only ever looks up pairs of tokens spelled in it, whose rules
    /// make tokens spelled in it too; the subset answers those exactly, from
    /// tables small enough to stay in the core's cache.
    pub(crate) fn subset(&self, keep: impl Fn(u32) -> bool) -> Merges {
        // The rules in rank order are a third of the table's size to read;
        // only tiktoken's aliases are in the table alone.
        let kept: Vec<(u64, u64)> = if self.ranked_by_id {
            self.by_pair
                .iter()
                .filter(|&(_, rule)| keep(merged_of(rule)))
                .collect()
        } else {
            (0u32..)
                .zip(&self.ordered)
                .filter(|&(_, &(_, _, merged))| keep(merged))
                .map(|(rank, &(left, right, merged))| (key(left, right), pack(rank, merged)))
                .collect()
        };
        let mut subset = Merges::holding(kept.len() * SUBSET_SPREAD, Vec::new(), Fill::Half);
        subset.ranked_by_id = self.ranked_by_id;
        for (key, rule) in kept {
            subset.by_pair.insert(key, rule);
            subset.mark(key);
        }
        subset
    }

    /// `(left, right, merged)` for every rule, in rank order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.ordered.iter().copied()
    }

    /// Number of rules.
    pub(crate) fn len(&self) -> usize {
        self.ordered.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{XorShift, gpt2_vocab_and_merges};

    /// The filter in front of the table never hides a rule, and answers
    /// pairs without one like the table does.
    #[test]
    fn the_filter_never_hides_a_rule() {
        let (_, merges) = gpt2_vocab_and_merges();
        for (rank, (left, right, merged)) in merges.iter().enumerate() {
            let rule = merges.packed(left, right);
            assert_eq!((rank_of(rule), merged_of(rule)), (rank as u32, merged));
        }
        let mut rng = XorShift(7);
        let mut filtered = 0;
        for _ in 0..200_000 {
            let state = rng.next();
            let (left, right) = ((state % 50_257) as u32, (state >> 32) as u32 % 50_257);
            let in_table = merges.by_pair.get(key(left, right)).unwrap_or(NO_RULE);
            assert_eq!(merges.packed(left, right), in_table);
            filtered += usize::from(!merges.may_have_rule(key(left, right)));
        }
        // About 95 % of random pairs never reach the table.
        assert!(filtered > 180_000, "{filtered}");
    }
}
