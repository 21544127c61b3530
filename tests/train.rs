//! The trainer: identical to HF tokenizers' BpeTrainer on the committed
//! fixtures (scripts/make_train_fixtures.py), identical to a naive
//! recount-everything trainer on generated corpora, and its output usable.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytepair::{ChunkCounts, Error, Progress, Tokenizer, Trainer};
use common::{Rng, fixture_path};

#[derive(serde::Deserialize)]
struct Case {
    corpus: String,
    vocab_size: usize,
    min_frequency: u64,
    special_tokens: Vec<String>,
    /// The encoding whose pattern cuts the text; GPT-2's when absent.
    #[serde(default)]
    pattern: Option<String>,
}

fn cases() -> Vec<(String, Case)> {
    let text = std::fs::read_to_string(fixture_path("train/cases.json")).unwrap();
    let cases: HashMap<String, Case> = serde_json::from_str(&text).unwrap();
    let mut cases: Vec<(String, Case)> = cases.into_iter().collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bytepair-train-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn trainer(case: &Case) -> Trainer {
    let pattern = match case.pattern.as_deref() {
        None => bytepair::GPT2_PATTERN,
        Some("cl100k_base") => bytepair::CL100K_PATTERN,
        Some("o200k_base") => bytepair::O200K_PATTERN,
        Some(other) => panic!("unknown pattern {other}"),
    };
    Trainer::new(case.vocab_size)
        .min_frequency(case.min_frequency)
        .special_tokens(case.special_tokens.clone())
        .pattern(pattern)
        .unwrap()
}

/// Saves `tokenizer` and compares both files with HF's, byte for byte.
fn assert_same_files(tokenizer: &Tokenizer, expected_dir: &Path, label: &str) {
    let dir = temp_dir(label);
    tokenizer.save_gpt2(&dir).unwrap();
    for file in ["merges.txt", "vocab.json"] {
        let ours = std::fs::read_to_string(dir.join(file)).unwrap();
        let theirs = std::fs::read_to_string(expected_dir.join(file)).unwrap();
        if ours != theirs {
            let line = ours
                .lines()
                .zip(theirs.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(ours.lines().count().min(theirs.lines().count()));
            panic!(
                "{label}: {file} differs from HF's at line {} (ours {:?}, HF {:?})",
                line + 1,
                ours.lines().nth(line),
                theirs.lines().nth(line)
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_match_hf_on_every_fixture_case() {
    let cases = cases();
    assert_eq!(cases.len(), 10);
    for (name, case) in &cases {
        let corpus = fixture_path(&format!("train/{}", case.corpus));
        for threads in [1, 2] {
            let tokenizer = trainer(case)
                .threads(threads)
                .train_files([&corpus])
                .unwrap();
            let expected = fixture_path(&format!("train/{name}"));
            assert_same_files(&tokenizer, &expected, &format!("{name}-t{threads}"));
        }
    }
}

#[test]
fn every_entry_point_learns_the_same() {
    let (_, case) = cases()
        .into_iter()
        .find(|(n, _)| n == "v1500_specials")
        .unwrap();
    let corpus_path = fixture_path("train/corpus.txt");
    let corpus = std::fs::read_to_string(&corpus_path).unwrap();
    let expected = fixture_path("train/v1500_specials");

    // Lines as an iterator, one or two threads.
    for threads in [1, 2] {
        let tokenizer = trainer(&case)
            .threads(threads)
            .train(corpus.split_inclusive('\n'))
            .unwrap();
        assert_same_files(&tokenizer, &expected, &format!("iter-t{threads}"));
    }

    // Counts, written as TSV in two shards, read back and added up.
    let middle = corpus.as_bytes()[corpus.len() / 2..]
        .iter()
        .position(|&b| b == b'\n')
        .unwrap();
    let (first, second) = corpus.split_at(corpus.len() / 2 + middle + 1);
    let mut tsv = Vec::new();
    for shard in [first, second] {
        let counts = Trainer::new(0).count(shard.split_inclusive('\n'));
        let mut text = Vec::new();
        counts.write_tsv(&mut text).unwrap();
        tsv.push(text);
    }
    let mut counts = ChunkCounts::new();
    for text in &tsv {
        counts.read_tsv(&text[..], "shard.tsv").unwrap();
    }
    assert_eq!(
        counts.total(),
        Trainer::new(0).count_files([&corpus_path]).unwrap().total()
    );
    let tokenizer = trainer(&case).train_from_counts(&counts).unwrap();
    assert_same_files(&tokenizer, &expected, "counts");
}

#[test]
fn trained_tokenizer_round_trips_through_its_files() {
    let corpus = fixture_path("train/corpus.txt");
    let tokenizer = Trainer::new(3000)
        .special_tokens(["<|endoftext|>"])
        .train_files([&corpus])
        .unwrap();
    let dir = temp_dir("roundtrip");
    tokenizer.save_gpt2(&dir).unwrap();
    let loaded =
        Tokenizer::from_gpt2_files(dir.join("vocab.json"), dir.join("merges.txt")).unwrap();
    let text = std::fs::read_to_string(&corpus).unwrap();
    let ids = tokenizer.encode(&text);
    assert_eq!(loaded.encode(&text), ids);
    assert_eq!(loaded.decode(&ids).unwrap(), text);
    assert_eq!(
        loaded.special_tokens().collect::<Vec<_>>(),
        [("<|endoftext|>", 0)]
    );
    let with_special = "a<|endoftext|>b";
    assert_eq!(
        loaded.encode_with_special_tokens(with_special),
        tokenizer.encode_with_special_tokens(with_special)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A special token spelled like text the trainer learns ("ab") is both: a
/// special token, and the ordinary token its merge makes, which ordinary
/// encoding produces inside longer pieces (HF's ids; found by fuzzing, when
/// the pieces were cut between the two bytes).
#[test]
fn a_learned_special_token_is_also_merged() {
    let corpus = ["Helablo World\n", "Helablo there\n", "abab cab\n"];
    let tokenizer = Trainer::new(300)
        .special_tokens(["<|endoftext|>", "ab"])
        .train(corpus)
        .unwrap();
    let ab = tokenizer.special_token_id("ab").unwrap();
    assert_eq!(ab, 1);
    let z = tokenizer.token_to_id("z").unwrap();
    assert_eq!(tokenizer.encode("zabz"), [z, ab, z]);
    assert_eq!(tokenizer.encode_with_special_tokens("ab"), [ab]);
    // Saved and loaded (vocab.json cannot mark it special), it merges alike.
    let dir = temp_dir("learned-special");
    tokenizer.save_gpt2(&dir).unwrap();
    let loaded =
        Tokenizer::from_gpt2_files(dir.join("vocab.json"), dir.join("merges.txt")).unwrap();
    for text in corpus.iter().chain(&["zabz", "Helabloab"]) {
        assert_eq!(loaded.encode(text), tokenizer.encode(text), "{text:?}");
    }
    // tokenizer.json keeps it special.
    let json =
        Tokenizer::from_tokenizer_json(tokenizer.to_tokenizer_json().unwrap().as_bytes()).unwrap();
    assert_eq!(
        json.encode_with_special_tokens("xab"),
        tokenizer.encode_with_special_tokens("xab")
    );
    assert_eq!(json.encode("zabz"), [z, ab, z]);
    std::fs::remove_dir_all(&dir).unwrap();
}

// --- the naive oracle ----------------------------------------------------------

/// What a trainer learned, as saved: merge pairs as bytes in rank order, and
/// the vocabulary as bytes -> id.
type Learned = (Vec<(Vec<u8>, Vec<u8>)>, HashMap<Vec<u8>, u32>);

const PATTERN: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// Learns merges by the rule, recounting every pair of every chunk before
/// each merge. Returns the saved form: `(left, right)` byte strings in rank
/// order (a pair learned twice keeps its last rank, as HF saves it) and the
/// vocabulary as bytes -> id.
fn naive_train(
    texts: &[&str],
    vocab_size: usize,
    min_frequency: u64,
    specials: usize,
    max_len: usize,
) -> Learned {
    let regex = fancy_regex::Regex::new(PATTERN).unwrap();
    let mut chunk_counts: HashMap<Vec<u8>, u64> = HashMap::new();
    for text in texts {
        for m in regex.find_iter(text) {
            *chunk_counts
                .entry(m.unwrap().as_str().as_bytes().to_vec())
                .or_default() += 1;
        }
    }
    // Byte ids after the special tokens, ordered by GPT-2's byte-level
    // characters: the printable Latin-1 bytes, then the others.
    let printable = |b: u8| (0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
    let mut order: Vec<u8> = (0..=255).filter(|&b| printable(b)).collect();
    order.extend((0..=255).filter(|&b| !printable(b)));
    let mut vocab: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut bytes_of: HashMap<u32, Vec<u8>> = HashMap::new();
    for (i, &b) in order.iter().enumerate() {
        let id = specials as u32 + i as u32;
        vocab.insert(vec![b], id);
        bytes_of.insert(id, vec![b]);
    }
    let mut words: Vec<(Vec<u32>, u64)> = chunk_counts
        .iter()
        .map(|(bytes, &count)| (bytes.iter().map(|b| vocab[&vec![*b]]).collect(), count))
        .collect();
    let mut merges: Vec<(u32, u32)> = Vec::new();
    let mut size = specials + 256;
    while size < vocab_size {
        let mut pair_counts: HashMap<(u32, u32), u64> = HashMap::new();
        for (symbols, count) in &words {
            for w in symbols.windows(2) {
                if bytes_of[&w[0]].len() + bytes_of[&w[1]].len() <= max_len {
                    *pair_counts.entry((w[0], w[1])).or_default() += count;
                }
            }
        }
        let Some((&pair, &count)) = pair_counts
            .iter()
            .max_by_key(|&(&pair, &count)| (count, std::cmp::Reverse(pair)))
        else {
            break;
        };
        if count < min_frequency.max(1) {
            break;
        }
        let mut merged = bytes_of[&pair.0].clone();
        merged.extend_from_slice(&bytes_of[&pair.1]);
        let id = match vocab.get(&merged) {
            Some(&id) => id,
            None => {
                let id = (specials + vocab.len()) as u32;
                vocab.insert(merged.clone(), id);
                bytes_of.insert(id, merged);
                size += 1;
                id
            }
        };
        merges.push(pair);
        for (symbols, _) in &mut words {
            let mut i = 0;
            while i + 1 < symbols.len() {
                if (symbols[i], symbols[i + 1]) == pair {
                    symbols[i] = id;
                    symbols.remove(i + 1);
                }
                i += 1;
            }
        }
    }
    let mut last_rank = HashMap::new();
    for (rank, pair) in merges.iter().enumerate() {
        last_rank.insert(*pair, rank);
    }
    let saved = merges
        .iter()
        .enumerate()
        .filter(|(rank, pair)| last_rank[pair] == *rank)
        .map(|(_, (l, r))| (bytes_of[l].clone(), bytes_of[r].clone()))
        .collect();
    (saved, vocab)
}

/// Our trainer's result in the oracle's terms.
fn learned(tokenizer: &Tokenizer) -> Learned {
    let dir = temp_dir(&format!("oracle-{:?}", std::thread::current().id()));
    tokenizer.save_gpt2(&dir).unwrap();
    let spelled: HashMap<char, u8> = {
        let mut next = 0x100;
        (0..=255u32)
            .map(|b| {
                let printable =
                    (0x21..=0x7E).contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
                let c = if printable {
                    char::from_u32(b).unwrap()
                } else {
                    next += 1;
                    char::from_u32(next - 1).unwrap()
                };
                (c, b as u8)
            })
            .collect()
    };
    let decode = |s: &str| -> Vec<u8> { s.chars().map(|c| spelled[&c]).collect() };
    let merges = std::fs::read_to_string(dir.join("merges.txt"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap();
            (decode(a), decode(b))
        })
        .collect();
    let vocab: HashMap<String, u32> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("vocab.json")).unwrap()).unwrap();
    let vocab = vocab
        .into_iter()
        .filter(|(k, _)| !k.starts_with("<special"))
        .map(|(k, v)| (decode(&k), v))
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    (merges, vocab)
}

/// Random corpora over small alphabets: many ties, and merges that rebuild
/// an existing token from another pair.
fn random_corpus(rng: &mut Rng) -> Vec<String> {
    let alphabets: [&[&str]; 4] = [
        &["a", "b", " "],
        &["a", "b", "c", "ab", " ", "\n"],
        &["x", "y", "xy", "yx", " x", "1", "12"],
        &["é", "e", "\u{301}", " ", "ée", "!"],
    ];
    let alphabet = alphabets[rng.below(alphabets.len())];
    (0..1 + rng.below(12))
        .map(|_| (0..rng.below(40)).map(|_| *rng.pick(alphabet)).collect())
        .collect()
}

#[test]
fn incremental_trainer_equals_naive_recount() {
    let mut rng = Rng::new(2024);
    for case in 0..300 {
        let corpus = random_corpus(&mut rng);
        let texts: Vec<&str> = corpus.iter().map(String::as_str).collect();
        let specials = rng.below(3);
        let vocab_size = 256 + specials + rng.below(40);
        let min_frequency = [0, 0, 1, 2, 3][rng.below(5)];
        let max_len = [usize::MAX, usize::MAX, 2, 3, 5][rng.below(5)];
        let special_names: Vec<String> = (0..specials).map(|i| format!("<special{i}>")).collect();
        let mut trainer = Trainer::new(vocab_size)
            .min_frequency(min_frequency)
            .special_tokens(special_names)
            .threads(1 + case % 2);
        if max_len != usize::MAX {
            trainer = trainer.max_token_length(max_len);
        }
        let tokenizer = trainer.train(&texts).unwrap();
        let (merges, vocab) = naive_train(&texts, vocab_size, min_frequency, specials, max_len);
        let (our_merges, our_vocab) = learned(&tokenizer);
        assert_eq!(our_merges, merges, "case {case}: {texts:?}");
        assert_eq!(our_vocab, vocab, "case {case}: {texts:?}");
        // Every learned token is new (see DESIGN.md: only a special token's
        // text can be learned a second time).
        assert_eq!(merges.len() + 256 + specials, tokenizer.vocab_size());
    }
}

#[test]
fn max_token_length_bounds_every_token() {
    let corpus = fixture_path("train/corpus.txt");
    let tokenizer = Trainer::new(3000)
        .max_token_length(4)
        .train_files([&corpus])
        .unwrap();
    assert_eq!(tokenizer.vocab_size(), 3000);
    for id in 0..3000 {
        assert!(tokenizer.id_to_token(id).unwrap().len() <= 4);
    }
}

#[test]
fn empty_corpus_gives_the_alphabet() {
    let empty: [&str; 0] = [];
    let tokenizer = Trainer::new(1000)
        .special_tokens(["<s>"])
        .train(empty)
        .unwrap();
    assert_eq!(tokenizer.vocab_size(), 257);
    assert_eq!(
        tokenizer.encode("ab"),
        [
            tokenizer.token_to_id("a").unwrap(),
            tokenizer.token_to_id("b").unwrap()
        ]
    );
    assert_eq!(
        tokenizer.decode(&tokenizer.encode("héllo")).unwrap(),
        "héllo"
    );
    let tokenizer = Trainer::new(300).train([""]).unwrap();
    assert_eq!(tokenizer.vocab_size(), 256);
}

#[test]
fn impossible_settings_are_errors() {
    let text = ["some text"];
    let message = |t: Trainer| match t.train(text) {
        Err(Error::TrainerSettings { message }) => message,
        other => panic!("{other:?}"),
    };
    assert!(message(Trainer::new(255)).contains("255"));
    assert!(message(Trainer::new(257).special_tokens(["<a>", "<b>"])).contains("257"));
    assert!(message(Trainer::new(1000).special_tokens(["<a>", "<a>"])).contains("<a>"));
    assert!(message(Trainer::new(1000).special_tokens([""])).contains("empty"));
    assert!(message(Trainer::new(1000).special_tokens(["Ġ"])).contains("Ġ"));
    // The same checks guard every entry point.
    assert!(matches!(
        Trainer::new(10).train_from_counts(&ChunkCounts::new()),
        Err(Error::TrainerSettings { .. })
    ));
}

#[test]
fn unreadable_and_non_utf8_files_are_errors_with_the_path() {
    let dir = temp_dir("badfiles");
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.txt");
    match Trainer::new(300).train_files([&missing]) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("{other:?}"),
    }
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, b"good line\nsecond \xff line\n").unwrap();
    for threads in [1, 2] {
        match Trainer::new(300).threads(threads).train_files([&bad]) {
            Err(e @ Error::InvalidUtf8 { .. }) => {
                let Error::InvalidUtf8 {
                    input,
                    offset,
                    bytes,
                } = &e
                else {
                    unreachable!()
                };
                let expected_input = format!("{}:2", bad.display());
                assert_eq!(
                    (input, *offset, &bytes[..]),
                    (&expected_input, 17, &[0xff][..])
                );
                assert!(e.to_string().contains("bad.txt:2"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn progress_reports_counting_and_merging() {
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let corpus = fixture_path("train/corpus.txt");
    Trainer::new(400)
        .threads(1)
        .progress(move |p| sink.lock().unwrap().push(p))
        .train_files([&corpus])
        .unwrap();
    let events = events.lock().unwrap();
    let size = std::fs::metadata(&corpus).unwrap().len();
    assert!(events.contains(&Progress::Counting {
        bytes: size,
        total: Some(size)
    }));
    assert!(events.contains(&Progress::Merging {
        done: 144,
        total: 144
    }));
    // At a bounded rate: the first and last merge, and others at most every
    // 50 ms (this corpus trains in far less).
    let merging: Vec<usize> = events
        .iter()
        .filter_map(|p| match p {
            Progress::Merging { done, .. } => Some(*done),
            _ => None,
        })
        .collect();
    assert!(merging.len() <= 4, "{merging:?}");
    assert_eq!(merging.first(), Some(&1));
    assert!(merging.windows(2).all(|w| w[0] < w[1]), "{merging:?}");
}

#[test]
fn progress_is_reported_at_a_bounded_rate_on_a_long_training() {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sink = count.clone();
    let started = std::time::Instant::now();
    Trainer::new(50_000)
        .threads(1)
        .progress(move |_| {
            sink.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .train_files([fixture_path("train/corpus.txt")])
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    // 7,400 merges; 20 reports a second plus the first and last of each
    // phase.
    let calls = count.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        calls as f64 <= 8.0 + seconds * 20.0,
        "{calls} calls in {seconds} s"
    );
}
