//! Making a [`Tokenizer`] from files, and writing one back: GPT-2's
//! vocab.json + merges.txt, tiktoken's rank files, HF's tokenizer.json, and
//! the embedded vocabularies.

use std::path::Path;
use std::sync::OnceLock;

use super::Tokenizer;
use crate::encode::Model;
use crate::error::{Error, Result};
use crate::formats::{gpt2, hf_json, tiktoken};
use crate::pipeline::Splitter;
use crate::pretokenize::Pretokenizer;

/// Reads a file, naming it in the error.
fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::io(path.to_path_buf(), source))
}

/// Writes a file, naming it in the error.
fn write(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents).map_err(|source| Error::io(path.to_path_buf(), source))
}

/// The tokenizer of an embedded rank file with tiktoken's pattern and special
/// tokens, made once per process.
#[cfg(any(
    feature = "r50k_base",
    feature = "p50k_base",
    feature = "cl100k_base",
    feature = "o200k_base"
))]
fn embedded_encoding(
    cell: &'static OnceLock<Tokenizer>,
    ranks: &[u8],
    pattern: &str,
    specials: &[(&str, u32)],
) -> Tokenizer {
    cell.get_or_init(|| {
        let (vocab, merges) = crate::formats::compact_ranks::load(ranks, specials)
            .expect("the embedded rank files are valid (checked by the tests)");
        let pretokenizer = Pretokenizer::from_pattern(pattern)
            .expect("the embedded encodings' patterns compile (checked by the tests)");
        let model = Model::with_whole_piece_shortcut(vocab, merges);
        Tokenizer::from_model(model, pretokenizer)
            .expect("the embedded encodings' special tokens are valid (checked by the tests)")
    })
    .clone()
}

impl Tokenizer {
    /// OpenAI's GPT-2 tokenizer, from the `vocab.json` and `merges.txt`
    /// embedded in this crate: no file system, no network.
    ///
    /// The files are parsed on the first call; later calls return a clone of
    /// that tokenizer (a reference-count increment).
    pub fn gpt2() -> Tokenizer {
        static GPT2: OnceLock<Tokenizer> = OnceLock::new();
        GPT2.get_or_init(|| {
            gpt2::load(
                include_bytes!("../../data/gpt2/vocab.json"),
                "embedded GPT-2 vocab.json",
                include_bytes!("../../data/gpt2/merges.txt"),
                "embedded GPT-2 merges.txt",
            )
            .and_then(|(vocab, merges)| {
                // The unit tests check that every GPT-2 token merges back to
                // itself, so the check of `Model::new` (a merge of every token) can be skipped;
                // the result is the same as with HF's `ignore_merges: false`.
                let mut model = Model::with_whole_piece_shortcut(vocab, merges);
                model.ignore_merges = false;
                Tokenizer::from_model(model, Pretokenizer::Gpt2)
            })
            .expect("the embedded GPT-2 files are valid (checked by the tests)")
        })
        .clone()
    }

    /// tiktoken's `r50k_base` (GPT-3; the same ids as [`Tokenizer::gpt2`]),
    /// embedded. Needs the cargo feature `r50k_base`.
    #[cfg(feature = "r50k_base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "r50k_base")))]
    pub fn r50k_base() -> Tokenizer {
        static CELL: OnceLock<Tokenizer> = OnceLock::new();
        embedded_encoding(
            &CELL,
            crate::formats::compact_ranks::R50K_BASE,
            crate::R50K_PATTERN,
            &[("<|endoftext|>", 50256)],
        )
    }

    /// tiktoken's `p50k_base` (Codex, text-davinci-002/003), embedded. Needs
    /// the cargo feature `p50k_base`.
    #[cfg(feature = "p50k_base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "p50k_base")))]
    pub fn p50k_base() -> Tokenizer {
        static CELL: OnceLock<Tokenizer> = OnceLock::new();
        embedded_encoding(
            &CELL,
            crate::formats::compact_ranks::P50K_BASE,
            crate::R50K_PATTERN,
            &[("<|endoftext|>", 50256)],
        )
    }

    /// tiktoken's `cl100k_base` (GPT-3.5, GPT-4), embedded. Needs the cargo
    /// feature `cl100k_base`.
    #[cfg(feature = "cl100k_base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "cl100k_base")))]
    pub fn cl100k_base() -> Tokenizer {
        static CELL: OnceLock<Tokenizer> = OnceLock::new();
        embedded_encoding(
            &CELL,
            crate::formats::compact_ranks::CL100K_BASE,
            crate::CL100K_PATTERN,
            crate::CL100K_SPECIAL_TOKENS,
        )
    }

