//! `bytepair tokenize`: files or directories of documents to token shards
//! that training code memory-maps.
//!
//! Layouts: llm.c's `.bin` (a header of 256 little-endian int32: magic,
//! version, token count; then the tokens, uint16 with magic 20240520 and
//! version 1 as llm.c writes for GPT-2, uint32 with magic 20240801 and
//! version 7 as it writes for Llama 3), or nanoGPT's raw array of tokens
//! with no header. One separator token stands between two documents.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use bytepair::Tokenizer;
use indicatif::{ProgressBar, ProgressStyle};

use crate::source::Source;
use crate::{Failure, Outcome, io_failure};

/// Options of `tokenize`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// The directory to write the shards into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Shard file names: PREFIX_000000.bin, PREFIX_000001.bin, ...
    #[arg(long, default_value = "shard")]
    prefix: String,
    /// Tokens per shard (the last one holds the rest).
    #[arg(long, default_value_t = 100_000_000)]
    shard_tokens: usize,
    /// The file layout.
    #[arg(long, value_enum, default_value = "llmc")]
    layout: Layout,
    /// The token width; auto takes u16 when every id fits in it.
    #[arg(long, value_enum, default_value = "auto")]
    dtype: Dtype,
    /// The special token between two documents; by default the
    /// tokenizer's <|endoftext|>.
    #[arg(long, value_name = "TOKEN")]
    separator: Option<String>,
    /// Read each line of each file as a JSON object and take this field's
    /// string as a document (JSONL datasets); otherwise each file is one
    /// document.
    #[arg(long, value_name = "FIELD")]
    jsonl_field: Option<String>,
    /// Files and directories (read recursively, in path order).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// How the tokens of a shard are laid out.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Layout {
    /// llm.c's .bin: a 1024-byte header, then the tokens.
    Llmc,
    /// nanoGPT's: the tokens alone.
    Raw,
}

/// The width of a token in a shard.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Dtype {
    Auto,
    U16,
    U32,
}

/// Documents are encoded in batches of about this many bytes of text:
/// enough to keep every core busy, little enough to hold in memory.
const BATCH_BYTES: usize = 16 << 20;

/// `bytepair tokenize`.
pub fn run(args: &Args) -> Outcome {
    let tokenizer = args.source.load()?;
    let separator = separator(&tokenizer, args.separator.as_deref())?;
    let wide = match args.dtype {
        Dtype::U16 if tokenizer.id_bound() > 1 << 16 => {
            return Err(Failure::new(format!(
                "--dtype u16: ids go up to {}",
                tokenizer.id_bound() - 1
            ))
            .hint("use --dtype u32 (or auto)"));
        }
        Dtype::U16 => false,
        Dtype::U32 => true,
        Dtype::Auto => tokenizer.id_bound() > 1 << 16,
    };
    if args.shard_tokens == 0 || (args.layout == Layout::Llmc && args.shard_tokens >= 1 << 31) {
        return Err(Failure::new("--shard-tokens must be in 1..2^31")
            .hint("llm.c's header counts tokens in an int32"));
    }
    let files = input_files(&args.inputs)?;
    let total: u64 = files.iter().map(|(_, size)| size).sum();
    std::fs::create_dir_all(&args.out).map_err(|e| io_failure(&args.out, e))?;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "tokenizing {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .expect("a valid template"),
    );
    let mut shards = Shards {
        dir: &args.out,
        prefix: &args.prefix,
        layout: args.layout,
        wide,
        shard_tokens: args.shard_tokens,
        tokens: Vec::new(),
        written: Vec::new(),
        documents: 0,
    };
    let mut batch: Vec<String> = Vec::new();
    let mut batch_bytes = 0;
    for (path, size) in &files {
        for document in documents(path, args.jsonl_field.as_deref())? {
            batch_bytes += document.len();
            batch.push(document);
            if batch_bytes >= BATCH_BYTES {
                shards.push_batch(&tokenizer, &batch, separator)?;
                batch.clear();
                batch_bytes = 0;
            }
        }
        bar.inc(*size);
    }
    shards.push_batch(&tokenizer, &batch, separator)?;
    shards.finish()?;
    bar.finish_and_clear();
    let tokens: usize = shards.written.iter().map(|(_, n)| n).sum();
    eprintln!(
        "wrote {} shard(s) to {}: {} documents, {tokens} tokens ({})",
        shards.written.len(),
        args.out.display(),
        shards.documents,
        if wide { "uint32" } else { "uint16" },
    );
    Ok(())
}

