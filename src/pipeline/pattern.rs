//! What HF's `Split` pre-tokenizer and `Replace` normalizer look for: a
//! literal string or a regular expression, found as HF finds it (every match
//! in order, with the text between matches, covering the whole text).

use std::ops::Range;

use crate::error::Result;
use crate::pretokenize::RegexSplitter;

/// A `{"String": ...}` or `{"Regex": ...}` pattern.
#[derive(Clone, Debug)]
pub(crate) enum Pattern {
    Literal(String),
    Regex(Box<RegexSplitter>),
}

impl Pattern {
    /// Compiles a regex pattern.
    ///
    /// # Errors
    /// [`crate::Error::Pattern`] if it does not compile.
    pub(crate) fn regex(pattern: &str) -> Result<Pattern> {
        Ok(Pattern::Regex(Box::new(RegexSplitter::new(pattern)?)))
    }

    /// The parts of `text`, in order, each with whether it is a match; they
    /// cover `text` exactly (one empty non-match for empty text).
    pub(crate) fn find(&self, text: &str) -> Vec<(Range<usize>, bool)> {
        let matches: Vec<(usize, usize)> = match self {
            Pattern::Literal(s) if s.is_empty() => Vec::new(),
            Pattern::Literal(s) => text
                .match_indices(s.as_str())
                .map(|(at, m)| (at, at + m.len()))
                .collect(),
            Pattern::Regex(r) => {
                if text.is_empty() {
                    return vec![(0..0, false)];
                }
                r.matches(text)
            }
        };
        with_gaps(text, matches)
    }
}

/// Matches and the text between them, covering `text`.
fn with_gaps(text: &str, matches: Vec<(usize, usize)>) -> Vec<(Range<usize>, bool)> {
    if text.is_empty() {
        return vec![(0..0, false)];
    }
    let mut parts = Vec::with_capacity(matches.len() * 2 + 1);
    let mut at = 0;
    for (start, end) in matches {
        if start > at {
            parts.push((at..start, false));
        }
        parts.push((start..end, true));
        at = end;
    }
    if at < text.len() {
        parts.push((at..text.len(), false));
    }
    parts
}

/// Each character for which `is_match` holds is a match of its own.
pub(crate) fn find_chars(text: &str, is_match: impl Fn(char) -> bool) -> Vec<(Range<usize>, bool)> {
    let matches = text
        .char_indices()
        .filter(|&(_, c)| is_match(c))
        .map(|(at, c)| (at, at + c.len_utf8()))
        .collect();
    with_gaps(text, matches)
}
