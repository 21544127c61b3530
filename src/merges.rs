//! The ordered merge rules: `(left id, right id) -> (rank, merged id)`.
//!
//! A rule's rank is its position in merges.txt (0 first); when several
//! adjacent pairs of a piece have rules, the lowest rank merges first. The
//! table is keyed by the pair of ids, as HF tokenizers keys it, rather than
//! by the merged bytes, as tiktoken does; for vocabularies trained the usual
//! way the two agree (see DESIGN.md).

use crate::hash::FxHashMap;

/// A merge rule's priority and result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Merge {
    /// Position in the ordered list; lower merges first.
    pub(crate) rank: u32,
    /// Id of the token the pair becomes.
    pub(crate) merged: u32,
}

/// All merge rules of a tokenizer.
pub(crate) struct Merges {
    by_pair: FxHashMap<u64, Merge>,
    /// `(left, right)` in rank order, for saving.
    ordered: Vec<(u32, u32)>,
}

#[inline]
fn key(left: u32, right: u32) -> u64 {
    (left as u64) << 32 | right as u64
}

impl Merges {
    /// An empty table with room for `capacity` rules.
    pub(crate) fn with_capacity(capacity: usize) -> Merges {
        Merges {
            by_pair: FxHashMap::with_capacity_and_hasher(capacity, Default::default()),
            ordered: Vec::with_capacity(capacity),
        }
    }

    /// Appends the rule `left right -> merged` with the next rank. Returns the
    /// rank of an existing rule for the same pair instead of adding it.
    pub(crate) fn push(&mut self, left: u32, right: u32, merged: u32) -> Result<(), u32> {
        let rank = self.ordered.len() as u32;
        match self.by_pair.entry(key(left, right)) {
            std::collections::hash_map::Entry::Occupied(e) => Err(e.get().rank),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(Merge { rank, merged });
                self.ordered.push((left, right));
                Ok(())
            }
        }
    }

    /// The rule for the adjacent pair `left right`, if any.
    #[inline]
    pub(crate) fn get(&self, left: u32, right: u32) -> Option<Merge> {
        self.by_pair.get(&key(left, right)).copied()
    }

    /// `(left, right, merged)` for every rule, in rank order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        self.ordered.iter().map(|&(l, r)| {
            let merged = self.by_pair[&key(l, r)].merged;
            (l, r, merged)
        })
    }

    /// Number of rules.
    pub(crate) fn len(&self) -> usize {
        self.ordered.len()
    }
}