    /// tiktoken's `o200k_base` (GPT-4o, GPT-4.1, o1, o3, o4-mini, GPT-5),
    /// embedded. Needs the cargo feature `o200k_base` (on by default).
    ///
    /// The rank file is parsed on the first call; later calls return a
    /// clone of that tokenizer (a reference-count increment).
    ///
    /// ```
    /// let o200k = bytepair::Tokenizer::o200k_base();
    /// assert_eq!(o200k.encode("Hello world"), [13225, 2375]);
    /// ```
    #[cfg(feature = "o200k_base")]
    #[cfg_attr(docsrs, doc(cfg(feature = "o200k_base")))]
    pub fn o200k_base() -> Tokenizer {
        static CELL: OnceLock<Tokenizer> = OnceLock::new();
        embedded_encoding(
            &CELL,
            crate::formats::compact_ranks::O200K_BASE,
            crate::O200K_PATTERN,
            crate::O200K_SPECIAL_TOKENS,
        )
    }

    /// One of the embedded tiktoken encodings by name (`"r50k_base"`,
    /// `"p50k_base"`, `"cl100k_base"`, `"o200k_base"`; also `"gpt2"`, always
    /// available), or `None` if the name is unknown or its cargo feature is
    /// off.
    pub fn by_name(name: &str) -> Option<Tokenizer> {
        match name {
            "gpt2" => Some(Tokenizer::gpt2()),
            #[cfg(feature = "r50k_base")]
            "r50k_base" => Some(Tokenizer::r50k_base()),
            #[cfg(feature = "p50k_base")]
            "p50k_base" => Some(Tokenizer::p50k_base()),
            #[cfg(feature = "cl100k_base")]
            "cl100k_base" => Some(Tokenizer::cl100k_base()),
            #[cfg(feature = "o200k_base")]
            "o200k_base" => Some(Tokenizer::o200k_base()),
            _ => None,
        }
    }

    /// Loads a tokenizer from GPT-2 style `vocab.json` and `merges.txt` files,
    /// pretokenizing with GPT-2's pattern (see [`Tokenizer::with_pattern`]
    /// for others).
    ///
    /// Vocabulary entries that are neither one of the 256 byte tokens nor
    /// part of a merge (made or used by one) become special tokens (GPT-2's
    /// `<|endoftext|>`).
    ///
    /// # Errors
    /// [`Error::Io`] if a file cannot be read; otherwise the errors of
    /// [`Tokenizer::from_gpt2`], naming the files by their paths.
    pub fn from_gpt2_files(vocab: impl AsRef<Path>, merges: impl AsRef<Path>) -> Result<Tokenizer> {
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

    /// Like [`Tokenizer::from_gpt2_files`], from the two files' contents.
    ///
    /// # Errors
    /// [`Error::Parse`] for a malformed vocabulary or merges list, naming
    /// `vocab.json` or `merges.txt`, the 1-based line and the token: JSON of
    /// the wrong shape, a bad or repeated id, a repeated token, a missing
    /// byte token, a merge line that is not two known tokens, a repeated
    /// merge, or vocabulary tokens that no merge makes and that are not
    /// written as control tokens (`<...>`, `[...]`): a merges.txt cut short
    /// ([`crate::ParseProblem::UnmadeTokens`]).
    ///
    /// ```
    /// let gpt2 = bytepair::Tokenizer::gpt2();
    /// let (vocab_json, merges_txt) = gpt2.to_gpt2();
    /// let again = bytepair::Tokenizer::from_gpt2(vocab_json.as_bytes(), merges_txt.as_bytes())?;
    /// assert_eq!(again.encode("Hello world"), [15496, 995]);
    ///
    /// // The first half of merges.txt: the tokens the rest would make are
    /// // not taken for special tokens.
    /// let half: String = merges_txt.lines().take(25_000).map(|l| format!("{l}\n")).collect();
    /// let err = bytepair::Tokenizer::from_gpt2(vocab_json.as_bytes(), half.as_bytes()).unwrap_err();
    /// assert!(err.to_string().contains("25001 tokens of the vocabulary are made by no merge"));
    /// # Ok::<(), bytepair::Error>(())
    /// ```
    pub fn from_gpt2(vocab_json: &[u8], merges_txt: &[u8]) -> Result<Tokenizer> {
        let (vocab, merges) = gpt2::load(vocab_json, "vocab.json", merges_txt, "merges.txt")?;
        Tokenizer::from_model(Model::new(vocab, merges), Pretokenizer::Gpt2)
    }

    /// Writes `vocab.json` and `merges.txt` into the directory `dir` (created
    /// if missing), in the format GPT-2, HF tokenizers and tiktoken's
    /// converter read: vocab.json compact and in id order, merges.txt with
    /// the `#version: 0.2` header.
    ///
    /// The pattern is not part of these files; a tokenizer with another
    /// pattern than GPT-2's needs it again when loaded
    /// ([`Tokenizer::with_pattern`]), or can be saved as tokenizer.json. For
    /// a tokenizer read from a rank file, merges.txt holds each token's own
    /// rule; see DESIGN.md for when HF's reading of them can differ from
    /// tiktoken's.
    ///
    /// # Errors
    /// [`Error::Io`] if the directory or a file cannot be written (`dir` an
    /// existing file included).
    pub fn save_gpt2(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| Error::io(dir.to_path_buf(), source))?;
        let (vocab_json, merges_txt) = self.to_gpt2();
        write(&dir.join("vocab.json"), &vocab_json)?;
        write(&dir.join("merges.txt"), &merges_txt)
    }

