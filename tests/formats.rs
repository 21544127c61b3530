//! HF tokenizer.json and tiktoken rank files: loading files HF wrote and
//! encoding as HF does, saving files HF and bytepair read back the same,
//! and refusing what bytepair does not implement.

mod common;

use bytepair::{Error, ParseProblem, Tokenizer};
use common::{blocks, fixture_path, fixture_strings, fixture_text, rows};
use serde_json::{Value, json};

const HF_FIXTURES: [&str; 5] = [
    "gpt2",
    "bytelevel",
    "bytelevel_legacy",
    "split_cl100k",
    "split_o200k",
];

fn hf_file(name: &str) -> std::path::PathBuf {
    fixture_path(&format!("hf/{name}/tokenizer.json"))
}

/// The texts of an `ids.tsv` row: corpus blocks, tricky and random strings.
struct Texts {
    samples: Vec<(String, String)>,
    tricky: Vec<String>,
    random: Vec<String>,
}

impl Texts {
    fn load() -> Texts {
        Texts {
            samples: ["prose", "multilingual", "code"]
                .iter()
                .map(|s| (s.to_string(), fixture_text(&format!("corpus/{s}.txt"))))
                .collect(),
            tricky: fixture_strings("gpt2_tricky.jsonl"),
            random: fixture_strings("random_strings.jsonl"),
        }
    }

    fn get(&self, kind: &str, key: &str) -> String {
        match kind {
            "corpus" => {
                let (sample, index) = key.split_once(':').unwrap();
                let (_, text) = self.samples.iter().find(|(s, _)| s == sample).unwrap();
                blocks(text)[index.parse::<usize>().unwrap()].to_string()
            }
            "tricky" => self.tricky[key.parse::<usize>().unwrap()].clone(),
            "random" => self.random[key.parse::<usize>().unwrap()].clone(),
            other => panic!("unknown row kind {other}"),
        }
    }
}

/// HF recognises added tokens in every `encode`, so its ids are those of
/// `encode_with_special_tokens`.
fn check_against_hf(tokenizer: &Tokenizer, name: &str, texts: &Texts) -> usize {
    let mut checked = 0;
    for row in rows(&format!("hf/{name}/ids.tsv")) {
        let text = texts.get(&row.kind, &row.key);
        let ids = tokenizer.encode_with_special_tokens(&text);
        row.assert_ids(&ids, &text, &format!("{name} against HF"));
        assert_eq!(tokenizer.decode(&ids).unwrap(), text);
        checked += 1;
    }
    checked
}

