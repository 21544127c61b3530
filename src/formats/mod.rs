//! Reading and writing tokenizer files: GPT-2's vocab.json + merges.txt,
//! tiktoken's rank files and HF's tokenizer.json.

pub(crate) mod compact_ranks;
pub(crate) mod gpt2;
mod hf_char;
pub(crate) mod hf_json;
mod hf_pipeline;
mod json_object;
pub(crate) mod tiktoken;

use crate::error::ParseProblem;
use crate::vocab::VocabProblem;

/// What a vocabulary that [`crate::vocab::Vocab::new`] refused has wrong,
/// with `token(i)` spelling the `i`-th token of the list as its file wrote
/// it, `byte_token(b)` the token of byte `b`, and `count` the number of
/// tokens.
pub(crate) fn vocab_problem(
    problem: VocabProblem,
    token: impl Fn(usize) -> String,
    byte_token: impl Fn(u8) -> String,
    count: usize,
) -> ParseProblem {
    match problem {
        VocabProblem::DuplicateId { id, first, second } => ParseProblem::DuplicateId {
            id,
            first: token(first),
            second: token(second),
        },
        VocabProblem::DuplicateToken { index } => ParseProblem::DuplicateToken {
            token: token(index),
        },
        VocabProblem::EmptyToken => ParseProblem::EmptyToken,
        VocabProblem::MissingByte(byte) => ParseProblem::MissingByteToken {
            byte,
            token: byte_token(byte),
        },
        VocabProblem::TooLarge => ParseProblem::Json("more than 4 GiB of token bytes".to_string()),
        VocabProblem::SparseId { id, index } => ParseProblem::SparseId {
            token: token(index),
            id,
            count,
        },
    }
}
