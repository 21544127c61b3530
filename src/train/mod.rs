//! [`Trainer`]: learning a byte-level BPE vocabulary from text, with the same
//! result as HF tokenizers' `BpeTrainer`.

mod count;
mod merge;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

pub use count::ChunkCounts;

use crate::byte_level::BYTE_TO_CHAR;
use crate::encode::Model;
use crate::error::{Error, Result};
use crate::merges::Merges;
use crate::pretokenize::Pretokenizer;
use crate::tokenizer::Tokenizer;
use crate::vocab::{TokenList, Vocab};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// What a training run is doing, for [`Trainer::progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Reading and counting text.
    Counting {
        /// Bytes read so far.
        bytes: u64,
        /// All bytes to read, when known (files).
        total: Option<u64>,
    },
    /// Learning merges.
    Merging {
        /// Merges learned so far.
        done: usize,
        /// The most merges the vocabulary size allows.
        total: usize,
    },
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Learns ordered merge rules from text: byte-level BPE with GPT-2's
/// pretokenization (or another pattern, [`Trainer::pattern`]), the same
/// merges in the same order, and the same ids, as HF tokenizers'
/// `BpeTrainer` with `ByteLevel(add_prefix_space=False)` (with the pattern
/// as a `Split` before it) and the 256-byte initial alphabet.
///
/// Ids: the special tokens first (in the order given), then the 256 byte
/// tokens in GPT-2's order, then one id per new token. Each step merges the
/// adjacent pair with the highest count, weighted by how often each chunk
/// occurs, the smaller `(left id, right id)` on ties, replacing occurrences
/// left to right. Training stops when the vocabulary (special tokens
/// included) has `vocab_size` tokens, when no pair is left, or when the best
/// count is below `max(1, min_frequency)`.
///
/// ```
/// use bytepair::Trainer;
///
/// let corpus = ["the cat sat on the mat\n", "the dog sat on the log\n"];
/// let tokenizer = Trainer::new(256 + 8).special_tokens(["<|endoftext|>"]).train(corpus)?;
/// assert_eq!(tokenizer.vocab_size(), 264);
/// assert_eq!(tokenizer.encode(" the"), [tokenizer.token_to_id(" the").unwrap()]);
/// assert_eq!(tokenizer.encode_with_special_tokens("<|endoftext|>"), [0]);
/// # Ok::<(), bytepair::Error>(())
/// ```
#[derive(Clone)]
pub struct Trainer {
    vocab_size: usize,
    min_frequency: u64,
    special_tokens: Vec<String>,
    max_token_length: Option<usize>,
    threads: usize,
    progress: Option<ProgressFn>,
    pretokenizer: Pretokenizer,
    /// When `progress` was last called, in milliseconds since `started`.
    last_report: Arc<AtomicU64>,
    started: Instant,
}

/// The shortest time between two calls of the progress callback, apart
/// from the first and last report of each phase: often enough for a
/// progress bar, rare enough that reporting never costs time.
const REPORT_INTERVAL_MS: u64 = 50;

impl std::fmt::Debug for Trainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("vocab_size", &self.vocab_size)
            .field("min_frequency", &self.min_frequency)
            .field("special_tokens", &self.special_tokens)
            .field("max_token_length", &self.max_token_length)
            .field("threads", &self.threads)
            .field("pattern", &self.pretokenizer.pattern())
            .finish_non_exhaustive()
    }
}

/// Files are read and counted in blocks of about this many bytes (cut after
/// a line end), one block per thread at a time.
const BLOCK: usize = 4 << 20;

impl Trainer {
    /// A trainer for a vocabulary of `vocab_size` tokens, counting the 256
    /// byte tokens and the special tokens. Defaults: `min_frequency` 0, no
    /// special tokens, no length limit, one counting thread per core.
    pub fn new(vocab_size: usize) -> Trainer {
        Trainer {
            vocab_size,
            min_frequency: 0,
            special_tokens: Vec::new(),
            max_token_length: None,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            progress: None,
            pretokenizer: Pretokenizer::Gpt2,
            last_report: Arc::new(AtomicU64::new(0)),
            started: Instant::now(),
        }
    }

