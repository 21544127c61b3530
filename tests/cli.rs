//! The `tokenize` example, run as a process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The example binary. `cargo test` builds examples, but `cargo test --test
/// cli` does not, so build it here (a no-op when it is up to date).
fn tokenize() -> Command {
    static BUILT: std::sync::Once = std::sync::Once::new();
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    // `cargo test --release` puts tests in target/release, else target/debug.
    let profile = if profile_dir.ends_with("release") {
        "release"
    } else {
        "test"
    };
    BUILT.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--profile",
                profile,
                "--example",
                "tokenize",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building the tokenize example failed");
    });
    Command::new(profile_dir.join("examples").join("tokenize"))
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = tokenize()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn encode_decode_count() {
    assert_eq!(stdout(&run(&["encode", "Hello world"], b"")), "15496 995\n");
    assert_eq!(stdout(&run(&["encode"], b"Hello world")), "15496 995\n");
    assert_eq!(
        stdout(&run(&["decode", "15496", "995"], b"")),
        "Hello world"
    );
    assert_eq!(stdout(&run(&["decode"], b"15496 995\n")), "Hello world");
    assert_eq!(stdout(&run(&["count", "Hello world"], b"")), "2\n");
    assert_eq!(
        stdout(&run(&["encode", "--special", "a<|endoftext|>"], b"")),
        "64 50256\n"
    );
    assert_eq!(
        stdout(&run(&["encode", "a<|endoftext|>"], b"")),
        "64 27 91 437 1659 5239 91 29\n"
    );
    assert_eq!(stdout(&run(&["encode", ""], b"")), "\n");
}

#[test]
fn decode_writes_the_exact_bytes() {
    // 47249 is the first three bytes of "😀": not UTF-8 on its own.
    let output = run(&["decode", "47249"], b"");
    assert!(output.status.success());
    assert_eq!(output.stdout, &"😀".as_bytes()[..3]);
}

#[test]
fn explicit_vocabulary_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/gpt2");
    let (vocab, merges) = (format!("{dir}/vocab.json"), format!("{dir}/merges.txt"));
    let args = [
        "encode",
        "--vocab",
        &vocab,
        "--merges",
        &merges,
        "Hello world",
    ];
    assert_eq!(stdout(&run(&args, b"")), "15496 995\n");
}

#[test]
fn bad_arguments_exit_2_with_usage() {
    for args in [
        &[][..],
        &["frobnicate"],
        &["encode", "--vocab"],
        &["encode", "--vocab", "v.json", "x"],
        &["encode", "--bogus"],
        &["encode", "two", "texts"],
        &["decode", "12", "x"],
    ] {
        let output = run(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("usage:"),
            "{args:?}"
        );
    }
}

