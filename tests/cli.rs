//! The `bytepair` command, run as a process.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bytepair() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bytepair"))
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bytepair()
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
    assert_eq!(
        stdout(&run(&["encode", "-t", "Hello world"], b"")),
        "15496 995\n"
    );
    // Standard input's final line end (echo's) is not encoded unless asked.
    assert_eq!(stdout(&run(&["encode"], b"Hello world\n")), "15496 995\n");
    assert_eq!(stdout(&run(&["encode"], b"Hello world\r\n")), "15496 995\n");
    assert_eq!(stdout(&run(&["encode"], b"Hello world")), "15496 995\n");
    assert_eq!(
        stdout(&run(&["encode", "--keep-newline"], b"Hello world\n")),
        "15496 995 198\n"
    );
    // Only the last one.
    assert_eq!(stdout(&run(&["encode"], b"Hi\n\n")), "17250 198\n");
    assert_eq!(
        stdout(&run(&["decode", "15496", "995"], b"")),
        "Hello world"
    );
    assert_eq!(stdout(&run(&["decode"], b"15496 995\n")), "Hello world");
    assert_eq!(stdout(&run(&["count", "-t", "Hello world"], b"")), "2\n");
    assert_eq!(stdout(&run(&["count"], b"Hello world\n")), "2\n");
    assert_eq!(
        stdout(&run(&["encode", "--special", "-t", "a<|endoftext|>"], b"")),
        "64 50256\n"
    );
    assert_eq!(
        stdout(&run(&["count", "--special", "-t", "a<|endoftext|>"], b"")),
        "2\n"
    );
    assert_eq!(
        stdout(&run(&["encode", "-t", "a<|endoftext|>"], b"")),
        "64 27 91 437 1659 5239 91 29\n"
    );
    assert_eq!(stdout(&run(&["encode", "-t", ""], b"")), "\n");
    assert_eq!(
        stdout(&run(&["decode", "--skip-special", "64", "50256"], b"")),
        "a"
    );
}

