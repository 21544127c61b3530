//! Pretokenization: cutting text into the chunks that BPE merges within.
//!
//! Merges never cross a chunk boundary, so the chunks decide much of the
//! output. GPT-2's pattern is matched by a hand-written scanner
//! ([`gpt2`]) that is checked against fancy-regex in the tests.

mod cl100k;
mod class_table;
mod classes;
mod gpt2;
mod llama3;
mod o200k;
mod regex_split;
mod scan;

use crate::error::Result;
use regex_split::RegexChunks;
pub(crate) use regex_split::RegexSplitter;
use scan::{CL100K, GPT2, LLAMA3, O200K, QWEN, ScanChunks};

/// GPT-2's pretokenization pattern, verbatim from OpenAI's `encoder.py`.
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// tiktoken's pattern for r50k_base and p50k_base: the same chunks as
/// [`GPT2_PATTERN`], written with possessive quantifiers.
pub const R50K_PATTERN: &str =
    r"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s";

/// tiktoken's pattern for cl100k_base (GPT-3.5 and GPT-4).
pub const CL100K_PATTERN: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

/// [`CL100K_PATTERN`] as written into tokenizer.json: HF's regex engine
/// (Oniguruma, Ruby syntax) reads `{1,3}+` as "one to three, repeated", not
/// as a possessive `{1,3}`, and would then keep long numbers in one chunk.
/// Nothing follows the quantifier in its alternative, so dropping the `+`
/// keeps the chunks.
const CL100K_PATTERN_HF: &str = r"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s";

/// tiktoken's pattern for o200k_base (GPT-4o).
pub const O200K_PATTERN: &str = concat!(
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
    "|",
    r"\p{N}{1,3}",
    "|",
    r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
    "|",
    r"\s*[\r\n]+",
    "|",
    r"\s+(?!\S)",
    "|",
    r"\s+",
);

/// Llama 3's pattern, as its tokenizer.json writes it (Oniguruma syntax;
/// fancy-regex reads it the same way).
pub(crate) const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Qwen 2 and 3's pattern: Llama 3's with one number a chunk.
pub(crate) const QWEN_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Work done on the chunks of a text, generic over the iterator that
/// yields them (see [`Pretokenizer::with_chunks`]).
pub(crate) trait ChunksWork<'t> {
    /// What the work gives.
    type Output;
    /// Does the work on `chunks`.
    fn run(self, chunks: impl Iterator<Item = &'t str>) -> Self::Output;
}

/// How a tokenizer cuts text into chunks.
#[derive(Clone, Debug)]
pub(crate) enum Pretokenizer {
    /// GPT-2's pattern (or tiktoken's equivalent r50k pattern), by the
    /// hand-written scanner.
    Gpt2,
    /// cl100k's pattern, by its hand-written scanner.
    Cl100k,
    /// o200k's pattern, by its hand-written scanner.
    O200k,
    /// Llama 3's pattern, by its hand-written scanner.
    Llama3,
    /// Qwen's pattern, by the same scanner with one number a chunk.
    Qwen,
    /// Any other pattern, by fancy-regex.
    Regex(Box<RegexSplitter>),
}

