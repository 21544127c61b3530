//! `bytepair`: encode, decode and count tokens, convert tokenizer files,
//! train vocabularies and tokenize datasets into token shards, from the
//! command line.

mod shards;
mod source;
mod train;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use source::Source;

/// Byte-pair-encoding tokenization exact to tiktoken and HF tokenizers.
///
/// The tokenizer is the embedded GPT-2 unless a source option names
/// another: `--encoding o200k_base`, `--tokenizer-json FILE`, or
/// `--vocab FILE --merges FILE`.
#[derive(Parser)]
#[command(name = "bytepair", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the token ids of text, files or standard input.
    ///
    /// Standard input's final line end is not encoded (`echo` adds one)
    /// unless --keep-newline is given. Files are encoded as they are, one
    /// line of ids per file.
    Encode {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        input: Input,
        /// Encode special-token text such as <|endoftext|> as its id
        /// (otherwise it is ordinary text).
        #[arg(long)]
        special: bool,
    },
    /// Print the text of token ids (arguments, or whitespace-separated on
    /// standard input).
    Decode {
        #[command(flatten)]
        source: Source,
        /// The ids; read from standard input when none are given.
        ids: Vec<String>,
        /// Leave out special tokens.
        #[arg(long)]
        skip_special: bool,
    },
    /// Print the number of tokens of text, files or standard input.
    ///
    /// With several files, one line per file and a total, like `wc`.
    Count {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        input: Input,
        /// Count special-token text such as <|endoftext|> as one token.
        #[arg(long)]
        special: bool,
    },
    /// Write the tokenizer in another file format.
    Convert {
        #[command(flatten)]
        source: Source,
        /// The format to write.
        #[arg(long, value_enum)]
        to: Format,
        /// Where to write: a file for tokenizer-json and tiktoken, a
        /// directory (created if missing) for gpt2's vocab.json and
        /// merges.txt.
        #[arg(long)]
        out: PathBuf,
    },
    /// Tokenize files or directories into token shards for training
    /// (llm.c's .bin layout, or nanoGPT's raw arrays).
    Tokenize(shards::Args),
    /// Learn a byte-level BPE vocabulary from text files and write
    /// OUT/vocab.json and OUT/merges.txt.
    Train(train::TrainArgs),
    /// Count the pretokenized chunks of text files into a TSV file that
    /// train-counts learns from, so that counting can be spread over
    /// machines.
    CountChunks(train::CountChunksArgs),
    /// Learn a vocabulary from the sum of chunk-count files.
    TrainCounts(train::TrainCountsArgs),
}

/// Where the text comes from: --text, files, or standard input.
#[derive(clap::Args)]
struct Input {
    /// The text itself, instead of files or standard input.
    #[arg(short, long, conflicts_with = "files")]
    text: Option<String>,
    /// Files to read; standard input when none are given.
    files: Vec<PathBuf>,
    /// Keep standard input's final line end.
    #[arg(long)]
    keep_newline: bool,
}

/// The formats `convert` writes.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// HF tokenizers' tokenizer.json (the whole pipeline).
    TokenizerJson,
    /// A tiktoken rank file (.tiktoken).
    Tiktoken,
    /// GPT-2's vocab.json and merges.txt, in a directory.
    Gpt2,
}

/// A failure to report: the message, and a hint on what to do about it.
struct Failure {
    message: String,
    hint: Option<String>,
}

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }
}

impl From<bytepair::Error> for Failure {
    fn from(e: bytepair::Error) -> Self {
        let hint = match &e {
            bytepair::Error::InvalidUtf8 { .. } => Some("the input must be UTF-8 text".to_string()),
            bytepair::Error::Unsupported { .. } => Some(
                "bytepair reads BPE tokenizers; this file needs a component it does not implement"
                    .to_string(),
            ),
            _ => None,
        };
        Failure {
            message: e.to_string(),
            hint,
        }
    }
}

type Outcome = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Encode {
            source,
            input,
            special,
        } => encode(&source, &input, special),
        Command::Decode {
            source,
            ids,
            skip_special,
        } => decode(&source, &ids, skip_special),
        Command::Count {
            source,
            input,
            special,
        } => count(&source, &input, special),
        Command::Convert { source, to, out } => convert(&source, to, &out),
        Command::Tokenize(args) => shards::run(&args),
        Command::Train(args) => train::train(&args),
        Command::CountChunks(args) => train::count_chunks(&args),
        Command::TrainCounts(args) => train::train_counts(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("bytepair: {}", failure.message);
            if let Some(hint) = failure.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The texts of `input`, each with its name (for errors and `count`).
fn read_input(input: &Input) -> Result<Vec<(String, String)>, Failure> {
    if let Some(text) = &input.text {
        return Ok(vec![("--text".to_string(), text.clone())]);
    }
    if input.files.is_empty() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::new(format!("standard input: {e}")))?;
        if !input.keep_newline {
            // The final line end, `\n` or `\r\n`; a lone `\r` is text.
            if bytes.ends_with(b"\n") {
                bytes.pop();
                if bytes.ends_with(b"\r") {
                    bytes.pop();
                }
            }
        }
        let text = utf8(bytes, "standard input")?;
        return Ok(vec![("-".to_string(), text)]);
    }
    input
        .files
        .iter()
        .map(|path| {
            let name = path.display().to_string();
            let bytes = std::fs::read(path).map_err(|e| io_failure(path, e))?;
            Ok((name.clone(), utf8(bytes, &name)?))
        })
        .collect()
}

