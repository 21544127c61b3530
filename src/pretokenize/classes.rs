//! Character classes for the pretokenization patterns, for every Unicode
//! scalar value. GPT-2's and cl100k's patterns distinguish letters
//! (`\p{L}`), numbers (`\p{N}`), whitespace (`\s`, Unicode White_Space) and
//! everything else; o200k's also splits letters into lower case (`Ll`),
//! upper and title case (`Lu`, `Lt`), the other letters (`Lm`, `Lo`), and
//! marks (`\p{M}`), which count as "everything else" for the others.
//!
//! The table is generated from the `regex` crate's Unicode tables, the same
//! ones fancy-regex matches with, so the hand-written scanners and the regex
//! agree by construction; a test re-derives every entry and fails if the
//! `regex` crate moves to a Unicode version with different classes
//! (regenerate with `cargo test --lib regenerate_class_table -- --ignored`).
//!
//! Layout: a two-level table. Code points are grouped in blocks of 128;
//! `BLOCK_OF[cp >> 7]` names one of the distinct blocks, and each block holds
//! 128 four-bit classes in eight `u64`s: 8.5 kB of index, 15 kB of blocks.

use super::class_table::{BLOCK_OF, BLOCKS};

/// A character's class under GPT-2's and cl100k's patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Class {
    /// Anything that is not a letter, number or whitespace (`[^\s\p{L}\p{N}]`).
    Other = 0,
    /// `\p{L}`.
    Letter = 1,
    /// `\p{N}`.
    Number = 2,
    /// `\s`.
    Whitespace = 3,
}

/// A character's class under o200k's pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Fine {
    /// Not a letter, mark, number or whitespace.
    Other = 0,
    /// `\p{Ll}`.
    Lower = 1,
    /// `\p{Lu}` or `\p{Lt}`.
    Upper = 2,
    /// `\p{Lm}` or `\p{Lo}`.
    OtherLetter = 3,
    /// `\p{M}`.
    Mark = 4,
    /// `\p{N}`.
    Number = 5,
    /// `\s`.
    Whitespace = 6,
}

impl Fine {
    /// The class under GPT-2's and cl100k's patterns.
    #[inline]
    pub(crate) fn coarse(self) -> Class {
        match self {
            Fine::Lower | Fine::Upper | Fine::OtherLetter => Class::Letter,
            Fine::Number => Class::Number,
            Fine::Whitespace => Class::Whitespace,
            Fine::Other | Fine::Mark => Class::Other,
        }
    }
}

/// The o200k class of `c`.
#[inline]
pub(crate) fn fine_class_of(c: char) -> Fine {
    let cp = c as usize;
    let block = &BLOCKS[BLOCK_OF[cp >> 7] as usize];
    match (block[(cp >> 4) & 7] >> ((cp & 15) * 4)) & 15 {
        1 => Fine::Lower,
        2 => Fine::Upper,
        3 => Fine::OtherLetter,
        4 => Fine::Mark,
        5 => Fine::Number,
        6 => Fine::Whitespace,
        _ => Fine::Other,
    }
}

/// The class of `c`.
#[inline]
pub(crate) fn class_of(c: char) -> Class {
    fine_class_of(c).coarse()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scalar's fine class from the `regex` crate, the ground truth.
    fn classes_from_regex() -> Vec<u8> {
        let all: String = (0..0x110000u32).filter_map(char::from_u32).collect();
        let mut classes = vec![0u8; 0x110000];
        let patterns = [
            (r"\p{Ll}+", Fine::Lower),
            (r"[\p{Lu}\p{Lt}]+", Fine::Upper),
            (r"[\p{Lm}\p{Lo}]+", Fine::OtherLetter),
            (r"\p{M}+", Fine::Mark),
            (r"\p{N}+", Fine::Number),
            (r"\s+", Fine::Whitespace),
        ];
        for (pattern, class) in patterns {
            let re = regex::Regex::new(pattern).unwrap();
            for m in re.find_iter(&all) {
                for c in m.as_str().chars() {
                    assert_eq!(classes[c as usize], 0, "{c:?} is in two classes");
                    classes[c as usize] = class as u8;
                }
            }
        }
        classes
    }

    #[test]
    fn table_matches_the_regex_crate_for_every_scalar() {
        let expected = classes_from_regex();
        let letter = regex::Regex::new(r"^\p{L}$").unwrap();
        for c in (0..0x110000u32).filter_map(char::from_u32) {
            assert_eq!(
                fine_class_of(c) as u8,
                expected[c as usize],
                "class of U+{:04X}",
                c as u32
            );
            let mut buf = [0u8; 4];
            let is_letter = letter.is_match(c.encode_utf8(&mut buf));
            assert_eq!(
                class_of(c) == Class::Letter,
                is_letter,
                "U+{:04X}",
                c as u32
            );
        }
    }

    /// Writes `class_table.rs` from the `regex` crate's tables.
    #[test]
    #[ignore = "regenerates a source file"]
    fn regenerate_class_table() {
        use std::fmt::Write;
        let classes = classes_from_regex();
        let mut blocks: Vec<[u64; 8]> = Vec::new();
        let mut block_of = Vec::new();
        for chunk in classes.chunks(128) {
            let mut words = [0u64; 8];
            for (i, &class) in chunk.iter().enumerate() {
                words[i >> 4] |= (class as u64) << ((i & 15) * 4);
            }
            let index = match blocks.iter().position(|b| *b == words) {
                Some(i) => i,
                None => {
                    blocks.push(words);
                    blocks.len() - 1
                }
            };
            block_of.push(u8::try_from(index).expect("at most 256 distinct blocks"));
        }
        let mut out = String::new();
        out.push_str(
            "//! Generated by `cargo test --lib regenerate_class_table -- --ignored`; do not edit.\n\
             //! See `classes.rs` for the layout.\n\n",
        );
        writeln!(
            out,
            "pub(super) static BLOCK_OF: [u8; {}] = [",
            block_of.len()
        )
        .unwrap();
        for row in block_of.chunks(24) {
            let row: Vec<String> = row.iter().map(|b| b.to_string()).collect();
            writeln!(out, "    {},", row.join(", ")).unwrap();
        }
        out.push_str("];\n\n");
        writeln!(
            out,
            "pub(super) static BLOCKS: [[u64; 8]; {}] = [",
            blocks.len()
        )
        .unwrap();
        for b in &blocks {
            let words: Vec<String> = b.iter().map(|w| format!("{w:#018x}")).collect();
            writeln!(out, "    [{}],", words.join(", ")).unwrap();
        }
        out.push_str("];\n");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/pretokenize/class_table.rs"
        );
        std::fs::write(path, out).unwrap();
    }
}
