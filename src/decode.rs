//! Token ids back to bytes and text.

use crate::error::{Error, Result};
use crate::tokenizer::Tokenizer;
use crate::vocab::Vocab;

/// Appends the bytes of `ids` to `out`; an unknown id is an error that gives
/// its position.
pub(crate) fn decode_into(vocab: &Vocab, ids: &[u32], out: &mut Vec<u8>) -> Result<()> {
    for (position, &id) in ids.iter().enumerate() {
        let bytes = vocab.bytes(id).ok_or(Error::UnknownId { id, position })?;
        out.extend_from_slice(bytes);
    }
    Ok(())
}

/// The text of `ids`: an error on an unknown id or on bytes that are not UTF-8.
pub(crate) fn decode_text(vocab: &Vocab, ids: &[u32]) -> Result<String> {
    let mut bytes = Vec::with_capacity(ids.len() * 4);
    decode_into(vocab, ids, &mut bytes)?;
    String::from_utf8(bytes)
        .map_err(|e| Error::invalid_utf8("decoded bytes", e.as_bytes(), e.utf8_error(), 0))
}

/// Decodes ids that arrive one at a time, as a model generates them, into
/// text that can be shown at once.
///
/// A token can hold part of a character (GPT-2 writes " 😀" as a space with
/// the emoji's first three bytes, then its last byte),
/// so [`DecodeStream::push`] returns the text completed so far and holds back
/// the bytes of a character that is not complete yet. Bytes that can never
/// be UTF-8 (a model may generate them) come out as U+FFFD, as
/// [`String::from_utf8_lossy`] and tiktoken's default decoding show them;
/// [`DecodeStream::replaced`] counts them for callers that must not accept
/// any. [`DecodeStream::finish`] reports bytes still held back at the end.
///
/// ```
/// let gpt2 = bytepair::Tokenizer::gpt2();
/// let mut stream = gpt2.decode_stream();
/// let mut shown = Vec::new();
/// for id in gpt2.encode("Hi 😀!") {
///     shown.push(stream.push(id)?.to_string());
/// }
/// stream.finish()?;
/// // "😀" is split across two tokens: nothing is shown until it is whole.
/// assert_eq!(shown, ["Hi", " ", "😀", "!"]);
/// # Ok::<(), bytepair::Error>(())
/// ```
#[derive(Debug)]
pub struct DecodeStream {
    tokenizer: Tokenizer,
    /// Bytes of an incomplete character, held back.
    pending: Vec<u8>,
    /// The text returned by the last `push`.
    text: String,
    /// How many ids were pushed, for error positions.
    pushed: usize,
    /// How many bytes were passed on as text (or U+FFFD), for the offset
    /// of what `finish` reports.
    passed: usize,
    /// How many invalid sequences became U+FFFD.
    replaced: usize,
    /// For a tokenizer.json pipeline, whose decoder works on whole tokens.
    window: Option<Window>,
}

/// HF's streaming decode for a tokenizer.json pipeline: the ids since the
/// one before the last text shown are decoded together, and what extends
/// the text they had given is shown once it does not end in U+FFFD (a
/// character still incomplete). Keeping one earlier token gives the decoder
/// its context: a `Strip` or `Metaspace` decoder removes the space of the
/// text's first token only, which the window's first token never is.
#[derive(Debug, Default)]
struct Window {
    ids: Vec<u32>,
    /// The text of `ids[..start]`.
    prefix: String,
    start: usize,
}

impl DecodeStream {
    pub(crate) fn new(tokenizer: Tokenizer) -> DecodeStream {
        let tokenizer_has_pipeline = tokenizer.pipeline().is_some();
        DecodeStream {
            tokenizer,
            pending: Vec::new(),
            text: String::new(),
            pushed: 0,
            passed: 0,
            replaced: 0,
            window: tokenizer_has_pipeline.then(Window::default),
        }
    }

    /// Adds the bytes of token `id` and returns the text they complete: empty
    /// while a character is incomplete, U+FFFD for each sequence that cannot
    /// be UTF-8.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an id the tokenizer does not have (its
    /// `position` counts the ids pushed before it); the stream is unchanged.
    pub fn push(&mut self, id: u32) -> Result<&str> {
        if self.window.is_some() {
            return self.push_to_window(id);
        }
        let bytes = self.tokenizer.id_to_token(id).ok_or(Error::UnknownId {
            id,
            position: self.pushed,
        })?;
        self.pushed += 1;
        self.pending.extend_from_slice(bytes);
        self.text.clear();
        let mut start = 0;
        while start < self.pending.len() {
            match std::str::from_utf8(&self.pending[start..]) {
                Ok(valid) => {
                    self.text.push_str(valid);
                    start = self.pending.len();
                }
                Err(e) => {
                    let valid = &self.pending[start..start + e.valid_up_to()];
                    // `valid_up_to` ends a valid prefix.
                    self.text
                        .push_str(std::str::from_utf8(valid).unwrap_or_default());
                    start += e.valid_up_to();
                    let Some(bad) = e.error_len() else {
                        // The start of a character: hold it back.
                        break;
                    };
                    self.text.push(char::REPLACEMENT_CHARACTER);
                    self.replaced += 1;
                    start += bad;
                }
            }
        }
        self.pending.drain(..start);
        self.passed += start;
        Ok(&self.text)
    }

    /// [`DecodeStream::push`] for a tokenizer.json pipeline.
    fn push_to_window(&mut self, id: u32) -> Result<&str> {
        let position = self.pushed;
        let window = self.window.as_mut().expect("checked by push");
        if self.tokenizer.decode(&[id]).is_err() {
            return Err(Error::UnknownId { id, position });
        }
        self.pushed += 1;
        window.ids.push(id);
        self.text.clear();
        let text = self.tokenizer.decode(&window.ids)?;
        if text.len() > window.prefix.len() && !text.ends_with(char::REPLACEMENT_CHARACTER) {
            // A decoder that rewrote the earlier text (none of HF's does,
            // given the window's first token) shows the whole text anew.
            let new = text.strip_prefix(window.prefix.as_str()).unwrap_or(&text);
            self.text.push_str(new);
            self.passed += new.len();
            self.replaced += new.matches(char::REPLACEMENT_CHARACTER).count();
            let next_start = window.ids.len() - window.start;
            window.ids.drain(..window.start);
            window.prefix = self.tokenizer.decode(&window.ids)?;
            window.start = next_start;
            self.pending.clear();
        } else {
            // Held back: what `finish` reports if nothing completes it.
            let held = text.strip_prefix(window.prefix.as_str()).unwrap_or(&text);
            self.pending = held.as_bytes().to_vec();
        }
        Ok(&self.text)
    }

    /// How many byte sequences that cannot be UTF-8 were shown as U+FFFD so
    /// far; 0 when the ids decode to valid text.
    pub fn replaced(&self) -> usize {
        self.replaced
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// [`Error::InvalidUtf8`] with the bytes still held back: the start
    /// of a character that the ids never completed.
    pub fn finish(self) -> Result<()> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidUtf8 {
                input: "the end of the decode stream".to_string(),
                offset: self.passed,
                bytes: self.pending,
            })
        }
    }
}
