//! Text being normalized, with where each of its bytes came from.
//!
//! HF tokenizers reports offsets in the text the user gave, before any
//! normalizer or pre-tokenizer changed it, so every change keeps, for each
//! byte of the current text, the range of original bytes it stands for.
//! The rules of [`Normalized::transform`] are HF's (each output character
//! replaces, follows or removes characters of the input, and inherits their
//! range), so that offsets equal HF's exactly, not merely plausibly.

use std::ops::Range;

/// A text and, for each of its bytes, the byte range of the original text
/// that it came from.
#[derive(Clone, Debug, Default)]
pub(crate) struct Normalized {
    pub(crate) text: String,
    /// `align[i]` is the original range of `text`'s byte `i`; all the bytes
    /// of one character share one range.
    pub(crate) align: Vec<(usize, usize)>,
    /// Where this text starts in the original: the range given to a
    /// character inserted before everything else.
    pub(crate) base: usize,
}

/// What an output character of [`Normalized::transform`] does to the input:
/// HF's `(char, isize)` convention.
pub(crate) type Change = (char, isize);

impl Normalized {
    /// `text`, unchanged, which starts at byte `base` of the original.
    pub(crate) fn new(text: &str, base: usize) -> Normalized {
        let mut align = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            let range = (base + i, base + i + c.len_utf8());
            align.extend(std::iter::repeat_n(range, c.len_utf8()));
        }
        Normalized {
            text: text.to_string(),
            align,
            base,
        }
    }

    /// `text` without the ranges, for stages that only cut it (the words
    /// are ranges of the text); nothing may ask it for original offsets.
    pub(crate) fn untracked(text: String) -> Normalized {
        Normalized {
            text,
            align: Vec::new(),
            base: 0,
        }
    }

    /// The part `range` (byte offsets, on character boundaries) as a text of
    /// its own.
    pub(crate) fn slice(&self, range: Range<usize>) -> Normalized {
        let base = self
            .align
            .get(range.start)
            .map_or(self.align.last().map_or(self.base, |a| a.1), |a| a.0);
        Normalized {
            text: self.text[range.clone()].to_string(),
            align: self.align[range].to_vec(),
            base,
        }
    }

    /// The original range of the bytes `range` of the text: from the start
    /// of the first byte's range to the end of the last one's.
    pub(crate) fn original(&self, range: Range<usize>) -> Range<usize> {
        match (self.align.get(range.start), range.end.checked_sub(1)) {
            (Some(first), Some(last)) if range.end > range.start => first.0..self.align[last].1,
            _ => {
                let at = self.align.get(range.start).map_or(self.base, |a| a.0);
                at..at
            }
        }
    }

    /// Replaces the characters of `range` by the characters of `changes`:
    /// `(c, 0)` puts `c` in place of the next input character, `(c, n)` with
    /// `n > 0` inserts `c` (it takes the range of the byte before it), and
    /// `(c, -n)` puts `c` in place of the next character and removes the
    /// `n` after it. `skip` input characters are removed before the first
    /// change.
    pub(crate) fn transform(
        &mut self,
        range: Range<usize>,
        changes: impl IntoIterator<Item = Change>,
        skip: usize,
    ) {
        let old = self.text[range.clone()].to_string();
        let mut old_chars = old.chars();
        let skipped: usize = old_chars.by_ref().take(skip).map(char::len_utf8).sum();
        let mut at = range.start + skipped;
        let mut text = String::with_capacity(range.len());
        let mut align = Vec::with_capacity(range.len());
        for (c, change) in changes {
            let origin = if change > 0 {
                match at.checked_sub(1) {
                    Some(before) => self.align[before],
                    None => (self.base, self.base),
                }
            } else {
                self.align[at]
            };
            if change <= 0 {
                at += old_chars.next().map_or(0, char::len_utf8);
            }
            if change < 0 {
                at += old_chars
                    .by_ref()
                    .take(change.unsigned_abs())
                    .map(char::len_utf8)
                    .sum::<usize>();
            }
            text.push(c);
            align.extend(std::iter::repeat_n(origin, c.len_utf8()));
        }
        self.align.splice(range.clone(), align);
        self.text.replace_range(range, &text);
    }

    /// Puts `prefix` before the text (nothing if the text is empty): its
    /// characters take the range of the first character, as in HF.
    pub(crate) fn prepend(&mut self, prefix: &str) {
        let Some(first) = self.text.chars().next() else {
            return;
        };
        let changes: Vec<Change> = prefix
            .chars()
            .enumerate()
            .map(|(i, c)| (c, if i == 0 { 0 } else { 1 }))
            .chain(std::iter::once((first, 1)))
            .collect();
        self.transform(0..first.len_utf8(), changes, 0);
    }

    /// Replaces each of `matches` (sorted, disjoint byte ranges) by
    /// `content`.
    pub(crate) fn replace(&mut self, matches: &[Range<usize>], content: &str) {
        // Later ranges move by what earlier replacements added or removed.
        let mut shift = 0isize;
        for m in matches {
            let start = m.start.checked_add_signed(shift).unwrap_or(0);
            let end = m.end.checked_add_signed(shift).unwrap_or(0);
            let removed = self.text[start..end].chars().count();
            self.transform(start..end, content.chars().map(|c| (c, 1)), removed);
            shift += content.len() as isize - m.len() as isize;
        }
    }

    /// Keeps the characters for which `keep` holds.
    pub(crate) fn filter(&mut self, keep: impl Fn(char) -> bool) {
        if self.text.chars().all(&keep) {
            return;
        }
        // A removed character is accounted to the kept one before it; the
        // ones before the first kept character are skipped.
        let mut changes: Vec<Change> = Vec::with_capacity(self.text.len());
        let mut skip = 0;
        for c in self.text.chars() {
            if keep(c) {
                changes.push((c, 0));
            } else if let Some(last) = changes.last_mut() {
                last.1 -= 1;
            } else {
                skip += 1;
            }
        }
        let end = self.text.len();
        self.transform(0..end, changes, skip);
    }

    /// Removes whitespace (`char::is_whitespace`) at the start and/or end.
    pub(crate) fn strip(&mut self, left: bool, right: bool) {
        let chars: Vec<char> = self.text.chars().collect();
        let leading = if left {
            chars.iter().take_while(|c| c.is_whitespace()).count()
        } else {
            0
        };
        let trailing = if right {
            chars[leading..]
                .iter()
                .rev()
                .take_while(|c| c.is_whitespace())
                .count()
        } else {
            0
        };
        if leading == 0 && trailing == 0 {
            return;
        }
        let kept = chars.len() - leading - trailing;
        let changes: Vec<Change> = chars[leading..leading + kept]
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let change = if i + 1 == kept {
                    -(trailing as isize)
                } else {
                    0
                };
                (c, change)
            })
            .collect();
        let end = self.text.len();
        self.transform(0..end, changes, leading);
    }

    /// Maps every character to the ones `map` gives for it (the first
    /// replaces it, the others are inserted after it).
    pub(crate) fn map_chars<I: Iterator<Item = char>>(&mut self, map: impl Fn(char) -> I) {
        let changes: Vec<Change> = self
            .text
            .chars()
            .flat_map(|c| map(c).enumerate().map(|(i, m)| (m, isize::from(i > 0))))
            .collect();
        let end = self.text.len();
        self.transform(0..end, changes, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_the_ranges_of_what_it_replaces() {
        let mut n = Normalized::new("a b", 10);
        let space = std::ops::Range { start: 1, end: 2 };
        n.replace(std::slice::from_ref(&space), "\u{2581}");
        assert_eq!(n.text, "a\u{2581}b");
        assert_eq!(n.original(1..4), 11..12);
        assert_eq!(n.original(0..5), 10..13);
    }

    #[test]
    fn prepend_and_strip() {
        let mut n = Normalized::new("  hi ", 0);
        n.strip(true, true);
        assert_eq!(n.text, "hi");
        assert_eq!(n.original(0..2), 2..4);
        n.prepend("\u{2581}");
        assert_eq!(n.text, "\u{2581}hi");
        assert_eq!(n.original(0..3), 2..3);
    }

    #[test]
    fn filter_removes() {
        let mut n = Normalized::new("e\u{301}x", 0);
        n.filter(|c| c != '\u{301}');
        assert_eq!(n.text, "ex");
        assert_eq!(n.original(0..1), 0..1);
        assert_eq!(n.original(1..2), 3..4);
    }
}
