//! The crate's threads: encoding many texts at once, or one long text cut
//! where cutting cannot change the result, and the trainer's counting.
//!
//! Both run on scoped threads started per call (`std::thread::scope`), the
//! calling thread among them, rather than on rayon's pool: measured A/B
//! with rayon (`benches/ab.sh`, DESIGN.md section 4), handing each part's
//! ids on in order while the workers go on made `encode_parallel` faster
//! on every corpus file, and `encode_batch` came out even.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::encode::Memo;
use crate::tokenizer::Tokenizer;

/// The smallest part a long text is cut into (see `cut_points`).
const MIN_PART_BYTES: usize = 16 << 10;

/// Texts shorter than this are not worth a thread.
const PARALLEL_MIN_BYTES: usize = 256 << 10;

/// The number of threads to use: the machine's cores.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `work(&mut state, i)` for every `i` in `0..jobs` on `threads`
/// threads (the calling thread and `threads - 1` others), each with its own
/// `state` (made by `state()`) and taking the next job when it is done with
/// one, and hands the results to `take` in job order, on the calling thread,
/// between its own jobs.
fn run_jobs<S, T: Send>(
    jobs: usize,
    threads: usize,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> T + Sync,
    mut take: impl FnMut(T),
) {
    let threads = threads.min(jobs).max(1);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let sender = sender.clone();
            let (next, state, work) = (&next, &state, &work);
            scope.spawn(move || {
                let mut state = state();
                loop {
                    let job = next.fetch_add(1, Ordering::Relaxed);
                    // A closed channel means the calling thread is gone.
                    if job >= jobs || sender.send((job, work(&mut state, job))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        // Results come in any order; each is handed on once all earlier
        // ones have been.
        let mut waiting: Vec<Option<T>> = (0..jobs).map(|_| None).collect();
        let mut first_missing = 0;
        let mut hand_on = |waiting: &mut Vec<Option<T>>| {
            while let Some(result) = waiting.get_mut(first_missing).and_then(Option::take) {
                take(result);
                first_missing += 1;
            }
        };
        let mut state = state();
        loop {
            let job = next.fetch_add(1, Ordering::Relaxed);
            if job >= jobs {
                break;
            }
            waiting[job] = Some(work(&mut state, job));
            for (job, result) in receiver.try_iter() {
                waiting[job] = Some(result);
            }
            hand_on(&mut waiting);
        }
        // The channel closes when every worker is done (or has panicked,
        // which the scope then passes on).
        for (job, result) in receiver {
            waiting[job] = Some(result);
            hand_on(&mut waiting);
        }
    });
}

/// Runs `work(&mut state, job)` for each job of `jobs` on `threads` threads,
/// each with its own `state` (made by `state()`), and returns the states.
/// The calling thread hands the jobs out, calling `handed(&job)` as it
/// does, a few jobs ahead of the workers, so that a job source that reads
/// files holds only a few jobs in memory at once.
pub(crate) fn fold_jobs<J: Send, S: Send>(
    jobs: impl Iterator<Item = J>,
    threads: usize,
    state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, J) + Sync,
    mut handed: impl FnMut(&J),
) -> Vec<S> {
    let threads = threads.max(1);
    let (sender, receiver) = mpsc::sync_channel::<J>(threads);
    let receiver = std::sync::Mutex::new(receiver);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut state = state();
                    loop {
                        // A poisoned lock means another worker panicked;
                        // stop taking work, the scope reports the panic.
                        let job = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => break,
                        };
                        let Ok(job) = job else { break };
                        work(&mut state, job);
                    }
                    state
                })
            })
            .collect();
        for job in jobs {
            handed(&job);
            if sender.send(job).is_err() {
                break;
            }
        }
        drop(sender);
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

