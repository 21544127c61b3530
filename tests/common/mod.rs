//! Helpers shared by the integration tests: fixture reading, a seeded random
//! number generator and random text.
#![allow(dead_code)]

use std::path::PathBuf;

/// The path of a file under tests/fixtures.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The text of a fixture.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Ids stored as unsigned LEB128 varints (scripts/make_fixtures.py writes them).
pub fn fixture_ids(name: &str) -> Vec<u32> {
    let bytes = std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut ids = Vec::with_capacity(bytes.len() / 2);
    let (mut value, mut shift) = (0u32, 0);
    for b in bytes {
        value |= ((b & 0x7F) as u32) << shift;
        if b & 0x80 == 0 {
            ids.push(value);
            (value, shift) = (0, 0);
        } else {
            shift += 7;
        }
    }
    assert_eq!(shift, 0, "{name} ends inside a varint");
    ids
}

/// FNV-1a over the ids as little-endian u32s (the sweep fixture's checksum).
pub fn fnv1a(ids: &[u32]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for id in ids {
        for b in id.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01B3);
        }
    }
    h
}

/// Panics with the first difference between `ours` and `reference`, with the
/// text around it, so that a parity failure says where and how.
pub fn assert_same_ids(
    tokenizer: &bytepair::Tokenizer,
    label: &str,
    ours: &[u32],
    reference: &[u32],
) {
    if ours == reference {
        return;
    }
    let at = ours
        .iter()
        .zip(reference)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(reference.len()));
    let window = |ids: &[u32]| {
        let ids = &ids[at.saturating_sub(5)..(at + 5).min(ids.len())];
        let text =
            String::from_utf8_lossy(&tokenizer.decode_bytes(ids).unwrap_or_default()).into_owned();
        format!("{ids:?} {text:?}")
    };
    panic!(
        "{label}: ids differ at token {at} (ours {} tokens, reference {})\n  ours:      {}\n  reference: {}",
        ours.len(),
        reference.len(),
        window(ours),
        window(reference)
    );
}

/// A small, seeded PRNG (SplitMix64): the tests must be reproducible without
/// extra dependencies.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Fragments the random-text generator draws from: many scripts, digits of
/// several scripts, punctuation, emoji with modifiers and ZWJ, combining
/// marks, every Unicode whitespace character, CRLF, contractions in all
/// spellings, and special-token text.
const FRAGMENTS: &[&[&str]] = &[
    &["the", "The", "THE", "a", "z", "hello", "World", "x"],
    &[
        "é",
        "ß",
        "ñ",
        "Ω",
        "λόγος",
        "Привет",
        "мир",
        "שלום",
        "مرحبا",
        "नमस्ते",
        "สวัสดี",
    ],
    &[
        "中文",
        "日本語",
        "ひらがな",
        "カタカナ",
        "한국어",
        "ᚠᚢᚦ",
        "ʰʲ",
    ],
    &[
        "0", "7", "42", "2026", "٣", "४२", "１２", "Ⅻ", "½", "²", "①", "𝟐",
    ],
    &[
        "!", ".", ",", "?", "...", "--", "(", ")", "\"", "#", "@", "{", "}", "“", "”", "«", "—",
        "…", "。", "、", "¿", "€",
    ],
    &[
        "😀",
        "👍🏽",
        "👨\u{200d}👩\u{200d}👧",
        "🇺🇸",
        "1\u{fe0f}\u{20e3}",
        "❤\u{fe0f}",
        "🫠",
    ],
    &[
        "e\u{301}",
        "\u{301}",
        "a\u{308}\u{323}",
        "क\u{93f}",
        "\u{20dd}",
        "Z\u{351}\u{352}",
    ],
    &[
        " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", "\u{b}", "\u{c}", "\u{85}", "\u{a0}",
        "\u{1680}", "\u{2000}", "\u{2007}", "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}",
        "\u{205f}", "\u{3000}", "\u{200b}", "\u{feff}",
    ],
    &[
        "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "’s", "'", "''", "don't", "it’s",
        "O'Neil's",
    ],
    &["<|endoftext|>", "<|endoftext", "|>", "<|"],
];

/// A random string of up to `max_fragments` fragments.
pub fn random_text(rng: &mut Rng, max_fragments: usize) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(max_fragments) + 1 {
        let group: &[&str] = FRAGMENTS[rng.below(FRAGMENTS.len())];
        text.push_str(group[rng.below(group.len())]);
        if rng.below(4) == 0 {
            text.push(' ');
        }
    }
    text
}

/// The texts of the Unicode sweep, built exactly as scripts/make_fixtures.py
/// builds them: every scalar value of a block of 4096 in one of four contexts.
pub fn sweep_text(block_start: u32, template: usize) -> String {
    let mut text = String::new();
    for c in (block_start..(block_start + 4096).min(0x110000)).filter_map(char::from_u32) {
        match template {
            0 => text.push(c),
            1 => {
                text.push('a');
                text.push(c);
                text.push(' ');
            }
            2 => {
                text.push(' ');
                text.push(c);
                text.push(c);
                text.push_str("1\n");
            }
            _ => {
                text.push('\'');
                text.push(c);
                text.push('s');
                text.push(c);
                text.push('\u{3000}');
            }
        }
    }
    text
}

/// `text` cut as scripts/make_format_fixtures.py cuts it: each block runs to
/// the first `\n` at or after 4096 bytes past its start (or to the end).
pub fn blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < text.len() {
        let from = (start + 4096).min(text.len());
        let end = bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| from + i + 1);
        out.push(&text[start..end]);
        start = end;
    }
    out
}

/// One row of a `kind key count fnv1a64` fixture.
pub struct Row {
    pub kind: String,
    pub key: String,
    pub count: usize,
    pub hash: u64,
}

impl Row {
    /// Asserts that `ids`, the encoding of `text`, has the row's count and
    /// hash; `what` names the tokenizer and the reference in the message.
    pub fn assert_ids(&self, ids: &[u32], text: &str, what: &str) {
        assert_eq!(
            (ids.len(), fnv1a(ids)),
            (self.count, self.hash),
            "{what}: {} {} differs; text {:?}",
            self.kind,
            self.key,
            text.chars().take(200).collect::<String>()
        );
    }
}

/// The rows of a `kind key count fnv1a64` fixture.
pub fn rows(name: &str) -> Vec<Row> {
    fixture_text(name)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                kind: f[0].to_string(),
                key: f[1].to_string(),
                count: f[2].parse().unwrap(),
                hash: u64::from_str_radix(f[3], 16).unwrap(),
            }
        })
        .collect()
}

/// The `text` field of each line of a JSON-lines fixture.
pub fn fixture_strings(name: &str) -> Vec<String> {
    fixture_text(name)
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            value["text"].as_str().unwrap().to_string()
        })
        .collect()
}