    /// The contents of `vocab.json` and `merges.txt` that
    /// [`Tokenizer::save_gpt2`] writes.
    pub fn to_gpt2(&self) -> (String, String) {
        let model = &self.inner.model;
        (
            gpt2::write_vocab_json(&model.vocab),
            gpt2::write_merges_txt(&model.vocab, &model.merges),
        )
    }

    /// Loads a tiktoken rank file (`.tiktoken`: base64 token, space, rank,
    /// one a line) with its pretokenization pattern and special tokens,
    /// which the file does not hold. Encoding follows tiktoken's rule
    /// exactly: ranks are ids and merge priorities, any two adjacent parts
    /// whose concatenation is a token merge, lowest rank first, and a chunk
    /// that is a token is that token.
    ///
    /// ```
    /// # fn main() -> Result<(), bytepair::Error> {
    /// # let dir = std::env::temp_dir().join(format!("bytepair-doc-tiktoken-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// # let path = dir.join("gpt2.tiktoken");
    /// bytepair::Tokenizer::gpt2().save_tiktoken(&path)?;
    /// let ranks = std::fs::read(&path).unwrap();
    /// let tokenizer = bytepair::Tokenizer::from_tiktoken(
    ///     &ranks,
    ///     bytepair::R50K_PATTERN,
    ///     &[("<|endoftext|>", 50256)],
    /// )?;
    /// assert_eq!(tokenizer.encode("Hello world"), [15496, 995]);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Parse`] for a line that is not `base64 rank` (naming the
    /// 1-based line), a repeated rank or token (special tokens included), or
    /// a byte without a token; [`Error::Pattern`] if the pattern does not
    /// compile.
    pub fn from_tiktoken(
        ranks: &[u8],
        pattern: &str,
        special_tokens: &[(&str, u32)],
    ) -> Result<Tokenizer> {
        Tokenizer::from_tiktoken_labelled(ranks, "rank file", pattern, special_tokens)
    }

    /// [`Tokenizer::from_tiktoken`] from a file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; otherwise those of
    /// [`Tokenizer::from_tiktoken`], naming the file by its path.
    pub fn from_tiktoken_file(
        path: impl AsRef<Path>,
        pattern: &str,
        special_tokens: &[(&str, u32)],
    ) -> Result<Tokenizer> {
        let path = path.as_ref();
        let ranks = read(path)?;
        Tokenizer::from_tiktoken_labelled(
            &ranks,
            &path.display().to_string(),
            pattern,
            special_tokens,
        )
    }

    fn from_tiktoken_labelled(
        ranks: &[u8],
        file: &str,
        pattern: &str,
        special_tokens: &[(&str, u32)],
    ) -> Result<Tokenizer> {
        let pretokenizer = Pretokenizer::from_pattern(pattern)?;
        let (vocab, merges) = tiktoken::load(ranks, file, special_tokens)?;
        Tokenizer::from_model(
            Model::with_whole_piece_shortcut(vocab, merges),
            pretokenizer,
        )
    }

    /// Writes the ordinary tokens as a tiktoken rank file: each token's id is
    /// its rank. Special tokens and the pattern are not part of the format.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if ids do not follow merge order (a rule of
    /// lower rank makes a token with a higher id than a later rule), since a
    /// rank file cannot express that; [`Error::Io`] if the file cannot be
    /// written.
    pub fn save_tiktoken(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let contents = self.to_tiktoken_labelled(&path.display().to_string())?;
        write(path, &contents)
    }

    /// The contents of the rank file that [`Tokenizer::save_tiktoken`]
    /// writes.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if ids do not follow merge order, as
    /// [`Tokenizer::save_tiktoken`].
    pub fn to_tiktoken(&self) -> Result<String> {
        self.to_tiktoken_labelled("rank file")
    }

