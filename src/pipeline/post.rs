//! Post-processors: what HF adds around an encoded text when asked for the
//! model's input (`add_special_tokens=True`): a BOS token, `[CLS]`/`[SEP]`,
//! ..., and how byte-level ones trim offsets.

use std::collections::HashMap;
use std::ops::Range;

/// One item of a template: a special token (by its name in the template's
/// `special_tokens`) or the sequence (`A` or `B`).
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
    /// `<s> A </s>` (RoBERTa), with byte-level offset trimming.
    Roberta {
        cls: u32,
        sep: u32,
        trim_offsets: bool,
        add_prefix_space: bool,
    },
    /// `[CLS] A [SEP]` (BERT).
    Bert { cls: u32, sep: u32 },
    Sequence(Vec<PostProcessor>),
}

/// Token ids with their offsets, as the pipeline produces them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Encoded {
    pub(crate) ids: Vec<u32>,
    pub(crate) offsets: Vec<Range<usize>>,
    /// The bytes of each token as HF spells it would be needed for trimming;
    /// `spaces[i]` is (leading, trailing) whitespace characters of token i.
    pub(crate) spaces: Vec<(usize, usize)>,
}

impl PostProcessor {
    /// Adjusts `encoded` and, with `add_special_tokens`, adds the template's
    /// tokens (their offsets are empty ranges at 0, as in HF).
    pub(crate) fn apply(&self, encoded: &mut Encoded, add_special_tokens: bool) {
        match self {
            PostProcessor::ByteLevel {
                trim_offsets,
                add_prefix_space,
            } => {
                if *trim_offsets {
                    trim(encoded, *add_prefix_space);
                }
            }
            PostProcessor::Roberta {
                cls,
                sep,
                trim_offsets,
                add_prefix_space,
            } => {
                if *trim_offsets {
                    trim(encoded, *add_prefix_space);
                }
                if add_special_tokens {
                    surround(encoded, &[*cls], &[*sep]);
                }
            }
            PostProcessor::Bert { cls, sep } => {
                if add_special_tokens {
                    surround(encoded, &[*cls], &[*sep]);
                }
            }
            PostProcessor::Template {
                single, specials, ..
            } => {
                if !add_special_tokens {
                    return;
                }
                let mut out = Encoded::default();
                for item in single {
                    match item {
                        Item::Special(name) => {
                            for &id in specials.get(name).map_or(&[][..], Vec::as_slice) {
                                out.ids.push(id);
                                out.offsets.push(0..0);
                                out.spaces.push((0, 0));
                            }
                        }
                        Item::SequenceA | Item::SequenceB => {
                            out.ids.extend_from_slice(&encoded.ids);
                            out.offsets.extend_from_slice(&encoded.offsets);
                            out.spaces.extend_from_slice(&encoded.spaces);
                        }
                    }
                }
                *encoded = out;
            }
            PostProcessor::Sequence(parts) => {
                for part in parts {
                    part.apply(encoded, add_special_tokens);
                }
            }
        }
    }
}

fn surround(encoded: &mut Encoded, before: &[u32], after: &[u32]) {
    let n = before.len();
    encoded.ids.splice(0..0, before.iter().copied());
    encoded.offsets.splice(0..0, std::iter::repeat_n(0..0, n));
    encoded.spaces.splice(0..0, std::iter::repeat_n((0, 0), n));
    encoded.ids.extend_from_slice(after);
    encoded.offsets.extend(std::iter::repeat_n(0..0, after.len()));
    encoded.spaces.extend(std::iter::repeat_n((0, 0), after.len()));
}

/// HF's byte-level offset trimming: a token's offsets leave out its leading
/// and trailing spaces (except the one space a prefix space added to the
/// first token).
fn trim(encoded: &mut Encoded, add_prefix_space: bool) {
    for (i, (offsets, &(mut leading, trailing))) in encoded
        .offsets
        .iter_mut()
        .zip(&encoded.spaces)
        .enumerate()
    {
        if leading > 0 {
            let first = i == 0 || offsets.start == 0;
            if first && add_prefix_space && leading == 1 {
                leading = 0;
            }
            offsets.start = (offsets.start + leading).min(offsets.end);
        }
        if trailing > 0 && offsets.end >= trailing {
            offsets.end = (offsets.end - trailing).max(offsets.start);
        }
    }
}
