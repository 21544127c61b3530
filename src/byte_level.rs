//! GPT-2's byte-level alphabet: the bijection between the 256 byte values and
//! 256 printable characters that `vocab.json` and `merges.txt` are written in.
//!
//! The rule (GPT-2's `bytes_to_unicode`): the 188 bytes that are printable
//! Latin-1 and not a space (`!`..=`~`, `¡`..=`¬`, `®`..=`ÿ`) stand for
//! themselves; the other 68 bytes, in increasing order, take the characters
//! U+0100, U+0101, ... So space (0x20) is `Ġ` (U+0120) and `\n` is `Ċ`.
//! None of the 256 characters is whitespace, which is why one ASCII space can
//! separate the two tokens of a merge line.

/// Whether byte `b` is written as the character with the same code.
const fn maps_to_itself(b: u8) -> bool {
    matches!(b, 0x21..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF)
}

/// `BYTE_TO_CHAR[b]` is the character that stands for byte `b`.
pub(crate) const BYTE_TO_CHAR: [char; 256] = {
    let mut table = ['\0'; 256];
    let mut next_shifted = 0x100u32;
    let mut b = 0usize;
    while b < 256 {
        let code = if maps_to_itself(b as u8) {
            b as u32
        } else {
            next_shifted += 1;
            next_shifted - 1
        };
        table[b] = match char::from_u32(code) {
            Some(c) => c,
            None => panic!("byte-level code points are all valid scalars"),
        };
        b += 1;
    }
    table
};

/// The highest code point of the alphabet (U+0143, standing for byte 0xAD).
const MAX_CODE: usize = 0x143;

/// `CHAR_TO_BYTE[c]` is `b + 1` where `BYTE_TO_CHAR[b] == c`, or 0 when `c`
/// is not in the alphabet.
const CHAR_TO_BYTE: [u16; MAX_CODE + 1] = {
    let mut table = [0u16; MAX_CODE + 1];
    let mut b = 0usize;
    while b < 256 {
        table[BYTE_TO_CHAR[b] as usize] = b as u16 + 1;
        b += 1;
    }
    table
};

/// The byte that character `c` stands for, or `None` if `c` is not one of the
/// 256 characters of the alphabet.
#[cfg(test)]
fn char_to_byte(c: char) -> Option<u8> {
    match CHAR_TO_BYTE.get(c as usize) {
        Some(&code) if code != 0 => Some((code - 1) as u8),
        _ => None,
    }
}

/// Writes `bytes` in the byte-level alphabet (how a token appears in vocab.json).
pub(crate) fn bytes_to_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| BYTE_TO_CHAR[b as usize]).collect()
}

/// Appends the bytes that the byte-level text `utf8` stands for to `out`.
/// Returns false, with `out` holding a prefix, if `utf8` is not UTF-8 or has
/// a character outside the alphabet.
///
/// Works on raw bytes because every character of the alphabet is at most
/// U+0143, one or two bytes of UTF-8; this skips a separate UTF-8 validation
/// when loading files.
pub(crate) fn decode_into(utf8: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while i < utf8.len() {
        let b = utf8[i];
        let code = if b < 0x80 {
            i += 1;
            b as usize
        } else if (0xC2..=0xC5).contains(&b) && utf8.get(i + 1).is_some_and(|&c| c & 0xC0 == 0x80) {
            i += 2;
            ((b as usize & 0x1F) << 6) | (utf8[i - 1] as usize & 0x3F)
        } else {
            return false;
        };
        match CHAR_TO_BYTE.get(code) {
            Some(&byte) if byte != 0 => out.push((byte - 1) as u8),
            _ => return false,
        }
    }
    true
}

/// Reads a token written in the byte-level alphabet back into bytes, or `None`
/// if some character is not in the alphabet.
pub(crate) fn text_to_bytes(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    decode_into(text.as_bytes(), &mut out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_points_of_the_mapping() {
        assert_eq!(BYTE_TO_CHAR[b' ' as usize], 'Ġ');
        assert_eq!(BYTE_TO_CHAR[b'\n' as usize], 'Ċ');
        assert_eq!(BYTE_TO_CHAR[b'\t' as usize], 'ĉ');
        assert_eq!(BYTE_TO_CHAR[b'\r' as usize], 'č');
        assert_eq!(BYTE_TO_CHAR[b'!' as usize], '!');
        assert_eq!(BYTE_TO_CHAR[0xA0], 'ł');
        assert_eq!(BYTE_TO_CHAR[0xAD], 'Ń');
        assert_eq!(BYTE_TO_CHAR[0xFF], 'ÿ');
    }

    /// The naive statement of the rule, as tiktoken's loader phrases it: the
    /// identity set is the printable Latin-1 characters other than space, and
    /// the rest take U+0100.. in byte order.
    #[test]
    fn matches_the_printable_latin1_statement() {
        let mut shifted = 0x100;
        for b in 0..=255u8 {
            let c = b as char;
            let printable = !c.is_control() && !c.is_whitespace() && b != 0xAD;
            let expected = if printable {
                c
            } else {
                shifted += 1;
                char::from_u32(shifted - 1).unwrap()
            };
            assert_eq!(BYTE_TO_CHAR[b as usize], expected, "byte {b:#x}");
        }
        assert_eq!(shifted, 0x100 + 68);
    }

    #[test]
    fn is_a_bijection_and_round_trips() {
        let mut seen = std::collections::HashSet::new();
        for b in 0..=255u8 {
            let c = BYTE_TO_CHAR[b as usize];
            assert!(seen.insert(c));
            assert!(!c.is_whitespace());
            assert_eq!(char_to_byte(c), Some(b));
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(text_to_bytes(&bytes_to_text(&all)), Some(all));
        assert_eq!(char_to_byte(' '), None);
        assert_eq!(char_to_byte('\u{144}'), None);
        assert_eq!(char_to_byte('€'), None);
        assert_eq!(text_to_bytes("Ġworld"), Some(b" world".to_vec()));
        assert_eq!(text_to_bytes("a€"), None);
        assert_eq!(text_to_bytes("a b"), None);
        let mut out = Vec::new();
        assert!(!decode_into(b"\xC4", &mut out), "truncated sequence");
        assert!(!decode_into(b"\xC4\x41", &mut out), "bad continuation byte");
    }
}
