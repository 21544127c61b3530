//! Token ids back to bytes and text.

use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Appends the bytes of `ids` to `out`; an unknown id is an error that gives
/// its position.
pub(crate) fn decode_into(vocab: &Vocab, ids: &[u32], out: &mut Vec<u8>) -> Result<()> {
    for (position, &id) in ids.iter().enumerate() {
        let bytes = vocab.bytes(id).ok_or(Error::UnknownId { id, position })?;
        out.extend_from_slice(bytes);
    }
    Ok(())
}

/// The text of `ids`: an error on an unknown id or on bytes that are not UTF-8.
pub(crate) fn decode_text(vocab: &Vocab, ids: &[u32]) -> Result<String> {
    let mut bytes = Vec::with_capacity(ids.len() * 4);
    decode_into(vocab, ids, &mut bytes)?;
    String::from_utf8(bytes).map_err(|source| Error::InvalidUtf8 { source })
}
