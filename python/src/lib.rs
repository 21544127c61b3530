//! The native module of the `bytepair` Python package: bytepair's
//! [`Tokenizer`] and trainer behind PyO3. The Python layer
//! (`bytepair/__init__.py`) gives it tiktoken's and HF tokenizers' method
//! names; this module does the work with the GIL released.
//!
//! Errors become Python exceptions carrying the Rust error's message:
//! `OSError` for files, `KeyError` for ids a tokenizer does not have (as
//! tiktoken raises), `ValueError` for everything else. Nothing here panics
//! on user input; a panic would surface as PyO3's `PanicException`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytepair::{ChunkCounts, Error, Tokenizer, Trainer};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::{PyKeyError, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// The Python exception for a bytepair error.
fn exception(e: Error) -> PyErr {
    match e {
        Error::Io { .. } => PyOSError::new_err(e.to_string()),
        Error::UnknownId { id, .. } => {
            PyKeyError::new_err(format!("Invalid token for decoding: {id}"))
        }
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// Runs `work` on each text on all cores, results in order.
fn map_parallel<T: Send>(texts: &[String], work: impl Fn(&str) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || texts.len() < 2 {
        return texts.iter().map(|t| work(t)).collect();
    }
    // Blocks of texts handed out one at a time, so that threads that drew
    // short texts take more blocks.
    let block = texts.len().div_ceil(threads * 8).max(1);
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<T>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let start = next.fetch_add(block, Ordering::Relaxed);
                        if start >= texts.len() {
                            return mine;
                        }
                        let end = (start + block).min(texts.len());
                        let results = texts[start..end].iter().map(|t| work(t)).collect();
                        mine.push((start, results));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_by_key(|(start, _)| *start);
    done.into_iter().flat_map(|(_, results)| results).collect()
}

/// The special tokens among `allowed`, found in text leftmost-longest.
struct SpecialFinder {
    regex: Option<regex::Regex>,
}

impl SpecialFinder {
    fn new(tokens: &[String]) -> PyResult<SpecialFinder> {
        if tokens.is_empty() {
            return Ok(SpecialFinder { regex: None });
        }
        let mut sorted: Vec<&String> = tokens.iter().collect();
        // Longest first: the alternation then prefers the longest of the
        // tokens that start at one place.
        sorted.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let pattern: Vec<String> = sorted.iter().map(|t| regex::escape(t)).collect();
        let regex = regex::Regex::new(&pattern.join("|"))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(SpecialFinder { regex: Some(regex) })
    }

    fn first<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.regex.as_ref()?.find(text).map(|m| m.as_str())
    }
}

/// A tokenizer: one of OpenAI's encodings, a model's tokenizer.json, GPT-2
/// files or a rank file.
#[pyclass(frozen, module = "bytepair._bytepair")]
struct Core {
    tokenizer: Tokenizer,
    /// The finders of the sets of special tokens asked for lately, most
    /// recent first: compiling one per call would cost more than encoding
    /// a short text.
    finders: Mutex<Vec<(Vec<String>, Arc<SpecialFinder>)>>,
}

/// How many sets of special tokens a [`Core`] keeps compiled.
const FINDERS_KEPT: usize = 8;

impl Core {
    fn new(tokenizer: Tokenizer) -> Core {
        Core {
            tokenizer,
            finders: Mutex::new(Vec::new()),
        }
    }

    /// The finder of `tokens` (as the Python layer sends them: sorted),
    /// compiled once.
    fn finder(&self, tokens: Vec<String>) -> PyResult<Arc<SpecialFinder>> {
        // A poisoned lock only means a panic elsewhere: the list is intact.
        let mut finders = self.finders.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = finders.iter().position(|(t, _)| *t == tokens) {
            let found = finders.remove(at);
            let finder = found.1.clone();
            finders.insert(0, found);
            return Ok(finder);
        }
        let finder = Arc::new(SpecialFinder::new(&tokens)?);
        finders.insert(0, (tokens, finder.clone()));
        finders.truncate(FINDERS_KEPT);
        Ok(finder)
    }

    /// The ids of `text`, the special tokens of `allowed` recognized and any
    /// other special token's text encoded as text (tiktoken's `encode` once
    /// its check for disallowed tokens has passed).
    fn encode_allowing(&self, text: &str, allowed: &SpecialFinder) -> Vec<u32> {
        let Some(regex) = &allowed.regex else {
            return self.tokenizer.encode(text);
        };
        let mut ids = Vec::with_capacity(text.len() / 4);
        let mut start = 0;
        for m in regex.find_iter(text) {
            ids.extend(self.tokenizer.encode(&text[start..m.start()]));
            ids.extend(self.tokenizer.special_token_id(m.as_str()));
            start = m.end();
        }
        ids.extend(self.tokenizer.encode(&text[start..]));
        ids
    }
}

#[pymethods]
impl Core {
    /// An embedded encoding: gpt2, r50k_base, p50k_base, cl100k_base,
    /// o200k_base.
    #[staticmethod]
    fn encoding(name: &str) -> PyResult<Core> {
        let tokenizer = Tokenizer::by_name(name)
            .ok_or_else(|| PyValueError::new_err(format!("Unknown encoding {name}")))?;
        Ok(Core::new(tokenizer))
    }

    /// A model's tokenizer.json, with its whole pipeline.
    #[staticmethod]
    fn from_tokenizer_json_file(py: Python<'_>, path: PathBuf) -> PyResult<Core> {
        let tokenizer = py
            .detach(|| Tokenizer::from_tokenizer_json_file(&path))
            .map_err(exception)?;
        Ok(Core::new(tokenizer))
    }

    /// A tokenizer.json's contents.
    #[staticmethod]
    fn from_tokenizer_json(py: Python<'_>, json: String) -> PyResult<Core> {
        let tokenizer = py
            .detach(|| Tokenizer::from_tokenizer_json(json.as_bytes()))
            .map_err(exception)?;
        Ok(Core::new(tokenizer))
    }

    /// GPT-2 style vocab.json and merges.txt.
    #[staticmethod]
    fn from_gpt2_files(py: Python<'_>, vocab: PathBuf, merges: PathBuf) -> PyResult<Core> {
        let tokenizer = py
            .detach(|| Tokenizer::from_gpt2_files(&vocab, &merges))
            .map_err(exception)?;
        Ok(Core::new(tokenizer))
    }

    /// A tiktoken rank file with its pattern and special tokens.
    #[staticmethod]
    fn from_tiktoken_file(
        py: Python<'_>,
        path: PathBuf,
        pattern: String,
        special_tokens: Vec<(String, u32)>,
    ) -> PyResult<Core> {
        let specials: Vec<(&str, u32)> = special_tokens
            .iter()
            .map(|(t, id)| (t.as_str(), *id))
            .collect();
        let tokenizer = py
            .detach(|| Tokenizer::from_tiktoken_file(&path, &pattern, &specials))
            .map_err(exception)?;
        Ok(Core::new(tokenizer))
    }

    /// The pretokenization pattern.
    fn pattern(&self) -> String {
        self.tokenizer.pattern().to_string()
    }

    /// One more than the largest id.
    fn id_bound(&self) -> usize {
        self.tokenizer.id_bound()
    }

    /// The number of tokens.
    fn vocab_size(&self) -> usize {
        self.tokenizer.vocab_size()
    }

    /// The special tokens as (text, id), in id order.
    fn special_tokens(&self) -> Vec<(String, u32)> {
        let specials = self.tokenizer.special_tokens();
        specials.map(|(t, id)| (t.to_string(), id)).collect()
    }

    /// The id of a special token's text.
    fn special_token_id(&self, text: &str) -> Option<u32> {
        self.tokenizer.special_token_id(text)
    }

    /// The id of the ordinary token whose bytes are `token`'s.
    fn token_to_id(&self, token: &[u8]) -> Option<u32> {
        self.tokenizer.token_to_id(token)
    }

    /// The bytes of token `id`.
    fn id_to_token<'py>(&self, py: Python<'py>, id: u32) -> Option<Bound<'py, PyBytes>> {
        let bytes = self.tokenizer.id_to_token(id)?;
        Some(PyBytes::new(py, bytes))
    }

    /// Special-token text as text.
    fn encode_ordinary(&self, py: Python<'_>, text: String) -> Vec<u32> {
        py.detach(|| self.tokenizer.encode(&text))
    }

    /// The first of the `tokens` found in `text`, leftmost (longest where
    /// two start together).
    fn find_special(
        &self,
        py: Python<'_>,
        text: String,
        tokens: Vec<String>,
    ) -> PyResult<Option<String>> {
        let finder = self.finder(tokens)?;
        Ok(py.detach(|| finder.first(&text).map(str::to_string)))
    }

    /// The special tokens of `allowed` recognized, any other special
    /// token's text encoded as text.
    fn encode_allowing_special(
        &self,
        py: Python<'_>,
        text: String,
        allowed: Vec<String>,
    ) -> PyResult<Vec<u32>> {
        let finder = self.finder(allowed)?;
        Ok(py.detach(|| self.encode_allowing(&text, &finder)))
    }

    /// [`Core::encode_allowing_special`] as a numpy array of uint32.
    fn encode_to_numpy<'py>(
        &self,
        py: Python<'py>,
        text: String,
        allowed: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let finder = self.finder(allowed)?;
        let ids = py.detach(|| self.encode_allowing(&text, &finder));
        Ok(ids.into_pyarray(py))
    }

    /// Each text encoded on all cores, as `encode_allowing_special`.
    fn encode_batch(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        allowed: Vec<String>,
    ) -> PyResult<Vec<Vec<u32>>> {
        let finder = self.finder(allowed)?;
        Ok(py.detach(|| match finder.regex {
            None => self.tokenizer.encode_batch(&texts),
            Some(_) => map_parallel(&texts, |t| self.encode_allowing(t, &finder)),
        }))
    }

    /// The first special token of `tokens` in each text, or None, on all
    /// cores.
    fn find_special_batch(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        tokens: Vec<String>,
    ) -> PyResult<Option<String>> {
        let finder = self.finder(tokens)?;
        if finder.regex.is_none() {
            return Ok(None);
        }
        let found = py.detach(|| map_parallel(&texts, |t| finder.first(t).map(str::to_string)));
        Ok(found.into_iter().flatten().next())
    }

    /// The number of tokens `encode_allowing_special` gives.
    fn count(&self, py: Python<'_>, text: String, allowed: Vec<String>) -> PyResult<usize> {
        let finder = self.finder(allowed)?;
        Ok(py.detach(|| match finder.regex {
            None => self.tokenizer.count(&text),
            Some(_) => self.encode_allowing(&text, &finder).len(),
        }))
    }

    /// The exact bytes of `ids`.
    fn decode_bytes<'py>(&self, py: Python<'py>, ids: Vec<u32>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py
            .detach(|| self.tokenizer.decode_bytes(&ids))
            .map_err(exception)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The text of `ids` through the tokenizer's decoder (HF's `decode`),
    /// invalid UTF-8 as U+FFFD.
    #[pyo3(signature = (ids, skip_special_tokens = false))]
    fn decode(&self, py: Python<'_>, ids: Vec<u32>, skip_special_tokens: bool) -> PyResult<String> {
        py.detach(|| match skip_special_tokens {
            true => self.tokenizer.decode_without_special_tokens(&ids),
            false => self.tokenizer.decode_lossy(&ids),
        })
        .map_err(exception)
    }

    /// HF's `encode(text)`: the pipeline and the model's template.
    fn encode_for_model(&self, py: Python<'_>, text: String) -> Vec<u32> {
        py.detach(|| self.tokenizer.encode_for_model(&text))
    }

    /// HF's `encode(a, b)`.
    fn encode_pair_for_model(&self, py: Python<'_>, a: String, b: String) -> Vec<u32> {
        py.detach(|| self.tokenizer.encode_pair_for_model(&a, &b))
    }

    /// HF's `encode(text, add_special_tokens=False)`.
    fn encode_with_special_tokens(&self, py: Python<'_>, text: String) -> Vec<u32> {
        py.detach(|| self.tokenizer.encode_with_special_tokens(&text))
    }

    /// `encode_for_model` (or `encode_with_special_tokens` without the
    /// template) of each text, on all cores.
    fn encode_for_model_batch(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        template: bool,
    ) -> Vec<Vec<u32>> {
        py.detach(|| {
            map_parallel(&texts, |t| match template {
                true => self.tokenizer.encode_for_model(t),
                false => self.tokenizer.encode_with_special_tokens(t),
            })
        })
    }

    /// The number of tokens of `encode_for_model` (or of
    /// `encode_with_special_tokens` without the template).
    fn count_for_model(&self, py: Python<'_>, text: String, template: bool) -> usize {
        py.detach(|| match template {
            true => self.tokenizer.count_for_model(&text),
            false => self.tokenizer.count_with_special_tokens(&text),
        })
    }

    /// The tokenizer as a tokenizer.json.
    fn to_tokenizer_json(&self) -> PyResult<String> {
        self.tokenizer.to_tokenizer_json().map_err(exception)
    }

    /// Writes the tokenizer as a tokenizer.json file.
    fn save_tokenizer_json(&self, path: PathBuf) -> PyResult<()> {
        self.tokenizer.save_tokenizer_json(path).map_err(exception)
    }

    /// Writes vocab.json and merges.txt into `dir`.
    fn save_gpt2(&self, dir: PathBuf) -> PyResult<()> {
        self.tokenizer.save_gpt2(dir).map_err(exception)
    }
}