#[test]
fn tokenizer_json_files_written_by_hf_encode_as_hf_does() {
    let texts = Texts::load();
    for name in HF_FIXTURES {
        let tokenizer = Tokenizer::from_tokenizer_json_file(hf_file(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let checked = check_against_hf(&tokenizer, name, &texts);
        assert_eq!(checked, 3 * 64 + 208 + 4000, "{name}");
    }
}

/// HF's tokenizer.json for GPT-2 is the embedded GPT-2.
#[test]
fn hf_gpt2_file_is_gpt2() {
    let from_json = Tokenizer::from_tokenizer_json_file(hf_file("gpt2")).unwrap();
    let gpt2 = Tokenizer::gpt2();
    let text = fixture_text("corpus/multilingual.txt");
    assert_eq!(from_json.encode(&text), gpt2.encode(&text));
    assert_eq!(from_json.vocab_size(), 50257);
    assert_eq!(from_json.special_token_id("<|endoftext|>"), Some(50256));
    assert_eq!(from_json.pattern(), bytepair::GPT2_PATTERN);
}

/// The legacy `"a b"` merges and the `["a", "b"]` pairs give one tokenizer.
#[test]
fn both_merge_encodings_load_the_same() {
    let pairs = Tokenizer::from_tokenizer_json_file(hf_file("bytelevel")).unwrap();
    let legacy = Tokenizer::from_tokenizer_json_file(hf_file("bytelevel_legacy")).unwrap();
    assert_eq!(
        pairs.to_tokenizer_json().unwrap(),
        legacy.to_tokenizer_json().unwrap()
    );
    let text = fixture_text("corpus/code.txt");
    assert_eq!(pairs.encode(&text), legacy.encode(&text));
}

fn merges_as_pairs(doc: &Value) -> Vec<(String, String)> {
    doc["model"]["merges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| match m {
            Value::String(line) => {
                let (a, b) = line.split_once(' ').unwrap();
                (a.to_string(), b.to_string())
            }
            Value::Array(pair) => (
                pair[0].as_str().unwrap().to_string(),
                pair[1].as_str().unwrap().to_string(),
            ),
            other => panic!("{other}"),
        })
        .collect()
}

fn pattern_of(doc: &Value) -> Option<String> {
    let pre = &doc["pre_tokenizer"];
    match pre["type"].as_str() {
        Some("ByteLevel") => Some("gpt2".to_string()),
        Some("Sequence") => pre["pretokenizers"][0]["pattern"]["Regex"]
            .as_str()
            .map(str::to_string),
        _ => None,
    }
}

/// Saving what was loaded writes the same model (vocabulary, merges, added
/// tokens, pattern, ignore_merges) as HF's file, and loading it again gives
/// the same ids.
#[test]
fn tokenizer_json_round_trips() {
    let texts = Texts::load();
    for name in HF_FIXTURES {
        let original: Value =
            serde_json::from_str(&fixture_text(&format!("hf/{name}/tokenizer.json"))).unwrap();
        let tokenizer = Tokenizer::from_tokenizer_json_file(hf_file(name)).unwrap();
        let saved_text = tokenizer.to_tokenizer_json().unwrap();
        let saved: Value = serde_json::from_str(&saved_text).unwrap();
        assert_eq!(
            saved["model"]["vocab"], original["model"]["vocab"],
            "{name}"
        );
        assert_eq!(
            merges_as_pairs(&saved),
            merges_as_pairs(&original),
            "{name}"
        );
        assert_eq!(pattern_of(&saved), pattern_of(&original), "{name}");
        assert_eq!(
            saved["model"]["ignore_merges"].as_bool(),
            Some(
                original["model"]["ignore_merges"]
                    .as_bool()
                    .unwrap_or(false)
            ),
            "{name}"
        );
        let added = |doc: &Value| -> Vec<(u64, String)> {
            doc["added_tokens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["id"].as_u64().unwrap(),
                        t["content"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        assert_eq!(added(&saved), added(&original), "{name}");
        let reloaded = Tokenizer::from_tokenizer_json(saved_text.as_bytes()).unwrap();
        assert_eq!(
            check_against_hf(&reloaded, name, &texts),
            3 * 64 + 208 + 4000
        );
        // And once more: saving is stable.
        assert_eq!(reloaded.to_tokenizer_json().unwrap(), saved_text, "{name}");
    }
}

/// Through a file on disk, and a missing file names its path.
#[test]
fn tokenizer_json_files_on_disk() {
    let dir = std::env::temp_dir().join(format!("bytepair-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tokenizer.json");
    let tokenizer = Tokenizer::gpt2()
        .with_pattern(bytepair::O200K_PATTERN)
        .unwrap();
    tokenizer.save_tokenizer_json(&path).unwrap();
    let back = Tokenizer::from_tokenizer_json_file(&path).unwrap();
    assert_eq!(back.pattern(), bytepair::O200K_PATTERN);
    let text = "HelloWorld's 1234567 <|endoftext|>";
    assert_eq!(back.encode(text), tokenizer.encode(text));
    assert_eq!(
        back.encode_with_special_tokens(text),
        tokenizer.encode_with_special_tokens(text)
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let missing = dir.join("nope.json");
    match Tokenizer::from_tokenizer_json_file(&missing) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("{other:?}"),
    }
}

/// cl100k's pattern is written in the spelling HF's regex engine reads the
/// same way, and read back onto the cl100k scanner.
#[test]
fn cl100k_pattern_survives_tokenizer_json() {
    let tokenizer = Tokenizer::gpt2()
        .with_pattern(bytepair::CL100K_PATTERN)
        .unwrap();
    let json = tokenizer.to_tokenizer_json().unwrap();
    let doc: Value = serde_json::from_str(&json).unwrap();
    let written = pattern_of(&doc).unwrap();
    assert!(written.contains(r"\p{N}{1,3}|"), "{written}");
    let back = Tokenizer::from_tokenizer_json(json.as_bytes()).unwrap();
    assert_eq!(
        back.split("1234567").collect::<Vec<_>>(),
        ["123", "456", "7"]
    );
    // A user's possessive interval cannot be written faithfully.
    let user = Tokenizer::gpt2().with_pattern(r"\d{1,3}+|\D+").unwrap();
    assert!(matches!(
        user.to_tokenizer_json(),
        Err(Error::Unsupported { .. })
    ));
}

/// The bytelevel fixture with one change.
fn edited(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut doc: Value =
        serde_json::from_str(&fixture_text("hf/bytelevel/tokenizer.json")).unwrap();
    edit(&mut doc);
    serde_json::to_vec(&doc).unwrap()
}

fn unsupported(json: &[u8]) -> (String, String) {
    match Tokenizer::from_tokenizer_json(json) {
        Err(e @ Error::Unsupported { .. }) => {
            let Error::Unsupported { setting, .. } = &e else {
                unreachable!()
            };
            (setting.clone(), e.to_string())
        }
        Err(other) => panic!("expected Unsupported, got {other:?}"),
        Ok(_) => panic!("expected Unsupported, got a tokenizer"),
    }
}

#[test]
fn settings_bytepair_does_not_implement_are_refused_by_name() {
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "normalizer.normalizers[1]",
            Box::new(|d| {
                d["normalizer"] = json!({"type": "Sequence", "normalizers": [
                    {"type": "NFC"}, {"type": "Precompiled", "precompiled_charsmap": "AAAA"}]})
            }),
        ),
        (
            "normalizer",
            Box::new(|d| d["normalizer"] = json!({"type": "BertNormalizer"})),
        ),
        (
            "model.dropout",
            Box::new(|d| d["model"]["dropout"] = json!(0.1)),
        ),
        (
            "model.continuing_subword_prefix",
            Box::new(|d| d["model"]["continuing_subword_prefix"] = json!("##")),
        ),
        (
            "model.end_of_word_suffix",
            Box::new(|d| d["model"]["end_of_word_suffix"] = json!("</w>")),
        ),
        (
            "pre_tokenizer.pretokenizers[0]",
            Box::new(|d| {
                d["pre_tokenizer"] = json!({"type": "Sequence", "pretokenizers": [
                    {"type": "UnicodeScripts"}, {"type": "ByteLevel"}]})
            }),
        ),
        (
            "pre_tokenizer.behavior",
            Box::new(|d| {
                d["pre_tokenizer"] =
                    json!({"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"})
            }),
        ),
        (
            "post_processor",
            Box::new(|d| d["post_processor"] = json!({"type": "Mystery"})),
        ),
        (
            "decoder",
            Box::new(|d| {
                d["decoder"] = json!({"type": "WordPiece", "prefix": "##", "cleanup": true})
            }),
        ),
        (
            "truncation",
            Box::new(
                |d| d["truncation"] = json!({"max_length": 512, "strategy": "LongestFirst", "stride": 0, "direction": "Right"}),
            ),
        ),
        (
            "padding",
            Box::new(|d| d["padding"] = json!({"strategy": "BatchLongest"})),
        ),
        ("version", Box::new(|d| d["version"] = json!("2.0"))),
        (
            "model.ignore_merges",
            Box::new(|d| d["model"]["ignore_merges"] = json!("yes")),
        ),
    ];
    for (setting, edit) in cases {
        let (found, message) = unsupported(&edited(edit));
        assert!(found.starts_with(setting), "{setting}: {found}");
        assert!(
            message.contains(setting) && message.contains("not supported"),
            "{message}"
        );
    }
    // A model that is not BPE says what bytepair implements.
    match Tokenizer::from_tokenizer_json(&edited(|d| d["model"]["type"] = json!("WordPiece"))) {
        Err(e @ Error::Unsupported { .. }) => {
            assert!(e.to_string().contains("model.type = \"WordPiece\""), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // A pattern HF's Oniguruma reads otherwise, or that cannot compile.
    let split = |behavior: &str, invert: bool, pattern: &str| {
        edited(|d| {
            d["pre_tokenizer"] = json!({"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": pattern}, "behavior": behavior, "invert": invert},
                {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
            ]});
        })
    };
    for (behavior, invert) in [
        ("Isolated", false),
        ("Removed", true),
        ("MergedWithNext", false),
    ] {
        assert!(Tokenizer::from_tokenizer_json(&split(behavior, invert, r"\w+|\W")).is_ok());
    }
    assert!(
        unsupported(&split("Isolated", false, r"\d{1,3}+"))
            .0
            .contains("pretokenizers[0].pattern")
    );
    assert!(matches!(
        Tokenizer::from_tokenizer_json(&split("Isolated", false, r"(unclosed")),
        Err(Error::Pattern { .. })
    ));
    // A template naming a token that does not exist.
    let template = edited(|d| {
        d["post_processor"] = json!({"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<nope>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [], "special_tokens": {}})
    });
    match Tokenizer::from_tokenizer_json(&template) {
        Err(
            e @ Error::Parse {
                problem: ParseProblem::Json(_),
                ..
            },
        ) => assert!(e.to_string().contains("<nope>"), "{e}"),
        other => panic!("{other:?}"),
    }
    // A template whose special token has an id the tokenizer lacks.
    let template = edited(|d| {
        d["post_processor"] = json!({"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [99999], "tokens": ["<s>"]}}})
    });
    match Tokenizer::from_tokenizer_json(&template) {
        Err(
            e @ Error::Parse {
                problem: ParseProblem::Json(_),
                ..
            },
        ) => assert!(
            e.to_string()
                .contains("post_processor.special_tokens.<s>.ids: id 99999"),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
    // A settings HF ignores for ids are accepted: dropout 0, empty prefixes, unk_token.
    let tolerant = edited(|d| {
        d["model"]["dropout"] = json!(0.0);
        d["model"]["continuing_subword_prefix"] = json!("");
        d["model"]["unk_token"] = json!("<unk>");
        d["model"]["fuse_unk"] = json!(true);
        d["added_tokens"][0]["normalized"] = json!(true);
    });
    assert!(Tokenizer::from_tokenizer_json(&tolerant).is_ok());
}

#[test]
fn malformed_tokenizer_json_names_the_problem() {
    let err = |json: &[u8]| Tokenizer::from_tokenizer_json(json).expect_err("must fail");
    assert!(matches!(
        err(b"{"),
        Error::Parse {
            problem: ParseProblem::Json(_),
            ..
        }
    ));
    assert!(matches!(
        err(b"[]"),
        Error::Parse {
            problem: ParseProblem::Json(_),
            ..
        }
    ));
    let no_vocab = edited(|d| {
        d["model"].as_object_mut().unwrap().remove("vocab");
    });
    let e = err(&no_vocab);
    assert!(e.to_string().contains("vocab"), "{e}");
    let bad_merges = edited(|d| d["model"]["merges"] = json!(42));
    assert!(matches!(
        err(&bad_merges),
        Error::Parse {
            problem: ParseProblem::Json(_),
            ..
        }
    ));
    let unknown = edited(|d| d["model"]["merges"][2] = json!(["Ġ", "nosuchtoken"]));
    match err(&unknown) {
        Error::Parse {
            file,
            line,
            problem: ParseProblem::UnknownToken { token },
        } => {
            assert!(file.contains("model.merges"), "{file}");
            assert_eq!(line, Some(3));
            assert_eq!(token, "nosuchtoken");
        }
        other => panic!("{other:?}"),
    }
    let spaced = edited(|d| d["model"]["merges"][0] = json!(["a b", "c"]));
    assert!(matches!(
        err(&spaced),
        Error::Parse {
            line: Some(1),
            problem: ParseProblem::NotByteLevel { .. },
            ..
        }
    ));
    let legacy_bad = edited(|d| d["model"]["merges"][4] = json!("onlyone"));
    assert!(matches!(
        err(&legacy_bad),
        Error::Parse {
            line: Some(5),
            problem: ParseProblem::BadMergeLine { .. },
            ..
        }
    ));
    let duplicate = edited(|d| {
        let first = d["model"]["merges"][0].clone();
        d["model"]["merges"][7] = first;
    });
    assert!(matches!(
        err(&duplicate),
        Error::Parse {
            line: Some(8),
            problem: ParseProblem::DuplicateMerge { first_line: 1, .. },
            ..
        }
    ));
    // A key repeated in model.vocab: serde_json would keep the last silently.
    let text = fixture_text("hf/bytelevel/tokenizer.json");
    let repeated = text.replacen("\"vocab\": {", "\"vocab\": {\n      \"Ġthe\": 1999,", 1);
    assert!(matches!(
        err(repeated.as_bytes()),
        Error::Parse {
            problem: ParseProblem::DuplicateToken { .. },
            ..
        } | Error::Parse {
            problem: ParseProblem::DuplicateId { .. },
            ..
        }
    ));
    // An added token at an id the vocabulary gives another token.
    let clash = edited(|d| d["added_tokens"][0]["id"] = json!(300));
    assert!(matches!(
        err(&clash),
        Error::Parse {
            problem: ParseProblem::DuplicateId { id: 300, .. },
            ..
        }
    ));
}

// --- tiktoken rank files ------------------------------------------------------

/// A rank file: the 256 bytes in GPT-2's order (ranks 0-255), then `extra`.
fn rank_file(extra: &[(&[u8], u32)]) -> String {
    let gpt2 = Tokenizer::gpt2();
    let mut lines = String::new();
    let b64 = |bytes: &[u8]| {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            for k in 0..4 {
                out.push(if k <= chunk.len() {
                    A[(n >> (18 - 6 * k)) as usize & 63] as char
                } else {
                    '='
                });
            }
        }
        out
    };
    for id in 0..256u32 {
        lines.push_str(&format!("{} {id}\n", b64(gpt2.id_to_token(id).unwrap())));
    }
    for (bytes, rank) in extra {
        lines.push_str(&format!("{} {rank}\n", b64(bytes)));
    }
    lines
}

fn tiktoken_err(file: &str) -> Error {
    Tokenizer::from_tiktoken(file.as_bytes(), bytepair::GPT2_PATTERN, &[]).expect_err("must fail")
}

#[test]
fn malformed_rank_files_name_the_line() {
    let good = rank_file(&[(b"he", 256)]);
    assert!(Tokenizer::from_tiktoken(good.as_bytes(), bytepair::GPT2_PATTERN, &[]).is_ok());
    // Blank lines and CRLF are accepted.
    let crlf = good.replace('\n', "\r\n") + "\r\n";
    assert!(Tokenizer::from_tiktoken(crlf.as_bytes(), bytepair::GPT2_PATTERN, &[]).is_ok());
    for (bad_line, why) in [
        ("aGU= 256 7", "three fields"),
        ("aGU=256", "no space"),
        ("aGU= x", "rank not a number"),
        ("aGU= -1", "negative rank"),
        ("aGU= 99999999999", "rank beyond u32"),
        ("aGU 256", "no padding"),
        ("aG!= 256", "not base64"),
        ("aGV= 256", "padding bits set"),
        (" 256", "empty token"),
    ] {
        let file = format!("{}{bad_line}\n", rank_file(&[]));
        match tiktoken_err(&file) {
            Error::Parse {
                line,
                problem: ParseProblem::BadTiktokenLine { text },
                ..
            } => {
                assert_eq!((line, text.as_str()), (Some(257), bad_line), "{why}");
            }
            other => panic!("{why}: {other:?}"),
        }
    }
    assert!(matches!(
        tiktoken_err(&rank_file(&[(b"he", 256), (b"he", 257)])),
        Error::Parse {
            problem: ParseProblem::DuplicateToken { .. },
            ..
        }
    ));
    let e = tiktoken_err(&rank_file(&[(b"he", 256), (b"th", 256)]));
    assert!(
        matches!(
            e,
            Error::Parse {
                problem: ParseProblem::DuplicateId { id: 256, .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("line 258"), "{e}");
    let missing_byte: String = rank_file(&[])
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(matches!(
        tiktoken_err(&missing_byte),
        Error::Parse {
            problem: ParseProblem::MissingByteToken { .. },
            ..
        }
    ));
    // A special token on a rank's id.
    let clash =
        Tokenizer::from_tiktoken(good.as_bytes(), bytepair::GPT2_PATTERN, &[("<|x|>", 256)]);
    assert!(matches!(
        clash,
        Err(Error::Parse {
            problem: ParseProblem::DuplicateId { id: 256, .. },
            ..
        })
    ));
    // A pattern that does not compile.
    let bad_pattern = Tokenizer::from_tiktoken(good.as_bytes(), "(", &[]);
    assert!(matches!(bad_pattern, Err(Error::Pattern { .. })));
    // Not UTF-8 in the rank column.
    let mut bytes = rank_file(&[]).into_bytes();
    bytes.extend_from_slice(b"aGU= 2\xff6\n");
    assert!(matches!(
        Tokenizer::from_tiktoken(&bytes, bytepair::GPT2_PATTERN, &[]),
        Err(Error::Parse {
            line: Some(257),
            problem: ParseProblem::BadTiktokenLine { .. },
            ..
        })
    ));
    let missing = std::path::Path::new("/nonexistent/x.tiktoken");
    match Tokenizer::from_tiktoken_file(missing, bytepair::GPT2_PATTERN, &[]) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("{other:?}"),
    }
}

/// tiktoken's rule for a token that no split by lower ranks reaches: "abcd"
/// forms from "a" + "bcd" once "bcd" (a higher rank) exists. The ids are
/// tiktoken 0.14's for this rank file.
#[test]
fn unreachable_tokens_merge_as_tiktoken_merges_them() {
    let file = rank_file(&[
        (b"bc", 256),
        (b"ab", 257),
        (b"cd", 258),
        (b"abcd", 259),
        (b"bcd", 260),
    ]);
    // The byte tokens are in GPT-2's order, so ranks 0-255 differ from the
    // bytes; tiktoken's ids for the same file: 'abcde' -> [259, 68].
    let t = Tokenizer::from_tiktoken(file.as_bytes(), r"\S+|\s+", &[]).unwrap();
    let e = t.token_to_id(b"e").unwrap();
    let x = t.token_to_id(b"x").unwrap();
    assert_eq!(t.encode("abcde"), [259, e]);
    assert_eq!(t.encode("abcd"), [259]);
    assert_eq!(t.encode("xabcd"), [x, 259]);
    assert_eq!(
        t.encode("abcdabcd bcd"),
        [259, 259, t.token_to_id(b" ").unwrap(), 260]
    );
}
