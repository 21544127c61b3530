//! A small command-line tokenizer over bytepair's public API.
//!
//! ```text
//! tokenize encode [--vocab FILE --merges FILE] [--special] [TEXT]
//! tokenize decode [--vocab FILE --merges FILE] [IDS...]
//! tokenize count  [--vocab FILE --merges FILE] [--special] [TEXT]
//! ```
//!
//! TEXT or IDS default to standard input. Without `--vocab`/`--merges` the
//! embedded GPT-2 tokenizer is used. Bad arguments exit with 2, errors with 1.

use std::io::{Read, Write};
use std::process::ExitCode;

use bytepair::Tokenizer;

const USAGE: &str = "\
usage: tokenize encode [--vocab FILE --merges FILE] [--special] [TEXT]
       tokenize decode [--vocab FILE --merges FILE] [IDS...]
       tokenize count  [--vocab FILE --merges FILE] [--special] [TEXT]

TEXT or IDS are read from standard input when not given.
Without --vocab and --merges, GPT-2's embedded vocabulary is used.
--special turns special-token text such as <|endoftext|> into its id.";

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

struct Args {
    command: String,
    vocab: Option<String>,
    merges: Option<String>,
    special: bool,
    rest: Vec<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, Failure> {
    let command = args
        .next()
        .ok_or_else(|| Failure::Usage("missing command".into()))?;
    if !matches!(command.as_str(), "encode" | "decode" | "count") {
        return Err(Failure::Usage(format!("unknown command {command:?}")));
    }
    let mut parsed = Args {
        command,
        vocab: None,
        merges: None,
        special: false,
        rest: Vec::new(),
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
            "--vocab" => parsed.vocab = Some(value("--vocab")?),
            "--merges" => parsed.merges = Some(value("--merges")?),
            "--special" if parsed.command != "decode" => parsed.special = true,
            "-h" | "--help" => return Err(Failure::Usage(String::new())),
            _ if arg.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option {arg:?}")));
            }
            _ => parsed.rest.push(arg),
        }
    }
    if parsed.vocab.is_some() != parsed.merges.is_some() {
        return Err(Failure::Usage(
            "--vocab and --merges go together".to_string(),
        ));
    }
    if parsed.command != "decode" && parsed.rest.len() > 1 {
        return Err(Failure::Usage(
            "give the text as one argument (quote it)".to_string(),
        ));
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

fn run(args: Args) -> Result<(), Failure> {
    let tokenizer = match (&args.vocab, &args.merges) {
        (Some(vocab), Some(merges)) => Tokenizer::from_files(vocab, merges)?,
        _ => Tokenizer::gpt2(),
    };
    let text_arg = || match args.rest.first() {
        Some(text) => Ok(text.clone()),
        None => read_stdin(),
    };
    let mut stdout = std::io::stdout().lock();
    let written = match args.command.as_str() {
        "encode" => {
            let text = text_arg()?;
            let ids = if args.special {
                tokenizer.encode_with_special_tokens(&text)
            } else {
                tokenizer.encode(&text)
            };
            let line: Vec<String> = ids.iter().map(u32::to_string).collect();
            writeln!(stdout, "{}", line.join(" "))
        }
        "count" => {
            let text = text_arg()?;
            let count = if args.special {
                tokenizer.encode_with_special_tokens(&text).len()
            } else {
                tokenizer.count(&text)
            };
            writeln!(stdout, "{count}")
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
            let bytes = tokenizer.decode_bytes(&ids)?;
            stdout.write_all(&bytes)
        }
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::Error(format!("standard output: {e}")))
}

fn main() -> ExitCode {
    let result = parse_args(std::env::args().skip(1)).and_then(run);
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
