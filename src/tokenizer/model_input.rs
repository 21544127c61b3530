//! What the tokenizer.json pipeline adds to the core API: the model's input
//! with its special tokens (the post-processor), HF's offsets, and decoding
//! through the decoder.

use std::ops::Range;

use super::Tokenizer;
use crate::encode::Memo;
use crate::error::{Error, Result};
use crate::pipeline::{Encoded, Output, Pipeline};

impl Pipeline {
    /// Whether `id` is a special added token (HF's `skip_special_tokens`
    /// leaves these out).
    pub(crate) fn is_special(&self, id: u32) -> bool {
        self.added.by_id(id).is_some_and(|t| t.special)
    }
}

impl Tokenizer {
    /// Encodes `text` as the model expects its input: special tokens are
    /// recognized ([`Tokenizer::encode_with_special_tokens`]) and the
    /// post-processor of a tokenizer.json adds what its template says (the
    /// BOS token of Llama and Gemma, `[CLS]`/`[SEP]`, ...). The same as HF's
    /// `encode(text, add_special_tokens=True)`. Without a post-processor it
    /// is [`Tokenizer::encode_with_special_tokens`].
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// assert_eq!(gpt2.encode_for_model("Hi<|endoftext|>"), [17250, 50256]);
    /// ```
    pub fn encode_for_model(&self, text: &str) -> Vec<u32> {
        match self.pipeline() {
            Some(_) => self
                .encode_for_model_with_offsets(text)
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
            None => self.encode_with_special_tokens(text),
        }
    }

    /// [`Tokenizer::encode_for_model`] with each token's byte range in
    /// `text`, as [`Tokenizer::encode_with_offsets`] gives them; tokens the
    /// template adds have the empty range `0..0`, as in HF.
    pub fn encode_for_model_with_offsets(&self, text: &str) -> Vec<(u32, Range<usize>)> {
        match self.pipeline() {
            Some(pipeline) => self.pipeline_offsets(pipeline, &[text], false, true),
            None => self.encode_with_offsets_inner(text, false),
        }
    }

    /// Encodes a pair of texts (a question and its context, say) as the
    /// model expects them, as HF's `encode(a, b, add_special_tokens=True)`:
    /// each is encoded with special tokens recognized, and the
    /// post-processor's pair template joins them (BERT's `[CLS] A [SEP] B
    /// [SEP]`). Each offset is a range of the text its token came from; a
    /// tokenizer without a post-processor gives the two encodings one after
    /// the other.
    pub fn encode_pair_for_model_with_offsets(&self, a: &str, b: &str) -> Vec<(u32, Range<usize>)> {
        match self.pipeline() {
            Some(pipeline) => self.pipeline_offsets(pipeline, &[a, b], false, true),
            None => {
                let mut tokens = self.encode_with_offsets_inner(a, false);
                tokens.extend(self.encode_with_offsets_inner(b, false));
                tokens
            }
        }
    }

