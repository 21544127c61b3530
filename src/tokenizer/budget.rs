//! Where tokens come from in the text, and token budgets: counting up to a
//! limit and cutting text after at most N tokens.

use std::cell::{Cell, RefCell};
use std::ops::Range;

use super::Tokenizer;
use crate::encode::EachId;
use crate::error::{Error, Result};

impl Tokenizer {
    /// Encodes `text` as [`Tokenizer::encode`] does and gives each token the
    /// byte range of `text` it covers. The ranges are consecutive and
    /// together cover `text` exactly.
    ///
    /// A token that holds part of a multi-byte character covers exactly its
    /// own bytes, so its range starts or ends inside the character and
    /// `text.get(range)` is `None` for it (GPT-2 writes " 😀" as a space with
    /// the emoji's first three bytes, then its last byte). To highlight such
    /// tokens, widen the range to the nearest character boundaries.
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// let text = "Hi 😀";
    /// let tokens = gpt2.encode_with_offsets(text);
    /// let ranges: Vec<_> = tokens.iter().map(|(_, range)| range.clone()).collect();
    /// assert_eq!(ranges, [0..2, 2..6, 6..7]);
    /// assert_eq!(text.get(ranges[0].clone()), Some("Hi"));
    /// assert_eq!(text.get(ranges[1].clone()), None); // " " and most of "😀"
    /// ```
    ///
    /// A tokenizer loaded from tokenizer.json gives HF's offsets instead:
    /// ranges of the original text (before normalization) that may overlap
    /// (a token that holds part of a character covers the whole character)
    /// and leave out what the pipeline removed or trimmed.
    pub fn encode_with_offsets(&self, text: &str) -> Vec<(u32, Range<usize>)> {
        self.encode_with_offsets_inner(text, true)
    }

    /// The byte range that each of `ids` covers in their decoded bytes
    /// (`decode_bytes(ids)`), special tokens included. For ids that
    /// [`Tokenizer::encode_with_special_tokens`] gave for a text, these are
    /// ranges of that text; see [`Tokenizer::encode_with_offsets`] for
    /// tokens that split a character.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an id the tokenizer does not have.
    pub fn token_ranges(&self, ids: &[u32]) -> Result<Vec<Range<usize>>> {
        let mut start = 0;
        ids.iter()
            .enumerate()
            .map(|(position, &id)| {
                let len = self
                    .id_to_token(id)
                    .ok_or(Error::UnknownId { id, position })?
                    .len();
                start += len;
                Ok(start - len..start)
            })
            .collect()
    }

    /// The number of tokens of `text` (as [`Tokenizer::count`]) if it is at
    /// most `limit`, else `None`. Encoding stops soon after the limit is
    /// passed, so checking that a long text fits a small budget costs little
    /// more than encoding the budget.
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// assert_eq!(gpt2.count_till_limit("Hello world", 2), Some(2));
    /// assert_eq!(gpt2.count_till_limit("Hello world", 1), None);
    /// assert_eq!(gpt2.count_till_limit("", 0), Some(0));
    /// ```
    pub fn count_till_limit(&self, text: &str, limit: usize) -> Option<usize> {
        if self.pipeline().is_some() {
            return Some(self.count(text)).filter(|&n| n <= limit);
        }
        let count = Cell::new(0usize);
        self.encode_while(
            text,
            || count.get() <= limit,
            |_| count.set(count.get() + 1),
        );
        Some(count.get()).filter(|&n| n <= limit)
    }

    /// Where to cut `text` to fit a budget of `max_tokens` tokens: the
    /// longest prefix that is the text of the first `k <= max_tokens` tokens
    /// of `encode(text)`, ends on a character boundary, and itself encodes to
    /// at most `max_tokens` tokens.
    ///
    /// Encoding the prefix on its own usually gives exactly those first `k`
    /// tokens. It can give others where the prefix ends in whitespace that
    /// the rest of the text split differently (in `"\n\n'm"`, the first token
    /// is `"\n"`, but `"\n\n"` alone is one token); the budget still holds,
    /// because it is checked.
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// assert_eq!(gpt2.truncate_to_tokens("Hello world, again", 2), "Hello world");
    /// assert_eq!(gpt2.truncate_to_tokens("Hello world", 0), "");
    /// assert_eq!(gpt2.truncate_to_tokens("Hello world", 100), "Hello world");
    /// // "😀" is two tokens; the first is not a whole character.
    /// assert_eq!(gpt2.truncate_to_tokens("😀", 1), "");
    /// ```
    pub fn truncate_to_tokens<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        if self.pipeline().is_some() {
            return self.truncate_by_offsets(text, max_tokens);
        }
        let ids = RefCell::new(Vec::with_capacity(max_tokens.min(1 << 16) + 1));
        self.encode_while(
            text,
            || ids.borrow().len() <= max_tokens,
            |id| ids.borrow_mut().push(id),
        );
        let ids = ids.into_inner();
        if ids.len() <= max_tokens {
            return text;
        }
        // The ends of the first tokens that fall on character boundaries.
        let mut ends = Vec::new();
        let mut end = 0;
        for &id in &ids[..max_tokens] {
            end += self.id_to_token(id).map_or(0, <[u8]>::len);
            if text.is_char_boundary(end) {
                ends.push(end);
            }
        }
        // Re-encoding a cut text can only change its last chunks, so the
        // check almost always passes at once.
        while let Some(end) = ends.pop() {
            let prefix = &text[..end];
            if self.count_till_limit(prefix, max_tokens).is_some() {
                return prefix;
            }
        }
        ""
    }

    /// [`Tokenizer::truncate_to_tokens`] for a pipeline, whose tokens map to
    /// the text through their offsets: the longest prefix ending where one
    /// of the first `max_tokens` tokens ends that encodes to at most
    /// `max_tokens` tokens.
    fn truncate_by_offsets<'t>(&self, text: &'t str, max_tokens: usize) -> &'t str {
        let tokens = self.encode_with_offsets(text);
        if tokens.len() <= max_tokens {
            return text;
        }
        let mut ends: Vec<usize> = tokens[..max_tokens]
            .iter()
            .map(|(_, r)| r.end)
            .filter(|&end| text.is_char_boundary(end))
            .collect();
        ends.sort_unstable();
        ends.dedup();
        while let Some(end) = ends.pop() {
            let prefix = &text[..end];
            if self.count(prefix) <= max_tokens {
                return prefix;
            }
        }
        ""
    }

    /// Encodes the chunks of `text` in order while `more()` holds before each
    /// chunk, giving each id to `emit`.
    fn encode_while(&self, text: &str, more: impl Fn() -> bool, emit: impl FnMut(u32)) {
        let inner = &*self.inner;
        let chunks = inner.pretokenizer.split(text).take_while(|_| more());
        inner.model.encode_chunks(chunks, &mut EachId(emit));
    }
}
