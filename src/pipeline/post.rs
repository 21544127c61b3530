//! Post-processors: what HF adds around an encoded text when asked for the
//! model's input (`add_special_tokens=True`): a BOS token, `[CLS]`/`[SEP]`,
//! ..., and how byte-level ones trim offsets. A pair of texts (a question and
//! its context) is joined here too.

use std::collections::HashMap;
use std::ops::Range;

/// One item of a template: a special token (by its name in the template's
/// `special_tokens`) or one of the sequences (`A` or `B`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Special(String),
    SequenceA,
    SequenceB,
}

/// One of HF's post-processors.
#[derive(Clone, Debug)]
pub(crate) enum PostProcessor {
    ByteLevel {
        trim_offsets: bool,
        add_prefix_space: bool,
    },
    Template {
        single: Vec<Item>,
        pair: Vec<Item>,
        /// The ids of each special token the templates name.
        specials: HashMap<String, Vec<u32>>,
    },
    /// `<s> A </s>` and `<s> A </s> </s> B </s>` (RoBERTa), with
    /// byte-level offset trimming.
    Roberta {
        cls: u32,
        sep: u32,
        trim_offsets: bool,
        add_prefix_space: bool,
    },
    /// `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` (BERT).
    Bert {
        cls: u32,
        sep: u32,
    },
    Sequence(Vec<PostProcessor>),
}

/// The ids of one text with their offsets in it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Encoded {
    pub(crate) ids: Vec<u32>,
    pub(crate) offsets: Vec<Range<usize>>,
    /// Each token's leading and trailing whitespace characters as HF spells
    /// it (`Ġ` counts), for the byte-level trimming.
    pub(crate) spaces: Vec<(usize, usize)>,
    /// Which text each token comes from (0 or 1; 2 for the tokens a
    /// template adds), for the trimming after a pair is joined.
    pub(crate) sources: Vec<u8>,
}

impl Encoded {
    fn push_added(&mut self, id: u32) {
        self.ids.push(id);
        self.offsets.push(0..0);
        self.spaces.push((0, 0));
        self.sources.push(2);
    }

    fn extend(&mut self, other: &Encoded) {
        self.ids.extend_from_slice(&other.ids);
        self.offsets.extend_from_slice(&other.offsets);
        self.spaces.extend_from_slice(&other.spaces);
        self.sources.extend_from_slice(&other.sources);
    }
}

impl PostProcessor {
    /// Every id the processor can add, with where it is written (a JSON
    /// path below `post_processor`), for the loader to check.
    pub(crate) fn ids(&self, at: &str) -> Vec<(String, u32)> {
        match self {
            PostProcessor::ByteLevel { .. } => Vec::new(),
            PostProcessor::Template { specials, .. } => {
                let mut ids: Vec<(String, u32)> = specials
                    .iter()
                    .flat_map(|(name, ids)| {
                        ids.iter()
                            .map(move |&id| (format!("{at}.special_tokens.{name}.ids"), id))
                    })
                    .collect();
                ids.sort();
                ids
            }
            PostProcessor::Roberta { cls, sep, .. } | PostProcessor::Bert { cls, sep } => {
                vec![(format!("{at}.cls"), *cls), (format!("{at}.sep"), *sep)]
            }
            PostProcessor::Sequence(parts) => parts
                .iter()
                .enumerate()
                .flat_map(|(i, p)| p.ids(&format!("{at}.processors[{i}]")))
                .collect(),
        }
    }

