//! What the hand-written scanners share: decoding the character at a
//! position and its class, and runs of one class.

use super::classes::{Class, Fine, class_of, fine_class_of};

/// Decodes the multi-byte UTF-8 character at `bytes[i]` (`bytes` valid
/// UTF-8, `i` a character boundary, `bytes[i] >= 0x80`).
#[inline(always)]
pub(super) fn decode_multibyte(bytes: &[u8], i: usize) -> (char, usize) {
    let b0 = bytes[i] as u32;
    let cont = |k: usize| (bytes[i + k] & 0x3F) as u32;
    let (cp, len) = if b0 < 0xE0 {
        ((b0 & 0x1F) << 6 | cont(1), 2)
    } else if b0 < 0xF0 {
        ((b0 & 0x0F) << 12 | cont(1) << 6 | cont(2), 3)
    } else {
        (
            (b0 & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3),
            4,
        )
    };
    // Valid UTF-8 decodes to a scalar value; the fallback is never taken.
    (char::from_u32(cp).unwrap_or('\u{FFFD}'), len)
}

/// The coarse class of each ASCII byte (`Class as u8`), and [`MULTIBYTE`]
/// for the bytes of longer characters.
const ASCII_CLASS: [u8; 256] = {
    let mut table = [MULTIBYTE; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => Class::Letter as u8,
            b'0'..=b'9' => Class::Number as u8,
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => Class::Whitespace as u8,
            _ => Class::Other as u8,
        };
        b += 1;
    }
    table
};

const MULTIBYTE: u8 = 4;

/// The fine class of each ASCII byte (`Fine as u8`); bytes of longer
/// characters map to [`MULTIBYTE_FINE`].
const ASCII_FINE: [u8; 256] = {
    let mut table = [MULTIBYTE_FINE; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'a'..=b'z' => Fine::Lower as u8,
            b'A'..=b'Z' => Fine::Upper as u8,
            b'0'..=b'9' => Fine::Number as u8,
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => Fine::Whitespace as u8,
            _ => Fine::Other as u8,
        };
        b += 1;
    }
    table
};

const MULTIBYTE_FINE: u8 = 15;

/// The class and length in bytes of the character starting at `bytes[i]`.
#[inline(always)]
pub(super) fn char_at(bytes: &[u8], i: usize) -> (Class, usize) {
    match ASCII_CLASS[bytes[i] as usize] {
        0 => (Class::Other, 1),
        1 => (Class::Letter, 1),
        2 => (Class::Number, 1),
        3 => (Class::Whitespace, 1),
        _ => {
            let (c, len) = decode_multibyte(bytes, i);
            (class_of(c), len)
        }
    }
}

/// The fine class and length in bytes of the character starting at
/// `bytes[i]`.
#[inline(always)]
pub(super) fn fine_char_at(bytes: &[u8], i: usize) -> (Fine, usize) {
    match ASCII_FINE[bytes[i] as usize] {
        0 => (Fine::Other, 1),
        1 => (Fine::Lower, 1),
        2 => (Fine::Upper, 1),
        5 => (Fine::Number, 1),
        6 => (Fine::Whitespace, 1),
        _ => {
            let (c, len) = decode_multibyte(bytes, i);
            (fine_class_of(c), len)
        }
    }
}

/// The end of the longest run of `class` characters starting at `i`.
#[inline(always)]
pub(super) fn run_end(bytes: &[u8], mut i: usize, class: Class) -> usize {
    let wanted = class as u8;
    if class == Class::Letter {
        // An ASCII word at once; runs of other letters go on a character at
        // a time below, where a word's check at every character would cost.
        i = ascii_run_end(bytes, i, b'a', b'z', true);
    }
    loop {
        // Runs are mostly ASCII: one table lookup a byte.
        while i < bytes.len() && ASCII_CLASS[bytes[i] as usize] == wanted {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] < 0x80 {
            return i;
        }
        let (c, len) = char_at(bytes, i);
        if c != class {
            return i;
        }
        i += len;
    }
}

/// Eight bytes of a little-endian word, one per lane.
const LANES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The lanes of `word` that hold an ASCII byte in `lo..=hi`, as their high
/// bits. On the low 7 bits of each byte, adding `0x80 - lo` sets the high bit
/// exactly when the byte is at least `lo`, and adding `0x7F - hi` when it is
/// above `hi`; neither sum reaches the next lane.
#[inline(always)]
fn ascii_range_lanes(word: u64, lo: u8, hi: u8) -> u64 {
    let low7 = word & !HIGH_BITS;
    let at_least_lo = low7 + u64::from(0x80 - lo) * LANES;
    let above_hi = low7 + u64::from(0x7F - hi) * LANES;
    at_least_lo & !above_hi & !word & HIGH_BITS
}

