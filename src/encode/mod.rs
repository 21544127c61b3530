//! Byte-pair merging of chunks (the units pretokenization cuts text into).
//!
//! The rule: start from the chunk's byte tokens; while some adjacent pair has
//! a merge rule, merge the pair with the lowest rank, the leftmost one if that
//! pair occurs several times. Three paths compute it:
//!
//! 1. a chunk that is itself an ordinary token is that token (one lookup);
//! 2. a short chunk is merged in place in two small arrays, rescanning for
//!    the minimum after each merge: quadratic, but over at most
//!    [`SHORT_CHUNK`] bytes that beats anything with more bookkeeping;
//! 3. a long chunk is merged in stretches of a few dozen bytes whose seams are
//!    checked and repaired (monotone rules, such as GPT-2's), or else with a
//!    linked list and a heap of candidate merges with lazy deletion; either
//!    way no input can make encoding quadratic.
//!
//! Within one call, chunks that needed merging are remembered
//! ([`ChunkCache`]). The ids go to a [`Sink`]: the result vector (into which
//! long chunks are merged directly), a counter, or a function. The tests
//! compare all paths with a naive oracle.

mod merge;

use crate::chunk_cache::ChunkCache;
use crate::hash::Probe;
use crate::merges::{Merges, NO_RULE};
use crate::vocab::Vocab;
use merge::Scratch;

/// The chunk cache starts after this many chunks of one call needed merging.
const CACHE_AFTER: usize = 8;
/// The cache's hits are counted over windows of this many misses...
const CACHE_WINDOW: u32 = 4096;
/// ...and a window with fewer hits than this ends the cache: on text whose
/// chunks do not repeat (random letters, base64, hashes) remembering them
/// costs a third of the time and saves nothing.
const CACHE_MIN_HITS: u32 = CACHE_WINDOW / 4;
/// After the cache ended, this many chunks are merged before a new one
/// starts, in case the text changed character; the wait doubles each time a
/// new cache does not pay either, up to [`CACHE_RETRY_MAX`].
const CACHE_RETRY_AFTER: usize = 1 << 13;
const CACHE_RETRY_MAX: usize = 1 << 20;

/// Chunks up to this many bytes take the in-place path.
pub(crate) const SHORT_CHUNK: usize = 64;

/// A vocabulary with its merge rules: everything needed to encode a chunk.
pub(crate) struct Model {
    pub(crate) vocab: Vocab,
    pub(crate) merges: Merges,
    /// The rules that make tokens of ASCII digits and spaces: all that a
    /// number can meet (see [`Model::merges_for`]).
    digit_merges: Merges,
    /// Whether some token contains each pair of ASCII digits and each space
    /// followed by a digit, so that no number (` ?[0-9]+`) has a cut.
    numbers_uncut: bool,
    /// The packed rule for each pair of bytes, `byte_pair_rules[a << 8 | b]`:
    /// a chunk's first round of lookups without hashing.
    byte_pair_rules: Vec<u64>,
    /// Bit `a << 8 | b` is set if some token contains byte `a` followed by
    /// byte `b`. Where a chunk has a pair of bytes that no token contains, no
    /// merge can ever join them, so the chunk is merged as two independent
    /// parts: exact, and it turns a long run of CJK characters (whose byte
    /// pairs across characters are almost never inside a GPT-2 token) into
    /// short chunks that the vocabulary or the chunk cache mostly answers.
    pair_in_token: Vec<u64>,
    /// When every rule combines tokens made by lower-ranked rules (or
    /// bytes) and every token is made by one rule: each token's rule. Merging
    /// then never creates a pair ranked below the merge that made it, which
    /// long chunks rely on (see `merge`).
    trees: Option<Vec<Tree>>,
    /// Ordinary tokens that merging their own bytes does not produce, sorted.
    /// The whole-chunk shortcut must not return them. Empty for GPT-2 and for
    /// any vocabulary trained the usual way; a hand-edited or oddly converted
    /// vocabulary may have some.
    not_self_merging: Vec<u32>,
    /// Whether the whole-chunk shortcut skips the check of `Model::new`
    /// (HF's `ignore_merges`, tiktoken's rule), as saved in tokenizer.json.
    pub(crate) ignore_merges: bool,
}

