//! `train`, `count-chunks` and `train-counts`.

use std::path::PathBuf;

use bytepair::{ChunkCounts, Progress, Trainer};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{Failure, Outcome, io_failure};

/// What the trainer learns.
#[derive(clap::Args)]
pub struct Settings {
    /// The vocabulary size, special tokens and the 256 byte tokens
    /// included.
    #[arg(long)]
    vocab_size: usize,
    /// Stop when the most frequent pair occurs fewer times than this.
    #[arg(long, default_value_t = 0)]
    min_frequency: u64,
    /// A special token (ids 0, 1, ... in the order given); repeatable.
    #[arg(long = "special", value_name = "TOKEN")]
    special_tokens: Vec<String>,
    /// Learn no token longer than this many bytes.
    #[arg(long, value_name = "BYTES")]
    max_token_length: Option<usize>,
    /// The pretokenization pattern: gpt2, cl100k_base, o200k_base, or a
    /// regex.
    #[arg(long, default_value = "gpt2")]
    pattern: String,
    /// The directory to write vocab.json and merges.txt into.
    #[arg(long)]
    out: PathBuf,
}

/// Options of `train`.
#[derive(clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    settings: Settings,
    /// Counting threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Text files, one training sequence per line.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Options of `train-counts`.
#[derive(clap::Args)]
pub struct TrainCountsArgs {
    #[command(flatten)]
    settings: Settings,
    /// Chunk-count files written by count-chunks.
    #[arg(required = true)]
    counts: Vec<PathBuf>,
}

/// Options of `count-chunks`.
#[derive(clap::Args)]
pub struct CountChunksArgs {
    /// The TSV file to write (`chunk<TAB>count` lines).
    #[arg(long)]
    out: PathBuf,
    /// Counting threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// The pretokenization pattern: gpt2, cl100k_base, o200k_base, or a
    /// regex.
    #[arg(long, default_value = "gpt2")]
    pattern: String,
    /// Text files, one sequence per line.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// The pattern a `--pattern` value names.
fn pattern(name: &str) -> &str {
    match name {
        "gpt2" | "r50k_base" | "p50k_base" => bytepair::GPT2_PATTERN,
        "cl100k_base" => bytepair::CL100K_PATTERN,
        "o200k_base" => bytepair::O200K_PATTERN,
        regex => regex,
    }
}

/// A progress bar on standard error (hidden when it is not a terminal),
/// fed by the trainer's reports.
fn progress_bar() -> (ProgressBar, impl Fn(Progress) + Send + Sync + 'static) {
    let bar = ProgressBar::new(0);
    let counting = ProgressStyle::with_template(
        "counting {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .expect("a valid template");
    let merging = ProgressStyle::with_template("merging  {bar:30} {pos}/{len} merges ({eta})")
        .expect("a valid template");
    let fed = bar.clone();
    let report = move |progress| match progress {
        Progress::Counting { bytes, total } => {
            if fed.length() != total {
                fed.set_style(counting.clone());
                fed.set_length(total.unwrap_or(0));
            }
            fed.set_position(bytes);
        }
        Progress::Merging { done, total } => {
            if fed.length() != Some(total as u64) {
                fed.set_style(merging.clone());
                fed.set_length(total as u64);
            }
            fed.set_position(done as u64);
        }
        _ => {}
    };
    (bar, report)
}

fn trainer(settings: &Settings, threads: Option<usize>) -> Result<(Trainer, ProgressBar), Failure> {
    let (bar, report) = progress_bar();
    let mut trainer = Trainer::new(settings.vocab_size)
        .min_frequency(settings.min_frequency)
        .special_tokens(settings.special_tokens.clone())
        .pattern(pattern(&settings.pattern))?
        .progress(report);
    if let Some(n) = settings.max_token_length {
        trainer = trainer.max_token_length(n);
    }
    if let Some(n) = threads {
        trainer = trainer.threads(n);
    }
    Ok((trainer, bar))
}

fn save(tokenizer: &bytepair::Tokenizer, out: &std::path::Path) -> Outcome {
    tokenizer.save_gpt2(out)?;
    eprintln!(
        "wrote {0}/vocab.json and {0}/merges.txt: {1} tokens",
        out.display(),
        tokenizer.vocab_size()
    );
    Ok(())
}

/// `bytepair train`.
pub fn train(args: &TrainArgs) -> Outcome {
    let (trainer, bar) = trainer(&args.settings, args.threads)?;
    let tokenizer = trainer.train_files(&args.files);
    bar.finish_and_clear();
    save(&tokenizer?, &args.settings.out)
}

/// `bytepair train-counts`.
pub fn train_counts(args: &TrainCountsArgs) -> Outcome {
    let (trainer, bar) = trainer(&args.settings, None)?;
    let mut counts = ChunkCounts::new();
    for path in &args.counts {
        counts.read_tsv_file(path)?;
    }
    let tokenizer = trainer.train_from_counts(&counts);
    bar.finish_and_clear();
    save(&tokenizer?, &args.settings.out)
}

/// `bytepair count-chunks`.
pub fn count_chunks(args: &CountChunksArgs) -> Outcome {
    let (bar, report) = progress_bar();
    let mut trainer = Trainer::new(0)
        .pattern(pattern(&args.pattern))?
        .progress(report);
    if let Some(n) = args.threads {
        trainer = trainer.threads(n);
    }
    let counts = trainer.count_files(&args.files);
    bar.finish_and_clear();
    let counts = counts?;
    let out = &args.out;
    let file = std::fs::File::create(out).map_err(|e| io_failure(out, e))?;
    counts
        .write_tsv(std::io::BufWriter::new(file))
        .map_err(|e| io_failure(out, e))?;
    eprintln!(
        "wrote {}: {} distinct chunks, {} in all",
        out.display(),
        counts.len(),
        counts.total()
    );
    Ok(())
}
