//! Learning merges from chunk counts, incrementally.
//!
//! The rule (HF tokenizers' BpeTrainer): repeatedly take the adjacent pair
//! with the highest count over all chunks, weighted by each chunk's count,
//! the smallest `(left id, right id)` on ties; replace its occurrences in
//! every chunk, left to right without overlap, by a token whose id is the
//! next free one (or the existing id of an equal string). Stop at the
//! vocabulary size, when no pair is left, or when the best count is below
//! `max(1, min_frequency)`.
//!
//! Recounting every pair before each merge is correct but slow (the tests
//! keep such a trainer as the oracle). Here the counts are updated only for
//! the chunks that contain the merged pair, found through a pair -> chunks
//! index, and a max-heap of `(count, pair)` entries is corrected lazily: an
//! entry whose count is out of date is pushed back with the current count
//! when it reaches the top. Counts are exact at all times (64-bit, weighted).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::hash::{ByteTable, U64Table};

/// The settings the merge loop needs.
pub(crate) struct MergeSettings {
    /// Stop once this many ids are in use (special tokens and bytes included).
    pub(crate) vocab_size: usize,
    /// Ids already in use before the first merge (special tokens and the 256 bytes).
    pub(crate) initial_ids: u32,
    /// `byte_ids[b]` is the id of byte `b`'s token.
    pub(crate) byte_ids: [u32; 256],
    /// Special tokens written in the byte-level alphabet: the bytes they
    /// spell and their ids. A learned token with those bytes takes that id.
    pub(crate) special_spellings: Vec<(Vec<u8>, u32)>,
    /// Merges need at least this count (and at least 1).
    pub(crate) min_frequency: u64,
    /// No token longer than this many bytes is learned.
    pub(crate) max_token_length: usize,
}

/// What training learned.
pub(crate) struct Learned {
    /// The new tokens' bytes, for ids `initial_ids..`.
    pub(crate) tokens: Vec<Vec<u8>>,
    /// `(left, right, merged)` in rank order.
    pub(crate) merges: Vec<(u32, u32, u32)>,
    /// Learned tokens that took a special token's id, with their bytes.
    pub(crate) special_tokens_learned: Vec<(Vec<u8>, u32)>,
}

/// All chunks as sequences of token ids, in one buffer; merging only ever
/// shortens a chunk, in place.
struct Chunks {
    symbols: Vec<u32>,
    /// `(start, len)` in `symbols`.
    spans: Vec<(usize, usize)>,
    counts: Vec<u64>,
}

/// Per pair: its weighted count and the chunks that may contain it (possibly
/// with repeats and chunks that no longer do; both are skipped when used).
#[derive(Default)]
struct PairStats {
    count: i64,
    chunks: Vec<u32>,
    /// The merge step that last changed this pair's count, to collect each
    /// changed pair once per step.
    touched: u32,
}

#[inline]
fn pair_key(left: u32, right: u32) -> u64 {
    (left as u64) << 32 | right as u64
}

/// The pair table: pair key -> index into `stats`.
struct Pairs {
    index: U64Table,
    stats: Vec<PairStats>,
}

impl Pairs {
    fn slot(&mut self, key: u64) -> usize {
        if let Some(slot) = self.index.get(key) {
            return slot as usize;
        }
        self.stats.push(PairStats::default());
        let slot = self.stats.len() - 1;
        self.index.insert(key, slot as u64);
        slot
    }

    fn count(&self, key: u64) -> i64 {
        self.index
            .get(key)
            .map_or(0, |slot| self.stats[slot as usize].count)
    }
}

/// Token bytes by id (new tokens only) with a lookup from bytes to id, to
/// give a merge that rebuilds an existing string that string's id.
struct NewTokens {
    data: Vec<u8>,
    spans: Vec<(usize, usize)>,
    by_bytes: ByteTable,
    first_id: u32,
}

impl NewTokens {
    fn bytes(&self, index: u32) -> &[u8] {
        let (start, end) = self.spans[index as usize];
        &self.data[start..end]
    }

    /// The id of `bytes` if it is a new token already.
    fn find(&self, bytes: &[u8]) -> Option<u32> {
        let index = self.by_bytes.get(bytes, |i| self.bytes(i))?;
        Some(self.first_id + index)
    }

    fn push(&mut self, bytes: &[u8]) -> u32 {
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        self.spans.push((start, self.data.len()));
        let index = (self.spans.len() - 1) as u32;
        let (data, spans) = (&self.data, &self.spans);
        self.by_bytes.insert(bytes, index, |i| {
            let (s, e) = spans[i as usize];
            &data[s..e]
        });
        self.first_id + index
    }
}

