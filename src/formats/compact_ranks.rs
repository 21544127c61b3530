//! The compact form of a rank file in which the embedded encodings are
//! stored: each token's bytes and each token's rule, ready to use.
//!
//! A `.tiktoken` file is base64 text, one token a line, and carries no merge
//! rules; reading it means decoding every line and then finding every
//! token's rule, its *own split* (see `tiktoken::derive_merges`), by
//! looking up the two halves in the vocabulary: for o200k_base, 400,000
//! lookups scattered over an 8 MB table. This form stores the result of
//! all that, so that loading only copies bytes and builds the two hash
//! tables. It is written from the rank file by the tests, which check it
//! against the derivation (`BYTEPAIR_WRITE_RANKS=1 cargo test --lib
//! compact_ranks` writes it again), and against the SHA-256 digests OpenAI
//! publishes for its rank files.
//!
//! Layout, integers little-endian:
//!
//! ```text
//! "bytepair compact ranks 1\n"
//! u32 n                        ordinary tokens, in rank order
//! u32 g, then g × (u32, u32)   where ranks jump: (token index, its rank);
//!                              every other token's rank is the one before + 1
//! n × u8                       the tokens' lengths
//! the tokens' bytes, one after another
//! per token of two or more bytes, in rank order: u24 left, u24 right
//! ```

use crate::vocab::Vocab;

const MAGIC: &[u8] = b"bytepair compact ranks 1\n";

/// Reads `data` in order, failing (with `None`) where it is too short.
struct Reader<'d> {
    data: &'d [u8],
}

impl<'d> Reader<'d> {
    fn take(&mut self, n: usize) -> Option<&'d [u8]> {
        let (taken, rest) = self.data.split_at_checked(n)?;
        self.data = rest;
        Some(taken)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

/// A little-endian 24-bit integer.
fn u24(bytes: &[u8]) -> u32 {
    u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16
}

/// The embedded compact files, each under its encoding's cargo feature.
#[cfg(feature = "r50k_base")]
pub(crate) const R50K_BASE: &[u8] = include_bytes!("../../data/tiktoken/r50k_base.ranks");
#[cfg(feature = "p50k_base")]
pub(crate) const P50K_BASE: &[u8] = include_bytes!("../../data/tiktoken/p50k_base.ranks");
#[cfg(feature = "cl100k_base")]
pub(crate) const CL100K_BASE: &[u8] = include_bytes!("../../data/tiktoken/cl100k_base.ranks");
#[cfg(feature = "o200k_base")]
pub(crate) const O200K_BASE: &[u8] = include_bytes!("../../data/tiktoken/o200k_base.ranks");

/// The parts of a compact file.
struct Parts<'d> {
    /// `(token index, rank)` where ranks jump, 8 bytes each.
    jumps: &'d [u8],
    lengths: &'d [u8],
    bytes: &'d [u8],
    /// 6 bytes a token of two or more bytes.
    rules: &'d [u8],
}

