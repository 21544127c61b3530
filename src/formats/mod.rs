//! Reading and writing tokenizer files.

pub(crate) mod gpt2;
mod json_object;
