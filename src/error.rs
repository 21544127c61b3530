//! The crate's one error type.
//!
//! Variants group by cause: a file that cannot be read or written
//! ([`Error::Io`], always with its path), a file that is malformed
//! ([`Error::Parse`], with the file, the 1-based line where the format has
//! lines, and the [`ParseProblem`]), a file that asks for something bytepair
//! does not implement ([`Error::Unsupported`]), bytes that are not UTF-8
//! ([`Error::InvalidUtf8`], whatever produced them), and the ways a call can
//! be wrong (a pattern, trainer settings, an unknown id, a special token the
//! caller did not allow). Each message names its cause once: no variant
//! repeats another error's text through [`std::error::Error::source`].

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in bytepair.
///
/// Loading never panics on malformed data and encoding never fails for a
/// well-formed tokenizer; the variants below are the ways input can be
/// rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        error: std::io::Error,
    },

    /// A file (or in-memory contents) is malformed: vocab.json, merges.txt,
    /// a `.tiktoken` rank file, a tokenizer.json, a chunk-counts file.
    #[error("{}: {problem}", Location { file, line: *line })]
    Parse {
        /// The file's path, or a label such as `vocab.json (in memory)`.
        file: String,
        /// The 1-based line of the problem, for the line-based formats
        /// (merges.txt, `.tiktoken`, chunk counts).
        line: Option<usize>,
        /// What is wrong.
        problem: ParseProblem,
    },

    /// A tokenizer file asks for something bytepair does not implement (a
    /// Unigram model, BPE dropout, a normalizer, ...). Loading it anyway
    /// would encode differently from the tool that wrote it.
    #[error("{file}: {setting} = {value} is not supported by bytepair")]
    Unsupported {
        /// The file (path or in-memory label).
        file: String,
        /// Where the setting is, as a JSON path (`model.dropout`).
        setting: String,
        /// Its value, as JSON.
        value: String,
    },

    /// Bytes that should be UTF-8 are not: a text file, the bytes that ids
    /// decode to (use [`crate::Tokenizer::decode_bytes`] or
    /// [`crate::Tokenizer::decode_lossy`] to get them anyway), or a
    /// [`crate::DecodeStream`] that ended inside a character.
    #[error("{input}: not valid UTF-8 at byte {offset} ({bytes:02x?})")]
    InvalidUtf8 {
        /// What was being read: `file:line`, `decoded bytes`, or `the end of
        /// the decode stream`.
        input: String,
        /// The offset of the first invalid byte (in the file, or in the
        /// decoded bytes).
        offset: usize,
        /// The invalid bytes (at most a character's worth).
        bytes: Vec<u8>,
    },

    /// A pattern (a pretokenization regex, or the matcher built from the
    /// special tokens) does not compile, or failed while matching.
    #[error("pattern {pattern:?}: {message}")]
    Pattern {
        /// The pattern, or what it was built from.
        pattern: String,
        /// The regex engine's message.
        message: String,
    },

    /// Trainer settings that cannot work (a vocabulary too small for the
    /// byte tokens, repeated special tokens, ...).
    #[error("trainer: {message}")]
    TrainerSettings {
        /// What is wrong.
        message: String,
    },

    /// An id that the tokenizer does not know.
    #[error("unknown token id {id} at position {position}")]
    UnknownId {
        /// The id.
        id: u32,
        /// Its index in the input slice.
        position: usize,
    },

    /// The text holds a special token that the caller did not allow.
    #[error("special token {token:?} at byte {offset} is not allowed")]
    DisallowedSpecialToken {
        /// The special token's text.
        token: String,
        /// Its byte offset in the text.
        offset: usize,
    },

    /// A special token was named that the tokenizer does not have.
    #[error("{token:?} is not a special token of this tokenizer")]
    UnknownSpecialToken {
        /// The name given.
        token: String,
    },
}