impl<'d> Parts<'d> {
    /// The parts of `data`, or `None` if it is not a compact file.
    fn of(data: &'d [u8]) -> Option<Parts<'d>> {
        let mut reader = Reader {
            data: data.strip_prefix(MAGIC)?,
        };
        let count = reader.u32()? as usize;
        let jumps = reader.u32()? as usize;
        let jumps = reader.take(jumps.checked_mul(8)?)?;
        let lengths = reader.take(count)?;
        let bytes = reader.take(lengths.iter().map(|&l| l as usize).sum())?;
        let multi_byte = lengths.iter().filter(|&&l| l > 1).count();
        let rules = reader.take(multi_byte.checked_mul(6)?)?;
        reader.data.is_empty().then_some(Parts {
            jumps,
            lengths,
            bytes,
            rules,
        })
    }

    /// Each token's rank and bytes, in order (`None` for a rank past
    /// `u32::MAX`).
    fn tokens(&self) -> impl Iterator<Item = Option<(u32, &'d [u8])>> + '_ {
        let mut jumps = self.jumps.chunks_exact(8).map(|j| {
            let word = |k: usize| u32::from_le_bytes([j[k], j[k + 1], j[k + 2], j[k + 3]]);
            (word(0) as usize, word(4))
        });
        let mut next_jump = jumps.next();
        let (mut start, mut rank) = (0, Some(0u32));
        self.lengths
            .iter()
            .enumerate()
            .map(move |(index, &length)| {
                if let Some((_, to)) = next_jump.filter(|&(at, _)| at == index) {
                    rank = Some(to);
                    next_jump = jumps.next();
                }
                let end = start + length as usize;
                let token = (rank?, &self.bytes[start..end]);
                (start, rank) = (end, rank?.checked_add(1));
                Some(token)
            })
    }

    /// The rules, `(left, right, merged)`, of the tokens of two or more
    /// bytes in order (a token's id is its rank); `None` if one names an id
    /// at or past `bound`.
    fn merge_rules(&self, bound: u32) -> Option<Vec<(u32, u32, u32)>> {
        let made = self
            .tokens()
            .filter(|token| token.is_none_or(|(_, bytes)| bytes.len() > 1));
        let mut rules = Vec::with_capacity(self.rules.len() / 6);
        for (token, rule) in made.zip(self.rules.chunks_exact(6)) {
            let (id, _) = token?;
            let (left, right) = (u24(&rule[..3]), u24(&rule[3..]));
            if left >= bound || right >= bound {
                return None;
            }
            rules.push((left, right, id));
        }
        Some(rules)
    }
}

/// The vocabulary (with `specials` added) and the rules of a compact rank
/// file, or `None` if `data` is not one (the embedded files are, as the
/// tests check).
#[cfg(any(
    test,
    feature = "r50k_base",
    feature = "p50k_base",
    feature = "cl100k_base",
    feature = "o200k_base"
))]
pub(crate) fn load(
    data: &[u8],
    specials: &[(&str, u32)],
) -> Option<(Vocab, crate::merges::Merges)> {
    use crate::merges::Merges;
    use crate::vocab::TokenList;
    let parts = Parts::of(data)?;
    let mut list =
        TokenList::with_capacity(parts.lengths.len() + specials.len(), parts.bytes.len());
    for token in parts.tokens() {
        let (rank, bytes) = token?;
        list.push_ordinary(bytes, rank);
    }
    for &(text, id) in specials {
        list.push_special(text, id);
    }
    let vocab = Vocab::new(list).ok()?;
    let rules = parts.merge_rules(vocab.id_bound() as u32)?;
    Some((vocab, Merges::from_rules(rules)))
}

/// The rules of `vocab` if its ordinary tokens are exactly those of one of
/// the embedded encodings, with the same ranks: a rank file of OpenAI's read
/// from disk then loads without finding every token's own split (a few
/// milliseconds of comparing bytes against a fifth of a second).
pub(crate) fn known_rules(vocab: &Vocab) -> Option<Vec<(u32, u32, u32)>> {
    let embedded: &[&[u8]] = &[
        #[cfg(feature = "r50k_base")]
        R50K_BASE,
        #[cfg(feature = "p50k_base")]
        P50K_BASE,
        #[cfg(feature = "cl100k_base")]
        CL100K_BASE,
        #[cfg(feature = "o200k_base")]
        O200K_BASE,
    ];
    let ordinary = vocab
        .ids()
        .filter(|&id| vocab.ordinary_bytes(id).is_some())
        .count();
    embedded.iter().find_map(|data| {
        let parts = Parts::of(data)?;
        if parts.lengths.len() != ordinary {
            return None;
        }
        for token in parts.tokens() {
            let (rank, bytes) = token?;
            if vocab.ordinary_bytes(rank) != Some(bytes) {
                return None;
            }
        }
        parts.merge_rules(vocab.id_bound() as u32)
    })
}

