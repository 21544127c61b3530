//! A small command-line tokenizer over bytepair's public API.
//!
//! ```text
//! tokenize encode [SOURCE] [--special] [TEXT]
//! tokenize decode [SOURCE] [IDS...]
//! tokenize count  [SOURCE] [--special] [TEXT]
//! tokenize convert [SOURCE] --to tokenizer-json|tiktoken|gpt2 --out PATH
//! tokenize train --vocab-size N [--min-frequency K] [--special TOKEN]...
//!                [--max-token-length N] [--threads N] --out DIR FILE...
//! tokenize count-chunks [--threads N] --out COUNTS.tsv FILE...
//! tokenize train-counts --vocab-size N [...] --out DIR COUNTS.tsv...
//! ```
//!
//! SOURCE is `--vocab FILE --merges FILE`, `--tokenizer-json FILE` or
//! `--encoding NAME` (gpt2, or r50k_base, p50k_base, cl100k_base, o200k_base
//! when built with their cargo features); the default is the embedded GPT-2.
//! TEXT or IDS default to standard input. Bad arguments exit with 2, errors
//! with 1.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytepair::{ChunkCounts, Progress, Tokenizer, Trainer};

const USAGE: &str = "\
usage: tokenize encode [SOURCE] [--special] [TEXT]
       tokenize decode [SOURCE] [IDS...]
       tokenize count  [SOURCE] [--special] [TEXT]
       tokenize convert [SOURCE] --to tokenizer-json|tiktoken|gpt2 --out PATH
       tokenize train --vocab-size N [--min-frequency K] [--special TOKEN]...
                      [--max-token-length N] [--threads N] --out DIR FILE...
       tokenize count-chunks [--threads N] --out COUNTS.tsv FILE...
       tokenize train-counts --vocab-size N [--min-frequency K] [--special TOKEN]...
                      [--max-token-length N] --out DIR COUNTS.tsv...

encode, decode, count: TEXT or IDS are read from standard input when not
given. SOURCE is one of
    --vocab FILE --merges FILE   GPT-2 style files (GPT-2's pattern)
    --tokenizer-json FILE        an HF tokenizer.json (any BPE model: byte-level
                                 or SentencePiece-style, with its pipeline)
    --encoding NAME              gpt2, r50k_base, p50k_base, cl100k_base,
                                 o200k_base (all but gpt2 need the cargo
                                 feature of that name, or all-encodings)
and defaults to GPT-2's embedded vocabulary. --special turns special-token
text such as <|endoftext|> into its id.
convert: writes the SOURCE tokenizer as a tokenizer.json file, a .tiktoken
rank file, or a directory with vocab.json and merges.txt (gpt2).
train: learns a byte-level BPE vocabulary from text files (one sequence per
line) and writes DIR/vocab.json and DIR/merges.txt.
count-chunks: counts the pretokenized chunks of text files (a corpus shard)
into a TSV file of `chunk<TAB>count` lines; train-counts learns from the sum
of such files, so counting can be spread over machines.";

/// What went wrong: bad usage (exit 2) or a failure (exit 1).
enum Failure {
    Usage(String),
    Error(String),
}

impl From<bytepair::Error> for Failure {
    fn from(e: bytepair::Error) -> Self {
        Failure::Error(e.to_string())
    }
}

fn usage<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Usage(message.into()))
}

#[derive(Default)]
struct Args {
    command: String,
    vocab: Option<String>,
    merges: Option<String>,
    tokenizer_json: Option<String>,
    encoding: Option<String>,
    convert_to: Option<String>,
    special: bool,
    special_tokens: Vec<String>,
    vocab_size: Option<usize>,
    min_frequency: u64,
    max_token_length: Option<usize>,
    threads: Option<usize>,
    out: Option<String>,
    rest: Vec<String>,
}