#[test]
fn errors_exit_1_with_a_message() {
    let output = run(&["decode", "99999999"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown token id 99999999"));

    let output = run(
        &[
            "encode",
            "--vocab",
            "/no/such/vocab.json",
            "--merges",
            "/no/m.txt",
            "x",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/vocab.json"));

    let output = run(&["decode"], b"12 nonsense");
    assert_eq!(output.status.code(), Some(1));

    let output = run(&["encode"], b"\xff\xfe");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("standard input"));
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bytepair-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn train_then_encode_with_the_trained_files() {
    let dir = temp_dir("train");
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/train/corpus.txt"
    );
    let out = dir.join("model");
    let out_str = out.to_str().unwrap();
    let output = run(
        &[
            "train",
            "--vocab-size",
            "1000",
            "--special",
            "<|endoftext|>",
            "--out",
            out_str,
            corpus,
        ],
        b"",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("merging: 743 / 743 merges"), "{stderr}");
    assert!(stderr.contains("1000 tokens"), "{stderr}");
    let vocab = out.join("vocab.json");
    let merges = out.join("merges.txt");
    let args = [
        "encode",
        "--special",
        "--vocab",
        vocab.to_str().unwrap(),
        "--merges",
        merges.to_str().unwrap(),
        "the<|endoftext|>",
    ];
    let ids: Vec<u32> = stdout(&run(&args, b""))
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    assert_eq!(ids.last(), Some(&0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn count_chunks_in_shards_then_train_from_counts() {
    let dir = temp_dir("shards");
    let corpus = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/train/corpus.txt"
    ))
    .unwrap();
    let lines: Vec<&str> = corpus.split_inclusive('\n').collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    std::fs::write(dir.join("a.txt"), a.concat()).unwrap();
    std::fs::write(dir.join("b.txt"), b.concat()).unwrap();
    for shard in ["a", "b"] {
        let input = dir.join(format!("{shard}.txt"));
        let tsv = dir.join(format!("{shard}.tsv"));
        let output = run(
            &[
                "count-chunks",
                "--out",
                tsv.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
            b"",
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let from_counts = dir.join("from-counts");
    let (a_tsv, b_tsv) = (dir.join("a.tsv"), dir.join("b.tsv"));
    let args = [
        "train-counts",
        "--vocab-size",
        "4000",
        "--out",
        from_counts.to_str().unwrap(),
        a_tsv.to_str().unwrap(),
        b_tsv.to_str().unwrap(),
    ];
    let output = run(&args, b"");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The same files as HF learns from the whole corpus.
    let hf = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/train/v4000");
    for file in ["vocab.json", "merges.txt"] {
        assert!(
            std::fs::read(from_counts.join(file)).unwrap()
                == std::fs::read(format!("{hf}/{file}")).unwrap(),
            "{file}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn training_usage_and_errors() {
    for args in [
        &["train", "--out", "x", "f.txt"][..],
        &["train", "--vocab-size", "1000", "f.txt"],
        &["train", "--vocab-size", "1000", "--out", "x"],
        &["train", "--vocab-size", "many", "--out", "x", "f.txt"],
        &["count-chunks", "f.txt"],
        &["encode", "--vocab-size", "3"],
    ] {
        let output = run(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
    let output = run(
        &[
            "train",
            "--vocab-size",
            "10",
            "--out",
            "/tmp/never",
            "/dev/null",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("vocab_size 10"));
    let output = run(
        &[
            "train",
            "--vocab-size",
            "1000",
            "--out",
            "/tmp/never",
            "/no/such/corpus.txt",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/corpus.txt"));
}

#[test]
fn other_sources_of_vocabulary() {
    let json = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hf/gpt2/tokenizer.json"
    );
    assert_eq!(
        stdout(&run(
            &["encode", "--tokenizer-json", json, "Hello world"],
            b""
        )),
        "15496 995\n"
    );
    assert_eq!(
        stdout(&run(
            &["decode", "--tokenizer-json", json, "15496", "995"],
            b""
        )),
        "Hello world"
    );
    assert_eq!(
        stdout(&run(&["count", "--encoding", "gpt2", "Hello world"], b"")),
        "2\n"
    );
    // An embedded encoding works when built in, and otherwise says which
    // feature to enable.
    let cl100k = run(&["encode", "--encoding", "cl100k_base", "Hello world"], b"");
    if cl100k.status.success() {
        assert_eq!(String::from_utf8_lossy(&cl100k.stdout), "9906 1917\n");
    } else {
        assert_eq!(cl100k.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&cl100k.stderr);
        assert!(stderr.contains("--features cl100k_base"), "{stderr}");
    }
    // Unknown encodings and two sources at once are usage errors.
    let unknown = run(&["encode", "--encoding", "gpt5", "x"], b"");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown encoding"));
    let both = run(
        &[
            "encode",
            "--encoding",
            "gpt2",
            "--tokenizer-json",
            json,
            "x",
        ],
        b"",
    );
    assert_eq!(both.status.code(), Some(2));
    // A file that is not a tokenizer.json is an error naming it.
    let bad = run(
        &["encode", "--tokenizer-json", "/nonexistent.json", "x"],
        b"",
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/nonexistent.json"));
}

#[test]
fn convert_between_formats() {
    let dir = std::env::temp_dir().join(format!("bytepair-cli-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    for (to, out) in [
        ("tokenizer-json", path("t.json")),
        ("tiktoken", path("t.tiktoken")),
        ("gpt2", path("gpt2")),
    ] {
        let output = run(&["convert", "--to", to, "--out", &out], b"");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(
        stdout(&run(
            &["encode", "--tokenizer-json", &path("t.json"), "Hello world"],
            b""
        )),
        "15496 995\n"
    );
    let vocab = path("gpt2/vocab.json");
    let merges = path("gpt2/merges.txt");
    assert_eq!(
        stdout(&run(
            &[
                "encode",
                "--vocab",
                &vocab,
                "--merges",
                &merges,
                "Hello world"
            ],
            b""
        )),
        "15496 995\n"
    );
    let ranks = std::fs::read(path("t.tiktoken")).unwrap();
    let back = bytepair::Tokenizer::from_tiktoken(&ranks, bytepair::GPT2_PATTERN, &[]).unwrap();
    assert_eq!(back.encode("Hello world"), [15496, 995]);
    // Missing or unknown --to, a missing --out, text given: usage errors.
    for args in [
        &["convert", "--out", "x"][..],
        &["convert", "--to", "yaml", "--out", "x"],
        &["convert", "--to", "gpt2"],
        &["convert", "--to", "gpt2", "--out", "x", "text"],
    ] {
        assert_eq!(run(args, b"").status.code(), Some(2), "{args:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--tokenizer-json` runs a model's whole pipeline: a SentencePiece-style
/// fixture (normalizers, byte fallback, its decoder) encodes and decodes as
/// the library does.
#[test]
fn tokenizer_json_pipelines() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pipeline/sp_llama2.json"
    );
    let tokenizer = bytepair::Tokenizer::from_tokenizer_json_file(path).unwrap();
    let text = "Hello wörld 中文";
    let ids = tokenizer.encode(text);
    let expected: Vec<String> = ids.iter().map(u32::to_string).collect();
    let encoded = stdout(&run(&["encode", "--tokenizer-json", path, text], b""));
    assert_eq!(encoded.trim_end(), expected.join(" "));
    let mut args = vec!["decode", "--tokenizer-json", path];
    args.extend(expected.iter().map(String::as_str));
    assert_eq!(stdout(&run(&args, b"")).trim_end(), text);
}
