//! The vocabulary: token ids and the bytes they stand for, in both directions,
//! plus the special tokens.
//!
//! Ordinary tokens are byte strings; every tokenizer has one for each of the
//! 256 bytes, so any input can be encoded. Special tokens (GPT-2's
//! `<|endoftext|>`) are literal strings that only
//! `encode_with_special_tokens` produces; ordinary encoding never looks them up.

use crate::hash::{ByteTable, Fill, Probe};
use std::collections::HashMap;

/// A token id's bytes live in `data[start..end]`; `start == end` marks an id
/// that no token uses (tokens are never empty).
#[derive(Clone, Copy, Default)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Tokens with their ids, gathered before they become a [`Vocab`]. Their bytes
/// share one buffer.
#[derive(Default)]
pub(crate) struct TokenList {
    data: Vec<u8>,
    /// `(span in data, id, kind)`, in the order pushed.
    tokens: Vec<(Span, u32, Kind)>,
}

/// How a token is found and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Looked up by its bytes when encoding.
    Ordinary,
    /// A literal text that only the special-token policies produce.
    Special,
    /// Never looked up by its bytes: a SentencePiece byte token `<0xNN>`
    /// (which stands for the byte NN) or the unknown token, which encoding
    /// produces for characters the vocabulary lacks.
    Hidden,
}

impl TokenList {
    /// An empty list with room for `tokens` tokens of `bytes` bytes in all.
    pub(crate) fn with_capacity(tokens: usize, bytes: usize) -> TokenList {
        TokenList {
            data: Vec::with_capacity(bytes),
            tokens: Vec::with_capacity(tokens),
        }
    }

    /// Adds an ordinary token: a byte string that encoding can produce.
    pub(crate) fn push_ordinary(&mut self, bytes: &[u8], id: u32) {
        self.push(bytes, id, Kind::Ordinary);
    }

    /// Adds a token that stands for `bytes` but that no lookup by bytes
    /// finds (a byte-fallback token, the unknown token).
    pub(crate) fn push_hidden(&mut self, bytes: &[u8], id: u32) {
        self.push(bytes, id, Kind::Hidden);
    }

    /// Adds a special token: a literal text only `encode_with_special_tokens`
    /// produces.
    pub(crate) fn push_special(&mut self, text: &str, id: u32) {
        self.push(text.as_bytes(), id, Kind::Special);
    }

    /// Adds an ordinary token whose bytes are those of the tokens pushed
    /// `left`-th and `right`-th (counting from 0), one after the other;
    /// `None`, adding nothing, if there are not that many or if the bytes
    /// would pass the 4 GiB that offsets reach.
    pub(crate) fn push_ordinary_joined(
        &mut self,
        left: usize,
        right: usize,
        id: u32,
    ) -> Option<()> {
        let (left, right) = (self.tokens.get(left)?.0, self.tokens.get(right)?.0);
        let joined = left.range().len() + right.range().len();
        u32::try_from(self.data.len() + joined).ok()?;
        let start = self.data.len() as u32;
        self.data.extend_from_within(left.range());
        self.data.extend_from_within(right.range());
        let span = Span {
            start,
            end: self.data.len() as u32,
        };
        self.tokens.push((span, id, Kind::Ordinary));
        Some(())
    }

    /// The bytes of the token pushed `index`-th.
    pub(crate) fn bytes(&self, index: usize) -> &[u8] {
        &self.data[self.tokens[index].0.range()]
    }

    /// The id of the token pushed `index`-th.
    pub(crate) fn id(&self, index: usize) -> u32 {
        self.tokens[index].1
    }

    /// The number of tokens pushed.
    pub(crate) fn len(&self) -> usize {
        self.tokens.len()
    }

    fn push(&mut self, bytes: &[u8], id: u32, kind: Kind) {
        // Offsets are u32 to halve the id table; `Vocab::new` rejects a list
        // whose bytes do not fit.
        let start = self.data.len() as u32;
        self.data.extend_from_slice(bytes);
        let span = Span {
            start,
            end: self.data.len() as u32,
        };
        self.tokens.push((span, id, kind));
    }
}

/// Ids to bytes and back.
pub(crate) struct Vocab {
    /// All tokens' bytes.
    data: Vec<u8>,
    /// Indexed by id.
    spans: Vec<Span>,
    /// Ordinary tokens by their bytes (values are ids). Special tokens must not
    /// be found by byte lookup.
    ordinary: ByteTable,
    /// `byte_ids[b]` is the id of the token for the single byte `b`.
    byte_ids: [u32; 256],
    /// Special tokens as (text, id), in id order.
    specials: Vec<(String, u32)>,
    /// Special tokens' ids by their text.
    special_ids: HashMap<String, u32>,
    /// Hidden tokens' ids, ascending.
    hidden: Vec<u32>,
    /// Number of ids in use.
    len: usize,
}

/// Why a list of tokens cannot form a vocabulary. Tokens are named by their
/// index in the [`TokenList`]; the format loaders turn these into
/// [`crate::Error`]s that name the file and the token.
#[derive(Debug)]
pub(crate) enum VocabProblem {
    DuplicateId {
        id: u32,
        first: usize,
        second: usize,
    },
    /// The later of two tokens with the same bytes (or special text).
    DuplicateToken {
        index: usize,
    },
    EmptyToken,
    MissingByte(u8),
    /// An id so far beyond the number of tokens that the holes would cost more
    /// memory than the tokens (a typo such as `4294967295` must not allocate 32 GB).
    SparseId {
        id: u32,
        index: usize,
    },
    /// More than 4 GiB of token bytes.
    TooLarge,
}