    /// Processes the encodings of one text or a pair (`texts` are their
    /// texts): trims offsets and, with `add_special_tokens`, joins them with
    /// the tokens the template adds (whose offsets are `0..0`, as in HF).
    /// Leaves one encoding when it joined them.
    pub(crate) fn apply(&self, texts: &[&str], parts: &mut Vec<Encoded>, add_special_tokens: bool) {
        match self {
            PostProcessor::ByteLevel {
                trim_offsets,
                add_prefix_space,
            } => {
                if *trim_offsets {
                    trim_each(texts, parts, *add_prefix_space);
                }
            }
            PostProcessor::Roberta {
                cls,
                sep,
                trim_offsets,
                add_prefix_space,
            } => {
                if *trim_offsets {
                    trim_each(texts, parts, *add_prefix_space);
                }
                if add_special_tokens {
                    join_cls_sep(parts, *cls, *sep, true);
                }
            }
            PostProcessor::Bert { cls, sep } => {
                if add_special_tokens {
                    join_cls_sep(parts, *cls, *sep, false);
                }
            }
            PostProcessor::Template {
                single,
                pair,
                specials,
            } => {
                if add_special_tokens {
                    join(parts, single, pair, specials);
                }
            }
            PostProcessor::Sequence(processors) => {
                for processor in processors {
                    processor.apply(texts, parts, add_special_tokens);
                }
            }
        }
    }
}

/// BERT's and RoBERTa's templates (RoBERTa doubles the separator between
/// the two texts).
fn join_cls_sep(parts: &mut Vec<Encoded>, cls: u32, sep: u32, roberta: bool) {
    let (c, s) = (Item::Special("cls".into()), Item::Special("sep".into()));
    let single = [c.clone(), Item::SequenceA, s.clone()];
    let mut pair = vec![c, Item::SequenceA, s.clone()];
    if roberta {
        pair.push(s.clone());
    }
    pair.extend([Item::SequenceB, s]);
    let specials = HashMap::from([("cls".into(), vec![cls]), ("sep".into(), vec![sep])]);
    join(parts, &single, &pair, &specials);
}

/// Joins one or two encodings as `single` or `pair` says.
fn join(
    parts: &mut Vec<Encoded>,
    single: &[Item],
    pair: &[Item],
    specials: &HashMap<String, Vec<u32>>,
) {
    let template = if parts.len() == 2 { pair } else { single };
    let mut out = Encoded::default();
    for item in template {
        match item {
            Item::Special(name) => {
                for &id in specials.get(name).map_or(&[][..], Vec::as_slice) {
                    out.push_added(id);
                }
            }
            Item::SequenceA => out.extend(&parts[0]),
            Item::SequenceB => {
                if let Some(b) = parts.get(1) {
                    out.extend(b);
                }
            }
        }
    }
    *parts = vec![out];
}

/// [`trim`] on each encoding.
fn trim_each(texts: &[&str], parts: &mut [Encoded], add_prefix_space: bool) {
    for part in parts {
        trim(texts, part, add_prefix_space);
    }
}

/// HF's byte-level offset trimming: a token's offsets leave out as many
/// characters as it has leading and trailing spaces (except the one space a
/// prefix space added to the first token). HF counts in characters (its
/// Python API trims character offsets), so a no-break space that NFKC made
/// a space is left out whole.
fn trim(texts: &[&str], encoded: &mut Encoded, add_prefix_space: bool) {
    for i in 0..encoded.ids.len() {
        let (mut leading, trailing) = encoded.spaces[i];
        let Some(text) = texts.get(encoded.sources[i] as usize) else {
            continue;
        };
        let offsets = &mut encoded.offsets[i];
        if leading > 0 {
            let first = i == 0 || offsets.start == 0;
            if first && add_prefix_space && leading == 1 {
                leading = 0;
            }
            // `leading` characters further on, or the end of the text.
            let moved = text[offsets.start..]
                .char_indices()
                .nth(leading)
                .map_or(text.len(), |(at, _)| offsets.start + at);
            offsets.start = moved.min(offsets.end);
        }
        if trailing > 0 {
            // `trailing` characters back; HF leaves the end alone when the
            // text before it has fewer.
            let moved = text[..offsets.end]
                .char_indices()
                .rev()
                .nth(trailing - 1)
                .map(|(at, _)| at);
            if let Some(moved) = moved {
                offsets.end = moved.max(offsets.start);
            }
        }
    }
}
