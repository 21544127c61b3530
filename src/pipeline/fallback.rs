//! Characters a character-level vocabulary lacks: after merging, what is
//! left of them is placeholder tokens (see `formats::hf_char`), which become
//! their UTF-8 bytes' `<0xNN>` tokens (`byte_fallback`) or the unknown token,
//! consecutive unknown characters of a word fused into one (`fuse_unk`), as
//! HF's BPE turns such characters into symbols before merging. Merges never
//! join byte tokens or the unknown token (the loader refuses a file where
//! one would), so doing it after merging gives the same tokens.

use std::collections::HashMap;

use crate::vocab::Vocab;

/// How a character-level model handles characters it lacks.
#[derive(Clone, Debug)]
pub(crate) struct Fallback {
    /// Ids from this one on are placeholders.
    pub(crate) first_placeholder: u32,
    /// The `<0xNN>` token of each byte (`u32::MAX` where the vocabulary has
    /// none), when `byte_fallback` is on.
    pub(crate) byte_tokens: Option<[u32; 256]>,
    pub(crate) unk: Option<u32>,
    pub(crate) fuse_unk: bool,
    /// How many of the model's rules build characters from bytes (the first
    /// ones); the rest are the file's merges.
    pub(crate) building_rules: usize,
    /// How HF spells the tokens whose bytes are not their spelling: the
    /// byte tokens (`<0x41>` stands for `A`).
    pub(crate) spellings: HashMap<u32, String>,
}

impl Fallback {
    /// Replaces the placeholders among `ids[first..]` (one word's tokens).
    /// With `lens`, pushes the byte length of each resulting token.
    pub(crate) fn finish_word(
        &self,
        vocab: &Vocab,
        ids: &mut Vec<u32>,
        first: usize,
        lens: Option<&mut Vec<usize>>,
    ) {
        let placeholder = |id: u32| id >= self.first_placeholder;
        if !ids[first..].iter().any(|&id| placeholder(id)) {
            if let Some(lens) = lens {
                lens.extend(ids[first..].iter().map(|&id| token_len(vocab, id)));
            }
            return;
        }
        let word: Vec<u32> = ids.drain(first..).collect();
        let mut lens = lens;
        let push = |ids: &mut Vec<u32>, lens: &mut Option<&mut Vec<usize>>, id: u32, len: usize| {
            ids.push(id);
            if let Some(lens) = lens.as_deref_mut() {
                lens.push(len);
            }
        };
        let mut i = 0;
        while i < word.len() {
            if !placeholder(word[i]) {
                push(ids, &mut lens, word[i], token_len(vocab, word[i]));
                i += 1;
                continue;
            }
            // A run of placeholders: whole characters, since every token
            // between them is made of whole characters.
            let mut bytes = Vec::new();
            while i < word.len() && placeholder(word[i]) {
                bytes.extend_from_slice(vocab.bytes(word[i]).unwrap_or_default());
                i += 1;
            }
            let text = String::from_utf8_lossy(&bytes);
            let mut unk_open = false;
            for c in text.chars() {
                let mut buf = [0u8; 4];
                let char_bytes = c.encode_utf8(&mut buf).as_bytes();
                let by_bytes: Option<Vec<u32>> = self.byte_tokens.as_ref().and_then(|tokens| {
                    char_bytes
                        .iter()
                        .map(|&b| Some(tokens[b as usize]).filter(|&t| t != u32::MAX))
                        .collect()
                });
                match (by_bytes, self.unk) {
                    (Some(tokens), _) => {
                        for t in tokens {
                            push(ids, &mut lens, t, 1);
                        }
                        unk_open = false;
                    }
                    (None, Some(unk)) => {
                        if unk_open && self.fuse_unk {
                            if let Some(lens) = lens.as_deref_mut() {
                                if let Some(last) = lens.last_mut() {
                                    *last += char_bytes.len();
                                }
                            }
                        } else {
                            push(ids, &mut lens, unk, char_bytes.len());
                        }
                        unk_open = true;
                    }
                    // No byte token and no unknown token: HF drops it.
                    (None, None) => {}
                }
            }
        }
    }
}

/// The length in bytes that token `id` covers.
fn token_len(vocab: &Vocab, id: u32) -> usize {
    vocab.bytes(id).map_or(0, <[u8]>::len)
}