/// The compact form of a vocabulary of ordinary tokens (ids are ranks)
/// whose every token of two or more bytes has one rule in `merges`.
#[cfg(test)]
pub(crate) fn write(vocab: &Vocab, merges: &crate::merges::Merges) -> Vec<u8> {
    let ids: Vec<u32> = vocab
        .ids()
        .filter(|&id| vocab.ordinary_bytes(id).is_some())
        .collect();
    let mut out = MAGIC.to_vec();
    out.extend((ids.len() as u32).to_le_bytes());
    let mut jumps = Vec::new();
    let mut expected = 0;
    for (index, &id) in ids.iter().enumerate() {
        if id != expected {
            jumps.push((index as u32, id));
        }
        expected = id + 1;
    }
    out.extend((jumps.len() as u32).to_le_bytes());
    for (index, rank) in jumps {
        out.extend(index.to_le_bytes());
        out.extend(rank.to_le_bytes());
    }
    let bytes = |id: u32| vocab.ordinary_bytes(id).expect("ordinary");
    for &id in &ids {
        out.push(u8::try_from(bytes(id).len()).expect("tokens of at most 255 bytes"));
    }
    for &id in &ids {
        out.extend(bytes(id));
    }
    let rule_of: std::collections::HashMap<u32, (u32, u32)> = merges
        .iter()
        .map(|(left, right, merged)| (merged, (left, right)))
        .collect();
    for &id in ids.iter().filter(|&&id| bytes(id).len() > 1) {
        let (left, right) = rule_of[&id];
        assert!(left < 1 << 24 && right < 1 << 24);
        out.extend(&left.to_le_bytes()[..3]);
        out.extend(&right.to_le_bytes()[..3]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::tiktoken;

    /// Each committed compact file is what the derivation from OpenAI's
    /// rank file gives, and loads into the same tokens and rules.
    #[test]
    fn compact_ranks_are_the_derived_ones() {
        for name in ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"] {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tiktoken");
            // The rank files stay in the repository, not in the package,
            // whose test `embedded_encodings_are_openais` checks the
            // compact files against OpenAI's digests instead.
            let Ok(rank_file) = std::fs::read(format!("{dir}/{name}.tiktoken")) else {
                continue;
            };
            let vocab = tiktoken::read_vocab(&rank_file, name, &[]).unwrap();
            let merges = tiktoken::derive_merges(&vocab);
            // An OpenAI rank file read from disk takes the compact file's
            // rules, which are the derived ones.
            let (_, known) = tiktoken::load(&rank_file, name, &[]).unwrap();
            assert!(known.iter().eq(merges.iter()), "{name}");
            // Every token of OpenAI's four rank files has an own split, so
            // their rules are plain merge lists, one a token (and long
            // chunks take the fast path).
            assert!(!merges.ranked_by_id(), "{name}");
            let multi_byte = vocab.ids().filter(|&id| vocab.bytes(id).unwrap().len() > 1);
            assert_eq!(merges.len(), multi_byte.count(), "{name}");
            let written = write(&vocab, &merges);
            let path = format!("{dir}/{name}.ranks");
            if std::env::var_os("BYTEPAIR_WRITE_RANKS").is_some() {
                std::fs::write(&path, &written).unwrap();
            }
            let committed = std::fs::read(&path).unwrap();
            assert!(committed == written, "{path} differs from the derivation");
            let (loaded, loaded_merges) = load(&committed, &[]).unwrap();
            assert!(loaded.ids().eq(vocab.ids()), "{name}");
            for id in vocab.ids() {
                assert_eq!(loaded.bytes(id), vocab.bytes(id), "{name} {id}");
            }
            assert!(loaded_merges.iter().eq(merges.iter()), "{name}");
        }
    }

    /// The embedded encodings are OpenAI's: each, written back as a rank
    /// file, has the SHA-256 digest that tiktoken checks OpenAI's file
    /// against (this test needs no rank file, so it runs in the package).
    #[test]
    fn embedded_encodings_are_openais() {
        use sha2::{Digest, Sha256};
        let digests: &[(&str, &str)] = &[
            #[cfg(feature = "r50k_base")]
            (
                "r50k_base",
                "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
            ),
            #[cfg(feature = "p50k_base")]
            (
                "p50k_base",
                "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
            ),
            #[cfg(feature = "cl100k_base")]
            (
                "cl100k_base",
                "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
            ),
            #[cfg(feature = "o200k_base")]
            (
                "o200k_base",
                "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
            ),
        ];
        for &(name, digest) in digests {
            let tokenizer = crate::Tokenizer::by_name(name).unwrap();
            let file = tokenizer.to_tiktoken().unwrap();
            let hex: String = Sha256::digest(file.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hex, digest, "{name}");
        }
    }

    /// Cut short, lengthened or with a rule naming no token, a compact file
    /// is refused, not misread.
    #[test]
    fn broken_compact_files_are_refused() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/tiktoken");
        let good = std::fs::read(format!("{dir}/r50k_base.ranks")).unwrap();
        assert!(load(&good, &[]).is_some());
        for cut in [0, 10, MAGIC.len() + 3, good.len() / 2, good.len() - 1] {
            assert!(load(&good[..cut], &[]).is_none(), "cut at {cut}");
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(load(&longer, &[]).is_none());
        let mut bad_rule = good.clone();
        let last = bad_rule.len() - 1;
        bad_rule[last] = 0xFF;
        assert!(load(&bad_rule, &[]).is_none());
    }
}