#[test]
fn files_are_encoded_and_counted_as_they_are() {
    let dir = temp_dir("files");
    let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
    std::fs::write(&a, "Hello world\n").unwrap();
    std::fs::write(&b, "Hi").unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    assert_eq!(
        stdout(&run(&["encode", a, b], b"")),
        "15496 995 198\n17250\n"
    );
    assert_eq!(stdout(&run(&["count", a], b"")), "3\n");
    assert_eq!(
        stdout(&run(&["count", "--encoding", "o200k_base", a, b], b"")),
        format!("3 {a}\n1 {b}\n4 total\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_and_version() {
    let version = stdout(&run(&["--version"], b""));
    assert_eq!(version, format!("bytepair {}\n", env!("CARGO_PKG_VERSION")));
    for command in [
        "encode",
        "decode",
        "count",
        "convert",
        "tokenize",
        "train",
        "count-chunks",
        "train-counts",
    ] {
        let help = stdout(&run(&[command, "--help"], b""));
        assert!(
            help.contains(&format!("Usage: bytepair {command}")),
            "{help}"
        );
    }
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
        "-t",
        "Hello world",
    ];
    assert_eq!(stdout(&run(&args, b"")), "15496 995\n");
}

#[test]
fn bad_arguments_exit_2_with_a_short_usage() {
    // No command: the help, listing the commands.
    let output = run(&[], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("Commands:"));
    for args in [
        &["frobnicate"][..],
        &["encode", "--vocab"],
        &["encode", "--vocab", "v.json", "-t", "x"],
        &["encode", "--bogus"],
        &["encode", "-t", "text", "file.txt"],
        &[
            "encode",
            "--encoding",
            "gpt2",
            "--vocab",
            "v",
            "--merges",
            "m",
        ],
    ] {
        let output = run(args, b"");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains("--help"), "{args:?}: {stderr}");
        assert!(stderr.lines().count() < 12, "{args:?}: {stderr}");
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
            "-t",
            "x",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/no/such/vocab.json"));

    let output = run(&["decode"], b"12 nonsense");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"nonsense\"") && stderr.contains("hint:"),
        "{stderr}"
    );
    let output = run(&["decode", "12", "x"], b"");
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
        "-t",
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
            &["encode", "--tokenizer-json", json, "-t", "Hello world"],
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
        stdout(&run(
            &["count", "--encoding", "gpt2", "-t", "Hello world"],
            b""
        )),
        "2\n"
    );
    // The embedded encodings.
    let cl100k = run(
        &["encode", "--encoding", "cl100k_base", "-t", "Hello world"],
        b"",
    );
    assert_eq!(stdout(&cl100k), "9906 1917\n");
    let o200k = run(&["encode", "-e", "o200k_base", "-t", "Hello world"], b"");
    assert_eq!(stdout(&o200k), "13225 2375\n");
    // An unknown encoding is an error listing the known ones; two sources
    // at once a usage error.
    let unknown = run(&["encode", "--encoding", "gpt5", "-t", "x"], b"");
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("unknown encoding") && stderr.contains("o200k_base"),
        "{stderr}"
    );
    let both = run(
        &[
            "encode",
            "--encoding",
            "gpt2",
            "--tokenizer-json",
            json,
            "-t",
            "x",
        ],
        b"",
    );
    assert_eq!(both.status.code(), Some(2));
    // A file that is not a tokenizer.json is an error naming it.
    let bad = run(
        &["encode", "--tokenizer-json", "/nonexistent.json", "-t", "x"],
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
            &[
                "encode",
                "--tokenizer-json",
                &path("t.json"),
                "-t",
                "Hello world"
            ],
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
                "-t",
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
    // Output paths that cannot be what the format writes are refused
    // before anything is written.
    std::fs::write(dir.join("file"), "").unwrap();
    for (to, out, says) in [
        ("gpt2", path("x.json"), "looks like a file name"),
        ("gpt2", path("file"), "is a file"),
        ("tokenizer-json", path("gpt2"), "is a directory"),
        ("tiktoken", path("no/such/dir/t.tiktoken"), "does not exist"),
    ] {
        let output = run(&["convert", "--to", to, "--out", &out], b"");
        assert_eq!(output.status.code(), Some(1), "{to} {out}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
    assert!(!dir.join("x.json").exists());
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
    let encoded = stdout(&run(&["encode", "--tokenizer-json", path, "-t", text], b""));
    assert_eq!(encoded.trim_end(), expected.join(" "));
    let mut args = vec!["decode", "--tokenizer-json", path];
    args.extend(expected.iter().map(String::as_str));
    assert_eq!(stdout(&run(&args, b"")).trim_end(), text);
}

/// The tokens of a shard: (header's first three values, tokens).
fn read_shard(path: &std::path::Path, header: bool, wide: bool) -> (Vec<i32>, Vec<u32>) {
    let bytes = std::fs::read(path).unwrap();
    let (head, body) = bytes.split_at(if header { 1024 } else { 0 });
    let head: Vec<i32> = head
        .chunks(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let tokens: Vec<u32> = match wide {
        true => body
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect(),
        false => body
            .chunks(2)
            .map(|c| u16::from_le_bytes(c.try_into().unwrap()) as u32)
            .collect(),
    };
    if header {
        assert!(head[3..].iter().all(|&v| v == 0));
        assert_eq!(head[2] as usize, tokens.len());
    }
    (head.into_iter().take(3).collect(), tokens)
}

#[test]
fn tokenize_writes_shards_with_one_separator_between_documents() {
    let dir = temp_dir("tokenize");
    let docs = dir.join("docs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    std::fs::write(docs.join("a.txt"), "Hello world").unwrap();
    std::fs::write(docs.join("sub/b.txt"), "Hi").unwrap();
    std::fs::write(dir.join("c.txt"), "Hello world\n").unwrap();
    let out = dir.join("out");
    let c = dir.join("c.txt");
    let (out_str, docs_str, c_str) = (
        out.to_str().unwrap(),
        docs.to_str().unwrap(),
        c.to_str().unwrap(),
    );
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut args = vec!["tokenize", "--out", out_str];
        args.extend_from_slice(extra);
        args.extend([docs_str, c_str]);
        args.into_iter().map(String::from).collect()
    };
    // GPT-2: uint16 under llm.c's GPT-2 header; documents in path order
    // (a directory's files sorted), separated by <|endoftext|>.
    stdout(&run(&strs(&args(&[])), b""));
    let expected = [15496, 995, 50256, 17250, 50256, 15496, 995, 198];
    let (header, tokens) = read_shard(&out.join("shard_000000.bin"), true, false);
    assert_eq!((header, tokens), (vec![20240520, 1, 8], expected.to_vec()));
    // Shards of three tokens, nanoGPT's raw layout.
    std::fs::remove_dir_all(&out).unwrap();
    stdout(&run(
        &strs(&args(&["--shard-tokens", "3", "--layout", "raw"])),
        b"",
    ));
    let mut all = Vec::new();
    for index in 0..3 {
        let (_, tokens) = read_shard(&out.join(format!("shard_{index:06}.bin")), false, false);
        assert_eq!(tokens.len(), if index < 2 { 3 } else { 2 });
        all.extend(tokens);
    }
    assert!(!out.join("shard_000003.bin").exists());
    assert_eq!(all, expected);
    // o200k's ids need uint32: llm.c's Llama 3 header.
    std::fs::remove_dir_all(&out).unwrap();
    stdout(&run(
        &strs(&args(&["--encoding", "o200k_base", "--prefix", "o200k"])),
        b"",
    ));
    let (header, tokens) = read_shard(&out.join("o200k_000000.bin"), true, true);
    assert_eq!(header, [20240801, 7, 8]);
    assert_eq!(
        tokens,
        [13225, 2375, 199999, 12194, 199999, 13225, 2375, 198]
    );
    // A separator the tokenizer lacks, or ids too wide for u16: errors.
    let bad = run(&strs(&args(&["--separator", "<|sep|>"])), b"");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("<|sep|>"));
    let narrow = run(
        &strs(&args(&["--encoding", "o200k_base", "--dtype", "u16"])),
        b"",
    );
    assert_eq!(narrow.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&narrow.stderr).contains("u32"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tokenize_reads_jsonl_documents() {
    let dir = temp_dir("jsonl");
    let data = dir.join("data.jsonl");
    std::fs::write(
        &data,
        "{\"text\": \"Hello world\", \"id\": 1}\n\n{\"text\": \"Hi\"}\n",
    )
    .unwrap();
    let out = dir.join("out");
    let (out_str, data_str) = (out.to_str().unwrap(), data.to_str().unwrap());
    let args = [
        "tokenize",
        "--jsonl-field",
        "text",
        "--out",
        out_str,
        data_str,
    ];
    stdout(&run(&args, b""));
    let (_, tokens) = read_shard(&out.join("shard_000000.bin"), true, false);
    assert_eq!(tokens, [15496, 995, 50256, 17250]);
    // A line without the field names the file and the line.
    std::fs::write(&data, "{\"text\": \"a\"}\n{\"body\": \"b\"}\n").unwrap();
    let output = run(&args, b"");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("data.jsonl:2"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}
