//! Pre-tokenizers: how HF cuts normalized text into the words that BPE merges
//! within (and, for `ByteLevel` and `Metaspace`, how it marks spaces).
//!
//! The words are byte ranges of one [`Normalized`] buffer; a stage that only
//! cuts makes new ranges, and a stage that changes text (a prefix space, `▁`
//! for spaces) rebuilds the buffer. Empty words are dropped, as HF does.

use std::ops::Range;

use super::normalized::Normalized;
use super::pattern::{Pattern, find_chars};
use crate::pretokenize::Pretokenizer;

/// What a split does with the parts its pattern matches (HF's
/// `SplitDelimiterBehavior`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behavior {
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

impl Behavior {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Behavior::Removed => "Removed",
            Behavior::Isolated => "Isolated",
            Behavior::MergedWithPrevious => "MergedWithPrevious",
            Behavior::MergedWithNext => "MergedWithNext",
            Behavior::Contiguous => "Contiguous",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Behavior> {
        [
            Behavior::Removed,
            Behavior::Isolated,
            Behavior::MergedWithPrevious,
            Behavior::MergedWithNext,
            Behavior::Contiguous,
        ]
        .into_iter()
        .find(|b| b.name() == name)
    }

    /// The words that `parts` (covering a text, each flagged as a match or
    /// not) make, as HF groups them.
    pub(crate) fn apply(self, parts: Vec<(Range<usize>, bool)>) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::with_capacity(parts.len());
        match self {
            Behavior::Isolated => out.extend(parts.into_iter().map(|(r, _)| r)),
            Behavior::Removed => out.extend(parts.into_iter().filter(|p| !p.1).map(|(r, _)| r)),
            Behavior::Contiguous => {
                let mut previous = false;
                for (r, is_match) in parts {
                    match out.last_mut() {
                        Some(last) if is_match == previous => last.end = r.end,
                        _ => out.push(r),
                    }
                    previous = is_match;
                }
            }
            Behavior::MergedWithPrevious => {
                let mut previous = false;
                for (r, is_match) in parts {
                    match out.last_mut() {
                        Some(last) if is_match && !previous => last.end = r.end,
                        _ => out.push(r),
                    }
                    previous = is_match;
                }
            }
            Behavior::MergedWithNext => {
                let mut previous = false;
                for (r, is_match) in parts.into_iter().rev() {
                    match out.last_mut() {
                        Some(last) if is_match && !previous => last.start = r.start,
                        _ => out.push(r),
                    }
                    previous = is_match;
                }
                out.reverse();
            }
        }
        out
    }
}

/// When `Metaspace` puts the replacement before a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PrependScheme {
    Always,
    First,
    Never,
}

/// One of HF's pre-tokenizers.
#[derive(Clone, Debug)]
pub(crate) enum PreTokenizer {
    Split {
        pattern: Pattern,
        behavior: Behavior,
        invert: bool,
    },
    ByteLevel {
        add_prefix_space: bool,
        use_regex: bool,
    },
    Digits {
        individual: bool,
    },
    Punctuation(Behavior),
    Whitespace(regex::Regex),
    WhitespaceSplit,
    Bert,
    CharDelimiter(char),
    Metaspace {
        replacement: char,
        prepend: PrependScheme,
        split: bool,
    },
    Sequence(Vec<PreTokenizer>),
}

/// Normalized text and its words, as byte ranges of it.
pub(crate) struct Words {
    pub(crate) buf: Normalized,
    pub(crate) ranges: Vec<Range<usize>>,
}

impl Words {
    /// `buf` as one word, before any pre-tokenizer cuts it.
    pub(crate) fn whole(buf: Normalized) -> Words {
        let ranges = std::iter::once(0..buf.text.len()).collect();
        Words { buf, ranges }
    }
}

/// HF's punctuation: ASCII punctuation and Unicode's categories P*.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_ascii() && unicode_punctuation(c))
}

