//! [`Tokenizer`]: the crate's entry point.
//!
//! This module holds the type and its core (encode, count, decode, lookups);
//! `load` the constructors and savers for each file format, `special` the
//! special-token policies, `budget` offsets and token budgets.

mod budget;
mod load;
mod model_input;
mod special;

use std::sync::Arc;

use crate::decode::{DecodeStream, decode_into, decode_text};
use crate::encode::{Count, Memo, Model, Sink};
use crate::error::Result;
use crate::pipeline::{Output, Pipeline};
use crate::pretokenize::{ChunksWork, Pretokenizer};

pub use special::AllowedSpecial;

/// A byte-pair-encoding tokenizer: text to token ids and back.
///
/// A `Tokenizer` is immutable. Cloning it is cheap (it is one reference-counted
/// pointer), and it is `Send + Sync`, so one instance can be shared by any
/// number of threads through `&Tokenizer`, a clone each, or an `Arc`.
///
/// ```
/// let tokenizer = bytepair::Tokenizer::gpt2();
/// let ids = tokenizer.encode("Hello world");
/// assert_eq!(ids, [15496, 995]);
/// assert_eq!(tokenizer.decode(&ids)?, "Hello world");
/// # Ok::<(), bytepair::Error>(())
/// ```
#[derive(Clone)]
pub struct Tokenizer {
    inner: Arc<Inner>,
}

struct Inner {
    /// Shared with the tokenizers [`Tokenizer::with_pattern`] makes.
    model: Arc<Model>,
    pretokenizer: Pretokenizer,
    /// Finds special tokens in text: an alternation of their escaped texts,
    /// longest first, so that the longest wins where two start together.
    /// `None` when there are none.
    special_matcher: Option<regex::Regex>,
    /// The stages of a tokenizer.json around the model; `None` for the
    /// tokenizers whose only stage is `pretokenizer` (OpenAI's encodings,
    /// GPT-2 files).
    pipeline: Option<Box<Pipeline>>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab_size", &self.vocab_size())
            .field("merges", &self.inner.model.merges.len())
            .field("special_tokens", &self.inner.model.vocab.specials())
            .field("pattern", &self.pattern())
            .finish()
    }
}

impl Tokenizer {
    pub(crate) fn from_model(model: Model, pretokenizer: Pretokenizer) -> Result<Tokenizer> {
        Tokenizer::from_shared_model(Arc::new(model), pretokenizer)
    }

    fn from_shared_model(model: Arc<Model>, pretokenizer: Pretokenizer) -> Result<Tokenizer> {
        Tokenizer::with_pipeline(model, pretokenizer, None)
    }

    fn with_pipeline(
        model: Arc<Model>,
        pretokenizer: Pretokenizer,
        pipeline: Option<Box<Pipeline>>,
    ) -> Result<Tokenizer> {
        let special_matcher = special::matcher(model.vocab.specials())?;
        Ok(Tokenizer {
            inner: Arc::new(Inner {
                model,
                pretokenizer,
                special_matcher,
                pipeline,
            }),
        })
    }

    /// The tokenizer.json pipeline, if this tokenizer has one.
    pub(crate) fn pipeline(&self) -> Option<&Pipeline> {
        self.inner.pipeline.as_deref()
    }

    /// Encodes `text` through the pipeline, with special tokens recognized
    /// unless `skip_special`.
    pub(crate) fn pipeline_encode(
        &self,
        pipeline: &Pipeline,
        text: &str,
        skip_special: bool,
        memo: &mut Memo,
        ids: &mut Vec<u32>,
    ) {
        let mut out = Output { ids, offsets: None };
        pipeline.encode(&self.inner.model, text, skip_special, memo, &mut out);
    }

    /// The same vocabulary and merges with another pretokenization pattern.
    /// OpenAI's patterns ([`crate::GPT2_PATTERN`], [`crate::R50K_PATTERN`],
    /// [`crate::CL100K_PATTERN`], [`crate::O200K_PATTERN`], spelled exactly
    /// so) run on hand-written scanners; any other pattern runs on
    /// fancy-regex, which supports lookaround and possessive quantifiers.
    /// The vocabulary is shared, not copied.
    ///
    /// Text that the pattern does not match becomes chunks of its own, so
    /// every byte is encoded (tiktoken would drop it).
    ///
    /// ```
    /// let words = bytepair::Tokenizer::gpt2().with_pattern(r"\w+|\W")?;
    /// assert_eq!(words.split("don't stop").collect::<Vec<_>>(), ["don", "'", "t", " ", "stop"]);
    /// # Ok::<(), bytepair::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::Pattern`] if the pattern does not compile;
    /// [`crate::Error::Unsupported`] for a tokenizer loaded from a
    /// tokenizer.json, whose pattern is one stage of its pipeline.
    pub fn with_pattern(&self, pattern: &str) -> Result<Tokenizer> {
        if self.pipeline().is_some() {
            // The pattern is one stage of a pipeline, which a pattern alone
            // cannot replace (normalizers, added tokens, a character-level
            // model's fallback).
            return Err(crate::Error::Unsupported {
                file: "tokenizer.json".to_string(),
                setting: "pre_tokenizer (replaced by with_pattern)".to_string(),
                value: format!("{pattern:?}"),
            });
        }
        let pretokenizer = Pretokenizer::from_pattern(pattern)?;
        Tokenizer::from_shared_model(Arc::clone(&self.inner.model), pretokenizer)
    }