/// Pretokenized chunks and how often each occurs: what training learns
/// from, added up from any number of texts, files or machines.
#[pyclass(module = "bytepair._bytepair")]
struct Counts {
    counts: ChunkCounts,
}

#[pymethods]
impl Counts {
    #[new]
    fn new() -> Counts {
        Counts {
            counts: ChunkCounts::new(),
        }
    }

    /// Counts the chunks of each text (one sequence each), cut by
    /// `pattern` (GPT-2's when None), on all cores.
    #[pyo3(signature = (texts, pattern = None))]
    fn count_texts(
        &mut self,
        py: Python<'_>,
        texts: Vec<String>,
        pattern: Option<String>,
    ) -> PyResult<()> {
        let mut trainer = Trainer::new(0);
        if let Some(pattern) = &pattern {
            trainer = trainer.pattern(pattern).map_err(exception)?;
        }
        let counted = py.detach(|| trainer.count(&texts));
        self.counts.merge(&counted);
        Ok(())
    }

    /// Adds `count` occurrences of `chunk`.
    fn add(&mut self, chunk: &str, count: u64) {
        self.counts.add(chunk, count);
    }

    /// Adds the counts of another `Counts`.
    fn merge(&mut self, other: PyRef<'_, Counts>) {
        self.counts.merge(&other.counts);
    }