    /// The ids of [`Tokenizer::encode_pair_for_model_with_offsets`].
    pub fn encode_pair_for_model(&self, a: &str, b: &str) -> Vec<u32> {
        self.encode_pair_for_model_with_offsets(a, b)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// The number of tokens [`Tokenizer::encode_for_model`] gives for
    /// `text`: what a model's context holds of it, template tokens
    /// included.
    pub fn count_for_model(&self, text: &str) -> usize {
        match self.pipeline() {
            Some(_) => self.encode_for_model(text).len(),
            None => self.count_with_special_tokens(text),
        }
    }

    /// The number of tokens [`Tokenizer::encode_pair_for_model`] gives for
    /// the pair `a`, `b`.
    pub fn count_pair_for_model(&self, a: &str, b: &str) -> usize {
        self.encode_pair_for_model(a, b).len()
    }

    /// Ids and HF's offsets of one text or a pair through the pipeline and
    /// post-processor.
    fn pipeline_offsets(
        &self,
        pipeline: &Pipeline,
        texts: &[&str],
        skip_special: bool,
        add_special_tokens: bool,
    ) -> Vec<(u32, Range<usize>)> {
        let model = &self.inner.model;
        let mut memo = Memo::for_text(texts.iter().map(|text| text.len()).sum());
        let mut parts: Vec<Encoded> = texts
            .iter()
            .enumerate()
            .map(|(source, text)| {
                let mut encoded = Encoded::default();
                let mut out = Output {
                    ids: &mut encoded.ids,
                    offsets: Some(&mut encoded.offsets),
                };
                pipeline.encode(model, text, skip_special, &mut memo, &mut out);
                encoded.sources = vec![source as u8; encoded.ids.len()];
                encoded
            })
            .collect();
        if let Some(post) = &pipeline.post_processor {
            for part in &mut parts {
                part.spaces = part
                    .ids
                    .iter()
                    .map(|&id| pipeline.spaces(model, id))
                    .collect();
            }
            post.apply(texts, &mut parts, add_special_tokens);
        }
        parts
            .into_iter()
            .flat_map(|p| p.ids.into_iter().zip(p.offsets))
            .collect()
    }

    /// The ids of `text` with their ranges, special tokens' text encoded as
    /// text if `skip_special` (as [`Tokenizer::encode`]) or as the tokens.
    pub(crate) fn encode_with_offsets_inner(
        &self,
        text: &str,
        skip_special: bool,
    ) -> Vec<(u32, Range<usize>)> {
        if let Some(pipeline) = self.pipeline() {
            return self.pipeline_offsets(pipeline, &[text], skip_special, false);
        }
        let ids = if skip_special {
            self.encode(text)
        } else {
            self.encode_with_special_tokens(text)
        };
        let mut start = 0;
        ids.into_iter()
            .map(|id| {
                // Every id `encode` returns is in the vocabulary.
                let len = self.id_to_token(id).map_or(0, <[u8]>::len);
                start += len;
                (id, start - len..start)
            })
            .collect()
    }

    /// Decodes `ids` as HF's `decode(ids, skip_special_tokens=True)` does:
    /// special tokens are left out (ordinary added tokens stay).
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// assert_eq!(gpt2.decode_without_special_tokens(&[17250, 50256])?, "Hi");
    /// # Ok::<(), bytepair::Error>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Tokenizer::decode`].
    pub fn decode_without_special_tokens(&self, ids: &[u32]) -> Result<String> {
        match self.pipeline() {
            Some(pipeline) => self.pipeline_decode(pipeline, ids, true),
            None => {
                let kept: Vec<u32> = ids
                    .iter()
                    .copied()
                    .filter(|&id| !self.is_special(id))
                    .collect();
                self.decode(&kept)
            }
        }
    }

    /// Decodes `ids` into text, writing U+FFFD for bytes that are not UTF-8
    /// (as HF and tiktoken show them) instead of failing.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an id the tokenizer does not have.
    pub fn decode_lossy(&self, ids: &[u32]) -> Result<String> {
        match self.pipeline() {
            Some(pipeline) => self.pipeline_decode(pipeline, ids, false),
            None => Ok(String::from_utf8_lossy(&self.decode_bytes(ids)?).into_owned()),
        }
    }

    /// HF's decode: the tokens as HF spells them, through the decoder.
    pub(crate) fn pipeline_decode(
        &self,
        pipeline: &Pipeline,
        ids: &[u32],
        skip_special: bool,
    ) -> Result<String> {
        let vocab = &self.inner.model.vocab;
        let kept = ids
            .iter()
            .enumerate()
            .filter(|&(_, &id)| !(skip_special && pipeline.is_special(id)));
        if pipeline.decoder.as_ref().is_some_and(|d| d.is_byte_level()) {
            let mut bytes = Vec::with_capacity(ids.len() * 4);
            for (position, &id) in kept {
                match pipeline.added.by_id(id) {
                    Some(token) => {
                        let before = bytes.len();
                        if !crate::byte_level::decode_into(token.content.as_bytes(), &mut bytes) {
                            bytes.truncate(before);
                            bytes.extend_from_slice(token.content.as_bytes());
                        }
                    }
                    None => {
                        let token = vocab.bytes(id).ok_or(Error::UnknownId { id, position })?;
                        bytes.extend_from_slice(token);
                    }
                }
            }
            return Ok(String::from_utf8_lossy(&bytes).into_owned());
        }
        let mut tokens = Vec::with_capacity(ids.len());
        for (position, &id) in kept {
            tokens.push(self.hf_spelling(pipeline, id, position)?);
        }
        Ok(match &pipeline.decoder {
            Some(decoder) => decoder.decode_chain(tokens).concat(),
            // HF joins the tokens as spelled, with spaces between them.
            None => tokens.join(" "),
        })
    }

    /// Token `id` as HF spells it: an added token's content, or the
    /// vocabulary's key.
    fn hf_spelling(&self, pipeline: &Pipeline, id: u32, position: usize) -> Result<String> {
        if let Some(token) = pipeline.added.by_id(id) {
            return Ok(token.content.clone());
        }
        let vocab = &self.inner.model.vocab;
        let bytes = vocab
            .bytes(id)
            .filter(|_| (id as usize) < self.id_bound())
            .ok_or(Error::UnknownId { id, position })?;
        match &pipeline.fallback {
            // A character-level vocabulary is spelled as its text, except
            // the byte tokens (`<0x41>` stands for `A`).
            Some(fallback) => Ok(match fallback.spellings.get(&id) {
                Some(spelling) => spelling.clone(),
                None => String::from_utf8_lossy(bytes).into_owned(),
            }),
            None => Ok(crate::formats::gpt2::token_text(vocab, id)),
        }
    }
}
