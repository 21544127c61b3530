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
}