fn unicode_punctuation(c: char) -> bool {
    static CLASS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let class = CLASS.get_or_init(|| regex::Regex::new(r"^\p{P}$").expect("valid class"));
    let mut buf = [0u8; 4];
    class.is_match(c.encode_utf8(&mut buf))
}

impl PreTokenizer {
    /// The `Whitespace` pre-tokenizer (words and runs of other non-space
    /// characters; HF matches them with the `regex` crate).
    pub(crate) fn whitespace() -> PreTokenizer {
        PreTokenizer::Whitespace(regex::Regex::new(r"\w+|[^\w\s]+").expect("valid pattern"))
    }

    /// The scanner or regex that cuts text exactly as this pre-tokenizer
    /// does, when it only cuts with one pattern and keeps everything: a
    /// `Split` that isolates its matches, GPT-2's `ByteLevel`, or those
    /// followed by a `ByteLevel` that adds nothing.
    pub(crate) fn as_pretokenizer(&self) -> Option<crate::error::Result<Pretokenizer>> {
        match self {
            PreTokenizer::Split {
                pattern,
                behavior: Behavior::Isolated,
                invert: false,
            } => Some(match pattern {
                Pattern::Regex(r) => Pretokenizer::from_pattern(r.pattern()),
                Pattern::Literal(s) => Pretokenizer::from_pattern(&regex::escape(s)),
            }),
            // Inverted, the matches are the words and the text between them
            // is removed; a scanner's pattern matches every character (its
            // tests check that its chunks are the regex's matches and cover
            // the text), so nothing is removed.
            PreTokenizer::Split {
                pattern: Pattern::Regex(r),
                behavior: Behavior::Removed,
                invert: true,
            } => match Pretokenizer::from_pattern(r.pattern()) {
                Ok(Pretokenizer::Regex(_)) => None,
                scanner => Some(scanner),
            },
            PreTokenizer::ByteLevel {
                add_prefix_space: false,
                use_regex: true,
            } => Some(Ok(Pretokenizer::Gpt2)),
            PreTokenizer::Sequence(parts) => match &parts[..] {
                [one] => one.as_pretokenizer(),
                [
                    first,
                    PreTokenizer::ByteLevel {
                        add_prefix_space: false,
                        use_regex: false,
                    },
                ] => first.as_pretokenizer(),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether this pre-tokenizer only cuts (no prefix space, no `▁`), so
    /// that it can run on text without the per-byte ranges of offsets.
    pub(crate) fn only_cuts(&self) -> bool {
        match self {
            PreTokenizer::ByteLevel {
                add_prefix_space, ..
            } => !add_prefix_space,
            PreTokenizer::Metaspace { .. } => false,
            PreTokenizer::Sequence(parts) => parts.iter().all(PreTokenizer::only_cuts),
            _ => true,
        }
    }

    /// Cuts (and for some kinds, changes) the words.
    pub(crate) fn apply(&self, words: &mut Words) {
        match self {
            PreTokenizer::Split {
                pattern,
                behavior,
                invert,
            } => cut(words, *behavior, |text| {
                let mut parts = pattern.find(text);
                if *invert {
                    parts.iter_mut().for_each(|p| p.1 = !p.1);
                }
                parts
            }),
            PreTokenizer::ByteLevel {
                add_prefix_space,
                use_regex,
            } => {
                if *add_prefix_space {
                    rebuild(words, |chunk| {
                        if !chunk.text.starts_with(' ') {
                            chunk.prepend(" ");
                        }
                    });
                }
                if *use_regex {
                    cut(words, Behavior::Isolated, |text| {
                        let mut at = 0;
                        Pretokenizer::Gpt2
                            .split(text)
                            .map(|chunk| {
                                at += chunk.len();
                                (at - chunk.len()..at, true)
                            })
                            .collect()
                    });
                }
            }
            PreTokenizer::Digits { individual } => {
                let behavior = if *individual {
                    Behavior::Isolated
                } else {
                    Behavior::Contiguous
                };
                cut(words, behavior, |text| find_chars(text, char::is_numeric));
            }
            PreTokenizer::Punctuation(behavior) => {
                cut(words, *behavior, |text| find_chars(text, is_punctuation));
            }
            PreTokenizer::Whitespace(regex) => cut(words, Behavior::Removed, |text| {
                let mut parts = Vec::new();
                let mut at = 0;
                for m in regex.find_iter(text) {
                    if m.start() > at {
                        parts.push((at..m.start(), false));
                    }
                    parts.push((m.range(), true));
                    at = m.end();
                }
                if at < text.len() || text.is_empty() {
                    parts.push((at..text.len(), false));
                }
                // The matches are the words: invert.
                parts.iter_mut().for_each(|p| p.1 = !p.1);
                parts
            }),
            PreTokenizer::WhitespaceSplit => cut(words, Behavior::Removed, |text| {
                find_chars(text, char::is_whitespace)
            }),
            PreTokenizer::Bert => {
                cut(words, Behavior::Removed, |text| {
                    find_chars(text, char::is_whitespace)
                });
                cut(words, Behavior::Isolated, |text| {
                    find_chars(text, is_punctuation)
                });
            }
            PreTokenizer::CharDelimiter(delimiter) => {
                cut(words, Behavior::Removed, |text| {
                    find_chars(text, |c| c == *delimiter)
                });
            }
            PreTokenizer::Metaspace {
                replacement,
                prepend,
                split,
            } => {
                let mut marker = [0u8; 4];
                let marker = &*replacement.encode_utf8(&mut marker);
                rebuild(words, |chunk| {
                    let spaces: Vec<Range<usize>> = chunk
                        .text
                        .match_indices(' ')
                        .map(|(i, _)| i..i + 1)
                        .collect();
                    chunk.replace(&spaces, marker);
                    let add = match prepend {
                        PrependScheme::Always => true,
                        PrependScheme::First => chunk.base == 0,
                        PrependScheme::Never => false,
                    };
                    if add && !chunk.text.starts_with(*replacement) {
                        chunk.prepend(marker);
                    }
                });
                if *split {
                    cut(words, Behavior::MergedWithNext, |text| {
                        find_chars(text, |c| c == *replacement)
                    });
                }
            }
            PreTokenizer::Sequence(parts) => {
                for part in parts {
                    part.apply(words);
                }
            }
        }
    }
}

/// Cuts every word into the parts `find` gives, grouped by `behavior`.
fn cut(words: &mut Words, behavior: Behavior, find: impl Fn(&str) -> Vec<(Range<usize>, bool)>) {
    let mut ranges = Vec::with_capacity(words.ranges.len());
    for word in &words.ranges {
        let parts = find(&words.buf.text[word.clone()]);
        ranges.extend(
            behavior
                .apply(parts)
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| word.start + r.start..word.start + r.end),
        );
    }
    words.ranges = ranges;
}

/// Applies `change` to every word as a text of its own (so that a prefix
/// goes before each word), rebuilding the buffer.
fn rebuild(words: &mut Words, change: impl Fn(&mut Normalized)) {
    let mut buf = Normalized {
        text: String::with_capacity(words.buf.text.len() + words.ranges.len()),
        align: Vec::with_capacity(words.buf.align.len() + words.ranges.len()),
        base: words.buf.base,
    };
    let mut ranges = Vec::with_capacity(words.ranges.len());
    for word in &words.ranges {
        let mut chunk = words.buf.slice(word.clone());
        change(&mut chunk);
        if chunk.text.is_empty() {
            continue;
        }
        let start = buf.text.len();
        buf.text.push_str(&chunk.text);
        buf.align.extend_from_slice(&chunk.align);
        ranges.push(start..buf.text.len());
    }
    *words = Words { buf, ranges };
}
