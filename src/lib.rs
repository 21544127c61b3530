#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod byte_level;
mod decode;
mod encode;
mod error;
mod formats;
mod hash;
mod merges;
mod parallel;
mod piece_cache;
mod pipeline;
mod pretokenize;
#[cfg(test)]
mod test_support;
mod tokenizer;
mod train;
mod vocab;

pub use decode::DecodeStream;
pub use error::{Error, ParseProblem, Result};
pub use pretokenize::{CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, R50K_PATTERN};
pub use tokenizer::{AllowedSpecial, Tokenizer};
pub use train::{ChunkCounts, Progress, Trainer};

/// cl100k_base's special tokens as tiktoken defines them (ids 100256 and
/// 100261 to 100275 are unused).
pub const CL100K_SPECIAL_TOKENS: &[(&str, u32)] = &[
    ("<|endoftext|>", 100257),
    ("<|fim_prefix|>", 100258),
    ("<|fim_middle|>", 100259),
    ("<|fim_suffix|>", 100260),
    ("<|endofprompt|>", 100276),
];

/// o200k_base's special tokens as tiktoken defines them (id 199998 is
/// unused).
pub const O200K_SPECIAL_TOKENS: &[(&str, u32)] =
    &[("<|endoftext|>", 199999), ("<|endofprompt|>", 200018)];
