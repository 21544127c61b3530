//! Decoders: how HF turns the tokens of ids back into text. Each works on
//! the tokens as HF spells them (a byte-level vocabulary's `Ġworld`, a
//! SentencePiece vocabulary's `▁world`, an added token's content).

use super::pattern::Pattern;
use super::pre_tokenizer::PrependScheme;

/// One of HF's decoders.
#[derive(Clone, Debug)]
pub(crate) enum Decoder {
    ByteLevel,
    Replace {
        pattern: Pattern,
        content: String,
    },
    Strip {
        content: char,
        start: usize,
        stop: usize,
    },
    Fuse,
    ByteFallback,
    Metaspace {
        replacement: char,
        prepend: PrependScheme,
    },
    Bpe {
        suffix: String,
    },
    Sequence(Vec<Decoder>),
}

/// The byte that a `<0xNN>` token stands for.
pub(crate) fn byte_fallback_value(token: &str) -> Option<u8> {
    let hex = token.strip_prefix("<0x")?.strip_suffix('>')?;
    if hex.len() != 2 {
        return None;
    }
    u8::from_str_radix(hex, 16).ok()
}

impl Decoder {
    /// Whether this decoder is exactly `ByteLevel`, so that decoding can
    /// concatenate token bytes directly.
    pub(crate) fn is_byte_level(&self) -> bool {
        match self {
            Decoder::ByteLevel => true,
            Decoder::Sequence(parts) => matches!(&parts[..], [Decoder::ByteLevel]),
            _ => false,
        }
    }

    /// HF's `decode_chain`: the tokens after this decoder.
    pub(crate) fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        match self {
            Decoder::ByteLevel => {
                let mut bytes = Vec::new();
                for token in &tokens {
                    let before = bytes.len();
                    if !crate::byte_level::decode_into(token.as_bytes(), &mut bytes) {
                        bytes.truncate(before);
                        bytes.extend_from_slice(token.as_bytes());
                    }
                }
                vec![String::from_utf8_lossy(&bytes).into_owned()]
            }
            Decoder::Replace { pattern, content } => tokens
                .into_iter()
                .map(|token| {
                    let mut out = String::with_capacity(token.len());
                    for (range, is_match) in pattern.find(&token) {
                        if is_match {
                            out.push_str(content);
                        } else {
                            out.push_str(&token[range]);
                        }
                    }
                    out
                })
                .collect(),
            Decoder::Strip {
                content,
                start,
                stop,
            } => tokens
                .into_iter()
                .map(|token| {
                    let chars: Vec<char> = token.chars().collect();
                    let lead = chars
                        .iter()
                        .take(*start)
                        .take_while(|c| *c == content)
                        .count();
                    let rest = &chars[lead..];
                    let trail = rest
                        .iter()
                        .rev()
                        .take(*stop)
                        .take_while(|c| *c == content)
                        .count();
                    rest[..rest.len() - trail].iter().collect()
                })
                .collect(),
            Decoder::Fuse => vec![tokens.concat()],
            Decoder::ByteFallback => {
                let mut out = Vec::with_capacity(tokens.len());
                let mut pending: Vec<u8> = Vec::new();
                let flush = |pending: &mut Vec<u8>, out: &mut Vec<String>| {
                    if pending.is_empty() {
                        return;
                    }
                    match String::from_utf8(std::mem::take(pending)) {
                        Ok(text) => out.push(text),
                        Err(e) => {
                            let n = e.as_bytes().len();
                            out.extend(std::iter::repeat_n("\u{FFFD}".to_string(), n));
                        }
                    }
                };
                for token in tokens {
                    match byte_fallback_value(&token) {
                        Some(b) => pending.push(b),
                        None => {
                            flush(&mut pending, &mut out);
                            out.push(token);
                        }
                    }
                }
                flush(&mut pending, &mut out);
                out
            }
            Decoder::Metaspace {
                replacement,
                prepend,
            } => tokens
                .into_iter()
                .enumerate()
                .map(|(i, token)| {
                    token
                        .chars()
                        .filter_map(|c| {
                            if c != *replacement {
                                Some(c)
                            } else if i == 0 && *prepend != PrependScheme::Never {
                                None
                            } else {
                                Some(' ')
                            }
                        })
                        .collect()
                })
                .collect(),
            Decoder::Bpe { suffix } => {
                let n = tokens.len();
                tokens
                    .into_iter()
                    .enumerate()
                    .map(|(i, token)| {
                        let with = if i + 1 == n { "" } else { " " };
                        token.replace(suffix.as_str(), with)
                    })
                    .collect()
            }
            Decoder::Sequence(parts) => parts
                .iter()
                .fold(tokens, |tokens, part| part.decode_chain(tokens)),
        }
    }
}
