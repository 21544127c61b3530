//! Byte-pair-encoding (BPE) tokenization, exact to OpenAI's tiktoken and HF
//! tokenizers: text to token ids and back, token counts and budgets, and
//! training, for OpenAI's encodings and the `tokenizer.json` that open
//! models ship.
//!
//! # Quick start
//!
//! ```sh
//! cargo add bytepair
//! ```
//!
//! ```
//! use bytepair::Tokenizer;
//!
//! // The encoding of current OpenAI models, embedded: no file, no network.
//! let o200k = Tokenizer::o200k_base();
//! let ids = o200k.encode("Hello world");
//! assert_eq!(ids, [13225, 2375]);
//! assert_eq!(o200k.count("Hello world"), 2);
//! assert_eq!(o200k.decode(&ids)?, "Hello world");
//!
//! // Special-token text is ordinary text unless asked for: user input can
//! // never smuggle in a control token.
//! assert_eq!(o200k.encode("<|endoftext|>").len(), 7);
//! assert_eq!(o200k.encode_with_special_tokens("<|endoftext|>"), [199999]);
//! # Ok::<(), bytepair::Error>(())
//! ```
//!
//! A model's tokenizer (Llama, Qwen, DeepSeek, Gemma, Mistral, ...) runs
//! with its whole HF pipeline, with HF's ids, offsets and decoding:
//!
//! ```no_run
//! let llama = bytepair::Tokenizer::from_tokenizer_json_file("tokenizer.json")?;
//! let input = llama.encode_for_model("Hello world"); // with the BOS token
//! # Ok::<(), bytepair::Error>(())
//! ```
//!
//! # Cargo features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `o200k_base`, `cl100k_base`, `p50k_base`, `r50k_base` | yes | [`Tokenizer::o200k_base`] and the others: OpenAI's rank files, embedded (a binary keeps only those it calls) |
//! | `all-encodings` | yes | the four above |
//! | `cli` | yes | the `bytepair` command (`cargo install bytepair`): clap and indicatif |
//!
//! GPT-2's vocabulary ([`Tokenizer::gpt2`]) is always embedded. A library
//! that needs one encoding and no command line takes
//! `bytepair = { version = "0.1", default-features = false, features = ["o200k_base"] }`.
//!
//! # The API at a glance
//!
//! Everything goes through one type, [`Tokenizer`]: immutable,
//! `Send + Sync`, cheap to clone.
//!
//! | to | call |
//! |---|---|
//! | get a tokenizer | [`Tokenizer::o200k_base`], [`Tokenizer::cl100k_base`], [`Tokenizer::gpt2`], [`Tokenizer::by_name`] |
//! | read one | [`Tokenizer::from_tokenizer_json_file`], [`Tokenizer::from_tiktoken_file`], [`Tokenizer::from_gpt2_files`] (and [`Tokenizer::from_tokenizer_json`], [`Tokenizer::from_tiktoken`], [`Tokenizer::from_gpt2`] for contents in memory) |
//! | write one | [`Tokenizer::save_tokenizer_json`], [`Tokenizer::save_tiktoken`], [`Tokenizer::save_gpt2`] (and `to_tokenizer_json`, `to_tiktoken`, `to_gpt2` for the contents) |
//! | encode | [`Tokenizer::encode`] (special-token text as text), [`Tokenizer::encode_with_special_tokens`], [`Tokenizer::encode_with_allowed_special`], [`Tokenizer::encode_for_model`] (with a model's template), [`Tokenizer::encode_pair_for_model`] |
//! | count | [`Tokenizer::count`], [`Tokenizer::count_with_special_tokens`], [`Tokenizer::count_with_allowed_special`], [`Tokenizer::count_for_model`], [`Tokenizer::count_pair_for_model`], [`Tokenizer::count_till_limit`] |
//! | fit a budget | [`Tokenizer::truncate_to_tokens`], [`Tokenizer::count_till_limit`] |
//! | locate tokens in the text | [`Tokenizer::encode_with_offsets`], [`Tokenizer::encode_for_model_with_offsets`], [`Tokenizer::token_ranges`] |
//! | decode | [`Tokenizer::decode`], [`Tokenizer::decode_without_special_tokens`], [`Tokenizer::decode_lossy`], [`Tokenizer::decode_bytes`], [`Tokenizer::decode_stream`] (token by token) |
//! | many texts | [`Tokenizer::encode_batch`] (all cores), [`Tokenizer::encode_parallel`] (one long text on all cores) |
//! | look up tokens | [`Tokenizer::token_to_id`], [`Tokenizer::id_to_token`], [`Tokenizer::special_token_id`], [`Tokenizer::special_tokens`], [`Tokenizer::vocab_size`] |
//! | train | [`Trainer`] (identical to HF's `BpeTrainer`), [`ChunkCounts`] (counting spread over machines) |
//!
//! Every failure is one [`Error`], whose message names the file, the line
//! or JSON path, and the token.
//!
//! # More
//!
//! The [README](https://github.com/bytepair/bytepair#readme) covers the
//! command line, training on large corpora, and how exactness is checked;
//! [BENCHMARKS.md](https://github.com/bytepair/bytepair/blob/main/BENCHMARKS.md)
//! the speed against tiktoken, HF tokenizers and the other Rust crates;
//! [DESIGN.md](https://github.com/bytepair/bytepair/blob/main/DESIGN.md) the
//! algorithms and why they give the references' ids.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod byte_level;
mod chunk_cache;
mod decode;
mod encode;
mod error;
mod formats;
mod hash;
mod merges;
mod parallel;
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

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