/// What one call keeps while it encodes: the chunk cache (made once a few
/// chunks needed merging, dropped while it does not pay) and the merging
/// buffers.
pub(crate) struct Memo {
    cache: Option<ChunkCache>,
    /// Chunks merged while there was no cache.
    merged: usize,
    /// How many merged chunks make a cache.
    cache_after: usize,
    /// The cache's hits and misses in the current window.
    hits: u32,
    misses: u32,
    /// The room a new cache starts with (see [`ChunkCache::with_capacity`]).
    cache_entries: usize,
    scratch: Scratch,
}

impl Default for Memo {
    fn default() -> Memo {
        Memo {
            cache: None,
            merged: 0,
            cache_after: CACHE_AFTER,
            hits: 0,
            misses: 0,
            cache_entries: 0,
            scratch: Scratch::default(),
        }
    }
}

impl Memo {
    /// A memo for one call over `text_len` bytes: its cache, if one is
    /// made, starts with room for the chunks such a text is likely to need.
    pub(crate) fn for_text(text_len: usize) -> Memo {
        Memo {
            cache_entries: ChunkCache::entries_for(text_len),
            ..Memo::default()
        }
    }

    /// Counts a miss (a chunk that was merged), making, keeping or dropping
    /// the cache; returns whether the chunk is to be remembered.
    #[inline]
    fn after_miss(&mut self) -> bool {
        if self.cache.is_none() {
            self.merged += 1;
            if self.merged < self.cache_after {
                return false;
            }
            self.cache = Some(ChunkCache::with_capacity(self.cache_entries));
            (self.hits, self.misses) = (0, 0);
        }
        self.misses += 1;
        if self.misses == CACHE_WINDOW {
            let paid = self.hits >= CACHE_MIN_HITS;
            (self.hits, self.misses) = (0, 0);
            if paid {
                self.cache_after = CACHE_AFTER;
            } else {
                self.cache = None;
                self.merged = 0;
                self.cache_after = if self.cache_after == CACHE_AFTER {
                    CACHE_RETRY_AFTER
                } else {
                    (self.cache_after * 2).min(CACHE_RETRY_MAX)
                };
                return false;
            }
        }
        true
    }

    /// Whether the cache exists now (for the tests).
    #[cfg(test)]
    fn has_cache(&self) -> bool {
        self.cache.is_some()
    }
}

impl Model {
    /// Pairs a vocabulary with its merges, checking which tokens the
    /// whole-chunk shortcut may return (a merge of every token's bytes).
    pub(crate) fn new(vocab: Vocab, merges: Merges) -> Model {
        let mut model = Model::with_whole_piece_shortcut(vocab, merges);
        let mut scratch = Scratch::default();
        let mut exceptions = Vec::new();
        for id in model.vocab.ids() {
            let Some(bytes) = model.vocab.ordinary_bytes(id) else {
                continue;
            };
            if bytes.len() < 2 {
                continue;
            }
            model.merge(bytes, &mut scratch);
            if scratch.out != [id] {
                exceptions.push(id);
            }
        }
        model.not_self_merging = exceptions;
        model.ignore_merges = false;
        model
    }