/// The chunks of a text, from any kind of pretokenizer.
pub(crate) enum Chunks<'s, 't> {
    Gpt2(ScanChunks<'t, GPT2>),
    Cl100k(ScanChunks<'t, CL100K>),
    O200k(ScanChunks<'t, O200K>),
    Llama3(ScanChunks<'t, LLAMA3>),
    Qwen(ScanChunks<'t, QWEN>),
    Regex(RegexChunks<'s, 't>),
}

impl<'t> Iterator for Chunks<'_, 't> {
    type Item = &'t str;

    #[inline]
    fn next(&mut self) -> Option<&'t str> {
        match self {
            Chunks::Gpt2(chunks) => chunks.next(),
            Chunks::Cl100k(chunks) => chunks.next(),
            Chunks::O200k(chunks) => chunks.next(),
            Chunks::Llama3(chunks) => chunks.next(),
            Chunks::Qwen(chunks) => chunks.next(),
            Chunks::Regex(chunks) => chunks.next(),
        }
    }
}

impl Pretokenizer {
    /// The pretokenizer for `pattern`: the scanner for GPT-2's pattern (in
    /// either spelling), fancy-regex for anything else.
    ///
    /// # Errors
    /// [`crate::Error::Pattern`] if the pattern does not compile.
    pub(crate) fn from_pattern(pattern: &str) -> Result<Pretokenizer> {
        Ok(match pattern {
            GPT2_PATTERN | R50K_PATTERN => Pretokenizer::Gpt2,
            CL100K_PATTERN | CL100K_PATTERN_HF => Pretokenizer::Cl100k,
            O200K_PATTERN => Pretokenizer::O200k,
            LLAMA3_PATTERN => Pretokenizer::Llama3,
            QWEN_PATTERN => Pretokenizer::Qwen,
            _ => Pretokenizer::Regex(Box::new(RegexSplitter::new(pattern)?)),
        })
    }

    /// The pattern (for the scanners, the one they implement).
    pub(crate) fn pattern(&self) -> &str {
        match self {
            Pretokenizer::Gpt2 => GPT2_PATTERN,
            Pretokenizer::Cl100k => CL100K_PATTERN,
            Pretokenizer::O200k => O200K_PATTERN,
            Pretokenizer::Llama3 => LLAMA3_PATTERN,
            Pretokenizer::Qwen => QWEN_PATTERN,
            Pretokenizer::Regex(splitter) => splitter.pattern(),
        }
    }

    /// The pattern spelled so that HF tokenizers' regex engine (Oniguruma)
    /// splits as this pretokenizer does, or `None` if it cannot be vouched
    /// for: a user's pattern with an interval quantifier followed by `+`,
    /// which Oniguruma reads as a repetition and fancy-regex as possessive.
    pub(crate) fn pattern_for_hf(&self) -> Option<&str> {
        match self {
            Pretokenizer::Cl100k => Some(CL100K_PATTERN_HF),
            Pretokenizer::Regex(splitter) if has_possessive_interval(splitter.pattern()) => None,
            _ => Some(self.pattern()),
        }
    }

    /// The chunks of `text`, in order; together they are exactly `text`.
    #[inline]
    pub(crate) fn split<'s, 't>(&'s self, text: &'t str) -> Chunks<'s, 't> {
        match self {
            Pretokenizer::Gpt2 => Chunks::Gpt2(ScanChunks::new(text)),
            Pretokenizer::Cl100k => Chunks::Cl100k(ScanChunks::new(text)),
            Pretokenizer::O200k => Chunks::O200k(ScanChunks::new(text)),
            Pretokenizer::Llama3 => Chunks::Llama3(ScanChunks::new(text)),
            Pretokenizer::Qwen => Chunks::Qwen(ScanChunks::new(text)),
            Pretokenizer::Regex(splitter) => Chunks::Regex(splitter.split(text)),
        }
    }

    /// Runs `work` on the chunks of `text` as a concrete iterator, one
    /// instance of it for each scanner: through [`Pretokenizer::split`]'s
    /// enum, every chunk would pay a call and a dispatch (a tenth of the
    /// instructions of encoding prose).
    #[inline]
    pub(crate) fn with_chunks<'t, W: ChunksWork<'t>>(&self, text: &'t str, work: W) -> W::Output {
        match self {
            Pretokenizer::Gpt2 => work.run(ScanChunks::<GPT2>::new(text)),
            Pretokenizer::Cl100k => work.run(ScanChunks::<CL100K>::new(text)),
            Pretokenizer::O200k => work.run(ScanChunks::<O200K>::new(text)),
            Pretokenizer::Llama3 => work.run(ScanChunks::<LLAMA3>::new(text)),
            Pretokenizer::Qwen => work.run(ScanChunks::<QWEN>::new(text)),
            Pretokenizer::Regex(splitter) => work.run(splitter.split(text)),
        }
    }

    /// Whether splitting `text` needs no regex match beyond fancy-regex's
    /// backtracking limit (always true for the scanners).
    ///
    /// # Errors
    /// [`crate::Error::Pattern`] naming the pattern and the regex's message.
    pub(crate) fn check(&self, text: &str) -> Result<()> {
        match self {
            Pretokenizer::Regex(splitter) => splitter.check(text),
            _ => Ok(()),
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
        let cuts_at_line_ends = match self {
            Pretokenizer::Gpt2 => true,
            // cl100k, o200k and Llama 3 attach line ends to punctuation runs.
            Pretokenizer::Cl100k
            | Pretokenizer::O200k
            | Pretokenizer::Llama3
            | Pretokenizer::Qwen => false,
            Pretokenizer::Regex(_) => return None,
        };
        let bytes = text.as_bytes();
        let not_space =
            |b: u8| b.is_ascii() && !matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
        let start = from.max(1);
        let end = bytes.len().saturating_sub(1);
        (start..end).find(|&p| {
            (bytes[p] == b' ' || (cuts_at_line_ends && bytes[p] == b'\n'))
                && not_space(bytes[p - 1])
                && not_space(bytes[p + 1])
        })
    }
}

/// Whether `pattern` has `{n}+`, `{n,}+` or `{n,m}+`, which Oniguruma and
/// fancy-regex read differently.
pub(crate) fn has_possessive_interval(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    bytes.windows(2).enumerate().any(|(i, w)| {
        w == b"}+" && {
            let open = bytes[..i].iter().rposition(|&b| b == b'{');
            open.is_some_and(|o| {
                let inside = &bytes[o + 1..i];
                !inside.is_empty()
                    && inside[0].is_ascii_digit()
                    && inside.iter().all(|&b| b.is_ascii_digit() || b == b',')
                    && (o == 0 || bytes[o - 1] != b'\\' || (o >= 2 && bytes[o - 2] == b'\\'))
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::XorShift;

    /// Every cut `independent_cut` finds leaves the chunks unchanged, on
    /// text made to put spaces and line ends next to every kind of character.
    #[test]
    fn independent_cuts_keep_the_chunks() {
        let chunks = [
            " ", "  ", "\n", "\n\n", "\t", "a", "Z", "'s", "'", "7", "!", "é", "中", "\u{3000}",
            "\r\n", "x", " y", "'ll", "..", "\u{85}", "/", "123", "Ab", "\u{301}", ".\n",
        ];
        let mut rng = XorShift(17);
        let mut checked = 0;
        let pretokenizers = [
            Pretokenizer::Gpt2,
            Pretokenizer::from_pattern(CL100K_PATTERN).unwrap(),
            Pretokenizer::from_pattern(O200K_PATTERN).unwrap(),
            Pretokenizer::Llama3,
            Pretokenizer::Qwen,
        ];
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..12 {
                text.push_str(chunks[rng.below(chunks.len())]);
            }
            for tokenizer in &pretokenizers {
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
        }
        assert!(checked > 15_000, "{checked}");
    }
}

#[cfg(test)]
mod pattern_tests {
    use super::*;

    /// The chunks of the regex path are fancy-regex's matches, and the
    /// scanner's equal the r50k spelling's through fancy-regex.
    #[test]
    fn regex_path_and_pattern_spellings_agree() {
        let texts = [
            "Hello world's  end\n\n  x",
            "I'LL don't 123456 7.5% ½ ok?!\r\n\r\n\ttab",
            "中文字符 日本語のテキスト 한국어",
            "a  b   c\n \n",
            "",
            "   ",
        ];
        let regex_r50k = Pretokenizer::Regex(Box::new(RegexSplitter::new(R50K_PATTERN).unwrap()));
        for text in texts {
            let scanner: Vec<&str> = Pretokenizer::Gpt2.split(text).collect();
            let regex: Vec<&str> = regex_r50k.split(text).collect();
            assert_eq!(scanner, regex, "{text:?}");
            for pattern in [CL100K_PATTERN, O200K_PATTERN] {
                let re = fancy_regex::Regex::new(pattern).unwrap();
                let expected: Vec<&str> = re.find_iter(text).map(|m| m.unwrap().as_str()).collect();
                let ours: Vec<&str> = Pretokenizer::from_pattern(pattern)
                    .unwrap()
                    .split(text)
                    .collect();
                assert_eq!(ours, expected, "{text:?}");
            }
        }
        assert!(matches!(
            Pretokenizer::from_pattern(R50K_PATTERN),
            Ok(Pretokenizer::Gpt2)
        ));
        assert!(matches!(
            Pretokenizer::from_pattern(CL100K_PATTERN_HF),
            Ok(Pretokenizer::Cl100k)
        ));
        assert_eq!(CL100K_PATTERN_HF, CL100K_PATTERN.replace("{1,3}+", "{1,3}"));
        // The two cl100k spellings are the same regex to fancy-regex.
        let possessive = fancy_regex::Regex::new(CL100K_PATTERN).unwrap();
        let greedy = fancy_regex::Regex::new(CL100K_PATTERN_HF).unwrap();
        for text in texts.iter().chain(&["1234567 89 0.123456789", "x1234y"]) {
            let a: Vec<&str> = possessive
                .find_iter(text)
                .map(|m| m.unwrap().as_str())
                .collect();
            let b: Vec<&str> = greedy
                .find_iter(text)
                .map(|m| m.unwrap().as_str())
                .collect();
            assert_eq!(a, b, "{text:?}");
        }
        assert!(has_possessive_interval(CL100K_PATTERN));
        assert!(!has_possessive_interval(CL100K_PATTERN_HF));
        assert!(!has_possessive_interval(O200K_PATTERN));
        assert!(has_possessive_interval(r"a{2}+"));
        assert!(!has_possessive_interval(r"\{2}+"));
    }

    /// Text the pattern does not match becomes chunks of its own; empty
    /// matches cut nothing.
    #[test]
    fn unmatched_text_is_kept() {
        let p = Pretokenizer::from_pattern(r"\d+|x*").unwrap();
        let chunks: Vec<&str> = p.split("ab12cd3").collect();
        assert_eq!(chunks.concat(), "ab12cd3");
        assert_eq!(chunks, ["ab", "12", "cd", "3"]);
        assert!(Pretokenizer::from_pattern("(unclosed").is_err());
    }

    /// A match that needs more backtracking than fancy-regex allows is an
    /// error for `check`, and still split exactly.
    #[test]
    fn backtracking_limit_is_an_error_for_check_only() {
        let p = Pretokenizer::from_pattern(r"(?:(a|aa)+)+\1z|.").unwrap();
        let text = format!("{}c", "a".repeat(26));
        assert!(p.check(&text).is_err());
        let chunks: Vec<&str> = p.split(&text).collect();
        assert_eq!(chunks.concat(), text);
    }
}

#[cfg(test)]
mod scanner_tests {
    use super::*;
    use crate::test_support::XorShift;

    /// Compares a scanner with fancy-regex running the pattern it implements.
    fn assert_same_chunks(scanner: &Pretokenizer, regex: &fancy_regex::Regex, text: &str) {
        let expected: Vec<&str> = regex.find_iter(text).map(|m| m.unwrap().as_str()).collect();
        let ours: Vec<&str> = scanner.split(text).collect();
        if ours != expected {
            let at = ours
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{:?} on {text:?}: chunk {at}: ours {:?}, regex {:?}",
                scanner.pattern(),
                &ours[at..(at + 3).min(ours.len())],
                &expected[at..(at + 3).min(expected.len())]
            );
        }
    }

    fn scanners() -> Vec<(Pretokenizer, fancy_regex::Regex)> {
        [
            CL100K_PATTERN,
            O200K_PATTERN,
            GPT2_PATTERN,
            LLAMA3_PATTERN,
            QWEN_PATTERN,
        ]
        .into_iter()
        .map(|p| {
            let regex = fancy_regex::RegexBuilder::new(p)
                .backtrack_limit(usize::MAX)
                .build()
                .unwrap();
            (Pretokenizer::from_pattern(p).unwrap(), regex)
        })
        .collect()
    }

    /// Fragments that exercise every branch of the three patterns.
    const FRAGMENTS: &[&str] = &[
        "a",
        "Z",
        "hello",
        "World",
        "HELLO",
        "hELLo",
        "ǅ",
        "ǅungla",
        "ʰ",
        "ʰa",
        "中文",
        "e\u{301}",
        "\u{301}",
        "\u{301}a",
        "A\u{301}b",
        "ß",
        "Σσς",
        "İ",
        "'s",
        "'S",
        "'ſ",
        "'ll",
        "'LL",
        "'Ll",
        "'ve",
        "'RE",
        "'m",
        "'d",
        "'t",
        "'x",
        "'",
        "''",
        "’s",
        "don't",
        "DON'T",
        "I'M",
        "1",
        "12",
        "123",
        "1234",
        "٣٤",
        "½",
        "Ⅻ",
        " ",
        "  ",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\n\n",
        " \n",
        "\n ",
        "\u{3000}",
        "\u{85}",
        "\u{a0}",
        "\u{2028}",
        "!",
        "?!",
        "...",
        "/",
        "//",
        "!/",
        "!\n",
        "!\r\n/",
        "(",
        "(a",
        " (",
        " !",
        "😀",
        "👍🏽",
        "-",
        "_",
        "#",
        "\u{200d}",
    ];

    #[test]
    fn scanners_equal_fancy_regex_on_random_strings() {
        let mut rng = XorShift(0x5EED);
        let scanners = scanners();
        for _ in 0..30_000 {
            let mut text = String::new();
            for _ in 0..1 + rng.below(10) {
                text.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]);
            }
            for (scanner, regex) in &scanners {
                assert_same_chunks(scanner, regex, &text);
            }
        }
    }

    /// Every scalar value between neighbours that change how it is chunked.
    #[test]
    fn scanners_equal_fancy_regex_for_every_scalar_in_context() {
        let scanners = scanners();
        let contexts = [
            ("", ""),
            (" ", "a"),
            ("a", "b"),
            ("'", "l"),
            ("A", "'s"),
            ("1", "2"),
            ("!", "\n"),
            ("\n", " x"),
            ("  ", "/"),
            ("\u{301}", "A"),
        ];
        for (before, after) in contexts {
            let mut text = String::new();
            for c in (0..0x110000u32).filter_map(char::from_u32) {
                text.push_str(before);
                text.push(c);
                text.push_str(after);
            }
            for (scanner, regex) in &scanners {
                assert_same_chunks(scanner, regex, &text);
            }
        }
    }

    /// The scanners need no backtracking limit: megabyte runs that make
    /// fancy-regex overflow its stack are chunked in linear time.
    #[test]
    fn long_runs_are_fine() {
        for pattern in [CL100K_PATTERN, O200K_PATTERN, LLAMA3_PATTERN, QWEN_PATTERN] {
            let p = Pretokenizer::from_pattern(pattern).unwrap();
            for text in [
                format!("{}x", " ".repeat(1 << 20)),
                " \t".repeat(1 << 19),
                "aA".repeat(1 << 19),
                "e\u{301}".repeat(1 << 18),
            ] {
                let chunks: Vec<&str> = p.split(&text).collect();
                assert_eq!(chunks.concat(), text);
                assert!(p.check(&text).is_ok());
            }
        }
    }
}
