//! Normalizers: the changes HF applies to text before splitting it (Unicode
//! normal forms, lowercasing, replacing spaces by `▁`, ...).

use unicode_normalization_alignments::UnicodeNormalization;
use unicode_normalization_alignments::char::is_combining_mark;
use unicode_normalization_alignments::{
    IsNormalized, is_nfc_quick, is_nfd_quick, is_nfkc_quick, is_nfkd_quick,
};

use super::normalized::Normalized;
use super::pattern::Pattern;

/// One of HF's normalizers.
#[derive(Clone, Debug)]
pub(crate) enum Normalizer {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
    Lowercase,
    Strip { left: bool, right: bool },
    StripAccents,
    Replace { pattern: Pattern, content: String },
    Prepend(String),
    Sequence(Vec<Normalizer>),
}

impl Normalizer {
    /// Whether the normalizer leaves every text as it is (an empty
    /// `Sequence`), so that it can be skipped.
    pub(crate) fn is_identity(&self) -> bool {
        match self {
            Normalizer::Sequence(parts) => parts.iter().all(Normalizer::is_identity),
            _ => false,
        }
    }

    /// Whether `text` comes out unchanged, found without normalizing: ASCII
    /// and the Unicode quick checks for the normal forms, which cost a pass
    /// over the bytes instead of a copy. `false` means "maybe not".
    pub(crate) fn leaves_unchanged(&self, text: &str) -> bool {
        let yes = |answer: IsNormalized| answer == IsNormalized::Yes;
        match self {
            Normalizer::Nfc => text.is_ascii() || yes(is_nfc_quick(text.chars())),
            Normalizer::Nfd => text.is_ascii() || yes(is_nfd_quick(text.chars())),
            Normalizer::Nfkc => text.is_ascii() || yes(is_nfkc_quick(text.chars())),
            Normalizer::Nfkd => text.is_ascii() || yes(is_nfkd_quick(text.chars())),
            Normalizer::Sequence(parts) => parts.iter().all(|p| p.leaves_unchanged(text)),
            _ => false,
        }
    }

    /// Normalizes `text` in place.
    pub(crate) fn apply(&self, text: &mut Normalized) {
        let whole = 0..text.text.len();
        match self {
            Normalizer::Nfc | Normalizer::Nfd | Normalizer::Nfkc | Normalizer::Nfkd => {
                if self.leaves_unchanged(&text.text) {
                    return;
                }
                let source = text.text.clone();
                let changes: Vec<_> = match self {
                    Normalizer::Nfc => source.nfc().collect(),
                    Normalizer::Nfd => source.nfd().collect(),
                    Normalizer::Nfkc => source.nfkc().collect(),
                    _ => source.nfkd().collect(),
                };
                text.transform(whole, changes, 0);
            }
            Normalizer::Lowercase => text.map_chars(char::to_lowercase),
            Normalizer::Strip { left, right } => text.strip(*left, *right),
            Normalizer::StripAccents => text.filter(|c| !is_combining_mark(c)),
            Normalizer::Replace { pattern, content } => {
                let matches: Vec<_> = pattern
                    .find(&text.text)
                    .into_iter()
                    .filter(|(_, is_match)| *is_match)
                    .map(|(range, _)| range)
                    .collect();
                text.replace(&matches, content);
            }
            Normalizer::Prepend(prefix) => text.prepend(prefix),
            Normalizer::Sequence(parts) => {
                for part in parts {
                    part.apply(text);
                }
            }
        }
    }

    /// The normalized form of a plain string (for added tokens' contents).
    pub(crate) fn normalize_str(&self, text: &str) -> String {
        let mut n = Normalized::new(text, 0);
        self.apply(&mut n);
        n.text
    }

    /// The text [`Normalizer::apply`] makes of `text`, without tracking
    /// where each byte came from: what encoding needs when no offsets are
    /// asked for. The tests check that both give the same text.
    pub(crate) fn normalize(&self, text: &str) -> String {
        let mut out = text.to_string();
        self.normalize_in_place(&mut out);
        out
    }

    fn normalize_in_place(&self, text: &mut String) {
        let composed = |text: &str, form: &Normalizer| -> String {
            match form {
                Normalizer::Nfc => text.nfc().map(|(c, _)| c).collect(),
                Normalizer::Nfd => text.nfd().map(|(c, _)| c).collect(),
                Normalizer::Nfkc => text.nfkc().map(|(c, _)| c).collect(),
                _ => text.nfkd().map(|(c, _)| c).collect(),
            }
        };
        match self {
            Normalizer::Nfc | Normalizer::Nfd | Normalizer::Nfkc | Normalizer::Nfkd => {
                if !self.leaves_unchanged(text) {
                    *text = composed(text, self);
                }
            }
            Normalizer::Lowercase => *text = text.chars().flat_map(char::to_lowercase).collect(),
            Normalizer::Strip { left, right } => {
                let mut kept: &str = text;
                if *left {
                    kept = kept.trim_start_matches(char::is_whitespace);
                }
                if *right {
                    kept = kept.trim_end_matches(char::is_whitespace);
                }
                *text = kept.to_string();
            }
            Normalizer::StripAccents => text.retain(|c| !is_combining_mark(c)),
            Normalizer::Replace { pattern, content } => {
                let parts = pattern.find(text);
                if parts.iter().any(|(_, is_match)| *is_match) {
                    let mut out = String::with_capacity(text.len());
                    for (range, is_match) in parts {
                        out.push_str(if is_match { content } else { &text[range] });
                    }
                    *text = out;
                }
            }
            Normalizer::Prepend(prefix) => {
                if !text.is_empty() {
                    text.insert_str(0, prefix);
                }
            }
            Normalizer::Sequence(parts) => {
                for part in parts {
                    part.normalize_in_place(text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::XorShift;

    /// `normalize` (text only) and `apply` (with alignment) give the same
    /// text for every kind, on random text of the characters that change.
    #[test]
    fn normalize_equals_apply() {
        let chunks = [
            "a", "A", " ", "  ", "\t", "\n", "e\u{301}", "\u{301}", "é", "Å", "ﬁ", "①", "ｆ",
            "\u{3000}", "İ", "ß", "Σ", "中", "😀", "-", "--", "\u{a0}", "x-y", "\u{2581}",
        ];
        let kinds = vec![
            Normalizer::Nfc,
            Normalizer::Nfd,
            Normalizer::Nfkc,
            Normalizer::Nfkd,
            Normalizer::Lowercase,
            Normalizer::Strip {
                left: true,
                right: true,
            },
            Normalizer::Strip {
                left: false,
                right: true,
            },
            Normalizer::StripAccents,
            Normalizer::Replace {
                pattern: Pattern::Literal(" ".into()),
                content: "\u{2581}".into(),
            },
            Normalizer::Replace {
                pattern: Pattern::regex(r"-+").unwrap(),
                content: " ".into(),
            },
            Normalizer::Prepend("\u{2581}".into()),
            Normalizer::Sequence(vec![
                Normalizer::Nfd,
                Normalizer::StripAccents,
                Normalizer::Lowercase,
            ]),
        ];
        let mut rng = XorShift(99);
        for _ in 0..3000 {
            let text: String = (0..rng.below(8))
                .map(|_| chunks[rng.below(chunks.len())])
                .collect();
            for kind in &kinds {
                let mut n = Normalized::new(&text, 0);
                kind.apply(&mut n);
                assert_eq!(kind.normalize(&text), n.text, "{kind:?} on {text:?}");
                assert_eq!(n.align.len(), n.text.len());
            }
        }
    }
}
