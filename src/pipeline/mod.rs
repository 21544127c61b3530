//! HF tokenizers' pipeline, as tokenizer.json describes it: added tokens are
//! found first, then the text between them is normalized, cut into words by
//! the pre-tokenizer, and each word is merged by the BPE model; a
//! post-processor adds the model's special tokens, and a decoder turns ids
//! back into text.
//!
//! Each stage is a module with an enum of the kinds HF defines. A tokenizer
//! whose pipeline is only a split by one pattern (OpenAI's encodings, GPT-2,
//! Llama 3) runs that split on bytepair's scanners and pays for nothing
//! else; a normalizer that leaves a text unchanged (NFC on NFC text) costs a
//! quick check.

mod added;
mod decoder;
mod fallback;
mod normalized;
mod normalizer;
mod pattern;
mod post;
mod pre_tokenizer;

use std::ops::Range;

pub(crate) use added::{AddedToken, AddedTokens};
pub(crate) use decoder::Decoder;
pub(crate) use fallback::Fallback;
pub(crate) use normalized::Normalized;
pub(crate) use normalizer::Normalizer;
pub(crate) use pattern::Pattern;
pub(crate) use post::{Encoded, Item, PostProcessor};
use pre_tokenizer::Words;
pub(crate) use pre_tokenizer::{Behavior, PreTokenizer, PrependScheme};

use crate::encode::{Memo, Model};
use crate::pretokenize::Pretokenizer;

/// The stages of a tokenizer.json around its BPE model.
#[derive(Clone, Debug)]
pub(crate) struct Pipeline {
    /// For a character-level (SentencePiece-style) model: how characters
    /// the vocabulary lacks become tokens. `None` for byte-level models.
    pub(crate) fallback: Option<Fallback>,
    pub(crate) added: AddedTokens,
    pub(crate) normalizer: Option<Normalizer>,
    pub(crate) pre_tokenizer: Option<PreTokenizer>,
    /// The fast splitter equal to `pre_tokenizer`, if there is one.
    pub(crate) fast: Option<Splitter>,
    pub(crate) post_processor: Option<PostProcessor>,
    pub(crate) decoder: Option<Decoder>,
    /// The tokenizer.json sections as read, written back by
    /// `to_tokenizer_json`.
    pub(crate) json: JsonSections,
}

/// The sections of a tokenizer.json that are saved as they were read.
#[derive(Clone, Debug, Default)]
pub(crate) struct JsonSections {
    pub(crate) normalizer: serde_json::Value,
    pub(crate) pre_tokenizer: serde_json::Value,
    pub(crate) post_processor: serde_json::Value,
    pub(crate) decoder: serde_json::Value,
}

/// Where one text's ids go: only the ids, or the ids with offsets.
pub(crate) struct Output<'a> {
    pub(crate) ids: &'a mut Vec<u32>,
    pub(crate) offsets: Option<&'a mut Vec<Range<usize>>>,
}

/// How the fast path cuts normalized text into words: a scanner or regex,
/// no cut at all (no pre-tokenizer: Llama 2), or a literal (Gemma's split at
/// spaces, which its normalizer has already replaced).
#[derive(Clone, Debug)]
pub(crate) enum Splitter {
    Scan(Pretokenizer),
    Whole,
    Literal { literal: String, behavior: Behavior },
}

impl Splitter {
    /// The splitter equal to `pre_tokenizer` (`None`: no pre-tokenizer), if
    /// there is one.
    pub(crate) fn for_pre_tokenizer(
        pre_tokenizer: Option<&PreTokenizer>,
    ) -> crate::error::Result<Option<Splitter>> {
        let Some(pre) = pre_tokenizer else {
            return Ok(Some(Splitter::Whole));
        };
        if let PreTokenizer::Split {
            pattern: Pattern::Literal(literal),
            behavior,
            invert: false,
        } = pre
        {
            return Ok(Some(Splitter::Literal {
                literal: literal.clone(),
                behavior: *behavior,
            }));
        }
        pre.as_pretokenizer()
            .map(|p| p.map(Splitter::Scan))
            .transpose()
    }

