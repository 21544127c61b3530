//! Special tokens in text: finding them, and the policies for what to do
//! with them.
//!
//! [`Tokenizer::encode`] treats special-token text as ordinary text, so that
//! user input cannot inject a control token; [`Tokenizer::encode_with_special_tokens`]
//! turns every special token into its id; [`Tokenizer::encode_with_allowed_special`]
//! turns the allowed ones into ids and refuses text that holds any other.

use super::{Tokenizer, ids_for};
use crate::encode::Memo;
use crate::error::{Error, Result};

/// Which special tokens [`Tokenizer::encode_with_allowed_special`] turns into
/// their ids. Any other special token in the text is an error
/// ([`Error::DisallowedSpecialToken`]), like tiktoken's default check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowedSpecial<'a> {
    /// Every special token is allowed.
    All,
    /// No special token is allowed: text holding one is an error.
    None,
    /// Only the special tokens with these texts.
    Only(&'a [&'a str]),
}

/// The regex that finds special tokens: their escaped texts, longest first,
/// so that where two start at one position the longest wins. `None` when
/// there are none.
pub(super) fn matcher(specials: &[(String, u32)]) -> Result<Option<regex::Regex>> {
    if specials.is_empty() {
        return Ok(None);
    }
    let mut texts: Vec<&str> = specials.iter().map(|(t, _)| t.as_str()).collect();
    texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let pattern = texts
        .iter()
        .map(|t| regex::escape(t))
        .collect::<Vec<_>>()
        .join("|");
    // The size limit is raised for vocabularies with thousands of special tokens.
    let matcher = regex::RegexBuilder::new(&pattern)
        .size_limit(1 << 30)
        .build()
        .map_err(|e| Error::Pattern {
            pattern: "special tokens".to_string(),
            message: e.to_string(),
        })?;
    Ok(Some(matcher))
}

impl Tokenizer {
    /// Encodes `text`, turning each occurrence of a registered special token
    /// (GPT-2: `<|endoftext|>`, id 50256) into its id. The text between special
    /// tokens is encoded as by [`Tokenizer::encode`]; pretokenization does not
    /// cross a special token. Where two special tokens start at the same
    /// place, the longer wins.
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// let ids = gpt2.encode_with_special_tokens("Hi<|endoftext|>");
    /// assert_eq!(ids, [17250, 50256]);
    /// ```
    pub fn encode_with_special_tokens(&self, text: &str) -> Vec<u32> {
        let mut ids = ids_for(text);
        self.encode_specials_into(text, &mut ids, |_, _| Ok(()))
            .expect("every special token is allowed");
        ids
    }

    /// Encodes `text`, turning the `allowed` special tokens into their ids
    /// and refusing text that holds any other special token: the policy for
    /// text from a source that may legitimately contain some control tokens
    /// but must not smuggle in others. With [`AllowedSpecial::None`] it is
    /// [`Tokenizer::encode`] plus the guarantee that the text held no
    /// special token at all.
    ///
    /// Special tokens are found left to right, the longest where several
    /// start at one place; the first one found that is not allowed is the
    /// error.
    ///
    /// ```
    /// use bytepair::{AllowedSpecial, Error, Tokenizer};
    /// let gpt2 = Tokenizer::gpt2();
    /// let text = "Hi<|endoftext|>";
    /// let ids = gpt2.encode_with_allowed_special(text, AllowedSpecial::Only(&["<|endoftext|>"]))?;
    /// assert_eq!(ids, [17250, 50256]);
    /// let refused = gpt2.encode_with_allowed_special(text, AllowedSpecial::None);
    /// assert!(matches!(refused, Err(Error::DisallowedSpecialToken { offset: 2, .. })));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::DisallowedSpecialToken`] with the token and its byte offset;
    /// [`Error::UnknownSpecialToken`] if [`AllowedSpecial::Only`] names a
    /// text that is not one of this tokenizer's special tokens (a typo would
    /// otherwise silently disallow the token meant).
    pub fn encode_with_allowed_special(
        &self,
        text: &str,
        allowed: AllowedSpecial<'_>,
    ) -> Result<Vec<u32>> {
        if let AllowedSpecial::Only(names) = allowed {
            if let Some(unknown) = names.iter().find(|n| self.special_token_id(n).is_none()) {
                return Err(Error::UnknownSpecialToken {
                    token: unknown.to_string(),
                });
            }
        }
        let mut ids = ids_for(text);
        self.encode_specials_into(text, &mut ids, |token, offset| {
            let ok = match allowed {
                AllowedSpecial::All => true,
                AllowedSpecial::None => false,
                AllowedSpecial::Only(names) => names.contains(&token),
            };
            if ok {
                Ok(())
            } else {
                Err(Error::DisallowedSpecialToken {
                    token: token.to_string(),
                    offset,
                })
            }
        })?;
        Ok(ids)
    }