/// Learns merges from `chunks` (each chunk's bytes and count).
pub(crate) fn learn<'a>(
    chunks: impl ExactSizeIterator<Item = (&'a [u8], u64)>,
    settings: &MergeSettings,
    mut progress: impl FnMut(usize, usize),
) -> Learned {
    let mut chunk_data = Chunks {
        symbols: Vec::new(),
        spans: Vec::with_capacity(chunks.len()),
        counts: Vec::with_capacity(chunks.len()),
    };
    for (bytes, count) in chunks {
        let start = chunk_data.symbols.len();
        chunk_data
            .symbols
            .extend(bytes.iter().map(|&b| settings.byte_ids[b as usize]));
        chunk_data.spans.push((start, bytes.len()));
        chunk_data.counts.push(count);
    }

    // Token lengths in bytes, by id, for max_token_length; and the bytes of
    // the byte tokens, to build new tokens' bytes.
    let mut token_len: Vec<u32> = vec![0; settings.initial_ids as usize];
    let mut byte_of_id: Vec<Option<u8>> = vec![None; settings.initial_ids as usize];
    for (b, &id) in settings.byte_ids.iter().enumerate() {
        token_len[id as usize] = 1;
        byte_of_id[id as usize] = Some(b as u8);
    }
    let allowed = |token_len: &[u32], left: u32, right: u32| {
        (token_len[left as usize] + token_len[right as usize]) as usize <= settings.max_token_length
    };

    // Initial pair counts.
    let mut pairs = Pairs {
        index: U64Table::with_capacity(1 << 16),
        stats: Vec::new(),
    };
    for (chunk, &(start, len)) in chunk_data.spans.iter().enumerate() {
        let count = chunk_data.counts[chunk] as i64;
        let symbols = &chunk_data.symbols[start..start + len];
        for window in symbols.windows(2) {
            if !allowed(&token_len, window[0], window[1]) {
                continue;
            }
            let slot = pairs.slot(pair_key(window[0], window[1]));
            let stats = &mut pairs.stats[slot];
            stats.count = stats.count.saturating_add(count);
            if stats.chunks.last() != Some(&(chunk as u32)) {
                stats.chunks.push(chunk as u32);
            }
        }
    }
    let mut queue: BinaryHeap<(u64, Reverse<u64>)> = BinaryHeap::new();
    for (key, slot) in pairs.index.iter() {
        let count = pairs.stats[slot as usize].count;
        if count > 0 {
            queue.push((count as u64, Reverse(key)));
        }
    }

    let mut new_tokens = NewTokens {
        data: Vec::new(),
        spans: Vec::new(),
        by_bytes: ByteTable::with_capacity(1024),
        first_id: settings.initial_ids,
    };
    let token_bytes = |new_tokens: &NewTokens,
                       learned: &[(Vec<u8>, u32)],
                       byte_of_id: &[Option<u8>],
                       id: u32,
                       out: &mut Vec<u8>| {
        if let Some(b) = byte_of_id.get(id as usize).copied().flatten() {
            out.push(b);
        } else if id >= new_tokens.first_id {
            out.extend_from_slice(new_tokens.bytes(id - new_tokens.first_id));
        } else if let Some((bytes, _)) = learned.iter().find(|&&(_, s)| s == id) {
            out.extend_from_slice(bytes);
        }
    };

    let threshold = settings.min_frequency.max(1);
    let target = settings
        .vocab_size
        .saturating_sub(settings.initial_ids as usize);
    let mut merges: Vec<(u32, u32, u32)> = Vec::new();
    let mut vocab_len = settings.initial_ids as usize;
    let mut visited: Vec<u32> = vec![0; chunk_data.spans.len()];
    let mut touched: Vec<u64> = Vec::new();
    let mut changes: Vec<(u64, i64)> = Vec::new();
    let mut merged_bytes = Vec::new();
    let mut special_tokens_learned = Vec::new();
    let mut step: u32 = 0;
    while vocab_len < settings.vocab_size {
        let Some((count, Reverse(key))) = queue.pop() else {
            break;
        };
        let current = pairs.count(key);
        if current != count as i64 {
            // Out of date: requeue with the current count.
            if current > 0 {
                queue.push((current as u64, Reverse(key)));
            }
            continue;
        }
        if count < threshold {
            break;
        }
        let (left, right) = ((key >> 32) as u32, key as u32);
        merged_bytes.clear();
        token_bytes(
            &new_tokens,
            &special_tokens_learned,
            &byte_of_id,
            left,
            &mut merged_bytes,
        );
        token_bytes(
            &new_tokens,
            &special_tokens_learned,
            &byte_of_id,
            right,
            &mut merged_bytes,
        );
        let special = settings
            .special_spellings
            .iter()
            .find(|(bytes, _)| *bytes == merged_bytes)
            .map(|&(_, id)| id);
        let merged = match (new_tokens.find(&merged_bytes), special) {
            (Some(existing), _) => existing,
            (None, Some(id)) => {
                if !special_tokens_learned.iter().any(|&(_, s)| s == id) {
                    special_tokens_learned.push((merged_bytes.clone(), id));
                    token_len[id as usize] = merged_bytes.len() as u32;
                }
                id
            }
            (None, None) => {
                vocab_len += 1;
                token_len.push(merged_bytes.len() as u32);
                new_tokens.push(&merged_bytes)
            }
        };
        merges.push((left, right, merged));
        step += 1;

        let slot = pairs.slot(key);
        let candidates = std::mem::take(&mut pairs.stats[slot].chunks);
        for &chunk in &candidates {
            if visited[chunk as usize] == step {
                continue;
            }
            visited[chunk as usize] = step;
            let (start, len) = chunk_data.spans[chunk as usize];
            let symbols = &mut chunk_data.symbols[start..start + len];
            changes.clear();
            let new_len = merge_in_chunk(symbols, left, right, merged, &mut |l, r, delta| {
                if allowed(&token_len, l, r) {
                    changes.push((pair_key(l, r), delta));
                }
            });
            chunk_data.spans[chunk as usize].1 = new_len;
            let weight = chunk_data.counts[chunk as usize] as i64;
            for &(pair, delta) in &changes {
                let slot = pairs.slot(pair);
                let stats = &mut pairs.stats[slot];
                stats.count = stats.count.saturating_add(delta.saturating_mul(weight));
                if delta > 0 && stats.chunks.last() != Some(&chunk) {
                    stats.chunks.push(chunk);
                }
                if stats.touched != step {
                    stats.touched = step;
                    touched.push(pair);
                }
            }
        }
        for pair in touched.drain(..) {
            let count = pairs.count(pair);
            if count > 0 {
                queue.push((count as u64, Reverse(pair)));
            }
        }
        progress(merges.len(), target);
    }

    let tokens = (0..new_tokens.spans.len() as u32)
        .map(|i| new_tokens.bytes(i).to_vec())
        .collect();
    Learned {
        tokens,
        merges,
        special_tokens_learned,
    }
}