/// The end of the run of ASCII bytes in `lo..=hi` (`0 < lo <= hi < 0x80`)
/// starting at `i`, read eight bytes at a time: words of a few letters are
/// the commonest chunks, and a byte at a time costs a compare and a branch
/// each. With `fold_case`, each byte is read with bit 5 set, so that
/// `b'a'..=b'z'` takes capitals too.
#[inline(always)]
pub(super) fn ascii_run_end(bytes: &[u8], mut i: usize, lo: u8, hi: u8, fold_case: bool) -> usize {
    let fold = if fold_case { 0x20 * LANES } else { 0 };
    while let Some(eight) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(eight.try_into().unwrap_or_default());
        let outside = !ascii_range_lanes(word | fold, lo, hi) & HIGH_BITS;
        if outside != 0 {
            return i + (outside.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let fold = fold as u8;
    while i < bytes.len() && (lo..=hi).contains(&(bytes[i] | fold)) {
        i += 1;
    }
    i
}

/// The end of the longest run of characters whose fine class passes `keep`,
/// starting at `i`.
#[inline(always)]
pub(super) fn fine_run_end(bytes: &[u8], mut i: usize, keep: impl Fn(Fine) -> bool) -> usize {
    while i < bytes.len() {
        let (c, len) = fine_char_at(bytes, i);
        if !keep(c) {
            break;
        }
        i += len;
    }
    i
}

/// The whitespace run starting at `start` (which holds whitespace): its end,
/// the start of its last character, and the end of its last `\r` or `\n`
/// (if any).
#[inline]
pub(super) fn whitespace_run(bytes: &[u8], start: usize) -> (usize, usize, Option<usize>) {
    let mut i = start;
    let mut last = start;
    let mut line_end = None;
    while i < bytes.len() {
        let (class, len) = char_at(bytes, i);
        if class != Class::Whitespace {
            break;
        }
        if matches!(bytes[i], b'\r' | b'\n') {
            line_end = Some(i + 1);
        }
        last = i;
        i += len;
    }
    (i, last, line_end)
}

/// The chunks of a text under a hand-written scanner, given as the function
/// that finds where the chunk starting at a position ends.
pub(crate) struct ScanChunks<'t, const PATTERN: u8> {
    text: &'t str,
    pos: usize,
}

/// Scanner numbers for [`ScanChunks`].
pub(crate) const GPT2: u8 = 0;
pub(crate) const CL100K: u8 = 1;
pub(crate) const O200K: u8 = 2;
pub(crate) const LLAMA3: u8 = 3;
pub(crate) const QWEN: u8 = 4;

impl<'t, const PATTERN: u8> ScanChunks<'t, PATTERN> {
    pub(crate) fn new(text: &'t str) -> Self {
        ScanChunks { text, pos: 0 }
    }
}

impl<'t, const PATTERN: u8> Iterator for ScanChunks<'t, PATTERN> {
    type Item = &'t str;

    #[inline(always)]
    fn next(&mut self) -> Option<&'t str> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = match PATTERN {
            GPT2 => super::gpt2::chunk_end(self.text, start),
            CL100K => super::cl100k::chunk_end(self.text, start),
            LLAMA3 => super::llama3::chunk_end::<3>(self.text, start),
            QWEN => super::llama3::chunk_end::<1>(self.text, start),
            _ => super::o200k::chunk_end(self.text, start),
        };
        self.pos = end;
        Some(&self.text[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::ascii_run_end;
    use crate::test_support::XorShift;

    /// The word-at-a-time run equals a byte-at-a-time one, for every start
    /// in random text biased to the run's bytes, near the end of the text
    /// and with bytes that differ from the range only in bit 5 or bit 7.
    #[test]
    fn ascii_run_end_equals_a_byte_at_a_time() {
        let mut rng = XorShift(3);
        let alphabet: Vec<u8> = b"azAZ@[`{\x7f\x80\xc1\xe1\xfa \n09_"
            .iter()
            .copied()
            .chain(b'a'..=b'z')
            .chain(b'A'..=b'Z')
            .collect();
        for _ in 0..300 {
            let len = rng.below(40);
            let text: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            for (lo, hi, fold) in [
                (b'a', b'z', false),
                (b'A', b'Z', false),
                (b'a', b'z', true),
                (b'0', b'9', false),
            ] {
                for start in 0..=text.len() {
                    let naive = start
                        + text[start..]
                            .iter()
                            .take_while(|&&b| {
                                (lo..=hi).contains(&(b | if fold { 0x20 } else { 0 }))
                            })
                            .count();
                    assert_eq!(
                        ascii_run_end(&text, start, lo, hi, fold),
                        naive,
                        "{text:?} from {start}, {lo}..={hi} fold {fold}"
                    );
                }
            }
        }
    }
}