    /// Encodes `text` into `ids` with its special tokens as ids, asking
    /// `allow(token, offset)` about each special token first.
    /// The number of tokens [`Tokenizer::encode_with_special_tokens`] gives
    /// for `text`, without building the vector.
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// assert_eq!(gpt2.count_with_special_tokens("Hi<|endoftext|>"), 2);
    /// ```
    pub fn count_with_special_tokens(&self, text: &str) -> usize {
        match (&self.inner.special_matcher, self.pipeline()) {
            (None, None) => self.count(text),
            (Some(matcher), None) => {
                let (mut count, mut start) = (0, 0);
                for m in matcher.find_iter(text) {
                    count += self.count(&text[start..m.start()]) + 1;
                    start = m.end();
                }
                count + self.count(&text[start..])
            }
            (_, Some(_)) => self.encode_with_special_tokens(text).len(),
        }
    }

    /// The number of tokens [`Tokenizer::encode_with_allowed_special`]
    /// gives for `text`.
    ///
    /// # Errors
    /// Those of [`Tokenizer::encode_with_allowed_special`].
    pub fn count_with_allowed_special(
        &self,
        text: &str,
        allowed: AllowedSpecial<'_>,
    ) -> Result<usize> {
        if let AllowedSpecial::All = allowed {
            return Ok(self.count_with_special_tokens(text));
        }
        self.encode_with_allowed_special(text, allowed)
            .map(|ids| ids.len())
    }

    fn encode_specials_into(
        &self,
        text: &str,
        ids: &mut Vec<u32>,
        allow: impl Fn(&str, usize) -> Result<()>,
    ) -> Result<()> {
        // One memo for the whole call: the chunk cache learned in one
        // segment serves the segments after the next special token.
        let mut memo = Memo::for_text(text.len());
        if let Some(pipeline) = self.pipeline() {
            let first = ids.len();
            self.pipeline_encode(pipeline, text, false, &mut memo, ids);
            // Ask about each special token found, in order, with its
            // place in the text (found again, with offsets, only if any).
            if ids[first..].iter().any(|&id| pipeline.is_special(id)) {
                for (id, range) in self.encode_with_offsets_inner(text, false) {
                    if let Some(token) = pipeline.added.by_id(id).filter(|t| t.special) {
                        allow(&token.content, range.start)?;
                    }
                }
            }
            return Ok(());
        }
        let Some(matcher) = &self.inner.special_matcher else {
            self.encode_ordinary_with(text, &mut memo, ids);
            return Ok(());
        };
        let mut start = 0;
        for m in matcher.find_iter(text) {
            allow(m.as_str(), m.start())?;
            self.encode_ordinary_with(&text[start..m.start()], &mut memo, ids);
            ids.extend(self.special_token_id(m.as_str()));
            start = m.end();
        }
        self.encode_ordinary_with(&text[start..], &mut memo, ids);
        Ok(())
    }
}