    /// The (chunk, count) pairs.
    fn items(&self) -> Vec<(String, u64)> {
        let items = self.counts.iter();
        items.map(|(c, n)| (c.to_string(), n)).collect()
    }

    /// Adds the counts of a TSV file (`chunk<TAB>count` lines, as
    /// `write_tsv` and the `bytepair count-chunks` command write them).
    fn read_tsv(&mut self, path: PathBuf) -> PyResult<()> {
        self.counts.read_tsv_file(path).map_err(exception)
    }

    /// Writes the counts as a TSV file.
    fn write_tsv(&self, path: PathBuf) -> PyResult<()> {
        let io = |e: std::io::Error| PyOSError::new_err(format!("{}: {e}", path.display()));
        let file = std::fs::File::create(&path).map_err(io)?;
        self.counts
            .write_tsv(std::io::BufWriter::new(file))
            .map_err(io)
    }

    /// The number of distinct chunks.
    fn __len__(&self) -> usize {
        self.counts.len()
    }

    /// The number of chunks counted, repeats included.
    fn total(&self) -> u64 {
        self.counts.total()
    }
}

/// Learns a byte-level BPE vocabulary from chunk counts, as HF's
/// `BpeTrainer` would from the texts counted.
#[pyfunction]
#[pyo3(signature = (counts, vocab_size, min_frequency = 0, special_tokens = Vec::new(), pattern = None, max_token_length = None))]
fn train_from_counts(
    py: Python<'_>,
    counts: PyRef<'_, Counts>,
    vocab_size: usize,
    min_frequency: u64,
    special_tokens: Vec<String>,
    pattern: Option<String>,
    max_token_length: Option<usize>,
) -> PyResult<Core> {
    let mut trainer = Trainer::new(vocab_size)
        .min_frequency(min_frequency)
        .special_tokens(special_tokens);
    if let Some(pattern) = &pattern {
        trainer = trainer.pattern(pattern).map_err(exception)?;
    }
    if let Some(n) = max_token_length {
        trainer = trainer.max_token_length(n);
    }
    let counts = &counts.counts;
    let tokenizer = py
        .detach(|| trainer.train_from_counts(counts))
        .map_err(exception)?;
    Ok(Core::new(tokenizer))
}

#[pymodule]
fn _bytepair(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Core>()?;
    m.add_class::<Counts>()?;
    m.add_function(wrap_pyfunction!(train_from_counts, m)?)?;
    m.add("GPT2_PATTERN", bytepair::GPT2_PATTERN)?;
    m.add("CL100K_PATTERN", bytepair::CL100K_PATTERN)?;
    m.add("O200K_PATTERN", bytepair::O200K_PATTERN)?;
    Ok(())
}
