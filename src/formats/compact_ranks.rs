//! The compact form of a rank file in which the embedded encodings are
//! stored: each token's merge rule, from which its bytes follow.
//!
//! A `.tiktoken` file is base64 text, one token a line, and carries no merge
//! rules; reading it means decoding every line and then finding every
//! token's rule, its *own split* (see `tiktoken::derive_merges`), by
//! looking up the two halves in the vocabulary: for o200k_base, 400,000
//! lookups scattered over the table. This form stores the result of all
//! that, so that loading only joins bytes and builds the two hash tables.
//! A token of two or more bytes is stored as its rule alone, its two
//! halves' ids: its bytes are theirs, one after the other, and both halves
//! come before it (OpenAI's rules are monotone: each joins tokens made by
//! lower-ranked rules). It is written from the rank file by the tests,
//! which check it against the derivation (`BYTEPAIR_WRITE_RANKS=1 cargo test
//! --lib compact_ranks` writes it again), and against the SHA-256 digests
//! OpenAI publishes for its rank files.
//!
//! Layout, integers little-endian:
//!
//! ```text
//! "bytepair compact ranks 2\n"
//! u32 n                        ordinary tokens, in rank order
//! u32 g, then g × (u32, u32)   where ranks jump: (token index, its rank);
//!                              every other token's rank is the one before + 1
//! n × (u24 left, u24 right)    per token: its rule's halves, as the indices
//!                              of earlier tokens in this list; for a token
//!                              of one byte, 0xFFFFFF and the byte
//! ```

use crate::vocab::{TokenList, Vocab};

const MAGIC: &[u8] = b"bytepair compact ranks 2\n";

/// The left half that marks a token of one byte.
const ONE_BYTE: u32 = 0xFF_FFFF;

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

/// The tokens and rules of a compact file.
struct Decoded {
    /// The ordinary tokens, in rank order.
    list: TokenList,
    /// `(left, right, merged)` ids, one per token of two or more bytes, in
    /// rank order.
    rules: Vec<(u32, u32, u32)>,
}

/// The tokens and rules of `data`, or `None` if it is not a compact file
/// (cut short, lengthened, a rule naming a later token, a rank past
/// `u32::MAX`).
fn decode(data: &[u8]) -> Option<Decoded> {
    let mut reader = Reader {
        data: data.strip_prefix(MAGIC)?,
    };
    let count = reader.u32()? as usize;
    let jump_count = reader.u32()? as usize;
    let jumps = reader.take(jump_count.checked_mul(8)?)?;
    let halves = reader.take(count.checked_mul(6)?)?;
    if !reader.data.is_empty() {
        return None;
    }
    let mut jumps = jumps.chunks_exact(8).map(|j| {
        let word = |k: usize| u32::from_le_bytes([j[k], j[k + 1], j[k + 2], j[k + 3]]);
        (word(0) as usize, word(4))
    });
    let mut next_jump = jumps.next();
    // Tokens average about 7 bytes.
    let mut list = TokenList::with_capacity(count, count * 8);
    let mut rules = Vec::with_capacity(count);
    let mut rank = Some(0u32);
    for (index, pair) in halves.chunks_exact(6).enumerate() {
        if let Some((_, to)) = next_jump.filter(|&(at, _)| at == index) {
            rank = Some(to);
            next_jump = jumps.next();
        }
        let id = rank?;
        let (left, right) = (u24(&pair[..3]), u24(&pair[3..]));
        if left == ONE_BYTE {
            list.push_ordinary(&[u8::try_from(right).ok()?], id);
        } else {
            let (left, right) = (left as usize, right as usize);
            if left >= index || right >= index {
                return None;
            }
            list.push_ordinary_joined(left, right, id)?;
            rules.push((list.id(left), list.id(right), id));
        }
        rank = id.checked_add(1);
    }
    Some(Decoded { list, rules })
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
    let Decoded { mut list, rules } = decode(data)?;
    for &(text, id) in specials {
        list.push_special(text, id);
    }
    let vocab = Vocab::new(list).ok()?;
    Some((vocab, crate::merges::Merges::from_rules(rules)))
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
        // The token count is read before anything is decoded.
        let count = data.strip_prefix(MAGIC)?.get(..4)?;
        if u32::from_le_bytes(count.try_into().ok()?) as usize != ordinary {
            return None;
        }
        let Decoded { list, rules } = decode(data)?;
        // Each token of the file has its bytes in `vocab` under its rank
        // (so every id a rule names is one of `vocab`'s).
        let same = (0..list.len())
            .all(|index| vocab.ordinary_bytes(list.id(index)) == Some(list.bytes(index)));
        same.then_some(rules)
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
    let index_of: std::collections::HashMap<u32, u32> =
        (0u32..).zip(&ids).map(|(index, &id)| (id, index)).collect();
    let rule_of: std::collections::HashMap<u32, (u32, u32)> = merges
        .iter()
        .map(|(left, right, merged)| (merged, (left, right)))
        .collect();
    for &id in &ids {
        let (left, right) = match vocab.ordinary_bytes(id).expect("ordinary") {
            [byte] => (ONE_BYTE, u32::from(*byte)),
            _ => {
                let (left, right) = rule_of[&id];
                (index_of[&left], index_of[&right])
            }
        };
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
        // The last token made from itself: a half must come before it.
        let count = u32::from_le_bytes(good[MAGIC.len()..][..4].try_into().unwrap());
        let mut own_half = good.clone();
        let at = own_half.len() - 6;
        own_half[at..at + 3].copy_from_slice(&(count - 1).to_le_bytes()[..3]);
        assert!(load(&own_half, &[]).is_none());
        own_half[at..at + 3].copy_from_slice(&(count - 2).to_le_bytes()[..3]);
        assert!(
            load(&own_half, &[]).is_some(),
            "an earlier half is accepted"
        );
    }
}