    /// Pretokenizes with `pattern` instead of GPT-2's: merges never cross
    /// the chunks it cuts, and the trained tokenizer encodes with it.
    /// OpenAI's patterns ([`crate::CL100K_PATTERN`],
    /// [`crate::O200K_PATTERN`], ...) run on bytepair's scanners; any other
    /// on fancy-regex, as [`Tokenizer::with_pattern`].
    ///
    /// ```
    /// use bytepair::{CL100K_PATTERN, Trainer};
    /// // cl100k's pattern keeps digits in groups of at most three.
    /// let tokenizer = Trainer::new(300).pattern(CL100K_PATTERN)?.train(["12345 12345\n"])?;
    /// assert_eq!(tokenizer.split("12345").collect::<Vec<_>>(), ["123", "45"]);
    /// # Ok::<(), bytepair::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Pattern`] if the pattern does not compile.
    pub fn pattern(mut self, pattern: &str) -> Result<Trainer> {
        self.pretokenizer = Pretokenizer::from_pattern(pattern)?;
        Ok(self)
    }

    /// Stops when the most frequent pair occurs fewer than `min_frequency`
    /// times.
    pub fn min_frequency(mut self, min_frequency: u64) -> Trainer {
        self.min_frequency = min_frequency;
        self
    }

    /// Special tokens, given ids 0, 1, ... in this order. They are never
    /// merged; `encode_with_special_tokens` of the trained tokenizer
    /// recognises them. Their text in the training corpus is counted as
    /// ordinary text, as HF does.
    pub fn special_tokens<I, S>(mut self, tokens: I) -> Trainer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.special_tokens = tokens.into_iter().map(Into::into).collect();
        self
    }

    /// Learns no token longer than `bytes` bytes.
    ///
    /// HF's `max_token_length` differs in two ways, so results match HF only
    /// without a limit: HF lets the very first merges of two bytes through
    /// whatever the limit, and otherwise keeps tokens strictly shorter than
    /// the limit, decrementing counts it never incremented.
    pub fn max_token_length(mut self, bytes: usize) -> Trainer {
        self.max_token_length = Some(bytes);
        self
    }

    /// Counts with `threads` threads (at least 1). The result does not
    /// depend on it.
    pub fn threads(mut self, threads: usize) -> Trainer {
        self.threads = threads.max(1);
        self
    }

    /// Calls `report` as training proceeds, at most every 50 ms (plus the
    /// first and the last report of counting and of merging), so that a
    /// progress bar costs nothing however many merges there are.
    pub fn progress(mut self, report: impl Fn(Progress) + Send + Sync + 'static) -> Trainer {
        self.progress = Some(Arc::new(report));
        self
    }

    fn report(&self, progress: Progress) {
        if let Some(report) = &self.progress {
            let edge = match progress {
                Progress::Counting { bytes, total } => bytes == 0 || Some(bytes) == total,
                Progress::Merging { done, total } => done <= 1 || done == total,
            };
            let now = self.started.elapsed().as_millis() as u64;
            let last = self.last_report.load(Ordering::Relaxed);
            if !edge && now < last + REPORT_INTERVAL_MS {
                return;
            }
            // One of several threads reporting at once wins; the others
            // skip this report.
            let won = self
                .last_report
                .compare_exchange(last, now.max(last), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok();
            if won || edge {
                report(progress);
            }
        }
    }

    /// Learns from `texts`, each item one sequence: pretokenization never
    /// crosses from one item to the next. (Files are read a line at a time,
    /// each line with its ending, by [`Trainer::train_files`].)
    ///
    /// # Errors
    /// [`Error::TrainerSettings`] for settings that cannot work (see
    /// [`Trainer::train_from_counts`]).
    pub fn train<I, S>(&self, texts: I) -> Result<Tokenizer>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.check_settings()?;
        let counts = self.count(texts);
        self.train_from_counts(&counts)
    }

    /// Learns from text files, each line (with its line ending) one sequence.
    ///
    /// # Errors
    /// [`Error::Io`] for a file that cannot be read, [`Error::InvalidUtf8`] with
    /// the path, line and byte offset for one that is not UTF-8, and
    /// [`Error::TrainerSettings`] for settings that cannot work.
    pub fn train_files<P: AsRef<Path>>(
        &self,
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Tokenizer> {
        self.check_settings()?;
        let counts = self.count_files(paths)?;
        self.train_from_counts(&counts)
    }

    /// Counts the chunks of `texts` (each item one sequence) without
    /// training: for counting a shard of a corpus.
    pub fn count<I, S>(&self, texts: I) -> ChunkCounts
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let pretokenizer = &self.pretokenizer;
        if self.threads == 1 {
            let mut counts = ChunkCounts::new();
            let mut bytes = 0u64;
            for text in texts {
                let text = text.as_ref();
                counts.count_sequence(pretokenizer, text);
                bytes += text.len() as u64;
                if bytes % (BLOCK as u64) < text.len() as u64 {
                    self.report(Progress::Counting { bytes, total: None });
                }
            }
            self.report(Progress::Counting { bytes, total: None });
            return counts;
        }
        // Batch the items so that workers get sizeable chunks of work.
        let mut batches = texts.into_iter().map(|t| t.as_ref().to_string()).peekable();
        let batches = std::iter::from_fn(move || {
            let mut batch = Vec::new();
            let mut size = 0;
            while size < BLOCK {
                let Some(text) = batches.next() else { break };
                size += text.len();
                batch.push(text);
            }
            (!batch.is_empty()).then_some((size as u64, batch))
        });
        let results = self.count_in_parallel(batches, |counts, batch: Vec<String>| {
            for text in &batch {
                counts.count_sequence(pretokenizer, text);
            }
            Ok(())
        });
        // Counting strings cannot fail.
        results.unwrap_or_default()
    }

    /// Counts the chunks of text files (each line one sequence) without
    /// training: for counting a shard of a corpus.
    ///
    /// # Errors
    /// As [`Trainer::train_files`].
    pub fn count_files<P: AsRef<Path>>(
        &self,
        paths: impl IntoIterator<Item = P>,
    ) -> Result<ChunkCounts> {
        let paths: Vec<std::path::PathBuf> = paths
            .into_iter()
            .map(|p| p.as_ref().to_path_buf())
            .collect();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::io(path, source)
        };
        let mut total = 0;
        for path in &paths {
            total += std::fs::metadata(path).map_err(io(path))?.len();
        }
        let pretokenizer = &self.pretokenizer;
        let mut read_error = None;
        let blocks = FileBlocks::new(&paths, &mut read_error);
        let counted = self.count_in_parallel_with_total(blocks, Some(total), |counts, block| {
            let text = std::str::from_utf8(&block.bytes).map_err(|e| {
                let valid = &block.bytes[..e.valid_up_to()];
                let line = block.first_line + valid.iter().filter(|&&b| b == b'\n').count();
                let input = format!("{}:{line}", block.path.display());
                Error::invalid_utf8(input, &block.bytes, e, block.offset as usize)
            })?;
            counts.count_lines(pretokenizer, text);
            Ok(())
        });
        if let Some((path, source)) = read_error {
            return Err(Error::io(path, source));
        }
        counted
    }

    /// Runs `work` over `jobs` (each with its size in bytes) on the
    /// configured number of threads, each thread counting into its own
    /// [`ChunkCounts`], and adds the counts up.
    fn count_in_parallel<J: Send>(
        &self,
        jobs: impl Iterator<Item = (u64, J)>,
        work: impl Fn(&mut ChunkCounts, J) -> Result<()> + Sync,
    ) -> Result<ChunkCounts> {
        self.count_in_parallel_with_total(jobs, None, work)
    }

    fn count_in_parallel_with_total<J: Send>(
        &self,
        jobs: impl Iterator<Item = (u64, J)>,
        total: Option<u64>,
        work: impl Fn(&mut ChunkCounts, J) -> Result<()> + Sync,
    ) -> Result<ChunkCounts> {
        // Each thread: its counts, and the first job it failed on and why
        // (it skips the jobs after that).
        let mut bytes = 0;
        let results = crate::parallel::fold_jobs(
            jobs.enumerate(),
            self.threads,
            || (ChunkCounts::new(), None),
            |(counts, failure): &mut (ChunkCounts, Option<(usize, Error)>), (index, (_, job))| {
                if failure.is_none() {
                    if let Err(e) = work(counts, job) {
                        *failure = Some((index, e));
                    }
                }
            },
            |(_, (size, _))| {
                bytes += size;
                self.report(Progress::Counting { bytes, total });
            },
        );
        let mut total_counts = ChunkCounts::new();
        let mut first_error: Option<(usize, Error)> = None;
        for (counts, failure) in results {
            match failure {
                // Report the failure that comes first in the input.
                Some((index, e)) => {
                    if first_error.as_ref().is_none_or(|(first, _)| index < *first) {
                        first_error = Some((index, e));
                    }
                }
                None if total_counts.is_empty() => total_counts = counts,
                None => total_counts.merge(&counts),
            }
        }
        match first_error {
            Some((_, e)) => Err(e),
            None => Ok(total_counts),
        }
    }

    /// Learns from chunk counts (as [`Trainer::count`],
    /// [`Trainer::count_files`] or [`ChunkCounts::read_tsv`] produce them,
    /// or added up from shards counted anywhere).
    ///
    /// # Errors
    /// [`Error::TrainerSettings`] when `vocab_size` is smaller than 256 plus
    /// the number of special tokens, or a special token is empty, repeated,
    /// or one of the 256 byte tokens' one-character spellings (GPT-2's
    /// byte-level alphabet, such as `Ġ`), which would give two tokens one id.
    pub fn train_from_counts(&self, counts: &ChunkCounts) -> Result<Tokenizer> {
        self.check_settings()?;
        let specials = self.special_tokens.len() as u32;
        // Byte tokens take the ids after the special tokens, in the order of
        // their characters' code points (GPT-2's order).
        let mut bytes: Vec<u8> = (0..=255).collect();
        bytes.sort_by_key(|&b| BYTE_TO_CHAR[b as usize]);
        let mut byte_ids = [0u32; 256];
        for (rank, &b) in bytes.iter().enumerate() {
            byte_ids[b as usize] = specials + rank as u32;
        }
        // HF gives a learned token whose byte-level spelling equals a special
        // token's text the special token's id.
        let special_spellings = self
            .special_tokens
            .iter()
            .enumerate()
            .filter_map(|(id, text)| {
                let mut bytes = Vec::new();
                crate::byte_level::decode_into(text.as_bytes(), &mut bytes)
                    .then_some((bytes, id as u32))
            })
            .collect();
        let settings = merge::MergeSettings {
            vocab_size: self.vocab_size,
            initial_ids: specials + 256,
            byte_ids,
            special_spellings,
            min_frequency: self.min_frequency,
            max_token_length: self.max_token_length.unwrap_or(usize::MAX),
        };
        let chunks = counts.iter().map(|(text, count)| (text.as_bytes(), count));
        let chunks: Vec<(&[u8], u64)> = chunks.collect();
        let learned = merge::learn(chunks.into_iter(), &settings, |done, total| {
            self.report(Progress::Merging { done, total })
        });

        let mut list = TokenList::default();
        for (id, text) in self.special_tokens.iter().enumerate() {
            list.push_special(text, id as u32);
        }
        for b in 0..=255u8 {
            list.push_ordinary(&[b], byte_ids[b as usize]);
        }
        for (i, token) in learned.tokens.iter().enumerate() {
            list.push_ordinary(token, settings.initial_ids + i as u32);
        }
        for (bytes, id) in &learned.special_tokens_learned {
            list.push_ordinary(bytes, *id);
        }
        let vocab = Vocab::new(list).map_err(|_| {
            // Only a special token whose text spells other bytes than its own
            // in the byte-level alphabet can collide with a learned token.
            let (bytes, id) = &learned.special_tokens_learned[0];
            Error::TrainerSettings {
                message: format!(
                    "special token {:?} is also learned as the token {:?} (HF gives both id {id}); \
                     use a special token that is not spelled in GPT-2's byte-level alphabet",
                    self.special_tokens[*id as usize],
                    String::from_utf8_lossy(bytes)
                ),
            }
        })?;
        // A pair learned twice (possible only when a merge rebuilds an
        // existing token) keeps its last rank, as HF saves it.
        let mut last_rank = std::collections::HashMap::new();
        for (rank, &(left, right, _)) in learned.merges.iter().enumerate() {
            last_rank.insert((left, right), rank);
        }
        let mut merges = Merges::with_capacity(learned.merges.len());
        for (rank, &(left, right, merged)) in learned.merges.iter().enumerate() {
            if last_rank[&(left, right)] == rank {
                // Unique by construction of `last_rank`.
                let _ = merges.push(left, right, merged);
            }
        }
        Tokenizer::from_model(Model::new(vocab, merges), self.pretokenizer.clone())
    }

    fn check_settings(&self) -> Result<()> {
        let fail = |message: String| Err(Error::TrainerSettings { message });
        let mut seen = std::collections::HashSet::new();
        for token in &self.special_tokens {
            if token.is_empty() {
                return fail("a special token is empty".to_string());
            }
            if !seen.insert(token.as_str()) {
                return fail(format!("special token {token:?} is given twice"));
            }
            let mut chars = token.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if BYTE_TO_CHAR.contains(&c) {
                    return fail(format!(
                        "special token {token:?} is the byte-level spelling of a byte token"
                    ));
                }
            }
        }
        let minimum = 256 + self.special_tokens.len();
        if self.vocab_size < minimum {
            return fail(format!(
                "vocab_size {} is smaller than the 256 byte tokens plus {} special tokens",
                self.vocab_size,
                self.special_tokens.len()
            ));
        }
        Ok(())
    }
}

