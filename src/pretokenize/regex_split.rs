//! Pretokenizing with a regular expression (fancy-regex, for the lookaround
//! and possessive quantifiers the OpenAI patterns use): the path for every
//! pattern without a hand-written scanner.
//!
//! Chunks are the regex's leftmost-first matches, in order; text between two
//! matches (possible with a user's pattern, never with OpenAI's, which match
//! every character) becomes a chunk of its own, so that no byte is dropped
//! and decoding stays exact (tiktoken would drop it; HF's `Split` with
//! `Isolated` keeps it, as here). Empty matches are skipped.
//!
//! fancy-regex can fail while matching, when a match needs more than a
//! million backtracking steps. [`RegexSplitter::check`] reports that as an
//! error (`Tokenizer::try_encode`); the infallible iterator retries such a
//! match without the limit, so that `encode` stays exact, at the cost of the
//! time the backtracking takes.

use crate::error::{Error, Result};

/// A compiled pretokenization pattern.
#[derive(Clone, Debug)]
pub(crate) struct RegexSplitter {
    pattern: String,
    /// With fancy-regex's default backtracking limit.
    limited: fancy_regex::Regex,
    /// Without a limit, for the rare match the limited one gives up on.
    unlimited: fancy_regex::Regex,
}

impl RegexSplitter {
    /// Compiles `pattern`.
    pub(crate) fn new(pattern: &str) -> Result<RegexSplitter> {
        let build = |limit: Option<usize>| {
            let mut builder = fancy_regex::RegexBuilder::new(pattern);
            if let Some(limit) = limit {
                builder.backtrack_limit(limit);
            }
            builder.build().map_err(|e| Error::Pattern {
                pattern: pattern.to_string(),
                message: e.to_string(),
            })
        };
        Ok(RegexSplitter {
            pattern: pattern.to_string(),
            limited: build(None)?,
            unlimited: build(Some(usize::MAX))?,
        })
    }

    /// The pattern's source.
    pub(crate) fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The chunks of `text`.
    pub(crate) fn split<'s, 't>(&'s self, text: &'t str) -> RegexChunks<'s, 't> {
        RegexChunks {
            splitter: self,
            text,
            pos: 0,
            pending: None,
            retry_unlimited: true,
        }
    }

    /// Every match in `text` as a byte range, in order, with the empty ones
    /// (except one right where the previous match ended), as the regex
    /// crates and Oniguruma iterate: what HF's `Split` sees.
    pub(crate) fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut search = 0;
        let mut last_end = None;
        while search <= text.len() {
            let m = match self.limited.find_from_pos(text, search) {
                Ok(m) => m,
                Err(_) => self.unlimited.find_from_pos(text, search).ok().flatten(),
            };
            let Some(m) = m else { break };
            let (start, end) = (m.start(), m.end());
            if start == end && last_end == Some(end) {
                // Step over one character and look again.
                match text[end..].chars().next() {
                    Some(c) => search = end + c.len_utf8(),
                    None => break,
                }
                continue;
            }
            found.push((start, end));
            last_end = Some(end);
            search = if start == end {
                match text[end..].chars().next() {
                    Some(c) => end + c.len_utf8(),
                    None => break,
                }
            } else {
                end
            };
        }
        found
    }

    /// Whether every match in `text` succeeds within fancy-regex's
    /// backtracking limit: the error a strict caller gets otherwise.
    pub(crate) fn check(&self, text: &str) -> Result<()> {
        let mut chunks = RegexChunks {
            splitter: self,
            text,
            pos: 0,
            pending: None,
            retry_unlimited: false,
        };
        for _ in chunks.by_ref() {}
        match chunks.pending.take() {
            Some(Err(message)) => Err(Error::Pattern {
                pattern: self.pattern.clone(),
                message,
            }),
            _ => Ok(()),
        }
    }
}

/// The chunks of a text under a [`RegexSplitter`].
pub(crate) struct RegexChunks<'s, 't> {
    splitter: &'s RegexSplitter,
    text: &'t str,
    pos: usize,
    /// A match found after a gap, to return after the gap; or, when not
    /// retrying, the error that stopped the split.
    pending: Option<std::result::Result<(usize, usize), String>>,
    retry_unlimited: bool,
}

impl<'t> Iterator for RegexChunks<'_, 't> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        if let Some(Ok((start, end))) = self.pending {
            self.pending = None;
            self.pos = end;
            return Some(&self.text[start..end]);
        }
        if self.pos >= self.text.len() || self.pending.is_some() {
            return None;
        }
        let mut search = self.pos;
        loop {
            let found = match self.splitter.limited.find_from_pos(self.text, search) {
                Ok(found) => found.map(|m| (m.start(), m.end())),
                // Retry without the limit. Should even that fail (out of
                // stack), the rest of the text becomes one chunk.
                Err(_) if self.retry_unlimited => self
                    .splitter
                    .unlimited
                    .find_from_pos(self.text, search)
                    .ok()
                    .flatten()
                    .map(|m| (m.start(), m.end())),
                Err(e) => {
                    self.pending = Some(Err(e.to_string()));
                    return None;
                }
            };
            match found {
                // Skip empty matches: they cut nothing.
                Some((start, end)) if start == end => {
                    if end >= self.text.len() {
                        break;
                    }
                    search = end + self.text[end..].chars().next().map_or(1, char::len_utf8);
                }
                Some((start, end)) if start > self.pos => {
                    let gap = &self.text[self.pos..start];
                    self.pending = Some(Ok((start, end)));
                    self.pos = start;
                    return Some(gap);
                }
                Some((start, end)) => {
                    self.pos = end;
                    return Some(&self.text[start..end]);
                }
                None => break,
            }
        }
        // No further match: the rest of the text is one chunk.
        let rest = &self.text[self.pos..];
        self.pos = self.text.len();
        Some(rest)
    }
}
