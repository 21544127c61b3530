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

impl ChunkCache {
    pub(crate) fn new() -> ChunkCache {
        ChunkCache {
            table: ByteTable::with_capacity(1024),
            keys: Vec::new(),
            records: Vec::new(),
            len: 0,
        }
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
