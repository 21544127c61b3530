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
mod pretokenize;
mod tokenizer;
mod train;
mod vocab;

pub use error::{Error, Result};
pub use pretokenize::GPT2_PATTERN;
pub use tokenizer::Tokenizer;
pub use train::{ChunkCounts, Progress, Trainer};
