//! The encoders compared in the benchmarks, all on GPT-2's vocabulary
//! (r50k_base), and the inputs they are compared on.
//!
//! Each peer is loaded the way its documentation suggests, from the same
//! local files (nothing is downloaded), and checked to give bytepair's ids on
//! every input before it is timed: a benchmark of encoders that disagree
//! would compare different work.

use std::path::PathBuf;

use base64::Engine;

/// A peer's encode function behind one signature.
type EncodeFn = Box<dyn Fn(&str) -> Vec<u32>>;

/// One encoder under test.
pub struct Encoder {
    /// Short name for tables.
    pub name: &'static str,
    encode: EncodeFn,
    /// Forgets everything cached from earlier inputs, so that each timed run
    /// sees text the encoder has not encoded before.
    reset: Box<dyn Fn()>,
}

impl Encoder {
    /// Encodes `text`, special-token text as ordinary text.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        (self.encode)(text)
    }

    /// Clears the encoder's caches, if it has any.
    pub fn reset(&self) {
        (self.reset)()
    }
}

/// `../shared` next to the repository, or `$BYTEPAIR_SHARED`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("BYTEPAIR_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
}

fn repo_file(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

/// The corpus files, as (file name, text), sorted by name.
pub fn corpus() -> Vec<(String, String)> {
    let dir = shared_dir().join("data/corpus");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_string();
            let text = std::fs::read_to_string(&path).ok()?;
            (path.is_file()).then_some((name, text))
        })
        .collect();
    files.sort();
    files
}

const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

fn r50k_path() -> PathBuf {
    shared_dir().join("data/tiktoken/r50k_base.tiktoken")
}

/// bytepair with its embedded GPT-2 files.
pub fn bytepair() -> Encoder {
    let tokenizer = bytepair::Tokenizer::gpt2();
    Encoder {
        name: "bytepair",
        encode: Box::new(move |text| tokenizer.encode(text)),
        reset: Box::new(|| {}),
    }
}

/// tiktoken-rs, its bundled r50k_base.
pub fn tiktoken_rs() -> Encoder {
    let bpe = tiktoken_rs::r50k_base().expect("tiktoken-rs r50k_base");
    Encoder {
        name: "tiktoken-rs",
        encode: Box::new(move |text| bpe.encode_ordinary(text)),
        reset: Box::new(|| {}),
    }
}

/// splintr from the r50k_base rank file with GPT-2's pattern. It keeps an LRU
/// cache of pieces, cleared between runs.
pub fn splintr() -> Encoder {
    let ranks = std::fs::read(r50k_path()).expect("r50k_base.tiktoken");
    let mut specials = splintr::FxHashMap::default();
    specials.insert("<|endoftext|>".to_string(), 50256);
    let tokenizer = std::rc::Rc::new(
        splintr::Tokenizer::from_bytes(&ranks, GPT2_PATTERN, specials).expect("splintr r50k"),
    );
    let for_reset = tokenizer.clone();
    Encoder {
        name: "splintr",
        encode: Box::new(move |text| tokenizer.encode_ordinary(text)),
        reset: Box::new(move || for_reset.clear_cache()),
    }
}

/// wordchipper from the r50k_base rank file, single-threaded encoder.
pub fn wordchipper() -> Encoder {
    let vocab = wordchipper::pretrained::openai::OATokenizer::R50kBase
        .load_path::<u32>(r50k_path())
        .expect("wordchipper r50k");
    let encoder = wordchipper::TokenEncoderOptions::default().build(std::sync::Arc::new(vocab));
    Encoder {
        name: "wordchipper",
        encode: Box::new(move |text| encoder.try_encode(text, None).expect("wordchipper encode")),
        reset: Box::new(|| {}),
    }
}

