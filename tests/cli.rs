//! The `tokenize` example, run as a process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The example binary. `cargo test` builds examples, but `cargo test --test
/// cli` does not, so build it here (a no-op when it is up to date).
fn tokenize() -> Command {
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--profile",
                "test",
                "--example",
                "tokenize",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building the tokenize example failed");
    });
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
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