    /// Calls `f` with each word of `text` and where it starts.
    #[inline]
    fn for_each_word<'t>(&self, text: &'t str, mut f: impl FnMut(usize, &'t str)) {
        match self {
            Splitter::Scan(scanner) => {
                let mut at = 0;
                for word in scanner.split(text) {
                    f(at, word);
                    at += word.len();
                }
            }
            Splitter::Whole => {
                if !text.is_empty() {
                    f(0, text);
                }
            }
            Splitter::Literal { literal, behavior } => {
                if !text.contains(literal.as_str()) {
                    if !text.is_empty() {
                        f(0, text);
                    }
                    return;
                }
                let parts = Pattern::Literal(literal.clone()).find(text);
                for word in behavior.apply(parts) {
                    if !word.is_empty() {
                        f(word.start, &text[word]);
                    }
                }
            }
        }
    }
}

impl Pipeline {
    /// Encodes `text`: added tokens (special ones only unless
    /// `skip_special`), normalizer, pre-tokenizer, model. No post-processor.
    pub(crate) fn encode(
        &self,
        model: &Model,
        text: &str,
        skip_special: bool,
        memo: &mut Memo,
        out: &mut Output<'_>,
    ) {
        for (token, range) in self.added.find_raw(text, skip_special) {
            match token {
                Some(index) => self.push_added(index, range, out),
                None if range.is_empty() => {}
                None => self.encode_segment(model, text, range, skip_special, memo, out),
            }
        }
    }

    /// Gives `out` added token `index`, which covers `range` of the text.
    fn push_added(&self, index: usize, range: Range<usize>, out: &mut Output<'_>) {
        out.ids.push(self.added.tokens[index].id);
        if let Some(offsets) = out.offsets.as_deref_mut() {
            offsets.push(range);
        }
    }

    /// Encodes the text between two raw added tokens.
    fn encode_segment(
        &self,
        model: &Model,
        text: &str,
        range: Range<usize>,
        skip_special: bool,
        memo: &mut Memo,
        out: &mut Output<'_>,
    ) {
        let segment = &text[range.clone()];
        let unchanged = self
            .normalizer
            .as_ref()
            .is_none_or(|n| n.is_identity() || n.leaves_unchanged(segment));
        if let (true, Some(fast)) = (unchanged, &self.fast) {
            // The normalized text is the text: its added tokens are found
            // in it, and the words cut from it in place.
            for (token, part) in self.added.find_normalized(segment, skip_special) {
                let part = range.start + part.start..range.start + part.end;
                match token {
                    Some(index) => self.push_added(index, part, out),
                    None if part.is_empty() => {}
                    None => self.encode_in_place(model, text, part, fast, memo, out),
                }
            }
            return;
        }
        let cuts_only = self
            .pre_tokenizer
            .as_ref()
            .is_none_or(PreTokenizer::only_cuts);
        if out.offsets.is_none() && (self.fast.is_some() || cuts_only) {
            // No offsets asked for, and words that are ranges of the
            // normalized text (cut by the fast splitter, or by stages that
            // only cut): the normalized text alone, no per-byte ranges.
            let normalized = match &self.normalizer {
                Some(normalizer) if !unchanged => normalizer.normalize(segment),
                _ => segment.to_string(),
            };
            for (token, part) in self.added.find_normalized(&normalized, skip_special) {
                match token {
                    Some(index) => out.ids.push(self.added.tokens[index].id),
                    None if part.is_empty() => {}
                    None => self.encode_cut(model, &normalized[part], memo, out.ids),
                }
            }
            return;
        }
        let mut buf = Normalized::new(segment, range.start);
        if let Some(normalizer) = &self.normalizer {
            if !unchanged {
                normalizer.apply(&mut buf);
            }
        }
        for (token, part) in self.added.find_normalized(&buf.text, skip_special) {
            match token {
                Some(index) => self.push_added(index, buf.original(part), out),
                None if part.is_empty() => {}
                None => {
                    let mut words = Words::whole(buf.slice(part.clone()));
                    if let Some(pre) = &self.pre_tokenizer {
                        pre.apply(&mut words);
                    }
                    self.encode_words(model, &words, memo, out);
                }
            }
        }
    }