    /// Pairs a vocabulary with its merges, returning every chunk that is an
    /// ordinary token as that token without the check of [`Model::new`]:
    /// tiktoken's rule, HF's `ignore_merges`, and the same as the checked
    /// rule for the embedded GPT-2 (a unit test checks that every GPT-2 token
    /// merges back to itself).
    pub(crate) fn with_whole_piece_shortcut(vocab: Vocab, merges: Merges) -> Model {
        // The rules that join two byte tokens, found by one pass over the
        // rules rather than 65,536 lookups.
        let mut byte_of_id = vec![None; vocab.id_bound()];
        for b in 0..=255u8 {
            byte_of_id[vocab.byte_id(b) as usize] = Some(b);
        }
        let byte_of = |id: u32| byte_of_id.get(id as usize).copied().flatten();
        let mut byte_pair_rules = vec![NO_RULE; 1 << 16];
        for (left, right, _) in merges.iter() {
            if let (Some(a), Some(b)) = (byte_of(left), byte_of(right)) {
                byte_pair_rules[(a as usize) << 8 | b as usize] = merges.packed(left, right);
            }
        }
        // Every token encoding can produce: the ordinary ones, and the
        // results of rules, which include a special token that a trainer
        // also learned as an ordinary one.
        let mut pair_in_token = vec![0u64; (1 << 16) / 64];
        let producible = vocab.ids().filter_map(|id| vocab.ordinary_bytes(id)).chain(
            merges
                .iter()
                .filter(|&(_, _, merged)| vocab.ordinary_bytes(merged).is_none())
                .filter_map(|(_, _, merged)| vocab.bytes(merged)),
        );
        for bytes in producible {
            for w in bytes.windows(2) {
                let pair = (w[0] as usize) << 8 | w[1] as usize;
                pair_in_token[pair / 64] |= 1 << (pair % 64);
            }
        }
        let trees = merge_trees(&vocab, &merges);
        // Which tokens are numbers, found in id order: looking up each
        // rule's bytes in the table's order would jump all over memory.
        // Tokens are short, so here a test that stops at the first other
        // byte is the faster.
        let numeric: Vec<bool> = (0..vocab.id_bound() as u32)
            .map(|id| {
                vocab
                    .bytes(id)
                    .is_some_and(|b| b.iter().all(|&c| digit_or_space(c)))
            })
            .collect();
        let digit_merges =
            merges.subset(|merged| numeric.get(merged as usize).copied().unwrap_or(false));
        let mut model = Model {
            vocab,
            merges,
            digit_merges,
            numbers_uncut: false,
            byte_pair_rules,
            pair_in_token,
            trees,
            not_self_merging: Vec::new(),
            ignore_merges: true,
        };
        model.numbers_uncut = (b'0'..=b'9').all(|b| {
            (b'0'..=b'9').all(|a| model.pair_in_token(a, b)) && model.pair_in_token(b' ', b)
        });
        model
    }

