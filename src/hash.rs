//! Hash tables for the vocabulary and the merge rules.
//!
//! Both are built once from the tokenizer files and only read afterwards, so
//! the defence SipHash gives against chosen keys buys nothing here: an
//! attacker controls the strings we look up, not the keys stored, and a lookup
//! probes at most the collision chain the vocabulary itself produced. Both
//! tables use open addressing with linear probing; how full they may get is
//! their [`Fill`].

/// How full a table may get before it doubles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fill {
    /// At most half: tables that grow while in use (the chunk cache, the
    /// trainer's counts), where inserts and absent keys are common.
    Half,
    /// At most four fifths: a tokenizer's vocabulary and rules, built once
    /// and then only read. Most lookups there find their key (whole chunks
    /// that are tokens), or a filter answers them first (pairs without a
    /// rule); a found key costs 2.6 slots on average at OpenAI's 76 %
    /// instead of 1.3 at 38 %, and half the memory (8 MiB less for
    /// o200k_base) leaves fewer pages and cache lines to miss: no slower in
    /// A/B (DESIGN.md, "Tables").
    Dense,
}

impl Fill {
    /// The number of slots (a power of two) for `capacity` keys.
    fn size_for(self, capacity: usize) -> usize {
        let least = match self {
            Fill::Half => capacity * 2,
            Fill::Dense => capacity + capacity / 4 + 1,
        };
        least.next_power_of_two().max(16)
    }

    /// Whether `len` keys fit in `size` slots.
    fn fits(self, len: usize, size: usize) -> bool {
        match self {
            Fill::Half => len * 2 <= size,
            Fill::Dense => len * 5 <= size * 4,
        }
    }
}

/// The first 8 bytes of `bytes` as a little-endian word, zero-padded when
/// shorter: for keys of at most 8 bytes this is the whole key, and it is
/// read without a loop or a copy.
#[inline]
pub(crate) fn prefix_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    if n >= 8 {
        u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))
    } else if n >= 4 {
        let low = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes")) as u64;
        let high = u32::from_le_bytes(bytes[n - 4..n].try_into().expect("4 bytes")) as u64;
        low | high << ((n - 4) * 8)
    } else if n > 0 {
        bytes[0] as u64
            | (bytes[n / 2] as u64) << (n / 2 * 8)
            | (bytes[n - 1] as u64) << ((n - 1) * 8)
    } else {
        0
    }
}

/// Hashes a byte string of `len` bytes whose first 8 bytes are `prefix` (see
/// [`prefix_word`]) and whose bytes after the eighth are `tail`: one multiply
/// for short keys, one more per further 8 bytes, and a final mix that
/// spreads every input bit over the low bits (which pick the slot).
#[inline]
fn hash_parts(prefix: u64, len: usize, tail: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (prefix ^ (len as u64).wrapping_mul(0xA076_1D64_78BD_642F)).wrapping_mul(K);
    for chunk in tail.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(23) ^ u64::from_le_bytes(word)).wrapping_mul(K);
    }
    (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (h >> 32)
}

/// The bytes of `key` after the eighth.
#[inline]
fn tail(key: &[u8]) -> &[u8] {
    key.get(8..).unwrap_or_default()
}

/// What a [`ByteTable`] lookup computes from the key before reading a
/// table: its first 8 bytes and its hash.
#[derive(Clone, Copy)]
pub(crate) struct Probe {
    prefix: u64,
    hash: u64,
}

impl Probe {
    #[inline]
    pub(crate) fn new(key: &[u8]) -> Probe {
        let prefix = prefix_word(key);
        Probe {
            prefix,
            hash: hash_parts(prefix, key.len(), tail(key)),
        }
    }
}

/// One slot of a [`ByteTable`]: the key's first 8 bytes and length, and
/// the value. Keys of at most 8 bytes are compared within the slot alone.
#[derive(Clone, Copy)]
struct Slot {
    prefix: u64,
    value: u32,
    /// 0 marks a free slot (keys are never empty).
    len: u32,
}

