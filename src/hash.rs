//! Hash tables for the vocabulary and the merge rules.
//!
//! Both are built once from the tokenizer files and only read afterwards, so
//! the defence SipHash gives against chosen keys buys nothing here: an
//! attacker controls the strings we look up, not the keys stored, and a lookup
//! probes at most the collision chain the vocabulary itself produced. Both
//! tables use open addressing with linear probing and stay at most half full.

/// Hashes a byte string. Tokens and pieces are short, so the first 16
/// bytes are read as at most two overlapping words (no loop, no copy), longer
/// strings add one multiply per further 8 bytes, and a final mix spreads
/// every input bit over both the low bits (the slot) and the high bits (the
/// tag).
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = bytes.len();
    let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
    let half = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes")) as u64;
    let (a, b) = if n >= 8 {
        let mut a = word(0);
        let mut i = 8;
        while i + 8 < n {
            a = (a.rotate_left(23) ^ word(i)).wrapping_mul(K);
            i += 8;
        }
        (a, word(n - 8))
    } else if n >= 4 {
        (half(0), half(n - 4))
    } else if n > 0 {
        let low = bytes[0] as u64 | (bytes[n / 2] as u64) << 8 | (bytes[n - 1] as u64) << 16;
        (low, 0)
    } else {
        (0, 0)
    };
    let h = (a ^ K).wrapping_mul(b ^ (n as u64) ^ 0xA076_1D64_78BD_642F);
    let h = (h as u128).wrapping_mul(0xE703_7ED1_A0B4_28DB) as u64 ^ h.rotate_left(31);
    (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (h >> 32)
}

/// An open-addressing hash table from byte strings to `u32` values that does
/// not own its keys: each value names a key that the caller stores, and the
/// caller passes `key_of` to read it back for comparison. The vocabulary keeps
/// all token bytes in one buffer, so this saves one allocation per token and
/// keeps lookups to one probe of an 8-byte slot in the common case.
#[derive(Clone)]
pub(crate) struct ByteTable {
    /// `(tag, value)`; `value == EMPTY` marks a free slot.
    slots: Vec<(u32, u32)>,
    mask: usize,
    len: usize,
}

const EMPTY: u32 = u32::MAX;

impl ByteTable {
    /// A table for up to `capacity` keys, at most half full.
    pub(crate) fn with_capacity(capacity: usize) -> ByteTable {
        let size = (capacity * 2).next_power_of_two().max(16);
        ByteTable {
            slots: vec![(0, EMPTY); size],
            mask: size - 1,
            len: 0,
        }
    }

    /// Inserts `value` for `key` unless the key is present; returns the
    /// present value in that case. `value` must not be `u32::MAX`.
    pub(crate) fn insert<'k>(
        &mut self,
        key: &[u8],
        value: u32,
        key_of: impl Fn(u32) -> &'k [u8],
    ) -> Option<u32> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(&key_of);
        }
        self.insert_in_place(key, value, &key_of)
    }

    fn insert_in_place<'k>(
        &mut self,
        key: &[u8],
        value: u32,
        key_of: &dyn Fn(u32) -> &'k [u8],
    ) -> Option<u32> {
        debug_assert!(value != EMPTY);
        let h = hash_bytes(key);
        let tag = (h >> 32) as u32;
        let mut i = h as usize & self.mask;
        loop {
            let (slot_tag, slot_value) = self.slots[i];
            if slot_value == EMPTY {
                self.slots[i] = (tag, value);
                self.len += 1;
                return None;
            }
            if slot_tag == tag && key_of(slot_value) == key {
                return Some(slot_value);
            }
            i = (i + 1) & self.mask;
        }
    }

    fn grow<'k>(&mut self, key_of: &dyn Fn(u32) -> &'k [u8]) {
        let old = std::mem::take(&mut self.slots);
        *self = ByteTable::with_capacity(old.len());
        for (_, value) in old.into_iter().filter(|&(_, v)| v != EMPTY) {
            self.insert_in_place(key_of(value), value, key_of);
        }
    }

    /// The value stored for `key`.
    #[inline]
    pub(crate) fn get<'k>(&self, key: &[u8], key_of: impl Fn(u32) -> &'k [u8]) -> Option<u32> {
        let h = hash_bytes(key);
        let tag = (h >> 32) as u32;
        let mut i = h as usize & self.mask;
        loop {
            let (slot_tag, slot_value) = self.slots[i];
            if slot_value == EMPTY {
                return None;
            }
            if slot_tag == tag && key_of(slot_value) == key {
                return Some(slot_value);
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// An open-addressing hash table from `u64` keys to `u64` values, for the
/// merge rules: one multiply to hash, linear probing, 16-byte slots. Built
/// once, read on every merge step of every piece.
#[derive(Clone)]
pub(crate) struct U64Table {
    /// `(key, value)`; `key == FREE` marks a free slot.
    slots: Vec<(u64, u64)>,
    shift: u32,
    len: usize,
}

const FREE: u64 = u64::MAX;

impl U64Table {
    /// A table for up to `capacity` keys, at most half full.
    pub(crate) fn with_capacity(capacity: usize) -> U64Table {
        let size = (capacity * 2).next_power_of_two().max(16);
        U64Table {
            slots: vec![(FREE, 0); size],
            shift: 64 - size.trailing_zeros(),
            len: 0,
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
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            *self = U64Table::with_capacity(old.len());
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