    /// Gives `sink` the token ids of every chunk, in order, remembering the
    /// merges of chunks that are not tokens for the rest of the call.
    pub(crate) fn encode_chunks<'t>(
        &self,
        chunks: impl Iterator<Item = &'t str>,
        sink: &mut impl Sink,
    ) {
        self.encode_pieces_with(chunks, &mut Memo::default(), sink);
    }

    /// [`Model::encode_chunks`] with the memo of an earlier part of the same
    /// call (the parallel encoder gives each thread one for all its parts).
    pub(crate) fn encode_pieces_with<'t>(
        &self,
        chunks: impl Iterator<Item = &'t str>,
        memo: &mut Memo,
        sink: &mut impl Sink,
    ) {
        for chunk in chunks {
            let chunk = chunk.as_bytes();
            // One hash serves the vocabulary and the chunk cache.
            let probe = Probe::new(chunk);
            if let Some(id) = self.whole_word_token(chunk, probe) {
                sink.push(id);
            } else if self.uncut_number(chunk) || self.first_cut(chunk).is_none() {
                self.encode_merged(chunk, probe, memo, sink);
            } else {
                for part in self.independent_parts(chunk) {
                    if let [byte] = *part {
                        // Runs of spaces: GPT-2 has no token of two spaces.
                        sink.push(self.vocab.byte_id(byte));
                        continue;
                    }
                    let probe = Probe::new(part);
                    match self.whole_token(part, probe) {
                        Some(id) => sink.push(id),
                        None => self.encode_merged(part, probe, memo, sink),
                    }
                }
            }
        }
    }

    /// Gives `sink` the ids of `chunk`, which is not a token: remembered
    /// from earlier in the call, or merged (and remembered).
    #[inline]
    fn encode_merged(&self, chunk: &[u8], probe: Probe, memo: &mut Memo, sink: &mut impl Sink) {
        if let Some(found) = memo.cache.as_ref().and_then(|c| c.get(chunk, probe)) {
            memo.hits += 1;
            sink.extend(found);
            return;
        }
        let remember = memo.after_miss();
        let by_stretches = chunk.len() > SHORT_CHUNK && self.trees.is_some();
        let merged: &[u32] = match sink.ids().filter(|_| by_stretches) {
            Some(ids) => {
                // Merged straight into the result: a long chunk can have
                // almost half as many ids as bytes (random digits), and a
                // buffer that size would be written and copied again.
                let start = ids.len();
                self.merge_in_stretches(chunk, ids, &mut memo.scratch);
                &ids[start..]
            }
            None => {
                self.merge(chunk, &mut memo.scratch);
                sink.extend(&memo.scratch.out);
                &memo.scratch.out
            }
        };
        if remember {
            if let Some(cache) = memo.cache.as_mut() {
                cache.insert(chunk, merged);
            }
        }
    }

    /// The first position in `chunk` between two bytes that no token
    /// contains together.
    #[inline]
    fn first_cut(&self, chunk: &[u8]) -> Option<usize> {
        chunk
            .windows(2)
            .position(|w| !self.pair_in_token(w[0], w[1]))
            .map(|i| i + 1)
    }

    /// The rules to merge a long `chunk` with: those that make numbers when
    /// it only holds digits and spaces, else all.
    ///
    /// Merging only ever looks up pairs of tokens that are substrings of the
    /// chunk, and a rule for such a pair makes their concatenation, another
    /// substring; so the rules that make tokens of digits and spaces (1,681
    /// of GPT-2's 50,000) answer every lookup in a number exactly. Their
    /// tables stay in the core's own cache, where the full table does not
    /// (DESIGN.md, section 4, has the figure).
    pub(super) fn merges_for(&self, chunk: &[u8]) -> &Merges {
        if digits_and_spaces(chunk) {
            &self.digit_merges
        } else {
            &self.merges
        }
    }

    /// Whether `chunk` is a long number (` ?[0-9]+`) and so has no cut (see
    /// `numbers_uncut`): found from a test of its bytes that the compiler
    /// vectorises, where [`Model::first_cut`] looks each byte pair up.
    #[inline]
    fn uncut_number(&self, chunk: &[u8]) -> bool {
        self.numbers_uncut && chunk.len() > SHORT_CHUNK && is_number(chunk)
    }

    #[inline]
    pub(super) fn pair_in_token(&self, a: u8, b: u8) -> bool {
        let pair = (a as usize) << 8 | b as usize;
        self.pair_in_token[pair / 64] & (1 << (pair % 64)) != 0
    }

    /// `chunk` cut between every two bytes that no token contains together.
    #[inline]
    fn independent_parts<'p>(&'p self, chunk: &'p [u8]) -> impl Iterator<Item = &'p [u8]> + 'p {
        let mut start = 0;
        let mut k = 1;
        std::iter::from_fn(move || {
            if start >= chunk.len() {
                return None;
            }
            while k < chunk.len() {
                k += 1;
                if !self.pair_in_token(chunk[k - 2], chunk[k - 1]) {
                    let part = &chunk[start..k - 1];
                    start = k - 1;
                    return Some(part);
                }
            }
            let part = &chunk[start..];
            start = chunk.len();
            Some(part)
        })
    }

    /// The token that a whole chunk is: with `ignore_merges` (HF's option,
    /// tiktoken's rule) any token, else one that merging its bytes gives.
    ///
    /// The parts a chunk is cut into are not chunks: HF merges the whole
    /// word, so a part is a token only where merging gives it
    /// ([`Model::whole_token`]). Llama 3 has tokens (` považ`) that its
    /// merges never make; as a part they must be merged.
    #[inline]
    fn whole_word_token(&self, chunk: &[u8], probe: Probe) -> Option<u32> {
        if self.ignore_merges {
            self.vocab.ordinary_id_probed(chunk, probe)
        } else {
            self.whole_token(chunk, probe)
        }
    }

    /// The token that `chunk` is, if merging its bytes gives that token.
    #[inline]
    fn whole_token(&self, chunk: &[u8], probe: Probe) -> Option<u32> {
        self.vocab
            .ordinary_id_probed(chunk, probe)
            .filter(|&id| self.not_self_merging.is_empty() || !self.is_exception(id))
    }

    #[cold]
    fn is_exception(&self, id: u32) -> bool {
        self.not_self_merging.binary_search(&id).is_ok()
    }

    /// Applies the merge rule to `chunk` from its bytes, without the
    /// shortcut, leaving the ids in `scratch.out`.
    #[inline]
    fn merge(&self, chunk: &[u8], scratch: &mut Scratch) {
        scratch.out.clear();
        if chunk.len() <= SHORT_CHUNK {
            self.merge_short(chunk, scratch);
        } else {
            self.merge_long(chunk, scratch);
        }
    }
}