/// `bytes` as text, or a failure naming `name` and the first bad byte.
fn utf8(bytes: Vec<u8>, name: &str) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        Failure::new(format!("{name}: not valid UTF-8 at byte {offset}"))
            .hint("bytepair tokenizes UTF-8 text")
    })
}

fn io_failure(path: &Path, e: std::io::Error) -> Failure {
    Failure::new(format!("{}: {e}", path.display()))
}

fn write_stdout(text: &[u8]) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`bytepair encode | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(format!("standard output: {e}"))),
    }
}

fn encode(source: &Source, input: &Input, special: bool) -> Outcome {
    let tokenizer = source.load()?;
    let mut out = String::new();
    for (_, text) in read_input(input)? {
        let ids = match special {
            true => tokenizer.encode_with_special_tokens(&text),
            false => tokenizer.encode(&text),
        };
        let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
        out.push_str(&ids.join(" "));
        out.push('\n');
    }
    write_stdout(out.as_bytes())
}

fn count(source: &Source, input: &Input, special: bool) -> Outcome {
    let tokenizer = source.load()?;
    let texts = read_input(input)?;
    let mut out = String::new();
    let mut total = 0;
    for (name, text) in &texts {
        let count = match special {
            true => tokenizer.count_with_special_tokens(text),
            false => tokenizer.count(text),
        };
        total += count;
        if input.files.len() > 1 {
            out.push_str(&format!("{count} {name}\n"));
        }
    }
    match input.files.len() > 1 {
        true => out.push_str(&format!("{total} total\n")),
        false => out.push_str(&format!("{total}\n")),
    }
    write_stdout(out.as_bytes())
}

fn decode(source: &Source, ids: &[String], skip_special: bool) -> Outcome {
    let tokenizer = source.load()?;
    let stdin;
    let words: Vec<&str> = if ids.is_empty() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::new(format!("standard input: {e}")))?;
        stdin = text;
        stdin.split_whitespace().collect()
    } else {
        ids.iter().map(String::as_str).collect()
    };
    let ids = words
        .iter()
        .map(|w| {
            w.parse::<u32>().map_err(|_| {
                Failure::new(format!("not a token id: {w:?}"))
                    .hint("ids are decimal numbers separated by spaces")
            })
        })
        .collect::<Result<Vec<u32>, Failure>>()?;
    let bytes = match skip_special {
        true => tokenizer.decode_without_special_tokens(&ids)?.into_bytes(),
        // The exact bytes: a cut through a character stays as it is.
        false => tokenizer.decode_bytes(&ids)?,
    };
    write_stdout(&bytes)
}

fn convert(source: &Source, to: Format, out: &Path) -> Outcome {
    let tokenizer = source.load()?;
    match to {
        Format::Gpt2 => {
            if out.is_file() {
                return Err(Failure::new(format!("--out {}: is a file", out.display()))
                    .hint("gpt2 writes vocab.json and merges.txt into a directory"));
            }
            if out.extension().is_some() && !out.exists() {
                return Err(Failure::new(format!(
                    "--out {}: looks like a file name",
                    out.display()
                ))
                .hint("gpt2 writes vocab.json and merges.txt into a directory: give its path"));
            }
            tokenizer.save_gpt2(out)?;
            eprintln!(
                "wrote {0}/vocab.json and {0}/merges.txt: {1} tokens",
                out.display(),
                tokenizer.vocab_size()
            );
            return Ok(());
        }
        Format::TokenizerJson | Format::Tiktoken => {
            if out.is_dir() {
                return Err(
                    Failure::new(format!("--out {}: is a directory", out.display()))
                        .hint("give the path of the file to write"),
                );
            }
            let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(parent) = parent.filter(|p| !p.is_dir()) {
                return Err(Failure::new(format!(
                    "--out {}: directory {} does not exist",
                    out.display(),
                    parent.display()
                )));
            }
        }
    }
    match to {
        Format::TokenizerJson => tokenizer.save_tokenizer_json(out)?,
        _ => tokenizer.save_tiktoken(out)?,
    }
    eprintln!("wrote {}: {} tokens", out.display(), tokenizer.vocab_size());
    Ok(())
}
