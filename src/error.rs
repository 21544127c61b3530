//! The crate's one error type.
//!
//! Every variant carries enough context to act on without a debugger: the file a
//! bad token came from (its path, or a label such as `vocab.json (in memory)`),
//! the 1-based line, and the offending token or id.

use std::path::PathBuf;

/// Everything that can go wrong in bytepair.
///
/// Loading never panics on malformed data and encoding never fails for a
/// well-formed tokenizer; the variants below are the ways user input can be
/// rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A vocabulary file is not valid JSON, or is JSON of the wrong shape.
    #[error("{file}: {message}")]
    VocabFormat {
        /// The file (path or in-memory label).
        file: String,
        /// What is wrong, with serde_json's line and column where it gives them.
        message: String,
    },

    /// A vocabulary entry's id is not a non-negative integer that fits in `u32`.
    #[error("{file}: token {token:?} has id {value}, which is not an integer in 0..=4294967295")]
    VocabBadId {
        /// The file (path or in-memory label).
        file: String,
        /// The token as written in the file.
        token: String,
        /// The offending JSON value, as text.
        value: String,
    },

    /// An id so far beyond the number of tokens that the id table would be
    /// mostly holes (ids may skip values, but not billions of them).
    #[error("{file}: token {token:?} has id {id}, far beyond the vocabulary's {count} tokens")]
    VocabSparseId {
        /// The file (path or in-memory label).
        file: String,
        /// The token as written in the file.
        token: String,
        /// Its id.
        id: u32,
        /// How many tokens the vocabulary has.
        count: usize,
    },

    /// A vocabulary entry is the empty string.
    #[error("{file}: the empty string is not a token")]
    VocabEmptyToken {
        /// The file (path or in-memory label).
        file: String,
    },

    /// Two vocabulary entries share one id.
    #[error("{file}: tokens {first:?} and {second:?} both have id {id}")]
    VocabDuplicateId {
        /// The file (path or in-memory label).
        file: String,
        /// The shared id.
        id: u32,
        /// The entry seen first.
        first: String,
        /// The entry seen second.
        second: String,
    },

    /// One token appears twice in a vocabulary (as a JSON key, or as two
    /// strings that map to the same bytes).
    #[error("{file}: token {token:?} appears more than once")]
    VocabDuplicateToken {
        /// The file (path or in-memory label).
        file: String,
        /// The repeated token, as written in the file.
        token: String,
    },

    /// A byte-level vocabulary lacks the token for one of the 256 bytes, so some
    /// inputs could not be encoded.
    #[error("{file}: no token for byte 0x{byte:02x} (written {token:?} in GPT-2's byte alphabet)")]
    MissingByteToken {
        /// The file (path or in-memory label).
        file: String,
        /// The byte without a token.
        byte: u8,
        /// How that byte's token is spelled in vocab.json.
        token: String,
    },

    /// A merges line is not two tokens separated by one space.
    #[error("{file}:{line}: expected two tokens separated by one space, found {text:?}")]
    MergesBadLine {
        /// The file (path or in-memory label).
        file: String,
        /// The 1-based line number in the file.
        line: usize,
        /// The line's text.
        text: String,
    },

    /// A merges line names a token (or produces one) that is not in the vocabulary.
    #[error("{file}:{line}: token {token:?} is not in the vocabulary")]
    MergesUnknownToken {
        /// The file (path or in-memory label).
        file: String,
        /// The 1-based line number in the file.
        line: usize,
        /// The unknown token.
        token: String,
    },

    /// A `.tiktoken` line is not `base64 rank` (canonical standard base64
    /// with padding, a space, a decimal rank).
    #[error("{file}:{line}: expected a base64 token, one space and a rank, found {text:?}")]
    TiktokenBadLine {
        /// The file (path or in-memory label).
        file: String,
        /// The 1-based line number.
        line: usize,
        /// The line's text.
        text: String,
    },

    /// A merges line names a token that is not written in GPT-2's byte-level
    /// alphabet, so it cannot be part of a byte-level merge.
    #[error("{file}:{line}: token {token:?} is not written in GPT-2's byte-level alphabet")]
    MergesNotByteLevel {
        /// The file (path or in-memory label).
        file: String,
        /// The 1-based line number in the file.
        line: usize,
        /// The token.
        token: String,
    },

    /// The same pair appears on two merges lines.
    #[error("{file}:{line}: merge {left:?} {right:?} repeats line {first_line}")]
    MergesDuplicate {
        /// The file (path or in-memory label).
        file: String,
        /// The 1-based line number of the repetition.
        line: usize,
        /// The 1-based line number where the pair first appears.
        first_line: usize,
        /// Left token of the pair.
        left: String,
        /// Right token of the pair.
        right: String,
    },

    /// A text file is not valid UTF-8.
    #[error("{file}:{line}: not valid UTF-8 (byte offset {offset})")]
    NotUtf8 {
        /// The file (path or in-memory label).
        file: String,
        /// The 1-based line number of the first invalid byte.
        line: usize,
        /// The offset of the first invalid byte in the file.
        offset: usize,
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

    /// A line of a chunk-counts file is not `chunk<TAB>count`.
    #[error("{file}:{line}: {reason}")]
    CountsFormat {
        /// The file (path or label).
        file: String,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
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

    /// A [`crate::DecodeStream`] ended in the middle of a character.
    #[error("the ids end inside a character: {} byte(s) {bytes:02x?} held back", bytes.len())]
    IncompleteUtf8 {
        /// The bytes of the incomplete character.
        bytes: Vec<u8>,
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

    /// A tokenizer file asks for something bytepair does not implement
    /// (BPE dropout, a normalizer, a word-piece prefix, ...). Loading it
    /// anyway would encode differently from the tool that wrote it.
    #[error("{file}: {setting} = {value} is not supported by bytepair")]
    Unsupported {
        /// The file (path or in-memory label).
        file: String,
        /// Where the setting is, as a JSON path (`model.dropout`).
        setting: String,
        /// Its value, as JSON.
        value: String,
    },

    /// A tokenizer.json whose model is not BPE (Unigram, WordPiece,
    /// WordLevel).
    #[error("{file}: model.type is {model}; bytepair implements BPE models only")]
    NotBpe {
        /// The file (path or in-memory label).
        file: String,
        /// The model's type.
        model: String,
    },

    /// Decoded bytes are not valid UTF-8 (use `decode_bytes` to get them anyway).
    #[error("decoded bytes are not valid UTF-8: {source}")]
    InvalidUtf8 {
        /// Where the invalid sequence starts, among other details.
        #[source]
        source: std::string::FromUtf8Error,
    },
}

/// `Result` with bytepair's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