/// Whether `c` is an ASCII digit or a space.
fn digit_or_space(c: u8) -> bool {
    c.wrapping_sub(b'0') < 10 || c == b' '
}

/// Whether every byte of `bytes` passes `test`, for long chunks.
#[inline]
fn all_bytes(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    // In blocks without an early exit, which the compiler vectorises; a
    // byte at a time cannot be.
    bytes
        .chunks(32)
        .all(|block| block.iter().fold(true, |all, &c| all & test(c)))
}

/// Whether `bytes` are all ASCII digits or spaces.
fn digits_and_spaces(bytes: &[u8]) -> bool {
    all_bytes(bytes, digit_or_space)
}

/// Whether `chunk` is ASCII digits after an optional space.
#[inline(never)]
fn is_number(chunk: &[u8]) -> bool {
    let digits = chunk.strip_prefix(b" ").unwrap_or(chunk);
    !digits.is_empty() && all_bytes(digits, |c| c.is_ascii_digit())
}

/// Where encoding puts the ids of a text, in order.
pub(crate) trait Sink {
    /// Takes the next id.
    fn push(&mut self, id: u32);
    /// Takes the next ids.
    fn extend(&mut self, ids: &[u32]);
    /// The vector the ids go to, if they go to one, so that long chunks can
    /// be merged straight into it.
    fn ids(&mut self) -> Option<&mut Vec<u32>>;
}

impl Sink for Vec<u32> {
    #[inline]
    fn push(&mut self, id: u32) {
        Vec::push(self, id);
    }

    #[inline]
    fn extend(&mut self, ids: &[u32]) {
        self.extend_from_slice(ids);
    }

    #[inline]
    fn ids(&mut self) -> Option<&mut Vec<u32>> {
        Some(self)
    }
}

/// A [`Sink`] that only counts the ids.
#[derive(Default)]
pub(crate) struct Count(pub(crate) usize);

impl Sink for Count {
    #[inline]
    fn push(&mut self, _: u32) {
        self.0 += 1;
    }

    #[inline]
    fn extend(&mut self, ids: &[u32]) {
        self.0 += ids.len();
    }

    #[inline]
    fn ids(&mut self) -> Option<&mut Vec<u32>> {
        None
    }
}