/// Ids may leave holes (tiktoken's p50k and cl100k do), but not arbitrarily
/// many: the id table is dense, so the highest id is capped by this slack
/// plus twice the number of tokens.
const ID_SLACK: usize = 1 << 16;

impl Vocab {
    /// Builds a vocabulary from tokens with their ids.
    pub(crate) fn new(list: TokenList) -> Result<Vocab, VocabProblem> {
        let TokenList { data, tokens } = list;
        if u32::try_from(data.len()).is_err() {
            return Err(VocabProblem::TooLarge);
        }
        let Some((max_index, &(_, max_id, _))) =
            tokens.iter().enumerate().max_by_key(|(_, (_, id, _))| *id)
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

        let mut spans = vec![Span::default(); id_count];
        let mut owner = vec![u32::MAX; id_count];
        let mut ordinary = ByteTable::filled(tokens.len(), Fill::Dense);
        let mut byte_ids = [u32::MAX; 256];
        let mut specials: Vec<(String, u32)> = Vec::new();
        let mut special_ids: HashMap<String, u32> = HashMap::new();
        let mut hidden = Vec::new();
        let mut ids_in_use = 0;
        for (index, &(span, id, kind)) in tokens.iter().enumerate() {
            let slot = id as usize;
            if span.start == span.end {
                return Err(VocabProblem::EmptyToken);
            }
            let bytes = &data[span.range()];
            if owner[slot] != u32::MAX {
                // One id may be both a special token and the ordinary token
                // with the same bytes (a trainer learned the special token's
                // text, and HF gives both one id); nothing else shares an id.
                let (first_span, _, first_kind) = tokens[owner[slot] as usize];
                let pair = [first_kind, kind];
                if !pair.contains(&Kind::Special)
                    || !pair.contains(&Kind::Ordinary)
                    || data[first_span.range()] != *bytes
                {
                    return Err(VocabProblem::DuplicateId {
                        id,
                        first: owner[slot] as usize,
                        second: index,
                    });
                }
            } else {
                ids_in_use += 1;
            }
            owner[slot] = index as u32;
            spans[slot] = span;
            if kind == Kind::Hidden {
                hidden.push(id);
                continue;
            }
            if kind == Kind::Special {
                // Special texts came from &str, so they are UTF-8.
                let text = String::from_utf8_lossy(bytes).into_owned();
                if special_ids.insert(text.clone(), id).is_some() {
                    return Err(VocabProblem::DuplicateToken { index });
                }
                specials.push((text, id));
                continue;
            }
            if let [byte] = *bytes {
                byte_ids[byte as usize] = id;
            }
            let key_of = |id: u32| &data[spans[id as usize].range()];
            if ordinary.insert(bytes, id, key_of).is_some() {
                return Err(VocabProblem::DuplicateToken { index });
            }
        }
        if let Some(byte) = byte_ids.iter().position(|&id| id == u32::MAX) {
            return Err(VocabProblem::MissingByte(byte as u8));
        }
        specials.sort_by_key(|(_, id)| *id);
        hidden.sort_unstable();
        Ok(Vocab {
            data,
            spans,
            ordinary,
            byte_ids,
            specials,
            special_ids,
            hidden,
            len: ids_in_use,
        })
    }

    /// Takes token `id` out of the lookup by bytes: it stays a special token.
    pub(crate) fn remove_ordinary(&mut self, id: u32) {
        let Some(&span) = self.spans.get(id as usize) else {
            return;
        };
        let (data, spans) = (&self.data, &self.spans);
        self.ordinary
            .remove(&data[span.range()], |i| &data[spans[i as usize].range()]);
    }

    /// Turns ordinary token `id` into a special token with text `text`: it
    /// leaves the byte lookup and decodes to `text`.
    pub(crate) fn make_special(&mut self, id: u32, text: &str) {
        if self.spans.get(id as usize).is_none() {
            return;
        }
        self.remove_ordinary(id);
        let start = self.data.len() as u32;
        self.data.extend_from_slice(text.as_bytes());
        self.spans[id as usize] = Span {
            start,
            end: self.data.len() as u32,
        };
        let at = self.specials.partition_point(|&(_, s)| s < id);
        self.specials.insert(at, (text.to_string(), id));
        self.special_ids.insert(text.to_string(), id);
    }

    /// [`Vocab::ordinary_id`] with the bytes' probe computed beforehand.
    #[inline]
    pub(crate) fn ordinary_id_probed(&self, bytes: &[u8], probe: Probe) -> Option<u32> {
        self.ordinary.get_probed(bytes, probe, |id| {
            &self.data[self.spans[id as usize].range()]
        })
    }

    /// The id of the ordinary token with exactly these bytes.
    #[inline]
    pub(crate) fn ordinary_id(&self, bytes: &[u8]) -> Option<u32> {
        self.ordinary
            .get(bytes, |id| &self.data[self.spans[id as usize].range()])
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
        (span.start != span.end).then(|| &self.data[span.range()])
    }

    /// The bytes of ordinary token `id`, or `None` for an unused, special
    /// or hidden id.
    pub(crate) fn ordinary_bytes(&self, id: u32) -> Option<&[u8]> {
        self.bytes(id)
            .filter(|_| !self.is_special(id) && self.hidden.binary_search(&id).is_err())
    }

    /// Special tokens as (text, id), in id order.
    pub(crate) fn specials(&self) -> &[(String, u32)] {
        &self.specials
    }

    /// The id of the special token whose text is `text`.
    pub(crate) fn special_id(&self, text: &str) -> Option<u32> {
        self.special_ids.get(text).copied()
    }

    /// Whether `id` is a special token's.
    pub(crate) fn is_special(&self, id: u32) -> bool {
        self.specials.binary_search_by_key(&id, |&(_, s)| s).is_ok()
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