/// HF tokenizers: a BPE model from GPT-2's vocab.json + merges.txt with the
/// ByteLevel pre-tokenizer (no prefix space). Its word cache is cleared
/// between runs.
pub fn hf_tokenizers() -> Encoder {
    use tokenizers::models::bpe::BPE;
    use tokenizers::pre_tokenizers::byte_level::ByteLevel;
    use tokenizers::{NormalizerWrapper, PostProcessorWrapper, TokenizerImpl};
    let bpe = BPE::from_file(
        &repo_file("data/gpt2/vocab.json"),
        &repo_file("data/gpt2/merges.txt"),
    )
    .build()
    .expect("HF BPE");
    let mut tokenizer: TokenizerImpl<
        BPE,
        NormalizerWrapper,
        ByteLevel,
        PostProcessorWrapper,
        ByteLevel,
    > = TokenizerImpl::new(bpe);
    tokenizer.with_pre_tokenizer(Some(ByteLevel::default().add_prefix_space(false)));
    let tokenizer = std::rc::Rc::new(tokenizer);
    let for_reset = tokenizer.clone();
    Encoder {
        name: "hf-tokenizers",
        encode: Box::new(move |text| {
            tokenizer
                .encode(text, false)
                .expect("HF encode")
                .get_ids()
                .to_vec()
        }),
        reset: Box::new(move || for_reset.get_model().clear_cache()),
    }
}

/// GitHub's bpe crate (rust-gems) with the r50k ranks, split by regex-automata
/// with GPT-2's pattern rewritten the way bpe-openai rewrites cl100k's: the
/// lookahead `\s+(?!\S)` becomes `\s+$` or `\s+\s` minus its last character.
pub fn bpe_rust_gems() -> Encoder {
    let ranks = std::fs::read_to_string(r50k_path()).expect("r50k_base.tiktoken");
    let factor = bpe::byte_pair_encoding::find_hash_factor_for_tiktoken(&ranks).expect("base64");
    let bpe = bpe::byte_pair_encoding::BytePairEncoding::from_tiktoken(&ranks, Some(factor))
        .expect("bpe r50k");
    let pat1 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+$";
    let tokenizer = bpe_openai::Tokenizer::new_lookahead(
        bpe,
        &[(pat1, false), (r"\s+\s", true), (r"\s+", false)],
        false,
    )
    .expect("bpe regex");
    Encoder {
        name: "bpe",
        encode: Box::new(move |text| tokenizer.encode(text)),
        reset: Box::new(|| {}),
    }
}

/// One encoder by name, without loading the others.
pub fn all_encoders_lazy(name: &str) -> Option<Encoder> {
    Some(match name {
        "bytepair" => bytepair(),
        "tiktoken-rs" => tiktoken_rs(),
        "splintr" => splintr(),
        "wordchipper" => wordchipper(),
        "hf-tokenizers" => hf_tokenizers(),
        "bpe" => bpe_rust_gems(),
        _ => return None,
    })
}

/// Every encoder, bytepair first.
pub fn all_encoders() -> Vec<Encoder> {
    vec![
        bytepair(),
        tiktoken_rs(),
        splintr(),
        wordchipper(),
        hf_tokenizers(),
        bpe_rust_gems(),
    ]
}

/// Whether `name` is in the comma-separated list in environment variable
/// `var` (everything is selected when the variable is unset).
pub fn selected(var: &str, name: &str) -> bool {
    match std::env::var(var) {
        Ok(list) => list.split(',').any(|item| item.trim() == name),
        Err(_) => true,
    }
}

/// A deterministic xorshift generator for the synthetic inputs.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick(&mut self, alphabet: &[char]) -> char {
        alphabet[(self.next() % alphabet.len() as u64) as usize]
    }
}

/// Text of about `bytes` bytes drawn from `alphabet`.
fn random_text(alphabet: &[char], bytes: usize, seed: u64) -> String {
    let mut rng = Xorshift(seed);
    let mut text = String::with_capacity(bytes + 4);
    while text.len() < bytes {
        text.push(rng.pick(alphabet));
    }
    text
}