/// A [`Sink`] that calls a function with each id.
pub(crate) struct EachId<F>(pub(crate) F);

impl<F: FnMut(u32)> Sink for EachId<F> {
    #[inline]
    fn push(&mut self, id: u32) {
        (self.0)(id);
    }

    #[inline]
    fn extend(&mut self, ids: &[u32]) {
        ids.iter().for_each(|&id| (self.0)(id));
    }

    #[inline]
    fn ids(&mut self) -> Option<&mut Vec<u32>> {
        None
    }
}

/// How a token was made: the rule that joined `left` and `right`, whose rank
/// plus one is `made` (0 for the byte tokens, which no rule makes).
#[derive(Clone, Copy)]
pub(crate) struct Tree {
    pub(crate) left: u32,
    pub(crate) right: u32,
    pub(crate) made: u32,
}

/// Each token's [`Tree`], if every rule, in rank order, joins two tokens that
/// are bytes or were made by rules of lower rank, and no token is made by
/// two rules.
fn merge_trees(vocab: &Vocab, merges: &Merges) -> Option<Vec<Tree>> {
    const UNMADE: u32 = u32::MAX;
    if merges.ranked_by_id() {
        // tiktoken's rules: a token can be made by several rules.
        return None;
    }
    let mut trees = vec![
        Tree {
            left: 0,
            right: 0,
            made: UNMADE
        };
        vocab.id_bound()
    ];
    for b in 0..=255u8 {
        let id = vocab.byte_id(b);
        trees[id as usize] = Tree {
            left: id,
            right: id,
            made: 0,
        };
    }
    for (rank, (left, right, merged)) in merges.iter().enumerate() {
        let made = u32::try_from(rank + 1).ok()?;
        let known = |id: u32| trees.get(id as usize).is_some_and(|t| t.made < made);
        if !known(left) || !known(right) {
            return None;
        }
        let tree = trees.get_mut(merged as usize)?;
        if tree.made != UNMADE {
            return None;
        }
        *tree = Tree { left, right, made };
    }
    Some(trees)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{XorShift, byte_tokens, gpt2_vocab_and_merges};

    /// The digits' rules answer every pair of tokens spelled in digits and
    /// spaces as all the rules do, and are taken exactly for such chunks.
    #[test]
    fn digit_rules_answer_like_all_rules() {
        let (vocab, merges) = gpt2_vocab_and_merges();
        let model = Model::with_whole_piece_shortcut(vocab, merges);
        let numeric: Vec<u32> = model
            .vocab
            .ids()
            .filter(|&id| {
                model
                    .vocab
                    .ordinary_bytes(id)
                    .is_some_and(digits_and_spaces)
            })
            .collect();
        assert!(numeric.len() > 1000, "{}", numeric.len());
        let mut rules = 0;
        for &left in &numeric {
            for &right in &numeric {
                let rule = model.merges.packed(left, right);
                assert_eq!(model.digit_merges.packed(left, right), rule);
                rules += usize::from(rule != NO_RULE);
            }
        }
        assert!(rules > 900, "{rules}");
        let digits = |chunk: &[u8]| std::ptr::eq(model.merges_for(chunk), &model.digit_merges);
        assert!(digits(b" 0123456789"));
        assert!(digits(&b"9 8".repeat(40)));
        for (odd, at) in [(b'/', 0), (b':', 31), (b'a', 32), (0x80, 33), (b'\n', 69)] {
            let mut chunk = b"1".repeat(70);
            chunk[at] = odd;
            assert!(!digits(&chunk), "{odd} at {at}");
        }
    }

    /// Long numbers skip the search for cuts only where it would find none.
    #[test]
    fn long_numbers_have_no_cut() {
        let (vocab, merges) = gpt2_vocab_and_merges();
        let model = Model::with_whole_piece_shortcut(vocab, merges);
        assert!(model.numbers_uncut);
        let mut rng = XorShift(11);
        for case in 0..200 {
            let len = 1 + rng.below(300);
            let mut chunk: Vec<u8> = (0..len).map(|_| b'0' + rng.below(10) as u8).collect();
            if case % 2 == 0 {
                chunk.insert(0, b' ');
            }
            assert_eq!(model.first_cut(&chunk), None);
            assert_eq!(model.uncut_number(&chunk), chunk.len() > SHORT_CHUNK);
        }
        let long = "7".repeat(100);
        for other in [
            format!("a{long}"),
            format!("{long} "),
            format!("  {long}"),
            format!("{long}\u{663}"),
        ] {
            assert!(!model.uncut_number(other.as_bytes()), "{other:?}");
        }
    }

    /// The whole-chunk shortcut is only sound if merging a token's own bytes
    /// gives back that token. It holds for every GPT-2 token, which is why
    /// `Tokenizer::gpt2` may skip the check.
    #[test]
    fn every_gpt2_token_merges_back_to_itself() {
        let (vocab, merges) = gpt2_vocab_and_merges();
        let model = Model::new(vocab, merges);
        assert_eq!(model.not_self_merging, Vec::<u32>::new());
        // The long path agrees with the short one on every token.
        let mut scratch = Scratch::default();
        for id in model.vocab.ids().filter(|&id| !model.vocab.is_special(id)) {
            let bytes = model.vocab.bytes(id).unwrap();
            scratch.out.clear();
            model.merge_long(bytes, &mut scratch);
            assert_eq!(scratch.out, [id]);
        }
    }

    /// A vocabulary where "abc" is a token that the merges do not build from
    /// its bytes: "ab" merges first and no rule joins "ab" and "c". Encoding
    /// "abc" must follow the rules, not the shortcut.
    #[test]
    fn shortcut_skips_tokens_the_merges_do_not_build() {
        let (mut list, _) = byte_tokens();
        list.push_ordinary(b"ab", 300);
        list.push_ordinary(b"bc", 301);
        list.push_ordinary(b"abc", 302);
        let vocab = Vocab::new(list).unwrap();
        let mut merges = Merges::with_capacity(3);
        let (a, b, c) = (
            vocab.byte_id(b'a'),
            vocab.byte_id(b'b'),
            vocab.byte_id(b'c'),
        );
        merges.push(a, b, 300).unwrap();
        merges.push(b, c, 301).unwrap();
        merges.push(a, 301, 302).unwrap();
        let model = Model::new(vocab, merges);
        assert_eq!(model.not_self_merging, [302]);
        let mut out = Vec::new();
        model.encode_chunks(["abc", "ab"].into_iter(), &mut out);
        assert_eq!(out, [300, c, 300]);
    }

    /// Merging the independent parts separately gives what merging the
    /// whole chunk gives, on text where the cut matters most.
    #[test]
    fn independent_parts_merge_like_the_whole_chunk() {
        let (vocab, merges) = gpt2_vocab_and_merges();
        let model = Model::with_whole_piece_shortcut(vocab, merges);
        let alphabet: Vec<char> =
            "中文字符的一是不了人我在有他这、。「」日本語のひらがなカタカナ한국어 x  !"
                .chars()
                .collect();
        let mut rng = XorShift(12345);
        let mut scratch = Scratch::default();
        let mut split_chunks = 0;
        for _ in 0..3000 {
            let len = 1 + (rng.0 % 40) as usize;
            let chunk: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let chunk = chunk.as_bytes();
            let parts: Vec<&[u8]> = model.independent_parts(chunk).collect();
            assert_eq!(parts.concat(), chunk);
            split_chunks += usize::from(parts.len() > 1);
            model.merge(chunk, &mut scratch);
            let whole = scratch.out.clone();
            let mut by_parts = Vec::new();
            for part in parts {
                model.merge(part, &mut scratch);
                by_parts.extend_from_slice(&scratch.out);
            }
            assert_eq!(by_parts, whole, "{:?}", String::from_utf8_lossy(chunk));
        }
        assert!(split_chunks > 1000);
    }

    /// Every sink gets the same ids: the result vector, into which long
    /// chunks are merged directly after the ids already there, a counter,
    /// and a function, which both take long chunks through the scratch
    /// buffer. Each long chunk of digits or `a` runs follows a short chunk
    /// of the same kind, which a seam repair reaching too far back would
    /// join.
    #[test]
    fn every_sink_gets_the_same_ids() {
        let (vocab, merges) = gpt2_vocab_and_merges();
        let model = Model::with_whole_piece_shortcut(vocab, merges);
        let mut rng = XorShift(21);
        let mut texts = Vec::new();
        for case in 0..200 {
            let alphabet: &[u8] = if case % 2 == 0 { b"0123456789" } else { b"aab" };
            let long = SHORT_CHUNK + 1 + rng.below(2000);
            for len in [1 + case % 5, long] {
                let chunk: String = (0..len)
                    .map(|_| char::from(alphabet[rng.below(alphabet.len())]))
                    .collect();
                texts.push(chunk);
            }
        }
        let chunks: Vec<&str> = texts.iter().map(String::as_str).collect();
        let mut scratch = Scratch::default();
        let mut one_by_one = Vec::new();
        for chunk in &chunks {
            model.merge(chunk.as_bytes(), &mut scratch);
            one_by_one.extend_from_slice(&scratch.out);
        }
        let mut ids = Vec::new();
        model.encode_chunks(chunks.iter().copied(), &mut ids);
        assert_eq!(ids, one_by_one);
        let mut count = Count::default();
        model.encode_chunks(chunks.iter().copied(), &mut count);
        assert_eq!(count.0, ids.len());
        let mut each = Vec::new();
        model.encode_chunks(chunks.iter().copied(), &mut EachId(|id| each.push(id)));
        assert_eq!(each, ids);
    }

    /// The chunk cache ends on chunks that do not repeat, comes back when
    /// they do, and never changes the ids.
    #[test]
    fn the_chunk_cache_ends_where_it_does_not_pay() {
        let (vocab, merges) = gpt2_vocab_and_merges();
        let model = Model::new(vocab, merges);
        let mut rng = XorShift(99);
        let mut random_word = |len: usize| -> String {
            (0..len)
                .map(|_| char::from(b'a' + rng.below(26) as u8))
                .collect()
        };
        // Random 12-letter words: almost never seen twice.
        let random: Vec<String> = (0..3 * CACHE_WINDOW as usize)
            .map(|_| format!(" {}", random_word(12)))
            .collect();
        // A few hundred words, over and over.
        let vocabulary: Vec<String> = (0..300).map(|_| format!(" {}", random_word(9))).collect();
        let repeating: Vec<&str> = (0..CACHE_RETRY_AFTER + 3 * CACHE_WINDOW as usize)
            .map(|i| vocabulary[i * 7 % 300].as_str())
            .collect();
        let uncached = |chunks: &[&str]| -> Vec<u32> {
            let mut scratch = Scratch::default();
            let mut ids = Vec::new();
            for chunk in chunks {
                model.merge(chunk.as_bytes(), &mut scratch);
                ids.extend_from_slice(&scratch.out);
            }
            ids
        };
        let mut memo = Memo::default();
        let mut ids = Vec::new();
        let random: Vec<&str> = random.iter().map(String::as_str).collect();
        model.encode_pieces_with(random.iter().copied(), &mut memo, &mut ids);
        assert!(!memo.has_cache(), "random words keep the cache");
        assert_eq!(ids, uncached(&random));
        ids.clear();
        model.encode_pieces_with(repeating.iter().copied(), &mut memo, &mut ids);
        assert!(memo.has_cache(), "repeated words do not bring it back");
        assert_eq!(ids, uncached(&repeating));
    }
}