    /// Encodes normalized `text` without offsets: cut by the fast splitter
    /// if there is one, else by the pre-tokenizer, whose stages only cut.
    fn encode_cut(&self, model: &Model, text: &str, memo: &mut Memo, ids: &mut Vec<u32>) {
        if let Some(fast) = &self.fast {
            fast.for_each_word(text, |_, word| {
                self.encode_word(model, word, memo, ids, None)
            });
            return;
        }
        let mut words = Words::whole(Normalized::untracked(text.to_string()));
        if let Some(pre) = &self.pre_tokenizer {
            pre.apply(&mut words);
        }
        for word in &words.ranges {
            self.encode_word(model, &words.buf.text[word.clone()], memo, ids, None);
        }
    }

    /// Merges one word into `ids`, characters the vocabulary lacks made
    /// byte or unknown tokens; with `lens`, records each token's length in
    /// bytes of the word.
    #[inline]
    fn encode_word(
        &self,
        model: &Model,
        word: &str,
        memo: &mut Memo,
        ids: &mut Vec<u32>,
        lens: Option<&mut Vec<usize>>,
    ) {
        let first = ids.len();
        model.encode_pieces_with(std::iter::once(word), memo, ids);
        match (&self.fallback, lens) {
            (Some(fallback), lens) => fallback.finish_word(&model.vocab, ids, first, lens),
            (None, Some(lens)) => lens.extend(
                ids[first..]
                    .iter()
                    .map(|&id| model.vocab.bytes(id).map_or(0, <[u8]>::len)),
            ),
            (None, None) => {}
        }
    }

    /// The fast path: the words are cut from the original text itself.
    fn encode_in_place(
        &self,
        model: &Model,
        text: &str,
        range: Range<usize>,
        fast: &Splitter,
        memo: &mut Memo,
        out: &mut Output<'_>,
    ) {
        let segment = &text[range.clone()];
        let Some(offsets) = out.offsets.as_deref_mut() else {
            fast.for_each_word(segment, |_, word| {
                self.encode_word(model, word, memo, out.ids, None);
            });
            return;
        };
        let mut lens = Vec::new();
        fast.for_each_word(segment, |start, word| {
            lens.clear();
            self.encode_word(model, word, memo, out.ids, Some(&mut lens));
            let mut at = range.start + start;
            for &len in &lens {
                offsets.push(char_range(text, at..at + len));
                at += len;
            }
        });
    }

    /// Merges each word and records where its tokens came from.
    fn encode_words(&self, model: &Model, words: &Words, memo: &mut Memo, out: &mut Output<'_>) {
        let mut lens = Vec::new();
        for word in &words.ranges {
            let chunk = &words.buf.text[word.clone()];
            let Some(offsets) = out.offsets.as_deref_mut() else {
                self.encode_word(model, chunk, memo, out.ids, None);
                continue;
            };
            lens.clear();
            self.encode_word(model, chunk, memo, out.ids, Some(&mut lens));
            let mut at = word.start;
            for &len in &lens {
                offsets.push(words.buf.original(at..at + len));
                at += len;
            }
        }
    }

    /// The leading and trailing whitespace of token `id` as HF spells it,
    /// for the byte-level offset trimming.
    pub(crate) fn spaces(&self, model: &Model, id: u32) -> (usize, usize) {
        if let Some(token) = self.added.by_id(id) {
            let is_space = |c: &char| c.is_whitespace() || *c == '\u{120}';
            let lead = token.content.chars().take_while(is_space).count();
            let trail = token.content.chars().rev().take_while(is_space).count();
            return (lead, trail);
        }
        let bytes = model.vocab.bytes(id).unwrap_or_default();
        let lead = bytes.iter().take_while(|&&b| b == b' ').count();
        let trail = bytes.iter().rev().take_while(|&&b| b == b' ').count();
        (lead, trail)
    }
}

/// `range` widened to the characters it touches: HF gives a token that
/// holds part of a character the range of the whole character.
fn char_range(text: &str, range: Range<usize>) -> Range<usize> {
    let mut start = range.start;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end;
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
