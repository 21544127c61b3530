//! Reading and writing tokenizer files: GPT-2's vocab.json + merges.txt,
//! tiktoken's rank files and HF's tokenizer.json.

pub(crate) mod gpt2;
mod hf_char;
pub(crate) mod hf_json;
mod hf_pipeline;
mod json_object;
pub(crate) mod tiktoken;