    /// The pretokenization pattern. For a tokenizer.json pipeline whose
    /// pre-tokenizer is not one pattern (a `Sequence` of several splits,
    /// `Metaspace`, none), GPT-2's pattern stands in: the pipeline does not
    /// use it, and [`Tokenizer::split`] does not show its words.
    pub fn pattern(&self) -> &str {
        self.inner.pretokenizer.pattern()
    }

    /// Encodes `text` into token ids. Special-token text such as
    /// `<|endoftext|>` is encoded as ordinary text (like tiktoken's
    /// `encode_ordinary`), so user input can never inject a special token.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        self.encode_with_memo(text, &mut Memo::for_text(text.len()))
    }

    /// The ids of `text` in a new vector, with the memo of earlier texts or
    /// parts of the same call (one per thread in `parallel`).
    pub(crate) fn encode_with_memo(&self, text: &str, memo: &mut Memo) -> Vec<u32> {
        let mut ids = ids_for(text);
        if let Some(pipeline) = self.pipeline() {
            self.pipeline_encode(pipeline, text, true, memo, &mut ids);
            return ids;
        }
        self.encode_ordinary_with(text, memo, &mut ids);
        ids
    }

    /// The number of tokens [`Tokenizer::encode`] gives for `text`, without
    /// building the vector.
    pub fn count(&self, text: &str) -> usize {
        if self.pipeline().is_some() {
            return self.encode(text).len();
        }
        let mut count = Count::default();
        self.encode_chunks_into(text, &mut Memo::for_text(text.len()), &mut count);
        count.0
    }

    /// Like [`Tokenizer::encode`], but reports what [`Tokenizer::encode`]
    /// works around: a user-given pattern (see [`Tokenizer::with_pattern`])
    /// whose match needs more than fancy-regex's backtracking limit. OpenAI's
    /// patterns never fail.
    ///
    /// # Errors
    /// [`crate::Error::Pattern`] naming the pattern and the regex's message.
    pub fn try_encode(&self, text: &str) -> Result<Vec<u32>> {
        self.inner.pretokenizer.check(text)?;
        Ok(self.encode(text))
    }

    /// Encodes `text` into `ids` with the memo of earlier parts of the same
    /// call (the segments between special tokens, or `parallel`'s parts).
    pub(crate) fn encode_ordinary_with(&self, text: &str, memo: &mut Memo, ids: &mut Vec<u32>) {
        if let Some(pipeline) = self.pipeline() {
            self.pipeline_encode(pipeline, text, true, memo, ids);
            return;
        }
        self.encode_chunks_into(text, memo, ids);
    }

    /// Gives `sink` the ids of the chunks of `text` (no pipeline), through
    /// the pretokenizer's own chunk iterator.
    #[inline]
    fn encode_chunks_into(&self, text: &str, memo: &mut Memo, sink: &mut impl Sink) {
        let inner = &*self.inner;
        inner.pretokenizer.with_chunks(
            text,
            EncodeChunks {
                model: &inner.model,
                memo,
                sink,
            },
        );
    }

    /// A place at or after `from` where `text` can be cut without changing
    /// its encoding (see [`Pretokenizer::independent_cut`]).
    pub(crate) fn independent_cut(&self, text: &str, from: usize) -> Option<usize> {
        if self.pipeline().is_some() {
            // Added tokens and normalizers may reach across any cut.
            return None;
        }
        self.inner.pretokenizer.independent_cut(text, from)
    }

    /// The pretokenization chunks of `text`: the chunks that byte-pair merging
    /// works within. They concatenate to `text`.
    pub fn split<'t>(&'t self, text: &'t str) -> impl Iterator<Item = &'t str> + 't {
        self.inner.pretokenizer.split(text)
    }

    /// Decodes `ids` into text.
    ///
    /// # Errors
    /// [`crate::Error::UnknownId`] for an id the tokenizer does not have, and
    /// [`crate::Error::InvalidUtf8`] when the bytes are not UTF-8 (a token can hold
    /// part of a character; [`Tokenizer::decode_bytes`] returns such bytes).
    ///
    /// A tokenizer loaded from tokenizer.json decodes through its decoder,
    /// exactly as HF's `decode(ids, skip_special_tokens=False)`: bytes that
    /// are not UTF-8 become U+FFFD there, as the decoder defines.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        if let Some(pipeline) = self.pipeline() {
            return self.pipeline_decode(pipeline, ids, false);
        }
        decode_text(&self.inner.model.vocab, ids)
    }

    /// Decodes `ids` into the exact bytes they stand for.
    ///
    /// # Errors
    /// [`crate::Error::UnknownId`] for an id the tokenizer does not have.
    ///
    /// For a tokenizer.json pipeline whose decoder does more than map
    /// GPT-2's byte-level alphabet back to bytes (SentencePiece's `▁` and
    /// `<0xNN>` tokens), these are the bytes of [`Tokenizer::decode`]'s text.
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>> {
        if let Some(pipeline) = self.pipeline() {
            if !pipeline.decoder.as_ref().is_some_and(|d| d.is_byte_level()) {
                return Ok(self.pipeline_decode(pipeline, ids, false)?.into_bytes());
            }
        }
        let mut bytes = Vec::with_capacity(ids.len() * 4);
        decode_into(&self.inner.model.vocab, ids, &mut bytes)?;
        Ok(bytes)
    }

    /// A decoder for ids that arrive one at a time, as a model generates
    /// them: it returns text as soon as the bytes so far end on a character
    /// boundary and holds back the start of a character split across tokens.
    /// See [`DecodeStream`].
    pub fn decode_stream(&self) -> DecodeStream {
        DecodeStream::new(self.clone())
    }

    /// The number of tokens, special tokens included (50,257 for GPT-2).
    /// Ids need not be contiguous; see [`Tokenizer::id_bound`].
    pub fn vocab_size(&self) -> usize {
        let vocab = &self.inner.model.vocab;
        vocab.len() - (vocab.id_bound() - self.id_bound())
    }

    /// One more than the highest token id: the size of an embedding table
    /// indexed by id.
    pub fn id_bound(&self) -> usize {
        // A character-level model's placeholders (ids after the vocabulary's,
        // see `formats::hf_char`) are not tokens.
        match self.pipeline().and_then(|p| p.fallback.as_ref()) {
            Some(fallback) => fallback.first_placeholder as usize,
            None => self.inner.model.vocab.id_bound(),
        }
    }

    /// The id of the token whose bytes are `token`: an ordinary token's bytes
    /// (`b" world"`, not its vocab.json spelling `"Ġworld"`) or a special
    /// token's text.
    pub fn token_to_id(&self, token: impl AsRef<[u8]>) -> Option<u32> {
        let token = token.as_ref();
        let ordinary = self.inner.model.vocab.ordinary_id(token);
        ordinary
            .filter(|&id| (id as usize) < self.id_bound())
            .or_else(|| {
                let text = std::str::from_utf8(token).ok()?;
                self.added_token_id(text)
            })
    }

    /// The bytes of token `id` (for a special token, its text), or `None` if
    /// no token has this id.
    pub fn id_to_token(&self, id: u32) -> Option<&[u8]> {
        self.inner
            .model
            .vocab
            .bytes(id)
            .filter(|_| (id as usize) < self.id_bound())
    }

    /// The id of the special token with this text.
    pub fn special_token_id(&self, text: &str) -> Option<u32> {
        self.added_token_id(text).filter(|&id| self.is_special(id))
    }

    /// The id of a special token's text, or of an ordinary added token's
    /// (a tokenizer.json's `"special": false` entries).
    fn added_token_id(&self, text: &str) -> Option<u32> {
        self.inner.model.vocab.special_id(text)
    }

    /// The special tokens as (text, id), in id order. A tokenizer.json's
    /// added tokens marked `"special": false` are not among them.
    pub fn special_tokens(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.inner
            .model
            .vocab
            .specials()
            .iter()
            .filter(|(_, id)| self.is_special(*id))
            .map(|(t, id)| (t.as_str(), *id))
    }

    /// Whether `id` is a special token's id (for a tokenizer.json, an added
    /// token marked `"special": true`: HF's `skip_special_tokens` leaves
    /// these out).
    pub fn is_special(&self, id: u32) -> bool {
        match self.pipeline() {
            Some(pipeline) => pipeline.is_special(id),
            None => self.inner.model.vocab.is_special(id),
        }
    }
}

/// An empty vector with room for the ids of `text`, a token every three
/// bytes: English averages about four bytes a token and code about three,
/// so most texts never reallocate (whose copy would hold both vectors at
/// once), and room never written costs address space, not memory. Text
/// with more ids (at most one a byte) costs a reallocation or two.
pub(crate) fn ids_for(text: &str) -> Vec<u32> {
    Vec::with_capacity(text.len() / 3 + 1)
}

/// Encoding of a text's chunks into a sink, for
/// [`Pretokenizer::with_chunks`].
struct EncodeChunks<'a, S> {
    model: &'a Model,
    memo: &'a mut Memo,
    sink: &'a mut S,
}

impl<'t, S: Sink> ChunksWork<'t> for EncodeChunks<'_, S> {
    type Output = ();

    #[inline]
    fn run(self, chunks: impl Iterator<Item = &'t str>) {
        self.model.encode_pieces_with(chunks, self.memo, self.sink);
    }
}