    fn to_tiktoken_labelled(&self, file: &str) -> Result<String> {
        let model = &self.inner.model;
        let mut last = None;
        for (_, _, merged) in model.merges.iter() {
            if last.is_some_and(|last| merged <= last) {
                return Err(Error::Unsupported {
                    file: file.to_string(),
                    setting: "rank order".to_string(),
                    value: format!("token {merged} is made after token {}", last.unwrap_or(0)),
                });
            }
            last = Some(merged);
        }
        Ok(tiktoken::write(&model.vocab))
    }

    /// Loads HF tokenizers' `tokenizer.json` of a BPE model with its whole
    /// pipeline, as HF runs it: added tokens (special and ordinary, with
    /// their flags), normalizer, pre-tokenizer, the model (byte-level, or
    /// character-level with `byte_fallback` / `unk_token`), post-processor
    /// and decoder. [`Tokenizer::encode`], [`Tokenizer::encode_for_model`],
    /// [`Tokenizer::decode`] and the offsets then equal HF's (see the
    /// README's table of calls).
    ///
    /// # Errors
    /// [`Error::Unsupported`] naming the JSON path of any component or
    /// setting that would make HF encode differently and that bytepair does
    /// not implement (`normalizer.normalizers[1] = Precompiled`, dropout,
    /// `continuing_subword_prefix`, truncation, padding, ...);
    /// (`model.type` for a Unigram, WordPiece or WordLevel model);
    /// [`Error::Pattern`] for a regex that does not compile;
    /// [`Error::Parse`] for JSON of the wrong shape (naming the JSON path)
    /// and the vocabulary and merges errors of [`Tokenizer::from_gpt2`],
    /// where a merge's "line" is its 1-based position in `model.merges`.
    pub fn from_tokenizer_json(json: &[u8]) -> Result<Tokenizer> {
        Tokenizer::from_tokenizer_json_labelled(json, "tokenizer.json")
    }

    /// [`Tokenizer::from_tokenizer_json`] from a file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; otherwise those of
    /// [`Tokenizer::from_tokenizer_json`], naming the file by its path.
    pub fn from_tokenizer_json_file(path: impl AsRef<Path>) -> Result<Tokenizer> {
        let path = path.as_ref();
        let json = read(path)?;
        Tokenizer::from_tokenizer_json_labelled(&json, &path.display().to_string())
    }

    fn from_tokenizer_json_labelled(json: &[u8], file: &str) -> Result<Tokenizer> {
        let loaded = hf_json::load(json, file)?;
        // The tokens that merging their own bytes does not give are needed
        // with `ignore_merges` too: for the parts a long word is cut into.
        let mut model = Model::new(loaded.vocab, loaded.merges);
        model.ignore_merges = loaded.ignore_merges;
        let pipeline = loaded.pipeline;
        // `split` and `pattern` show the pipeline's split where it is one
        // pattern; otherwise GPT-2's stands in (the pipeline does not use it).
        let pretokenizer = match &pipeline.fast {
            Some(Splitter::Scan(scanner)) => scanner.clone(),
            _ => Pretokenizer::Gpt2,
        };
        let pipeline = Some(Box::new(pipeline));
        Tokenizer::with_pipeline(std::sync::Arc::new(model), pretokenizer, pipeline)
    }

    /// The tokenizer as HF tokenizers' `tokenizer.json`: a BPE model with
    /// the merges as pairs, special tokens as added tokens, and a
    /// `ByteLevel` pre-tokenizer (with a `Split` regex before it when the
    /// pattern is not GPT-2's). HF loads it and encodes as bytepair does;
    /// for a tokenizer read from a rank file, see DESIGN.md for the one kind
    /// of text where HF's rule can differ from tiktoken's.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a user's pattern with an interval
    /// quantifier followed by `+` (`\d{1,3}+`), which HF's regex engine reads
    /// as a repetition where bytepair reads it as possessive.
    pub fn to_tokenizer_json(&self) -> Result<String> {
        let model = &self.inner.model;
        let pattern =
            self.inner
                .pretokenizer
                .pattern_for_hf()
                .ok_or_else(|| Error::Unsupported {
                    file: "tokenizer.json".to_string(),
                    setting: "pre_tokenizer pattern (an interval followed by +)".to_string(),
                    value: format!("{:?}", self.pattern()),
                })?;
        Ok(hf_json::write(
            &model.vocab,
            &model.merges,
            pattern,
            model.ignore_merges,
            self.pipeline(),
        ))
    }

    /// Writes [`Tokenizer::to_tokenizer_json`] to `path`.
    ///
    /// # Errors
    /// Those of [`Tokenizer::to_tokenizer_json`]; [`Error::Io`] if the file
    /// cannot be written.
    pub fn save_tokenizer_json(&self, path: impl AsRef<Path>) -> Result<()> {
        write(path.as_ref(), &self.to_tokenizer_json()?)
    }
}
