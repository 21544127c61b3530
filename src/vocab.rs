//! The vocabulary: token ids and the bytes they stand for, in both directions,
//! plus the special tokens.
//!
//! Ordinary tokens are byte strings; every tokenizer has one for each of the
//! 256 bytes, so any input can be encoded. Special tokens (GPT-2's
//! `<|endoftext|>`) are literal strings that only
//! `encode_with_special_tokens` produces; ordinary encoding never looks them up.

use crate::hash::FxHashMap;

/// A token id's bytes live in `data[start..end]`; `start == end` marks an id
/// that no token uses (tokens are never empty).
#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    end: usize,
    special: bool,
}

/// Ids to bytes and back.
pub(crate) struct Vocab {
    /// All tokens' bytes, one after another, in id order.
    data: Vec<u8>,
    /// Indexed by id.
    spans: Vec<Span>,
    /// Ordinary tokens only: special tokens must not be found by byte lookup.
    ids_by_bytes: FxHashMap<Box<[u8]>, u32>,
    /// `byte_ids[b]` is the id of the token for the single byte `b`.
    byte_ids: [u32; 256],
    /// Special tokens as (text, id), in id order.
    specials: Vec<(String, u32)>,
    /// Number of ids in use.
    len: usize,
}

/// One entry of a vocabulary under construction.
pub(crate) enum Token {
    /// A byte string that encoding can produce.
    Ordinary(Vec<u8>),
    /// A literal string that only `encode_with_special_tokens` produces.
    Special(String),
}

impl Token {
    fn bytes(&self) -> &[u8] {
        match self {
            Token::Ordinary(bytes) => bytes,
            Token::Special(text) => text.as_bytes(),
        }
    }
}

/// Why a list of tokens cannot form a vocabulary. Tokens are named by their
/// index in the list; the format loaders turn these into [`crate::Error`]s
/// that name the file and the token.
#[derive(Debug)]
pub(crate) enum VocabProblem {
    DuplicateId { id: u32, first: usize, second: usize },
    /// The later of two tokens with the same bytes (or special text).
    DuplicateToken { index: usize },
    EmptyToken,
    MissingByte(u8),
    /// An id so far beyond the number of tokens that the holes would cost more
    /// memory than the tokens (a typo such as `4294967295` must not allocate 32 GB).
    SparseId { id: u32, index: usize },
}

/// Ids may leave holes (tiktoken's p50k and cl100k do), but not arbitrarily
/// many: the id table is dense, so the highest id is capped by this slack
/// plus twice the number of tokens.
const ID_SLACK: usize = 1 << 16;

impl Vocab {
    /// Builds a vocabulary from tokens with their ids.
    pub(crate) fn new(tokens: Vec<(Token, u32)>) -> Result<Vocab, VocabProblem> {
        let Some((max_index, &(_, max_id))) =
            tokens.iter().enumerate().max_by_key(|(_, (_, id))| *id)
        else {
            return Err(VocabProblem::MissingByte(0));
        };
        let id_count = max_id as usize + 1;
        if id_count > 2 * tokens.len() + ID_SLACK {
            return Err(VocabProblem::SparseId {
                id: max_id,
                index: max_index,
            });
        }

        let total_bytes = tokens.iter().map(|(t, _)| t.bytes().len()).sum();
        let mut data = Vec::with_capacity(total_bytes);
        let mut spans = vec![Span::default(); id_count];
        let mut owner = vec![usize::MAX; id_count];
        for (index, (token, id)) in tokens.iter().enumerate() {
            let slot = *id as usize;
            if owner[slot] != usize::MAX {
                return Err(VocabProblem::DuplicateId {
                    id: *id,
                    first: owner[slot],
                    second: index,
                });
            }
            if token.bytes().is_empty() {
                return Err(VocabProblem::EmptyToken);
            }
            owner[slot] = index;
            let start = data.len();
            data.extend_from_slice(token.bytes());
            spans[slot] = Span {
                start,
                end: data.len(),
                special: matches!(token, Token::Special(_)),
            };
        }

        let mut ids_by_bytes =
            FxHashMap::with_capacity_and_hasher(tokens.len(), Default::default());
        let mut byte_ids = [u32::MAX; 256];
        let mut specials = Vec::new();
        for (index, (token, id)) in tokens.into_iter().enumerate() {
            match token {
                Token::Ordinary(bytes) => {
                    if let [byte] = bytes[..] {
                        byte_ids[byte as usize] = id;
                    }
                    if ids_by_bytes.insert(bytes.into_boxed_slice(), id).is_some() {
                        return Err(VocabProblem::DuplicateToken { index });
                    }
                }
                Token::Special(text) => {
                    if specials.iter().any(|(t, _)| *t == text) {
                        return Err(VocabProblem::DuplicateToken { index });
                    }
                    specials.push((text, id));
                }
            }
        }
        if let Some(byte) = byte_ids.iter().position(|&id| id == u32::MAX) {
            return Err(VocabProblem::MissingByte(byte as u8));
        }
        specials.sort_by_key(|(_, id)| *id);
        let len = owner.iter().filter(|&&o| o != usize::MAX).count();
        Ok(Vocab {
            data,
            spans,
            ids_by_bytes,
            byte_ids,
            specials,
            len,
        })
    }

    /// The id of the ordinary token with exactly these bytes.
    #[inline]
    pub(crate) fn ordinary_id(&self, bytes: &[u8]) -> Option<u32> {
        self.ids_by_bytes.get(bytes).copied()
    }

    /// The id of the token for one byte.
    #[inline]
    pub(crate) fn byte_id(&self, byte: u8) -> u32 {
        self.byte_ids[byte as usize]
    }

    /// The bytes of token `id` (for a special token, its text), or `None` for
    /// an unused id.
    #[inline]
    pub(crate) fn bytes(&self, id: u32) -> Option<&[u8]> {
        let span = self.spans.get(id as usize)?;
        (span.start != span.end).then(|| &self.data[span.start..span.end])
    }

    /// Special tokens as (text, id), in id order.
    pub(crate) fn specials(&self) -> &[(String, u32)] {
        &self.specials
    }

    /// Whether `id` is a special token's.
    pub(crate) fn is_special(&self, id: u32) -> bool {
        self.spans.get(id as usize).is_some_and(|s| s.special)
    }

    /// Number of ids in use (ordinary and special).
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// One more than the highest id in use.
    pub(crate) fn id_bound(&self) -> usize {
        self.spans.len()
    }

    /// All ids in use, ascending.
    pub(crate) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.start != s.end)
            .map(|(id, _)| id as u32)
    }
}