fn number<T: std::str::FromStr>(name: &str, value: String) -> Result<T, Failure> {
    value
        .parse()
        .or_else(|_| usage(format!("{name} needs a number, not {value:?}")))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, Failure> {
    let Some(command) = args.next() else {
        return usage("missing command");
    };
    let tokenizing = matches!(command.as_str(), "encode" | "decode" | "count" | "convert");
    let training = matches!(command.as_str(), "train" | "train-counts");
    if !tokenizing && !training && command != "count-chunks" {
        return usage(format!("unknown command {command:?}"));
    }
    let mut parsed = Args {
        command,
        ..Args::default()
    };
    let mut only_positional = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            _ if only_positional => parsed.rest.push(arg),
            "--" => only_positional = true,
            "-h" | "--help" => return usage(""),
            "--vocab" if tokenizing => parsed.vocab = Some(value("--vocab")?),
            "--merges" if tokenizing => parsed.merges = Some(value("--merges")?),
            "--tokenizer-json" if tokenizing => {
                parsed.tokenizer_json = Some(value("--tokenizer-json")?)
            }
            "--encoding" if tokenizing => parsed.encoding = Some(value("--encoding")?),
            "--special" if tokenizing && parsed.command != "decode" => parsed.special = true,
            "--special" if training => parsed.special_tokens.push(value("--special")?),
            "--vocab-size" if training => {
                parsed.vocab_size = Some(number("--vocab-size", value("--vocab-size")?)?)
            }
            "--min-frequency" if training => {
                parsed.min_frequency = number("--min-frequency", value("--min-frequency")?)?
            }
            "--max-token-length" if training => {
                let n = number("--max-token-length", value("--max-token-length")?)?;
                parsed.max_token_length = Some(n);
            }
            "--threads" if !tokenizing => {
                parsed.threads = Some(number("--threads", value("--threads")?)?)
            }
            "--out" if !tokenizing || parsed.command == "convert" => {
                parsed.out = Some(value("--out")?)
            }
            "--to" if parsed.command == "convert" => parsed.convert_to = Some(value("--to")?),
            _ if arg.starts_with("--") => return usage(format!("unknown option {arg:?}")),
            _ => parsed.rest.push(arg),
        }
    }
    if parsed.vocab.is_some() != parsed.merges.is_some() {
        return usage("--vocab and --merges go together");
    }
    let sources = usize::from(parsed.vocab.is_some())
        + usize::from(parsed.tokenizer_json.is_some())
        + usize::from(parsed.encoding.is_some());
    if sources > 1 {
        return usage("give one of --vocab/--merges, --tokenizer-json and --encoding");
    }
    if matches!(parsed.command.as_str(), "encode" | "count") && parsed.rest.len() > 1 {
        return usage("give the text as one argument (quote it)");
    }
    if parsed.command == "convert" {
        match parsed.convert_to.as_deref() {
            Some("tokenizer-json" | "tiktoken" | "gpt2") => {}
            Some(other) => {
                return usage(format!(
                    "--to {other:?}: use tokenizer-json, tiktoken or gpt2"
                ));
            }
            None => return usage("convert needs --to"),
        }
        if parsed.out.is_none() {
            return usage("convert needs --out");
        }
        if !parsed.rest.is_empty() {
            return usage("convert takes no text");
        }
    }
    if !tokenizing {
        if parsed.out.is_none() {
            return usage(format!("{} needs --out", parsed.command));
        }
        if parsed.rest.is_empty() {
            return usage(format!("{} needs input files", parsed.command));
        }
    }
    if training && parsed.vocab_size.is_none() {
        return usage(format!("{} needs --vocab-size", parsed.command));
    }
    Ok(parsed)
}

fn read_stdin() -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Error(format!("standard input: {e}")))?;
    Ok(text)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::Error(format!("standard output: {e}")))
}

/// The encodings `--encoding` knows, whether or not this build embeds them.
const ENCODINGS: [&str; 5] = [
    "gpt2",
    "r50k_base",
    "p50k_base",
    "cl100k_base",
    "o200k_base",
];

fn load_tokenizer(args: &Args) -> Result<Tokenizer, Failure> {
    if let (Some(vocab), Some(merges)) = (&args.vocab, &args.merges) {
        return Ok(Tokenizer::from_gpt2_files(vocab, merges)?);
    }
    if let Some(path) = &args.tokenizer_json {
        return Ok(Tokenizer::from_tokenizer_json_file(path)?);
    }
    match args.encoding.as_deref() {
        None => Ok(Tokenizer::gpt2()),
        Some(name) => match Tokenizer::by_name(name) {
            Some(tokenizer) => Ok(tokenizer),
            None if ENCODINGS.contains(&name) => Err(Failure::Error(format!(
                "{name} is not built in: build with `--features {name}` (or all-encodings)"
            ))),
            None => usage(format!(
                "unknown encoding {name:?} (known: {})",
                ENCODINGS.join(", ")
            )),
        },
    }
}

fn convert(args: Args) -> Result<(), Failure> {
    let tokenizer = load_tokenizer(&args)?;
    let out = args.out.clone().unwrap_or_default();
    match args.convert_to.as_deref() {
        Some("tokenizer-json") => tokenizer.save_tokenizer_json(&out)?,
        Some("tiktoken") => tokenizer.save_tiktoken(&out)?,
        _ => tokenizer.save_gpt2(&out)?,
    }
    eprintln!("wrote {out}: {} tokens", tokenizer.vocab_size());
    Ok(())
}