const FREE_SLOT: Slot = Slot {
    prefix: 0,
    value: 0,
    len: 0,
};

/// An open-addressing hash table from non-empty byte strings to `u32` values
/// that does not own its keys: each value names a key that the caller stores,
/// and the caller passes `key_of` to read it back. The slot holds the key's
/// first 8 bytes and its length, so a key of up to 8 bytes (most tokens and
/// chunks) is found or rejected without touching the caller's storage, and a
/// longer one compares only its tail there.
#[derive(Clone)]
pub(crate) struct ByteTable {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
    fill: Fill,
}

impl ByteTable {
    /// A table for up to `capacity` keys, at most half full.
    pub(crate) fn with_capacity(capacity: usize) -> ByteTable {
        ByteTable::filled(capacity, Fill::Half)
    }

    /// The number of slots (for the tests).
    #[cfg(test)]
    pub(crate) fn size(&self) -> usize {
        self.slots.len()
    }

    /// A table for up to `capacity` keys, filled up to `fill`.
    pub(crate) fn filled(capacity: usize, fill: Fill) -> ByteTable {
        let size = fill.size_for(capacity);
        ByteTable {
            slots: vec![FREE_SLOT; size],
            mask: size - 1,
            len: 0,
            fill,
        }
    }

    /// Inserts `value` for `key` unless the key is present; returns the
    /// present value in that case. `key` must not be empty (callers never
    /// store empty keys) nor longer than `u32::MAX` bytes.
    pub(crate) fn insert<'k>(
        &mut self,
        key: &[u8],
        value: u32,
        key_of: impl Fn(u32) -> &'k [u8],
    ) -> Option<u32> {
        debug_assert!(!key.is_empty());
        if !self.fill.fits(self.len + 1, self.slots.len()) {
            self.grow(&key_of);
        }
        let prefix = prefix_word(key);
        let mut i = hash_parts(prefix, key.len(), tail(key)) as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot.len == 0 {
                self.slots[i] = Slot {
                    prefix,
                    value,
                    len: key.len() as u32,
                };
                self.len += 1;
                return None;
            }
            if slot.len as usize == key.len()
                && slot.prefix == prefix
                && (key.len() <= 8 || tail(key_of(slot.value)) == tail(key))
            {
                return Some(slot.value);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Removes `key`, returning its value. The entries after it in its probe
    /// run move back into the gap when their search would otherwise stop
    /// early (backward-shift deletion, so no tombstones).
    pub(crate) fn remove<'k>(
        &mut self,
        key: &[u8],
        key_of: impl Fn(u32) -> &'k [u8],
    ) -> Option<u32> {
        let value = self.get(key, &key_of)?;
        let prefix = prefix_word(key);
        let mut hole = hash_parts(prefix, key.len(), tail(key)) as usize & self.mask;
        while self.slots[hole].value != value || self.slots[hole].len == 0 {
            hole = (hole + 1) & self.mask;
        }
        let mut next = (hole + 1) & self.mask;
        while self.slots[next].len != 0 {
            let slot = self.slots[next];
            let tail = if slot.len > 8 {
                tail(key_of(slot.value))
            } else {
                &[]
            };
            let home = hash_parts(slot.prefix, slot.len as usize, tail) as usize & self.mask;
            // Move the entry back if its home is not in (hole, next].
            let distance_home = next.wrapping_sub(home) & self.mask;
            let distance_hole = next.wrapping_sub(hole) & self.mask;
            if distance_home >= distance_hole {
                self.slots[hole] = slot;
                hole = next;
            }
            next = (next + 1) & self.mask;
        }
        self.slots[hole] = FREE_SLOT;
        self.len -= 1;
        Some(value)
    }

    /// Doubles the table. Only keys longer than 8 bytes are read back to
    /// rehash: a slot holds all of a shorter one.
    fn grow<'k>(&mut self, key_of: &dyn Fn(u32) -> &'k [u8]) {
        let old = std::mem::take(&mut self.slots);
        let size = old.len() * 2;
        self.slots = vec![FREE_SLOT; size];
        self.mask = size - 1;
        for slot in old.into_iter().filter(|s| s.len != 0) {
            let tail = if slot.len > 8 {
                tail(key_of(slot.value))
            } else {
                &[]
            };
            let mut i = hash_parts(slot.prefix, slot.len as usize, tail) as usize & self.mask;
            while self.slots[i].len != 0 {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = slot;
        }
    }

    /// The value stored for `key`.
    #[inline]
    pub(crate) fn get<'k>(&self, key: &[u8], key_of: impl Fn(u32) -> &'k [u8]) -> Option<u32> {
        self.get_probed(key, Probe::new(key), key_of)
    }

    /// [`ByteTable::get`] with the key's [`Probe`] computed beforehand (one
    /// probe serves every table, since they all hash alike).
    #[inline]
    pub(crate) fn get_probed<'k>(
        &self,
        key: &[u8],
        probe: Probe,
        key_of: impl Fn(u32) -> &'k [u8],
    ) -> Option<u32> {
        if key.is_empty() {
            return None;
        }
        let prefix = probe.prefix;
        let mut i = probe.hash as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot.len as usize == key.len()
                && slot.prefix == prefix
                && (key.len() <= 8 || tail(key_of(slot.value)) == tail(key))
            {
                return Some(slot.value);
            }
            if slot.len == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// The indices of `homes` (home slots in a table of `size` slots) grouped
/// by region of the table, in table order and, within a region, in their
/// own order: inserting in this order writes the table front to back, a
/// few kilobytes at a time, where the given order would miss the cache at
/// every insert once the table outgrows it. A counting sort: two passes.
fn cache_order(homes: &[u32], size: usize) -> Vec<u32> {
    const REGIONS: usize = 4096;
    let per_region = size.div_ceil(REGIONS).max(1);
    let mut starts = vec![0u32; REGIONS + 1];
    for &home in homes {
        starts[home as usize / per_region + 1] += 1;
    }
    for r in 0..REGIONS {
        starts[r + 1] += starts[r];
    }
    let mut order = vec![0u32; homes.len()];
    for (i, &home) in homes.iter().enumerate() {
        let region = home as usize / per_region;
        order[starts[region] as usize] = i as u32;
        starts[region] += 1;
    }
    order
}

/// An open-addressing hash table from `u64` keys to `u64` values, for the
/// merge rules: one multiply to hash, linear probing, 16-byte slots. Built
/// once, read on every merge step of every chunk.
#[derive(Clone)]
pub(crate) struct U64Table {
    /// `(key, value)`; `key == FREE` marks a free slot.
    slots: Vec<(u64, u64)>,
    shift: u32,
    len: usize,
    fill: Fill,
}

const FREE: u64 = u64::MAX;

impl U64Table {
    /// A table for up to `capacity` keys, at most half full.
    pub(crate) fn with_capacity(capacity: usize) -> U64Table {
        U64Table::filled(capacity, Fill::Half)
    }

    /// A table for up to `capacity` keys, filled up to `fill`.
    pub(crate) fn filled(capacity: usize, fill: Fill) -> U64Table {
        let size = fill.size_for(capacity);
        U64Table {
            slots: vec![(FREE, 0); size],
            shift: 64 - size.trailing_zeros(),
            len: 0,
            fill,
        }
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Inserts `value` for `key` unless the key is present; returns the
    /// present value in that case. `key` must not be `u64::MAX`.
    pub(crate) fn insert(&mut self, key: u64, value: u64) -> Option<u64> {
        debug_assert!(key != FREE);
        if !self.fill.fits(self.len + 1, self.slots.len()) {
            let old = std::mem::take(&mut self.slots);
            *self = U64Table::filled(old.len(), self.fill);
            for (k, v) in old.into_iter().filter(|&(k, _)| k != FREE) {
                self.insert(k, v);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if k == FREE {
                self.slots[i] = (key, value);
                self.len += 1;
                return None;
            }
            if k == key {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts every `(key, value)` of `entries` as [`U64Table::insert`]
    /// would one after another, but in the order of their home slots, so
    /// that building a table of megabytes walks it once instead of missing
    /// the cache at every insert. Keys must be distinct (a repeated key
    /// keeps its first value in `entries`' order); returns whether they were.
    pub(crate) fn insert_all(&mut self, entries: &[(u64, u64)]) -> bool {
        self.insert_all_with(entries.len(), |i| entries[i])
    }

    /// [`U64Table::insert_all`] of `count` entries, `entry(0)` to
    /// `entry(count - 1)`, made on demand rather than kept in a vector.
    pub(crate) fn insert_all_with(
        &mut self,
        count: usize,
        entry: impl Fn(usize) -> (u64, u64),
    ) -> bool {
        if !self.fill.fits(self.len + count, self.slots.len()) {
            let mut bigger = U64Table::filled(self.len + count, self.fill);
            let old: Vec<(u64, u64)> = self.iter().collect();
            bigger.insert_all(&old);
            *self = bigger;
        }
        let homes: Vec<u32> = (0..count).map(|i| self.slot(entry(i).0) as u32).collect();
        let mut distinct = true;
        for i in cache_order(&homes, self.slots.len()) {
            let (key, value) = entry(i as usize);
            distinct &= self.insert(key, value).is_none();
        }
        distinct
    }

    /// Every `(key, value)`, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slots.iter().copied().filter(|&(k, _)| k != FREE)
    }

    /// The value stored for `key`.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<u64> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == FREE {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::XorShift;

    /// Inserting all at once, in the table's order, stores what inserting
    /// one by one stores, and keeps the first value of a repeated key.
    #[test]
    fn insert_all_equals_inserting_one_by_one() {
        let mut rng = XorShift(11);
        for n in [0, 1, 100, 5_000, 70_000] {
            let mut entries: Vec<(u64, u64)> = (0..n).map(|i| (rng.next() >> 1, i)).collect();
            let mut one_by_one = U64Table::with_capacity(8);
            for &(k, v) in &entries {
                one_by_one.insert(k, v);
            }
            let mut all = U64Table::with_capacity(8);
            assert!(all.insert_all(&entries));
            for &(k, _) in &entries {
                assert_eq!(all.get(k), one_by_one.get(k));
            }
            assert_eq!(all.get(u64::MAX - 1), None);
            if let Some(&(k, _)) = entries.first() {
                entries.push((k, 999_999));
                let mut repeated = U64Table::with_capacity(8);
                assert!(!repeated.insert_all(&entries));
                assert_eq!(repeated.get(k), Some(entries[0].1));
            }
        }
    }

    /// `cache_order` is a permutation in table order, stable within a
    /// region.
    #[test]
    fn cache_order_groups_by_region() {
        let mut rng = XorShift(5);
        let size = 1 << 16;
        let homes: Vec<u32> = (0..50_000).map(|_| rng.below(size) as u32).collect();
        let order = cache_order(&homes, size);
        let mut seen = vec![false; homes.len()];
        for &i in &order {
            assert!(!std::mem::replace(&mut seen[i as usize], true));
        }
        let region = |i: u32| homes[i as usize] as usize / (size / 4096);
        for pair in order.windows(2) {
            let (a, b) = (region(pair[0]), region(pair[1]));
            assert!(a < b || (a == b && pair[0] < pair[1]));
        }
    }
    use super::*;

    #[test]
    fn prefix_word_is_the_zero_padded_first_eight_bytes() {
        let bytes: Vec<u8> = (1..=20).collect();
        for len in 0..=20 {
            let key = &bytes[..len];
            let mut expected = [0u8; 8];
            let n = len.min(8);
            expected[..n].copy_from_slice(&key[..n]);
            assert_eq!(
                prefix_word(key),
                u64::from_le_bytes(expected),
                "length {len}"
            );
        }
    }

    /// Keys of every length, many sharing prefixes, through several growths.
    #[test]
    fn byte_table_finds_every_key_and_only_those() {
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for len in 1..=24u8 {
            for variant in 0..40u8 {
                let mut key: Vec<u8> = (0..len).map(|i| i.wrapping_mul(7)).collect();
                let last = key.len() - 1;
                key[last] ^= variant;
                keys.push(key);
            }
        }
        keys.sort();
        keys.dedup();
        let mut table = ByteTable::with_capacity(4);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(table.insert(key, i as u32, |v| &keys[v as usize]), None);
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(
                table.insert(key, 9999, |v| &keys[v as usize]),
                Some(i as u32)
            );
            assert_eq!(table.get(key, |v| &keys[v as usize]), Some(i as u32));
            let mut other = key.clone();
            other.push(0xFF);
            assert_eq!(table.get(&other, |v| &keys[v as usize]), None);
        }
        assert_eq!(table.get(b"", |v| &keys[v as usize]), None);
    }

    #[test]
    fn byte_table_removes_keys_and_keeps_the_rest() {
        let keys: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| format!("key number {i} {}", "x".repeat((i % 13) as usize)).into_bytes())
            .chain((0..500u32).map(|i| i.to_le_bytes()[..1 + (i % 3) as usize].to_vec()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut table = ByteTable::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            table.insert(key, i as u32, |v| &keys[v as usize]);
        }
        for (i, key) in keys.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
            assert_eq!(table.remove(key, |v| &keys[v as usize]), Some(i as u32));
            assert_eq!(table.remove(key, |v| &keys[v as usize]), None);
        }
        for (i, key) in keys.iter().enumerate() {
            let expected = (i % 3 != 0).then_some(i as u32);
            assert_eq!(table.get(key, |v| &keys[v as usize]), expected, "{key:?}");
        }
    }

    /// Tables filled up to four fifths: OpenAI's vocabularies take a
    /// quarter of a million slots, not half a million, and every key is
    /// found, through growth too, and no other.
    #[test]
    fn dense_tables_hold_four_fifths() {
        assert_eq!(Fill::Dense.size_for(200_019), 1 << 18);
        assert_eq!(Fill::Dense.size_for(100_256), 1 << 17);
        assert_eq!(Fill::Dense.size_for(50_257), 1 << 16);
        assert_eq!(Fill::Half.size_for(200_019), 1 << 19);
        let keys: Vec<Vec<u8>> = (0..52_000u32)
            .map(|i| format!("{i:x}{}", "y".repeat((i % 11) as usize)).into_bytes())
            .collect();
        let mut bytes = ByteTable::filled(1000, Fill::Dense);
        let mut pairs = U64Table::filled(1000, Fill::Dense);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(bytes.insert(key, i as u32, |v| &keys[v as usize]), None);
            assert_eq!(pairs.insert(i as u64 * 0x1_0000_0003, i as u64), None);
        }
        assert_eq!(bytes.slots.len(), 1 << 16);
        assert_eq!(pairs.slots.len(), 1 << 16);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(bytes.get(key, |v| &keys[v as usize]), Some(i as u32));
            assert_eq!(pairs.get(i as u64 * 0x1_0000_0003), Some(i as u64));
            let mut other = key.clone();
            other.push(b'z');
            assert_eq!(bytes.get(&other, |v| &keys[v as usize]), None);
        }
        assert_eq!(pairs.get(1), None);
        let mut all = U64Table::filled(8, Fill::Dense);
        let entries: Vec<(u64, u64)> = (0..52_000u64).map(|i| (i * 7, i)).collect();
        assert!(all.insert_all(&entries));
        assert_eq!(all.slots.len(), 1 << 16);
        assert!(entries.iter().all(|&(k, v)| all.get(k) == Some(v)));
    }

    #[test]
    fn u64_table_finds_every_key() {
        let mut table = U64Table::with_capacity(2);
        for k in 0..5000u64 {
            assert_eq!(table.insert(k * 0x1_0000_0001, k), None);
        }
        for k in 0..5000u64 {
            assert_eq!(table.get(k * 0x1_0000_0001), Some(k));
            assert_eq!(table.insert(k * 0x1_0000_0001, 0), Some(k));
        }
        assert_eq!(table.get(3), None);
        assert_eq!(table.iter().count(), 5000);
    }
}