/// The worst-case inputs as (name, about 100 kB, about 1 MB): runs without a
/// break, and the hardening issue's adversarial texts (one emoji, `'s`,
/// `\r\n`, combining marks, `<|endoftext|>` as ordinary text, each
/// repeated). Prose is the reference: the start of en_big.txt.
pub fn worst_case_inputs() -> Vec<(&'static str, String, String)> {
    let letters: Vec<char> = ('a'..='z').collect();
    let base64: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain(['+', '/'])
        .collect();
    let digits: Vec<char> = ('0'..='9').collect();
    let punctuation: Vec<char> = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~".chars().collect();
    let cjk: Vec<char> = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长".chars().collect();
    let prose =
        std::fs::read_to_string(shared_dir().join("data/corpus/en_big.txt")).expect("en_big.txt");
    let prose_prefix = |bytes: usize| {
        let mut end = bytes.min(prose.len());
        while !prose.is_char_boundary(end) {
            end += 1;
        }
        prose[..end].to_string()
    };
    let both = |make: &dyn Fn(usize) -> String| (make(100_000), make(1_000_000));
    let mut inputs = Vec::new();
    let mut add = |name, (small, large): (String, String)| inputs.push((name, small, large));
    add("prose", both(&prose_prefix));
    add("a-repeated", both(&|n| "a".repeat(n)));
    add("random-letters", both(&|n| random_text(&letters, n, 1)));
    add("random-base64", both(&|n| random_text(&base64, n, 2)));
    add("digits", both(&|n| random_text(&digits, n, 3)));
    add("punctuation", both(&|n| random_text(&punctuation, n, 4)));
    add("spaces", both(&|n| " ".repeat(n)));
    add("cjk", both(&|n| random_text(&cjk, n, 5)));
    // The hardening issue's adversarial texts.
    let repeat = |unit: &str, n: usize| unit.repeat(n.div_ceil(unit.len()));
    add("one-emoji", both(&|n| repeat("😀", n)));
    add("contractions", both(&|n| repeat("'s", n)));
    add("crlf", both(&|n| repeat("\r\n", n)));
    let marks: String = ('\u{300}'..='\u{36f}').collect();
    add(
        "combining-marks",
        both(&|n| format!("e{}", repeat(&marks, n))),
    );
    add("endoftext", both(&|n| repeat("<|endoftext|>", n)));
    inputs
}

/// CPU seconds this process has used (steadier than wall time on a shared
/// machine).
pub fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// The encoders that support one of OpenAI's encodings (`r50k_base`,
/// `cl100k_base`, `o200k_base`), by name, loaded as their documentation
/// suggests from local data, bytepair first (`BENCH_ENCODERS` selects).
pub fn encoders(encoding: &str) -> Vec<(&'static str, EncodeFn)> {
    encoders_where(encoding, |name| selected("BENCH_ENCODERS", name))
}

/// The one encoder called `name` for `encoding`, if it supports it (the
/// measurements of one encoder in a process of its own: loading, peak
/// memory, a first pass).
pub fn encoder(encoding: &str, name: &str) -> Option<EncodeFn> {
    let (_, encode) = encoders_where(encoding, |n| n == name).into_iter().next()?;
    Some(encode)
}