fn tokenize(args: Args) -> Result<(), Failure> {
    let tokenizer = load_tokenizer(&args)?;
    let text_arg = || match args.rest.first() {
        Some(text) => Ok(text.clone()),
        None => read_stdin(),
    };
    match args.command.as_str() {
        "encode" => {
            let text = text_arg()?;
            let ids = if args.special {
                tokenizer.encode_with_special_tokens(&text)
            } else {
                tokenizer.encode(&text)
            };
            let line: Vec<String> = ids.iter().map(u32::to_string).collect();
            write_stdout(format!("{}\n", line.join(" ")).as_bytes())
        }
        "count" => {
            let text = text_arg()?;
            let count = if args.special {
                tokenizer.encode_with_special_tokens(&text).len()
            } else {
                tokenizer.count(&text)
            };
            write_stdout(format!("{count}\n").as_bytes())
        }
        _ => {
            let from_stdin = args.rest.is_empty();
            let words = if from_stdin {
                read_stdin()?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()
            } else {
                args.rest.clone()
            };
            let ids = words
                .iter()
                .map(|w| {
                    w.parse::<u32>().map_err(|_| {
                        let message = format!("not a token id: {w:?}");
                        if from_stdin {
                            Failure::Error(message)
                        } else {
                            Failure::Usage(message)
                        }
                    })
                })
                .collect::<Result<Vec<u32>, Failure>>()?;
            write_stdout(&tokenizer.decode_bytes(&ids)?)
        }
    }
}

/// A progress line on standard error, rewritten at most a few times a second.
fn progress_reporter() -> impl Fn(Progress) + Send + Sync + 'static {
    let interactive = std::io::stderr().is_terminal();
    let last = std::sync::Mutex::new(None::<Instant>);
    move |progress| {
        let (line, last_report) = match progress {
            Progress::Counting { bytes, total } => {
                let mb = bytes as f64 / 1e6;
                let line = match total {
                    Some(total) => format!("counting: {mb:.1} / {:.1} MB", total as f64 / 1e6),
                    None => format!("counting: {mb:.1} MB"),
                };
                (line, total == Some(bytes))
            }
            Progress::Merging { done, total } => {
                (format!("merging: {done} / {total} merges"), done == total)
            }
            _ => return,
        };
        let Ok(mut last) = last.lock() else { return };
        let due = last.is_none_or(|t| t.elapsed() >= Duration::from_millis(250));
        if due || last_report {
            *last = Some(Instant::now());
            if interactive {
                eprint!("\r\x1b[K{line}");
            } else {
                eprintln!("{line}");
            }
        }
    }
}

fn train(args: Args) -> Result<(), Failure> {
    let out = args.out.clone().unwrap_or_default();
    let mut trainer = Trainer::new(args.vocab_size.unwrap_or(0))
        .min_frequency(args.min_frequency)
        .special_tokens(args.special_tokens.clone())
        .progress(progress_reporter());
    if let Some(n) = args.max_token_length {
        trainer = trainer.max_token_length(n);
    }
    if let Some(n) = args.threads {
        trainer = trainer.threads(n);
    }
    let tokenizer = if args.command == "train" {
        trainer.train_files(&args.rest)?
    } else {
        let mut counts = ChunkCounts::new();
        for path in &args.rest {
            counts.read_tsv_file(path)?;
        }
        trainer.train_from_counts(&counts)?
    };
    tokenizer.save_gpt2(&out)?;
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    eprintln!(
        "wrote {out}/vocab.json and {out}/merges.txt: {} tokens",
        tokenizer.vocab_size()
    );
    Ok(())
}

fn count_chunks(args: Args) -> Result<(), Failure> {
    let out = args.out.clone().unwrap_or_default();
    let mut trainer = Trainer::new(0).progress(progress_reporter());
    if let Some(n) = args.threads {
        trainer = trainer.threads(n);
    }
    let counts = trainer.count_files(&args.rest)?;
    let file = std::fs::File::create(&out).map_err(|e| Failure::Error(format!("{out}: {e}")))?;
    counts
        .write_tsv(std::io::BufWriter::new(file))
        .map_err(|e| Failure::Error(format!("{out}: {e}")))?;
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    eprintln!(
        "wrote {out}: {} distinct chunks, {} in all",
        counts.len(),
        counts.total()
    );
    Ok(())
}

fn main() -> ExitCode {
    let result =
        parse_args(std::env::args().skip(1)).and_then(|args| match args.command.as_str() {
            "train" | "train-counts" => train(args),
            "count-chunks" => count_chunks(args),
            "convert" => convert(args),
            _ => tokenize(args),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            if !message.is_empty() {
                eprintln!("tokenize: {message}");
            }
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Error(message)) => {
            eprintln!("tokenize: {message}");
            ExitCode::from(1)
        }
    }
}
