//! The options that choose the tokenizer.

use std::path::PathBuf;

use bytepair::Tokenizer;

use crate::Failure;

/// Which tokenizer to use; the embedded GPT-2 when none is given.
#[derive(clap::Args)]
pub struct Source {
    /// One of OpenAI's encodings: gpt2, r50k_base, p50k_base, cl100k_base,
    /// o200k_base.
    #[arg(long, short, value_name = "NAME", conflicts_with_all = ["tokenizer_json", "vocab"])]
    encoding: Option<String>,
    /// An HF tokenizer.json (any BPE model, with its whole pipeline).
    #[arg(long, value_name = "FILE", conflicts_with = "vocab")]
    tokenizer_json: Option<PathBuf>,
    /// GPT-2 style vocab.json (with --merges).
    #[arg(long, value_name = "FILE", requires = "merges")]
    vocab: Option<PathBuf>,
    /// GPT-2 style merges.txt (with --vocab).
    #[arg(long, value_name = "FILE", requires = "vocab")]
    merges: Option<PathBuf>,
}

/// The encodings `--encoding` knows.
const ENCODINGS: [&str; 5] = [
    "gpt2",
    "r50k_base",
    "p50k_base",
    "cl100k_base",
    "o200k_base",
];

impl Source {
    /// The tokenizer these options name.
    pub fn load(&self) -> Result<Tokenizer, Failure> {
        if let (Some(vocab), Some(merges)) = (&self.vocab, &self.merges) {
            return Ok(Tokenizer::from_gpt2_files(vocab, merges)?);
        }
        if let Some(path) = &self.tokenizer_json {
            return Ok(Tokenizer::from_tokenizer_json_file(path)?);
        }
        match self.encoding.as_deref() {
            None => Ok(Tokenizer::gpt2()),
            Some(name) => Tokenizer::by_name(name).ok_or_else(|| {
                Failure::new(format!("unknown encoding {name:?}"))
                    .hint(format!("known encodings: {}", ENCODINGS.join(", ")))
            }),
        }
    }
}