/// A block of a file: whole lines, with where they start.
struct Block {
    path: std::path::PathBuf,
    bytes: Vec<u8>,
    /// Byte offset of the block in its file.
    offset: u64,
    /// 1-based number of the block's first line.
    first_line: usize,
}

/// Reads files as blocks of about [`BLOCK`] bytes that end after a `\n` (or
/// at the end of the file), so that no line is split.
struct FileBlocks<'a> {
    paths: std::slice::Iter<'a, std::path::PathBuf>,
    current: Option<(std::path::PathBuf, std::fs::File)>,
    /// Bytes read past the last line end of the previous block.
    carry: Vec<u8>,
    offset: u64,
    line: usize,
    error: &'a mut Option<(std::path::PathBuf, std::io::Error)>,
}

impl<'a> FileBlocks<'a> {
    fn new(
        paths: &'a [std::path::PathBuf],
        error: &'a mut Option<(std::path::PathBuf, std::io::Error)>,
    ) -> FileBlocks<'a> {
        FileBlocks {
            paths: paths.iter(),
            current: None,
            carry: Vec::new(),
            offset: 0,
            line: 1,
            error,
        }
    }
}

impl Iterator for FileBlocks<'_> {
    type Item = (u64, Block);

    fn next(&mut self) -> Option<(u64, Block)> {
        loop {
            if self.current.is_none() {
                let path = self.paths.next()?.clone();
                match std::fs::File::open(&path) {
                    Ok(file) => self.current = Some((path, file)),
                    Err(e) => {
                        *self.error = Some((path, e));
                        return None;
                    }
                }
                self.offset = 0;
                self.line = 1;
            }
            let (path, file) = self.current.as_mut()?;
            let mut bytes = std::mem::take(&mut self.carry);
            let mut at_end = false;
            // Read until the block holds a line end past BLOCK bytes, or the file ends.
            let mut has_line_end = bytes.contains(&b'\n');
            loop {
                let start = bytes.len();
                bytes.resize(start.max(BLOCK) + BLOCK / 4, 0);
                match file.read(&mut bytes[start..]) {
                    Ok(0) => {
                        bytes.truncate(start);
                        at_end = true;
                        break;
                    }
                    Ok(n) => {
                        bytes.truncate(start + n);
                        has_line_end |= bytes[start..].contains(&b'\n');
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => bytes.truncate(start),
                    Err(e) => {
                        *self.error = Some((path.clone(), e));
                        return None;
                    }
                }
                if bytes.len() >= BLOCK && has_line_end {
                    break;
                }
            }
            if !at_end {
                // Keep the partial last line for the next block.
                let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                self.carry = bytes.split_off(cut);
            }
            let path_buf = path.clone();
            if at_end {
                self.current = None;
            }
            if bytes.is_empty() {
                continue;
            }
            let block = Block {
                path: path_buf,
                offset: self.offset,
                first_line: self.line,
                bytes,
            };
            self.offset += block.bytes.len() as u64;
            self.line += block.bytes.iter().filter(|&&b| b == b'\n').count();
            return Some((block.bytes.len() as u64, block));
        }
    }
}
