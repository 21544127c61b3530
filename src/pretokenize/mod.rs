//! Pretokenization: cutting text into the chunks that BPE merges within.
//!
//! Merges never cross a chunk boundary, so the chunks decide much of the
//! output. GPT-2's pattern is matched by a hand-written scanner
//! ([`gpt2`]) that is checked against fancy-regex in the tests.

mod class_table;
mod classes;
mod gpt2;

/// GPT-2's pretokenization pattern, verbatim from OpenAI's `encoder.py`.
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// How a tokenizer cuts text into chunks.
#[derive(Clone, Debug)]
pub(crate) enum Pretokenizer {
    /// GPT-2's pattern, by the hand-written scanner.
    Gpt2,
}

impl Pretokenizer {
    /// The chunks of `text`, in order; together they are exactly `text`.
    pub(crate) fn split<'t>(&self, text: &'t str) -> impl Iterator<Item = &'t str> + 't {
        match self {
            Pretokenizer::Gpt2 => gpt2::Gpt2Chunks::new(text),
        }
    }

    /// A position at or after `from` (and before `text.len()`) where `text`
    /// can be cut without changing its chunks: the chunks of the two parts,
    /// one after the other, are the chunks of `text`. `None` if there is none.
    ///
    /// Chunks never cross such a cut, and neither part's chunks depend on
    /// the other: it is a space (or a line end) with a character that is not
    /// whitespace on each side, so the space starts a chunk whatever follows
    /// the cut, and what precedes it ends a chunk at the end of a text too.
    pub(crate) fn independent_cut(&self, text: &str, from: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let not_space =
            |b: u8| b.is_ascii() && !matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
        let start = from.max(1);
        let end = bytes.len().saturating_sub(1);
        (start..end).find(|&p| {
            matches!(bytes[p], b' ' | b'\n') && not_space(bytes[p - 1]) && not_space(bytes[p + 1])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cut `independent_cut` finds leaves the chunks unchanged, on
    /// text made to put spaces and line ends next to every kind of character.
    #[test]
    fn independent_cuts_keep_the_chunks() {
        let pieces = [
            " ", "  ", "\n", "\n\n", "\t", "a", "Z", "'s", "'", "7", "!", "é", "中", "\u{3000}",
            "\r\n", "x", " y", "'ll", "..", "\u{85}",
        ];
        let mut state = 17u64;
        let mut checked = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..12 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let tokenizer = Pretokenizer::Gpt2;
            let whole: Vec<&str> = tokenizer.split(&text).collect();
            let mut from = 0;
            while let Some(cut) = tokenizer.independent_cut(&text, from) {
                assert!(cut >= from && cut < text.len());
                let mut parts: Vec<&str> = tokenizer.split(&text[..cut]).collect();
                parts.extend(tokenizer.split(&text[cut..]));
                assert_eq!(parts, whole, "{text:?} cut at {cut}");
                checked += 1;
                from = cut + 1;
            }
        }
        assert!(checked > 5_000, "{checked}");
    }
}
