//! Memoized merges within one call: a text repeats the chunks that are not
//! tokens (identifiers in code, inflected words, long numbers), and merging
//! one costs far more than finding it again.
//!
//! The cache lives only as long as one `encode` or `count` call (one per
//! thread in `encode_parallel` and `encode_batch`), so a `Tokenizer` stays
//! immutable and shared without locks, and no call is faster because of text
//! an earlier call saw. It is bounded: once it holds
//! [`MAX_ENTRIES`] chunks or [`MAX_BYTES`] bytes of them, it stops growing.
//! The encoder drops it while it does not pay (see `encode`).

use crate::hash::{ByteTable, Probe};

/// At most this many chunks are remembered.
const MAX_ENTRIES: usize = 1 << 16;
/// At most this many bytes of chunks and ids are remembered.
const MAX_BYTES: usize = 8 << 20;

/// Chunks merged so far in this call, with their ids.
pub(crate) struct ChunkCache {
    /// Values are the positions of the chunks' records in `records`.
    table: ByteTable,
    /// The chunks' bytes, one after another.
    keys: Vec<u8>,
    /// Per chunk, one after another: where its bytes start and end in
    /// `keys`, the number of its ids, and the ids. A hit reads its ids from
    /// the record the table points at, with no index in between.
    records: Vec<u32>,
    /// Chunks remembered.
    len: usize,
}

/// The words of a record before its ids.
const HEADER: usize = 3;

/// The fewest chunks a new cache makes room for.
const MIN_ENTRIES: usize = 1024;
/// A typical merged chunk of English or code: its bytes and its ids.
const TYPICAL_BYTES: usize = 8;
const TYPICAL_IDS: usize = 3;

impl ChunkCache {
    /// A cache with room for about `entries` chunks before it first grows
    /// (at least [`MIN_ENTRIES`], at most [`MAX_ENTRIES`]). Growing leaves
    /// the smaller table and buffers behind as freed memory that the
    /// allocator keeps, so a call over a long text sizes its cache from the
    /// text's length (see [`ChunkCache::entries_for`]).
    pub(crate) fn with_capacity(entries: usize) -> ChunkCache {
        let entries = entries.clamp(MIN_ENTRIES, MAX_ENTRIES);
        ChunkCache {
            table: ByteTable::with_capacity(entries),
            // Twice what a typical chunk needs: memory reserved and not
            // written costs nothing, a regrown buffer leaves the old one.
            keys: Vec::with_capacity(entries * 2 * TYPICAL_BYTES),
            records: Vec::with_capacity(entries * 2 * (HEADER + TYPICAL_IDS)),
            len: 0,
        }
    }

    /// About how many chunks that need merging a text of `len` bytes
    /// holds without repeats: one in 400 to 900 bytes of English and code
    /// with GPT-2's vocabulary, fewer with larger ones.
    pub(crate) fn entries_for(len: usize) -> usize {
        len / 512
    }

    /// The ids of `chunk` (whose probe is given), if it was merged earlier
    /// in this call.
    #[inline]
    pub(crate) fn get(&self, chunk: &[u8], probe: Probe) -> Option<&[u32]> {
        let (keys, records) = (&self.keys, &self.records);
        let at = self
            .table
            .get_probed(chunk, probe, |at| key(keys, records, at))? as usize;
        let count = records[at + 2] as usize;
        Some(&records[at + HEADER..at + HEADER + count])
    }

    /// Remembers that `chunk` merges to `ids`, unless the cache is full.
    pub(crate) fn insert(&mut self, chunk: &[u8], ids: &[u32]) {
        let bytes = self.keys.len() + chunk.len() + 4 * (self.records.len() + HEADER + ids.len());
        if self.len >= MAX_ENTRIES || bytes > MAX_BYTES || chunk.is_empty() {
            return;
        }
        let at = self.records.len() as u32;
        self.records.extend_from_slice(&[
            self.keys.len() as u32,
            (self.keys.len() + chunk.len()) as u32,
            ids.len() as u32,
        ]);
        self.records.extend_from_slice(ids);
        self.keys.extend_from_slice(chunk);
        self.len += 1;
        let (keys, records) = (&self.keys, &self.records);
        self.table.insert(chunk, at, |at| key(keys, records, at));
    }
}

/// The bytes of the chunk whose record is at `at`.
fn key<'k>(keys: &'k [u8], records: &[u32], at: u32) -> &'k [u8] {
    let at = at as usize;
    &keys[records[at] as usize..records[at + 1] as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks like those a cache holds: 8 bytes, 3 ids each.
    fn fill(cache: &mut ChunkCache, count: usize) {
        for n in 0..count as u64 {
            let chunk = (n * 0x9E37_79B9).to_le_bytes();
            cache.insert(&chunk, &[1, 2, n as u32]);
        }
    }

    #[test]
    fn a_sized_cache_takes_its_chunks_without_growing() {
        let entries = ChunkCache::entries_for(10_000_000);
        let mut cache = ChunkCache::with_capacity(entries);
        let (size, keys, records) = (
            cache.table.size(),
            cache.keys.capacity(),
            cache.records.capacity(),
        );
        fill(&mut cache, entries);
        assert_eq!(cache.len, entries);
        // Nothing regrown: no smaller copy left behind in freed memory.
        assert_eq!(cache.table.size(), size);
        assert_eq!(cache.keys.capacity(), keys);
        assert_eq!(cache.records.capacity(), records);
        for n in 0..entries as u64 {
            let chunk = (n * 0x9E37_79B9).to_le_bytes();
            let found = cache.get(&chunk, Probe::new(&chunk));
            assert_eq!(found, Some(&[1, 2, n as u32][..]));
        }
    }

    #[test]
    fn the_room_is_bounded_both_ways() {
        let small = ChunkCache::with_capacity(ChunkCache::entries_for(4096));
        assert_eq!(
            small.table.size(),
            ByteTable::with_capacity(MIN_ENTRIES).size()
        );
        let huge = ChunkCache::with_capacity(ChunkCache::entries_for(1 << 40));
        assert_eq!(
            huge.table.size(),
            ByteTable::with_capacity(MAX_ENTRIES).size()
        );
        let mut full = ChunkCache::with_capacity(MAX_ENTRIES);
        fill(&mut full, MAX_ENTRIES + 10);
        assert_eq!(full.len, MAX_ENTRIES);
    }
}