/// What is wrong in a malformed file ([`Error::Parse`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseProblem {
    /// Not JSON, or JSON of the wrong shape, with serde_json's line and
    /// column where it gives them, or the JSON path of the bad value.
    #[error("{0}")]
    Json(String),

    /// A vocabulary entry's id is not a non-negative integer that fits in
    /// `u32`.
    #[error("token {token:?} has id {value}, which is not an integer in 0..=4294967295")]
    BadId {
        /// The token as written in the file.
        token: String,
        /// The offending JSON value, as text.
        value: String,
    },

    /// An id so far beyond the number of tokens that the id table would be
    /// mostly holes (ids may skip values, but not billions of them).
    #[error("token {token:?} has id {id}, far beyond the vocabulary's {count} tokens")]
    SparseId {
        /// The token as written in the file.
        token: String,
        /// Its id.
        id: u32,
        /// How many tokens the vocabulary has.
        count: usize,
    },

    /// A vocabulary entry is the empty string.
    #[error("the empty string is not a token")]
    EmptyToken,

    /// Two vocabulary entries share one id.
    #[error("tokens {first:?} and {second:?} both have id {id}")]
    DuplicateId {
        /// The shared id.
        id: u32,
        /// The entry seen first.
        first: String,
        /// The entry seen second.
        second: String,
    },

    /// One token appears twice in a vocabulary (as a JSON key, or as two
    /// strings that map to the same bytes).
    #[error("token {token:?} appears more than once")]
    DuplicateToken {
        /// The repeated token, as written in the file.
        token: String,
    },

    /// A byte-level vocabulary lacks the token for one of the 256 bytes, so
    /// some inputs could not be encoded.
    #[error("no token for byte 0x{byte:02x} (written {token:?} in GPT-2's byte alphabet)")]
    MissingByteToken {
        /// The byte without a token.
        byte: u8,
        /// How that byte's token is spelled in vocab.json.
        token: String,
    },

    /// Tokens of vocab.json that no merge produces and that are not
    /// written as control tokens (`<...>` or `[...]`): the sign of a
    /// merges.txt cut short, whose missing merges would make them.
    #[error(
        "{count} tokens of the vocabulary are made by no merge (first: {}); \
         is merges.txt cut short? (a special token must be written <...> or [...])",
        quoted(first)
    )]
    UnmadeTokens {
        /// How many such tokens there are.
        count: usize,
        /// The first few, as written in vocab.json, in id order.
        first: Vec<String>,
    },

    /// A merge is not two tokens separated by one space.
    #[error("expected two tokens separated by one space, found {text:?}")]
    BadMergeLine {
        /// The line's text.
        text: String,
    },

    /// A merge names a token (or produces one) that is not in the
    /// vocabulary.
    #[error("token {token:?} is not in the vocabulary")]
    UnknownToken {
        /// The unknown token.
        token: String,
    },

    /// A merge names a token that is not written in GPT-2's byte-level
    /// alphabet, so it cannot be part of a byte-level merge.
    #[error("token {token:?} is not written in GPT-2's byte-level alphabet")]
    NotByteLevel {
        /// The token.
        token: String,
    },

    /// The same pair appears in two merges.
    #[error("merge {left:?} {right:?} repeats line {first_line}")]
    DuplicateMerge {
        /// The 1-based line (or, in a tokenizer.json, the index) where the
        /// pair first appears.
        first_line: usize,
        /// Left token of the pair.
        left: String,
        /// Right token of the pair.
        right: String,
    },

    /// A `.tiktoken` line is not `base64 rank` (canonical standard base64
    /// with padding, a space, a decimal rank).
    #[error("expected a base64 token, one space and a rank, found {text:?}")]
    BadTiktokenLine {
        /// The line's text.
        text: String,
    },

    /// A line of a chunk-counts file is not `chunk<TAB>count`.
    #[error("{reason}")]
    BadCountsLine {
        /// What is wrong with the line.
        reason: String,
    },
}

impl Error {
    /// An [`Error::Parse`] in `file`, at `line` if the format has lines.
    pub(crate) fn parse(
        file: impl Into<String>,
        line: Option<usize>,
        problem: ParseProblem,
    ) -> Self {
        Error::Parse {
            file: file.into(),
            line,
            problem,
        }
    }

    /// An [`Error::Parse`] for JSON of the wrong shape.
    pub(crate) fn json(file: impl Into<String>, message: impl Into<String>) -> Self {
        Error::parse(file, None, ParseProblem::Json(message.into()))
    }

    /// An [`Error::Io`] on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// The [`Error::InvalidUtf8`] of `bytes`, whose first `valid_up_to`
    /// bytes are UTF-8, read as `input`; `base` is where `bytes` start in it.
    pub(crate) fn invalid_utf8(
        input: impl Into<String>,
        bytes: &[u8],
        error: std::str::Utf8Error,
        base: usize,
    ) -> Self {
        let start = error.valid_up_to();
        let len = error.error_len().unwrap_or(bytes.len() - start).min(4);
        Error::InvalidUtf8 {
            input: input.into(),
            offset: base + start,
            bytes: bytes[start..start + len].to_vec(),
        }
    }
}

/// `file:line`, or `file` when there is no line.
struct Location<'a> {
    file: &'a str,
    line: Option<usize>,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(self.file),
        }
    }
}

/// The tokens as a comma-separated list of quoted strings.
fn quoted(tokens: &[String]) -> String {
    let quoted: Vec<String> = tokens.iter().map(|t| format!("{t:?}")).collect();
    quoted.join(", ")
}

/// `Result` with bytepair's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
