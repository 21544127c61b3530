//! Bad input gives an `Error` that says what and where; never a panic.

use bytepair::{Error, ParseProblem, Tokenizer};

/// GPT-2's 256 byte tokens (ids 0..=255 of its vocab.json), then "Ġt", "he",
/// "Ġthe" and `<|endoftext|>`.
fn mini_vocab() -> Vec<(String, i64)> {
    let gpt2: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../data/gpt2/vocab.json")).unwrap();
    let mut entries: Vec<(String, i64)> = gpt2
        .into_iter()
        .map(|(k, v)| (k, v.as_i64().unwrap()))
        .filter(|(_, id)| *id < 256)
        .collect();
    entries.sort_by_key(|(_, id)| *id);
    for (i, token) in ["Ġt", "he", "Ġthe", "<|endoftext|>"].iter().enumerate() {
        entries.push((token.to_string(), 256 + i as i64));
    }
    entries
}

const MINI_MERGES: &str = "#version: 0.2\nĠ t\nh e\nĠt he\n";

fn vocab_json(entries: &[(String, i64)]) -> String {
    let fields: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {v}", serde_json::to_string(k).unwrap()))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

fn load(vocab: &str, merges: &str) -> Result<Tokenizer, Error> {
    Tokenizer::from_gpt2(vocab.as_bytes(), merges.as_bytes())
}

fn load_err(vocab: &str, merges: &str) -> (Error, String) {
    let e = load(vocab, merges).expect_err("should be rejected");
    let message = e.to_string();
    (e, message)
}

#[test]
fn the_mini_vocabulary_loads_and_works() {
    let t = load(&vocab_json(&mini_vocab()), MINI_MERGES).unwrap();
    assert_eq!(t.encode(" the"), [258]);
    assert_eq!(t.encode(" then"), [258, b'n' as u32 - 33]);
    assert_eq!(t.vocab_size(), 260);
    assert_eq!(t.encode_with_special_tokens("<|endoftext|>"), [259]);
    assert_eq!(
        t.special_tokens().collect::<Vec<_>>(),
        [("<|endoftext|>", 259)]
    );
}

#[test]
fn vocab_that_is_not_json() {
    let (e, msg) = load_err("{\"a\": 1,", MINI_MERGES);
    assert!(
        matches!(
            e,
            Error::Parse {
                problem: ParseProblem::Json(_),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(msg.starts_with("vocab.json: "), "{msg}");
    assert!(
        msg.contains("line 1"),
        "serde_json's position is kept: {msg}"
    );
    let (e, _) = load_err("\u{feff}{}", MINI_MERGES);
    assert!(
        matches!(
            e,
            Error::Parse {
                problem: ParseProblem::Json(_),
                ..
            }
        ),
        "{e:?}"
    );
    let bytes = [b'{', b'"', 0xFF, b'"', b':', b'1', b'}'];
    let e = Tokenizer::from_gpt2(&bytes, MINI_MERGES.as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Parse {
                problem: ParseProblem::Json(_),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn vocab_that_is_not_an_object() {
    for json in ["[1, 2]", "42", "\"x\"", "null", ""] {
        let (e, msg) = load_err(json, MINI_MERGES);
        assert!(
            matches!(
                e,
                Error::Parse {
                    problem: ParseProblem::Json(_),
                    ..
                }
            ),
            "{json}: {e:?}"
        );
        assert!(msg.starts_with("vocab.json: "), "{msg}");
    }
}

#[test]
fn vocab_ids_that_are_not_u32() {
    for bad in [
        "1.5",
        "-1",
        "\"7\"",
        "null",
        "true",
        "[1]",
        "{}",
        "4294967296",
        "1e3",
    ] {
        let mut v = mini_vocab();
        v.truncate(257);
        let mut json = vocab_json(&v);
        json.pop();
        json.push_str(&format!(", \"he\": {bad}}}"));
        let (e, msg) = load_err(&json, "#version: 0.2\nĠ t\n");
        match &e {
            Error::Parse {
                file,
                problem: ParseProblem::BadId { token, value },
                ..
            } => {
                assert_eq!(file, "vocab.json");
                assert_eq!(token, "he");
                assert!(!value.is_empty());
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert!(msg.contains("\"he\""), "{msg}");
    }
}

#[test]
fn vocab_with_a_duplicate_id() {
    let mut v = mini_vocab();
    v[257].1 = 256; // "he" takes "Ġt"'s id
    let (e, msg) = load_err(&vocab_json(&v), MINI_MERGES);
    match e {
        Error::Parse {
            problem: ParseProblem::DuplicateId { id, first, second },
            ..
        } => {
            assert_eq!((id, first.as_str(), second.as_str()), (256, "Ġt", "he"));
        }
        other => panic!("{other:?}"),
    }
    assert!(msg.contains("256"), "{msg}");
}

#[test]
fn vocab_with_a_duplicate_key() {
    let mut v = mini_vocab();
    v.push(("he".to_string(), 400));
    let (e, _) = load_err(&vocab_json(&v), MINI_MERGES);
    match e {
        Error::Parse {
            problem: ParseProblem::DuplicateToken { token },
            ..
        } => assert_eq!(token, "he"),
        other => panic!("{other:?}"),
    }
    // The same key spelled with an escape is still the same key.
    let mut json = vocab_json(&mini_vocab());
    json.pop();
    json.push_str(", \"h\\u0065\": 401}");
    let (e, _) = load_err(&json, MINI_MERGES);
    assert!(
        matches!(
            e,
            Error::Parse {
                problem: ParseProblem::DuplicateToken { .. },
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn vocab_missing_a_byte_token() {
    let v: Vec<_> = mini_vocab().into_iter().filter(|(k, _)| k != "Ċ").collect();
    let (e, msg) = load_err(&vocab_json(&v), MINI_MERGES);
    match e {
        Error::Parse {
            problem: ParseProblem::MissingByteToken { byte, token },
            ..
        } => {
            assert_eq!((byte, token.as_str()), (b'\n', "Ċ"));
        }
        other => panic!("{other:?}"),
    }
    assert!(msg.contains("0x0a"), "{msg}");
}

#[test]
fn vocab_with_an_absurd_id_is_rejected_without_allocating_it() {
    let mut v = mini_vocab();
    v[258].1 = 4_000_000_000;
    let (e, _) = load_err(&vocab_json(&v), MINI_MERGES);
    match e {
        Error::Parse {
            problem: ParseProblem::SparseId { token, id, .. },
            ..
        } => {
            assert_eq!((token.as_str(), id), ("Ġthe", 4_000_000_000))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn vocab_with_an_empty_token() {
    let mut v = mini_vocab();
    v.push((String::new(), 300));
    let (e, _) = load_err(&vocab_json(&v), MINI_MERGES);
    assert!(
        matches!(
            e,
            Error::Parse {
                problem: ParseProblem::EmptyToken,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn merges_lines_that_are_not_two_fields() {
    let vocab = vocab_json(&mini_vocab());
    for (line, text) in [
        ("Ġt", "Ġt"),
        ("Ġ t he", "Ġ t he"),
        ("Ġ  t", "Ġ  t"),
        ("Ġ\tt", "Ġ\tt"),
        (" Ġt", " Ġt"),
        ("Ġt ", "Ġt "),
    ] {
        let merges = format!("#version: 0.2\nĠ t\n{line}\n");
        let (e, msg) = load_err(&vocab, &merges);
        match &e {
            Error::Parse {
                file,
                line,
                problem: ParseProblem::BadMergeLine { text: t },
            } => {
                assert_eq!(
                    (file.as_str(), *line, t.as_str()),
                    ("merges.txt", Some(3), text)
                );
            }
            other => panic!("{line:?}: {other:?}"),
        }
        assert!(msg.starts_with("merges.txt:3: "), "{msg}");
    }
}

#[test]
fn merges_with_an_unknown_token() {
    let vocab = vocab_json(&mini_vocab());
    // "x y" is two known tokens, but "xy" is not in the vocabulary.
    for (merges, token, line) in [
        ("#version: 0.2\nĠ t\nh zz\n", "zz", 3),
        ("Ġ t\nh e\nx y\n", "xy", 3),
        ("#version: 0.2\n\nĠ t\n€ t\n", "€", 4),
    ] {
        let (e, msg) = load_err(&vocab, merges);
        match &e {
            Error::Parse {
                file,
                line: l,
                problem: ParseProblem::UnknownToken { token: t },
            } => {
                assert_eq!(
                    (file.as_str(), *l, t.as_str()),
                    ("merges.txt", Some(line), token)
                );
            }
            other => panic!("{merges:?}: {other:?}"),
        }
        assert!(
            msg.contains(&format!(":{line}:")) && msg.contains(token),
            "{msg}"
        );
    }
}

#[test]
fn merges_with_a_duplicate_pair() {
    let vocab = vocab_json(&mini_vocab());
    let (e, msg) = load_err(&vocab, "#version: 0.2\nĠ t\nh e\nĠ t\n");
    match e {
        Error::Parse {
            line,
            problem:
                ParseProblem::DuplicateMerge {
                    first_line,
                    left,
                    right,
                },
            ..
        } => {
            assert_eq!(
                (line, first_line, left.as_str(), right.as_str()),
                (Some(4), 2, "Ġ", "t")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        msg.contains("merges.txt:4") && msg.contains("line 2"),
        "{msg}"
    );
}

#[test]
fn merges_that_are_not_utf8() {
    let vocab = vocab_json(&mini_vocab());
    let merges = b"#version: 0.2\nh e\n\xff t\n";
    let e = Tokenizer::from_gpt2(vocab.as_bytes(), merges).unwrap_err();
    match e {
        Error::InvalidUtf8 { input, offset, .. } => {
            assert_eq!((input.as_str(), offset), ("merges.txt:3", 18))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn merges_accept_crlf_blank_lines_no_header_and_no_final_newline() {
    let vocab = vocab_json(&mini_vocab());
    for merges in [
        "#version: 0.2\r\nĠ t\r\nh e\r\nĠt he\r\n",
        "Ġ t\nh e\n\n\nĠt he",
        "#version: 0.2\nĠ t\nh e\nĠt he",
    ] {
        let t = load(&vocab, merges).unwrap();
        assert_eq!(t.encode(" the"), [258], "{merges:?}");
    }
}

#[test]
fn a_missing_file_names_its_path() {
    let dir = std::env::temp_dir().join("bytepair-missing-file-test");
    let vocab = dir.join("no-such-vocab.json");
    let e = Tokenizer::from_gpt2_files(&vocab, dir.join("merges.txt")).unwrap_err();
    match &e {
        Error::Io { path, .. } => assert_eq!(path, &vocab),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("no-such-vocab.json"), "{e}");
}

#[test]
fn file_errors_name_the_path() {
    let dir = std::env::temp_dir().join(format!("bytepair-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vocab = dir.join("vocab.json");
    let merges = dir.join("merges.txt");
    std::fs::write(&vocab, vocab_json(&mini_vocab())).unwrap();
    std::fs::write(&merges, "#version: 0.2\nĠ t\nq q\n").unwrap();
    let e = Tokenizer::from_gpt2_files(&vocab, &merges).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!("{}:3:", merges.display())),
        "{msg}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn decoding_an_unknown_id_is_an_error() {
    let t = Tokenizer::gpt2();
    for ids in [&[50257][..], &[15496, 99999], &[u32::MAX]] {
        match t.decode(ids).unwrap_err() {
            Error::UnknownId { id, position } => {
                assert_eq!((id, position), (*ids.last().unwrap(), ids.len() - 1));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(t.decode_bytes(ids), Err(Error::UnknownId { .. })));
    }
}

#[test]
fn decoding_bytes_that_are_not_utf8() {
    let t = Tokenizer::gpt2();
    // "😀" is four bytes that GPT-2 encodes as two tokens of three bytes and
    // one; neither alone is valid UTF-8.
    let ids = t.encode("😀");
    assert_eq!(ids, [47249, 222]);
    assert!(matches!(
        t.decode(&ids[..1]),
        Err(Error::InvalidUtf8 { .. })
    ));
    assert_eq!(t.decode_bytes(&ids[..1]).unwrap(), &"😀".as_bytes()[..3]);
    assert_eq!(t.decode_bytes(&ids[1..]).unwrap(), &"😀".as_bytes()[3..]);
    assert_eq!(t.decode(&ids).unwrap(), "😀");
}

#[test]
fn merges_cut_short_are_an_error_naming_the_tokens_no_merge_makes() {
    let vocab = include_str!("../data/gpt2/vocab.json");
    let merges = include_str!("../data/gpt2/merges.txt");
    // The header and the first 26,000 merges: the last 24,000 tokens of
    // vocab.json are made by none of them.
    let cut: String = merges
        .lines()
        .take(26_001)
        .map(|l| format!("{l}\n"))
        .collect();
    let (e, msg) = load_err(vocab, &cut);
    match &e {
        Error::Parse {
            file,
            line: None,
            problem: ParseProblem::UnmadeTokens { count, first },
        } => {
            assert_eq!((file.as_str(), *count), ("merges.txt", 24_000));
            // In id order: ids 26,256, 26,257, ... are the first made by no
            // merge.
            let ids: Vec<u32> = first
                .iter()
                .map(|t| Tokenizer::gpt2().encode(&t.replace('Ġ', " "))[0])
                .collect();
            assert_eq!(ids, [26_256, 26_257, 26_258, 26_259, 26_260]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        msg.contains("24000 tokens") && msg.contains("cut short"),
        "{msg}"
    );
    // The whole file loads, `<|endoftext|>` its one special token.
    let whole = Tokenizer::from_gpt2(vocab.as_bytes(), merges.as_bytes()).unwrap();
    assert_eq!(
        whole.special_tokens().collect::<Vec<_>>(),
        [("<|endoftext|>", 50256)]
    );
    // Control tokens no merge makes are special tokens, `<...>` and `[...]`.
    let mut v = mini_vocab();
    v.push(("<s>".to_string(), 400));
    v.push(("[CLS]".to_string(), 401));
    let t = load(&vocab_json(&v), MINI_MERGES).unwrap();
    assert_eq!(t.encode_with_special_tokens("[CLS]<s>"), [401, 400]);
}

#[test]
fn io_errors_name_the_path_and_the_cause_once() {
    let missing = std::env::temp_dir().join("bytepair-no-such-dir/vocab.json");
    let e = Tokenizer::from_gpt2_files(&missing, &missing).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with(&missing.display().to_string()), "{msg}");
    assert!(msg.contains("No such file"), "{msg}");
    // The cause is in the message, not repeated as a source.
    assert!(std::error::Error::source(&e).is_none());
}