impl Tokenizer {
    /// Encodes each text as [`Tokenizer::encode`] does, spreading the texts
    /// over all cores.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<u32>> {
        // Each thread keeps one chunk cache for all the texts it encodes.
        let mut all = Vec::with_capacity(texts.len());
        run_jobs(
            texts.len(),
            threads(),
            Memo::default,
            |memo, i| self.encode_with_memo(texts[i].as_ref(), memo),
            |ids| all.push(ids),
        );
        all
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
        let parts = cut_points(self, text, threads);
        // Each thread keeps one chunk cache for all its parts, so that the
        // cache warms up once per thread, not once per part.
        // This thread appends each part's ids while the workers encode the
        // next ones, rather than copying them all after the last one.
        let mut ids = Vec::new();
        run_jobs(
            parts.len() - 1,
            threads,
            Memo::default,
            |memo, i| self.encode_with_memo(&text[parts[i]..parts[i + 1]], memo),
            |part| {
                if ids.is_empty() {
                    // Room for the whole text at the first part's rate (and
                    // an eighth more), so that the buffer seldom moves.
                    let first_bytes = (parts[1] - parts[0]).max(1);
                    let estimate = part.len() * (text.len() / first_bytes + 1) * 9 / 8;
                    ids = part;
                    ids.reserve(estimate.saturating_sub(ids.len()));
                } else {
                    ids.extend_from_slice(&part);
                }
            },
        );
        ids
    }
}

/// Positions `0 = p0 < p1 < ... < pk = text.len()` that cut `text` without
/// changing its chunks, into parts that shrink as the text is used up: each
/// about a `2 * threads`-th of what is left, but at least
/// [`MIN_PART_BYTES`]. Large parts first keep the number of parts small;
/// small ones last let the threads finish together. With equal parts, a
/// thread that took the last one ran alone for up to a part's time: on the
/// 0.6 MB emoji file a tenth of the whole.
fn cut_points(tokenizer: &Tokenizer, text: &str, threads: usize) -> Vec<usize> {
    let mut cuts = vec![0];
    loop {
        let done = cuts[cuts.len() - 1];
        let step = ((text.len() - done) / (2 * threads.max(1))).max(MIN_PART_BYTES);
        if done + step >= text.len() {
            break;
        }
        match tokenizer.independent_cut(text, done + step) {
            Some(cut) if cut < text.len() => cuts.push(cut),
            _ => break,
        }
    }
    cuts.push(text.len());
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::XorShift;

    /// Cuts start at 0, end at the text's end, rise, fall where the chunks
    /// cannot change, and make parts that shrink towards the end but stay
    /// at least `MIN_PART_BYTES` (all but the last).
    #[test]
    fn parts_shrink_towards_the_end() {
        let tokenizer = Tokenizer::gpt2();
        let words = ["the", "of", "tokens", "pair", "é", "中文", "42", "!", "\n"];
        let mut rng = XorShift(3);
        let mut text = String::new();
        while text.len() < 3 << 20 {
            text.push_str(words[rng.below(words.len())]);
            text.push(' ');
        }
        for threads in 1..=4 {
            let cuts = cut_points(&tokenizer, &text, threads);
            assert_eq!((cuts[0], cuts[cuts.len() - 1]), (0, text.len()));
            assert!(
                cuts.len() > 2 * threads,
                "{threads}: {} parts",
                cuts.len() - 1
            );
            let sizes: Vec<usize> = cuts.windows(2).map(|w| w[1] - w[0]).collect();
            for (i, &cut) in cuts[1..cuts.len() - 1].iter().enumerate() {
                assert_eq!(tokenizer.independent_cut(&text, cut), Some(cut));
                assert!(sizes[i] >= MIN_PART_BYTES);
            }
            // Each part is about a 2 * threads-th of what was left; a cut
            // moves to the next place it may fall, a few bytes on here.
            for (i, &size) in sizes[..sizes.len() - 1].iter().enumerate() {
                let left = text.len() - cuts[i];
                let step = (left / (2 * threads)).max(MIN_PART_BYTES);
                assert!(
                    (step..step + 64).contains(&size),
                    "part {i}: {size} for {step}"
                );
            }
            assert!(sizes[0] > 4 * sizes[sizes.len() - 2], "{sizes:?}");
        }
    }
}
