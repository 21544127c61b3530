//! [`Tokenizer`]: the crate's entry point.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::decode::{decode_into, decode_text};
use crate::encode::Model;
use crate::error::{Error, Result};
use crate::formats::gpt2;
use crate::pretokenize::Pretokenizer;

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
    model: Model,
    pretokenizer: Pretokenizer,
    /// Finds special tokens in text: an alternation of their escaped texts,
    /// longest first, so that the longest wins where two start together.
    /// `None` when there are none.
    special_matcher: Option<regex::Regex>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("vocab_size", &self.vocab_size())
            .field("merges", &self.inner.model.merges.len())
            .field("special_tokens", &self.inner.model.vocab.specials())
            .finish()
    }
}

impl Tokenizer {
    pub(crate) fn from_model(model: Model, pretokenizer: Pretokenizer) -> Result<Tokenizer> {
        let special_matcher = special_matcher(model.vocab.specials())?;
        Ok(Tokenizer {
            inner: Arc::new(Inner {
                model,
                pretokenizer,
                special_matcher,
            }),
        })
    }

    /// OpenAI's GPT-2 tokenizer, from the `vocab.json` and `merges.txt`
    /// embedded in this crate: no file system, no network.
    ///
    /// The files are parsed on the first call; later calls return a clone of
    /// that tokenizer (a reference-count increment).
    pub fn gpt2() -> Tokenizer {
        static GPT2: OnceLock<Tokenizer> = OnceLock::new();
        GPT2.get_or_init(|| {
            gpt2::load(
                include_bytes!("../data/gpt2/vocab.json"),
                "embedded GPT-2 vocab.json",
                include_bytes!("../data/gpt2/merges.txt"),
                "embedded GPT-2 merges.txt",
            )
            .and_then(|(vocab, merges)| {
                // The unit tests check that every GPT-2 token merges back to
                // itself, so the 10 ms check of `Model::new` can be skipped.
                let model = Model::new_self_merging(vocab, merges);
                Tokenizer::from_model(model, Pretokenizer::Gpt2)
            })
            .expect("the embedded GPT-2 files are valid (checked by the tests)")
        })
        .clone()
    }