/// Replaces every occurrence of `left right` in `symbols` by `merged`, left
/// to right without overlap, and reports each adjacent pair that disappears
/// (`-1`) or appears (`+1`) to `change`. Returns the new length.
fn merge_in_chunk(
    symbols: &mut [u32],
    left: u32,
    right: u32,
    merged: u32,
    change: &mut impl FnMut(u32, u32, i64),
) -> usize {
    let len = symbols.len();
    let (mut read, mut write) = (0, 0);
    while read < len {
        if read + 1 < len && symbols[read] == left && symbols[read + 1] == right {
            if write > 0 {
                // The symbol before, possibly a token this pass just made.
                let before = symbols[write - 1];
                change(before, left, -1);
                change(before, merged, 1);
            }
            change(left, right, -1);
            if read + 2 < len {
                let after = symbols[read + 2];
                change(right, after, -1);
                change(merged, after, 1);
            }
            symbols[write] = merged;
            read += 2;
        } else {
            symbols[write] = symbols[read];
            read += 1;
        }
        write += 1;
    }
    write
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every adjacent pair of a sequence, as a multiset.
    fn pair_counts(symbols: &[u32]) -> std::collections::BTreeMap<(u32, u32), i64> {
        let mut counts = std::collections::BTreeMap::new();
        for w in symbols.windows(2) {
            *counts.entry((w[0], w[1])).or_insert(0) += 1;
        }
        counts
    }

    /// The reported changes equal the difference of the pair multisets
    /// before and after, including overlapping runs like `a a a a`.
    #[test]
    fn reported_changes_are_exact() {
        let cases: [&[u32]; 7] = [
            &[1, 1, 1, 1],
            &[1, 1, 1],
            &[1, 2, 1, 2, 1, 2],
            &[3, 1, 2, 1, 1, 2, 2],
            &[2, 1],
            &[1, 2],
            &[5, 1, 2, 1, 2, 5, 1, 2],
        ];
        for (left, right) in [(1, 1), (1, 2), (2, 1)] {
            for case in cases {
                let mut symbols = case.to_vec();
                let before = pair_counts(&symbols);
                let mut delta = std::collections::BTreeMap::new();
                let len = merge_in_chunk(&mut symbols, left, right, 9, &mut |l, r, d| {
                    *delta.entry((l, r)).or_insert(0) += d;
                });
                symbols.truncate(len);
                let mut expected = pair_counts(&symbols);
                for (pair, count) in before {
                    *expected.entry(pair).or_insert(0) -= count;
                }
                expected.retain(|_, c| *c != 0);
                delta.retain(|_, c| *c != 0);
                assert_eq!(delta, expected, "{case:?} merging ({left}, {right})");
            }
        }
    }

    #[test]
    fn merges_left_to_right_without_overlap() {
        let mut symbols = vec![1, 1, 1];
        let len = merge_in_chunk(&mut symbols, 1, 1, 9, &mut |_, _, _| {});
        assert_eq!(&symbols[..len], [9, 1]);
    }
}
