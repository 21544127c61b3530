//! Encoding on several threads: many texts at once, or one long text cut
//! where cutting cannot change the result.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::encode::Memo;
use crate::tokenizer::Tokenizer;

/// A long text is cut into about this many parts per thread, so that a slow
/// part does not hold up the others.
const PARTS_PER_THREAD: usize = 4;

/// Texts shorter than this are not worth a thread.
const PARALLEL_MIN_BYTES: usize = 256 << 10;

/// The number of threads to use: the machine's cores.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work(&mut state, i)` for every `i` in `0..jobs` on `threads`
/// threads, each with its own `state` (made by `state()`) and taking the next
/// job when it is done with one, and returns the results in job order.
fn run_jobs<S, T: Send>(
    jobs: usize,
    threads: usize,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
) -> Vec<T> {
    let threads = threads.min(jobs).max(1);
    if threads == 1 {
        let mut state = state();
        return (0..jobs).map(|job| work(&mut state, job)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut state = state();
                    let mut results = Vec::new();
                    loop {
                        let job = next.fetch_add(1, Ordering::Relaxed);
                        if job >= jobs {
                            return results;
                        }
                        results.push((job, work(&mut state, job)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_unstable_by_key(|&(job, _)| job);
    done.into_iter().map(|(_, result)| result).collect()
}

impl Tokenizer {
    /// Encodes each text as [`Tokenizer::encode`] does, spreading the texts
    /// over all cores.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<u32>> {
        // Each thread keeps one piece cache for all the texts it encodes.
        run_jobs(texts.len(), threads(), Memo::default, |memo, i| {
            let text = texts[i].as_ref();
            let mut ids = Vec::with_capacity(text.len() / 4 + 1);
            self.encode_ordinary_with(text, memo, &mut ids);
            ids
        })
    }

    /// Encodes one text on all cores: the same ids as
    /// [`Tokenizer::encode`], faster for long texts. The text is cut at
    /// places where cutting cannot change the result (a space or line end
    /// between two characters that are not whitespace); a text without such
    /// places, or a short one, is encoded on one thread.
    pub fn encode_parallel(&self, text: &str) -> Vec<u32> {
        let threads = threads();
        if threads == 1 || text.len() < PARALLEL_MIN_BYTES {
            return self.encode(text);
        }
        let parts = cut_points(self, text, threads * PARTS_PER_THREAD);
        // Each thread keeps one piece cache for all its parts, so that the
        // cache warms up once per thread, not once per part.
        let pieces = run_jobs(parts.len() - 1, threads, Memo::default, |memo, i| {
            let part = &text[parts[i]..parts[i + 1]];
            let mut ids = Vec::with_capacity(part.len() / 4 + 1);
            self.encode_ordinary_with(part, memo, &mut ids);
            ids
        });
        let mut ids = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
        for piece in pieces {
            ids.extend_from_slice(&piece);
        }
        ids
    }
}

/// Positions `0 = p0 < p1 < ... < pk = text.len()` that cut `text` into about
/// `parts` parts without changing its chunks.
fn cut_points(tokenizer: &Tokenizer, text: &str, parts: usize) -> Vec<usize> {
    let step = (text.len() / parts.max(1)).max(1);
    let mut cuts = vec![0];
    let mut target = step;
    while target < text.len() {
        let from = target.max(cuts[cuts.len() - 1] + 1);
        match tokenizer.independent_cut(text, from) {
            Some(cut) => cuts.push(cut),
            None => break,
        }
        target = cuts[cuts.len() - 1] + step;
    }
    cuts.push(text.len());
    cuts
}