/// The separator's id: the named special token, or `<|endoftext|>`.
fn separator(tokenizer: &Tokenizer, name: Option<&str>) -> Result<u32, Failure> {
    let wanted = name.unwrap_or("<|endoftext|>");
    tokenizer.special_token_id(wanted).ok_or_else(|| {
        let known: Vec<&str> = tokenizer.special_tokens().map(|(t, _)| t).take(8).collect();
        let failure = Failure::new(format!(
            "{wanted:?} is not a special token of the tokenizer"
        ));
        match known.is_empty() {
            true => failure.hint("the tokenizer has no special tokens to separate documents with"),
            false => failure.hint(format!("give --separator with one of: {}", known.join(" "))),
        }
    })
}

/// The files of `inputs` with their sizes: files as given, directories'
/// files recursively in path order.
fn input_files(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, u64)>, Failure> {
    let mut files = Vec::new();
    for input in inputs {
        let metadata = std::fs::metadata(input).map_err(|e| io_failure(input, e))?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push((input.clone(), metadata.len()));
        }
    }
    Ok(files)
}

fn walk(dir: &Path, found: &mut Vec<(PathBuf, u64)>) -> Result<(), Failure> {
    for entry in std::fs::read_dir(dir).map_err(|e| io_failure(dir, e))? {
        let path = entry.map_err(|e| io_failure(dir, e))?.path();
        let metadata = std::fs::metadata(&path).map_err(|e| io_failure(&path, e))?;
        if metadata.is_dir() {
            walk(&path, found)?;
        } else {
            found.push((path, metadata.len()));
        }
    }
    Ok(())
}

/// The documents of one file: the whole file, or each JSONL line's field.
fn documents(path: &Path, jsonl_field: Option<&str>) -> Result<Vec<String>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| io_failure(path, e))?;
    let text = crate::utf8(bytes, &path.display().to_string())?;
    let Some(field) = jsonl_field else {
        return Ok(vec![text]);
    };
    let mut documents = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{}:{}", path.display(), index + 1);
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Failure::new(format!("{}: not JSON: {e}", at())))?;
        match value.get(field) {
            Some(serde_json::Value::String(document)) => documents.push(document.clone()),
            _ => {
                return Err(Failure::new(format!("{}: no string field {field:?}", at()))
                    .hint("--jsonl-field names the field that holds each document's text"));
            }
        }
    }
    Ok(documents)
}

/// The shards being written.
struct Shards<'a> {
    dir: &'a Path,
    prefix: &'a str,
    layout: Layout,
    wide: bool,
    shard_tokens: usize,
    /// Tokens not yet written.
    tokens: Vec<u32>,
    /// Each written shard and its token count.
    written: Vec<(PathBuf, usize)>,
    documents: usize,
}

impl Shards<'_> {
    /// Encodes `batch` on all cores and adds its documents in order.
    fn push_batch(&mut self, tokenizer: &Tokenizer, batch: &[String], separator: u32) -> Outcome {
        let encoded = match batch {
            // One long document: cut it across the cores instead.
            [one] => vec![tokenizer.encode_parallel(one)],
            _ => tokenizer.encode_batch(batch),
        };
        for ids in encoded {
            if self.documents > 0 {
                self.tokens.push(separator);
            }
            self.documents += 1;
            self.tokens.extend_from_slice(&ids);
            while self.tokens.len() >= self.shard_tokens {
                let rest = self.tokens.split_off(self.shard_tokens);
                let full = std::mem::replace(&mut self.tokens, rest);
                self.write(&full)?;
            }
        }
        Ok(())
    }

    /// Writes the last, partial shard (or the only one, maybe empty).
    fn finish(&mut self) -> Outcome {
        if !self.tokens.is_empty() || self.written.is_empty() {
            let tokens = std::mem::take(&mut self.tokens);
            self.write(&tokens)?;
        }
        Ok(())
    }

    fn write(&mut self, tokens: &[u32]) -> Outcome {
        let name = format!("{}_{:06}.bin", self.prefix, self.written.len());
        let path = self.dir.join(name);
        let fail = |e| io_failure(&path, e);
        let mut out = BufWriter::new(File::create(&path).map_err(fail)?);
        if self.layout == Layout::Llmc {
            let (magic, version) = if self.wide {
                (20240801, 7)
            } else {
                (20240520, 1)
            };
            let mut header = [0i32; 256];
            header[0] = magic;
            header[1] = version;
            header[2] = tokens.len() as i32;
            for value in header {
                out.write_all(&value.to_le_bytes()).map_err(fail)?;
            }
        }
        for &id in tokens {
            let written = match self.wide {
                true => out.write_all(&id.to_le_bytes()),
                // Checked: every id fits in u16 when not wide.
                false => out.write_all(&(id as u16).to_le_bytes()),
            };
            written.map_err(fail)?;
        }
        out.flush().map_err(fail)?;
        self.written.push((path, tokens.len()));
        Ok(())
    }
}
