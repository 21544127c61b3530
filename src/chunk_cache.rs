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
    table: ByteTable,
    /// The chunks' bytes, one after another.
    keys: Vec<u8>,
    /// The chunks' ids, one list after another.
    ids: Vec<u32>,
    /// Per chunk: where its bytes and its ids are.
    entries: Vec<Entry>,
}

#[derive(Clone, Copy)]
struct Entry {
    key_start: u32,
    key_end: u32,
    ids_start: u32,
    ids_end: u32,
}

impl ChunkCache {
    pub(crate) fn new() -> ChunkCache {
        ChunkCache {
            table: ByteTable::with_capacity(1024),
            keys: Vec::new(),
            ids: Vec::new(),
            entries: Vec::new(),
        }
    }

    fn key(&self, index: u32) -> &[u8] {
        let e = self.entries[index as usize];
        &self.keys[e.key_start as usize..e.key_end as usize]
    }

    /// The ids of `chunk` (whose probe is given), if it was merged earlier
    /// in this call.
    #[inline]
    pub(crate) fn get(&self, chunk: &[u8], probe: Probe) -> Option<&[u32]> {
        let index = self.table.get_probed(chunk, probe, |i| self.key(i))?;
        let e = self.entries[index as usize];
        Some(&self.ids[e.ids_start as usize..e.ids_end as usize])
    }

    /// Remembers that `chunk` merges to `ids`, unless the cache is full.
    pub(crate) fn insert(&mut self, chunk: &[u8], ids: &[u32]) {
        let bytes = self.keys.len() + chunk.len() + 4 * (self.ids.len() + ids.len());
        if self.entries.len() >= MAX_ENTRIES || bytes > MAX_BYTES || chunk.is_empty() {
            return;
        }
        let entry = Entry {
            key_start: self.keys.len() as u32,
            key_end: (self.keys.len() + chunk.len()) as u32,
            ids_start: self.ids.len() as u32,
            ids_end: (self.ids.len() + ids.len()) as u32,
        };
        self.keys.extend_from_slice(chunk);
        self.ids.extend_from_slice(ids);
        self.entries.push(entry);
        let index = (self.entries.len() - 1) as u32;
        let (keys, entries) = (&self.keys, &self.entries);
        self.table.insert(chunk, index, |i| {
            let e = entries[i as usize];
            &keys[e.key_start as usize..e.key_end as usize]
        });
    }
}