/// [`encoders`] of the names `want` accepts; only those are loaded.
fn encoders_where(encoding: &str, want: impl Fn(&str) -> bool) -> Vec<(&'static str, EncodeFn)> {
    let mut all: Vec<(&'static str, EncodeFn)> = Vec::new();
    let pattern = match encoding {
        "r50k_base" => bytepair::R50K_PATTERN,
        "cl100k_base" => bytepair::CL100K_PATTERN,
        _ => bytepair::O200K_PATTERN,
    };
    if want("bytepair") {
        let tokenizer = bytepair::Tokenizer::by_name(encoding).expect("an embedded encoding");
        all.push(("bytepair", Box::new(move |t| tokenizer.encode(t))));
    }
    if want("tiktoken-rs") {
        let tiktoken_rs = match encoding {
            "r50k_base" => tiktoken_rs::r50k_base(),
            "cl100k_base" => tiktoken_rs::cl100k_base(),
            _ => tiktoken_rs::o200k_base(),
        }
        .expect("tiktoken-rs");
        all.push((
            "tiktoken-rs",
            Box::new(move |t| tiktoken_rs.encode_ordinary(t)),
        ));
    }
    if want("tiktoken 4.x") {
        let tiktoken4 = tiktoken::get_encoding(encoding).expect("tiktoken 4.x");
        all.push(("tiktoken 4.x", Box::new(move |t| tiktoken4.encode(t))));
    }
    let ranks = || {
        let path = shared_dir().join(format!("data/tiktoken/{encoding}.tiktoken"));
        std::fs::read(&path).expect("the rank file")
    };
    if want("splintr") {
        // splintr's regex engine has no possessive quantifiers: its own
        // spelling of each pattern.
        let splintr_pattern = match encoding {
            "r50k_base" => splintr::GPT2_PATTERN,
            "cl100k_base" => splintr::CL100K_BASE_PATTERN,
            _ => splintr::O200K_BASE_PATTERN,
        };
        let splintr = splintr::Tokenizer::from_bytes(
            &ranks(),
            splintr_pattern,
            splintr::FxHashMap::default(),
        )
        .expect("splintr");
        all.push(("splintr", Box::new(move |t| splintr.encode_ordinary(t))));
    }
    if want("riptoken") {
        let ranks = ranks();
        let mut encoder: rustc_hash::FxHashMap<Vec<u8>, u32> = rustc_hash::FxHashMap::default();
        for line in std::str::from_utf8(&ranks).expect("ASCII").lines() {
            let (token, rank) = line.split_once(' ').expect("token rank");
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(token)
                .expect("base64");
            encoder.insert(bytes, rank.parse().expect("rank"));
        }
        let riptoken = riptoken::CoreBPE::new(encoder, rustc_hash::FxHashMap::default(), pattern)
            .expect("riptoken");
        all.push(("riptoken", Box::new(move |t| riptoken.encode_ordinary(t))));
    }
    if encoding != "r50k_base" && want("toktok") {
        let toktok = toktok::Tokenizer::builtin(encoding).expect("toktok");
        all.push(("toktok", Box::new(move |t| toktok.encode(t.as_bytes()))));
    }
    if encoding != "r50k_base" && want("bpe-openai") {
        let bpe = match encoding {
            "cl100k_base" => bpe_openai::cl100k_base(),
            _ => bpe_openai::o200k_base(),
        };
        all.push(("bpe-openai", Box::new(move |t| bpe.encode(t))));
    }
    if want("tokie") {
        // tokie reads a tokenizer.json; bytepair writes the encoding's
        // (HF gives tiktoken's ids with it).
        let json = std::env::temp_dir().join(format!("bytepair-bench-{encoding}.json"));
        bytepair::Tokenizer::by_name(encoding)
            .expect("an embedded encoding")
            .save_tokenizer_json(&json)
            .expect("tokenizer.json");
        match tokie::Tokenizer::from_json(&json) {
            Ok(tokie) => all.push(("tokie", Box::new(move |t| tokie.encode(t, false).ids))),
            Err(e) => eprintln!("tokie: {e}"),
        }
    }
    all
}

/// `text` in `n` segments cut after line ends.
pub fn segments(text: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..=n {
        let mut end = (text.len() * k / n).max(start);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        end = match text[end..].find('\n') {
            Some(i) if k < n => end + i + 1,
            _ if k < n => end,
            _ => text.len(),
        };
        out.push(&text[start..end]);
        start = end;
    }
    out
}
