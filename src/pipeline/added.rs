//! Added tokens: texts that become one token wherever they occur, found
//! before the rest of the pipeline runs (HF's `AddedVocabulary`).
//!
//! Those marked `normalized: false` are looked for in the original text,
//! the others in the normalized text of what lies between the first ones.
//! Each set is one Aho-Corasick automaton (leftmost-longest, as HF builds
//! it), so thousands of added tokens cost one pass over the text.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::normalizer::Normalizer;
use crate::error::{Error, Result};

/// One entry of tokenizer.json's `added_tokens`, as read and written
/// (missing flags take HF's defaults).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub(crate) struct AddedToken {
    pub(crate) id: u32,
    pub(crate) content: String,
    #[serde(default)]
    pub(crate) single_word: bool,
    #[serde(default)]
    pub(crate) lstrip: bool,
    #[serde(default)]
    pub(crate) rstrip: bool,
    #[serde(default = "normalized_by_default")]
    pub(crate) normalized: bool,
    #[serde(default)]
    pub(crate) special: bool,
}

fn normalized_by_default() -> bool {
    true
}

/// A set of added tokens searched together.
#[derive(Clone, Debug)]
struct Matcher {
    automaton: AhoCorasick,
    /// The token (index into `AddedTokens::tokens`) of each pattern.
    tokens: Vec<usize>,
}

/// All added tokens, with their two matchers.
#[derive(Clone, Debug, Default)]
pub(crate) struct AddedTokens {
    pub(crate) tokens: Vec<AddedToken>,
    raw: Option<Matcher>,
    normalized: Option<Matcher>,
    /// Index into `tokens` by id.
    ids: std::collections::HashMap<u32, usize>,
}

/// A part of a text: an added token (index into the tokens) or text between.
pub(crate) type Part = (Option<usize>, Range<usize>);

impl AddedTokens {
    /// Builds the matchers; `normalizer` gives the form in which tokens
    /// marked `normalized` are looked for.
    ///
    /// # Errors
    /// [`Error::Pattern`] if the automaton cannot be built (too large).
    pub(crate) fn new(tokens: Vec<AddedToken>, normalizer: Option<&Normalizer>) -> Result<Self> {
        // Special tokens first, then the others, each content once: the
        // order in which HF registers them (it decides between two equal
        // contents).
        let mut order: Vec<usize> = Vec::with_capacity(tokens.len());
        let mut seen = std::collections::HashSet::new();
        for special in [true, false] {
            for (i, t) in tokens.iter().enumerate() {
                if t.special == special && !t.content.is_empty() && seen.insert(&t.content) {
                    order.push(i);
                }
            }
        }
        let build = |normalized: bool| -> Result<Option<Matcher>> {
            let chosen: Vec<usize> = order
                .iter()
                .copied()
                .filter(|&i| tokens[i].normalized == normalized)
                .collect();
            if chosen.is_empty() {
                return Ok(None);
            }
            let patterns: Vec<String> = chosen
                .iter()
                .map(|&i| match (normalized, normalizer) {
                    (true, Some(n)) => n.normalize_str(&tokens[i].content),
                    _ => tokens[i].content.clone(),
                })
                .collect();
            let automaton = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .map_err(|e| Error::Pattern {
                    pattern: "added tokens".to_string(),
                    message: e.to_string(),
                })?;
            Ok(Some(Matcher {
                automaton,
                tokens: chosen,
            }))
        };
        let raw = build(false)?;
        let normalized = build(true)?;
        let ids = tokens.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        Ok(AddedTokens {
            tokens,
            raw,
            normalized,
            ids,
        })
    }

    /// The added token with this id.
    pub(crate) fn by_id(&self, id: u32) -> Option<&AddedToken> {
        self.ids.get(&id).map(|&i| &self.tokens[i])
    }

    /// The added tokens in `text` that are not `normalized`, and the text
    /// between them. With `skip_special`, special tokens are passed over
    /// (their text stays text).
    pub(crate) fn find_raw(&self, text: &str, skip_special: bool) -> Vec<Part> {
        self.find(self.raw.as_ref(), text, skip_special)
    }

    /// The same for the `normalized` tokens, in normalized text.
    pub(crate) fn find_normalized(&self, text: &str, skip_special: bool) -> Vec<Part> {
        self.find(self.normalized.as_ref(), text, skip_special)
    }

    fn find(&self, matcher: Option<&Matcher>, text: &str, skip_special: bool) -> Vec<Part> {
        let Some(matcher) = matcher else {
            return vec![(None, 0..text.len())];
        };
        let mut parts = Vec::new();
        let mut done = 0;
        for m in matcher.automaton.find_iter(text) {
            let index = matcher.tokens[m.pattern().as_usize()];
            let token = &self.tokens[index];
            if skip_special && token.special {
                continue;
            }
            let (mut start, mut end) = (m.start(), m.end());
            if token.single_word {
                let word_before = start > 0 && word_class().0.is_match(&text[..start]);
                let word_after = end < text.len() && word_class().1.is_match(&text[end..]);
                if word_before || word_after {
                    continue;
                }
            }
            if token.lstrip {
                let spaces = space_class()
                    .0
                    .find(&text[..start])
                    .map_or(start, |s| s.start());
                // Spaces an earlier match already took stay with it.
                start = spaces.max(done);
            }
            if token.rstrip {
                end += space_class().1.find(&text[end..]).map_or(0, |s| s.end());
            }
            if done < start {
                parts.push((None, done..start));
            }
            parts.push((Some(index), start..end));
            done = end;
        }
        if done != text.len() || parts.is_empty() {
            parts.push((None, done..text.len()));
        }
        parts
    }
}

/// "Ends with a word character" and "starts with one", as HF tests them.
fn word_class() -> &'static (regex::Regex, regex::Regex) {
    static CLASS: OnceLock<(regex::Regex, regex::Regex)> = OnceLock::new();
    CLASS.get_or_init(|| {
        (
            regex::Regex::new(r"\w$").expect("valid"),
            regex::Regex::new(r"^\w").expect("valid"),
        )
    })
}

/// The whitespace at the end of a text and at the start of one.
fn space_class() -> &'static (regex::Regex, regex::Regex) {
    static CLASS: OnceLock<(regex::Regex, regex::Regex)> = OnceLock::new();
    CLASS.get_or_init(|| {
        (
            regex::Regex::new(r"\s*$").expect("valid"),
            regex::Regex::new(r"^\s*").expect("valid"),
        )
    })
}