    /// Loads a tokenizer from GPT-2 style `vocab.json` and `merges.txt` files,
    /// pretokenizing with GPT-2's pattern.
    ///
    /// Vocabulary entries that are neither one of the 256 byte tokens nor the
    /// result of a merge become special tokens (GPT-2's `<|endoftext|>`).
    ///
    /// # Errors
    /// [`Error::Io`] if a file cannot be read; otherwise the errors of
    /// [`Tokenizer::from_contents`], naming the files by their paths.
    pub fn from_files(vocab: impl AsRef<Path>, merges: impl AsRef<Path>) -> Result<Tokenizer> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let (vocab, merges) = (vocab.as_ref(), merges.as_ref());
        let (vocab_json, merges_txt) = (read(vocab)?, read(merges)?);
        let (vocab, merges) = gpt2::load(
            &vocab_json,
            &vocab.display().to_string(),
            &merges_txt,
            &merges.display().to_string(),
        )?;
        Tokenizer::from_model(Model::new(vocab, merges), Pretokenizer::Gpt2)
    }

    /// Like [`Tokenizer::from_files`], from the two files' contents.
    ///
    /// # Errors
    /// A malformed vocabulary ([`Error::VocabFormat`], [`Error::VocabBadId`],
    /// [`Error::VocabDuplicateId`], [`Error::VocabDuplicateToken`],
    /// [`Error::MissingByteToken`], ...) or merges list
    /// ([`Error::MergesBadLine`], [`Error::MergesUnknownToken`],
    /// [`Error::MergesDuplicate`], ...), naming `vocab.json` or `merges.txt`,
    /// the 1-based line and the token.
    pub fn from_contents(vocab_json: &[u8], merges_txt: &[u8]) -> Result<Tokenizer> {
        let (vocab, merges) = gpt2::load(vocab_json, "vocab.json", merges_txt, "merges.txt")?;
        Tokenizer::from_model(Model::new(vocab, merges), Pretokenizer::Gpt2)
    }

    /// Encodes `text` into token ids. Special-token text such as
    /// `<|endoftext|>` is encoded as ordinary text (like tiktoken's
    /// `encode_ordinary`), so user input can never inject a special token.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::with_capacity(text.len() / 4 + 1);
        self.encode_ordinary_into(text, &mut ids);
        ids
    }

    /// Encodes `text`, turning each occurrence of a registered special token
    /// (GPT-2: `<|endoftext|>`, id 50256) into its id. The text between special
    /// tokens is encoded as by [`Tokenizer::encode`]; pretokenization does not
    /// cross a special token.
    pub fn encode_with_special_tokens(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::with_capacity(text.len() / 4 + 1);
        let Some(matcher) = &self.inner.special_matcher else {
            self.encode_ordinary_into(text, &mut ids);
            return ids;
        };
        let mut start = 0;
        for m in matcher.find_iter(text) {
            self.encode_ordinary_into(&text[start..m.start()], &mut ids);
            ids.push(
                self.special_token_id(m.as_str())
                    .expect("matched a special token"),
            );
            start = m.end();
        }
        self.encode_ordinary_into(&text[start..], &mut ids);
        ids
    }

    /// The number of tokens [`Tokenizer::encode`] gives for `text`, without
    /// building the vector.
    pub fn count(&self, text: &str) -> usize {
        let inner = &*self.inner;
        let mut count = 0;
        let pieces = inner.pretokenizer.split(text);
        inner.model.encode_pieces(pieces, &mut |_| count += 1);
        count
    }

    fn encode_ordinary_into(&self, text: &str, ids: &mut Vec<u32>) {
        let inner = &*self.inner;
        let pieces = inner.pretokenizer.split(text);
        inner.model.encode_pieces(pieces, &mut |id| ids.push(id));
    }

    /// A place at or after `from` where `text` can be cut without changing
    /// its encoding (see [`Pretokenizer::independent_cut`]).
    pub(crate) fn independent_cut(&self, text: &str, from: usize) -> Option<usize> {
        self.inner.pretokenizer.independent_cut(text, from)
    }

    /// The pretokenization chunks of `text`: the pieces that byte-pair merging
    /// works within. They concatenate to `text`.
    pub fn split<'t>(&'t self, text: &'t str) -> impl Iterator<Item = &'t str> + 't {
        self.inner.pretokenizer.split(text)
    }

    /// Decodes `ids` into text.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an id the tokenizer does not have, and
    /// [`Error::InvalidUtf8`] when the bytes are not UTF-8 (a token can hold
    /// part of a character; [`Tokenizer::decode_bytes`] returns such bytes).
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        decode_text(&self.inner.model.vocab, ids)
    }

    /// Decodes `ids` into the exact bytes they stand for.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an id the tokenizer does not have.
    pub fn decode_bytes(&self, ids: &[u32]) -> Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(ids.len() * 4);
        decode_into(&self.inner.model.vocab, ids, &mut bytes)?;
        Ok(bytes)
    }

    /// Writes `vocab.json` and `merges.txt` into the directory `dir` (created
    /// if missing), in the format GPT-2, HF tokenizers and tiktoken's
    /// converter read: vocab.json compact and in id order, merges.txt with
    /// the `#version: 0.2` header.
    ///
    /// # Errors
    /// [`Error::Io`] if the directory or a file cannot be written.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let vocab_path = dir.join("vocab.json");
        let vocab_json = gpt2::write_vocab_json(&self.inner.model.vocab);
        std::fs::write(&vocab_path, vocab_json).map_err(io(&vocab_path))?;
        let merges_path = dir.join("merges.txt");
        let merges_txt = gpt2::write_merges_txt(&self.inner.model.vocab, &self.inner.model.merges);
        std::fs::write(&merges_path, merges_txt).map_err(io(&merges_path))?;
        Ok(())
    }

    /// The number of tokens, special tokens included (50,257 for GPT-2).
    /// Ids need not be contiguous; see [`Tokenizer::id_bound`].
    pub fn vocab_size(&self) -> usize {
        self.inner.model.vocab.len()
    }

    /// One more than the highest token id: the size of an embedding table
    /// indexed by id.
    pub fn id_bound(&self) -> usize {
        self.inner.model.vocab.id_bound()
    }

    /// The id of the token whose bytes are `token`: an ordinary token's bytes
    /// (`b" world"`, not its vocab.json spelling `"Ġworld"`) or a special
    /// token's text.
    pub fn token_to_id(&self, token: impl AsRef<[u8]>) -> Option<u32> {
        let token = token.as_ref();
        self.inner.model.vocab.ordinary_id(token).or_else(|| {
            let text = std::str::from_utf8(token).ok()?;
            self.special_token_id(text)
        })
    }

    /// The bytes of token `id` (for a special token, its text), or `None` if
    /// no token has this id.
    pub fn id_to_token(&self, id: u32) -> Option<&[u8]> {
        self.inner.model.vocab.bytes(id)
    }

    /// The id of the special token with this text.
    pub fn special_token_id(&self, text: &str) -> Option<u32> {
        let specials = self.inner.model.vocab.specials();
        specials.iter().find(|(t, _)| t == text).map(|&(_, id)| id)
    }

    /// The special tokens as (text, id), in id order.
    pub fn special_tokens(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.inner
            .model
            .vocab
            .specials()
            .iter()
            .map(|(t, id)| (t.as_str(), *id))
    }

    /// Whether `id` is a special token's id.
    pub fn is_special(&self, id: u32) -> bool {
        self.inner.model.vocab.is_special(id)
    }
}

/// The regex that finds special tokens: their escaped texts, longest first.
fn special_matcher(specials: &[(String, u32)]) -> Result<Option<regex::Regex>> {
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
